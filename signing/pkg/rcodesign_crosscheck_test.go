package pkg

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// TestCrossCheckRcodesign has rcodesign (apple-codesign, an independent
// Rust implementation that reads flat packages' xar signatures) read the
// generator's signed package with print-signature-info. rcodesign is
// installed from crates.io (cargo install apple-codesign), which this
// machine cannot reach, so the test skips where it is absent; bsdtar
// (TestCrossLibarchive*) is the xar cross-check that runs here.
func TestCrossCheckRcodesign(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("rcodesign")
	if err != nil {
		t.Skip("rcodesign is not installed (cargo install apple-codesign; crates.io needed): cross-check of the package signature skipped")
	}
	b, _ := pkgfile.Build(signedSpec(t))
	p := filepath.Join(t.TempDir(), "Example.pkg")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "print-signature-info", p).CombinedOutput()
	if err != nil || len(out) == 0 {
		t.Fatalf("rcodesign print-signature-info: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
