package dmg

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestCrossCheckRcodesign has rcodesign (apple-codesign, an independent
// Rust implementation of Apple's code signing) read the generator's signed
// image: print-signature-info must parse its koly trailer and embedded
// signature. rcodesign is installed from crates.io (cargo install
// apple-codesign), which this machine cannot reach, so the test skips
// where it is absent.
func TestCrossCheckRcodesign(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("rcodesign")
	if err != nil {
		t.Skip("rcodesign is not installed (cargo install apple-codesign; crates.io needed): cross-check of the disk image signature skipped")
	}
	b, _ := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "com.example.dmg"), nil)
	p := filepath.Join(t.TempDir(), "Example.dmg")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "print-signature-info", p).CombinedOutput()
	if err != nil || len(out) == 0 {
		t.Fatalf("rcodesign print-signature-info: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
