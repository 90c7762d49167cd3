package sbom

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackSBOMLinkOutThroughLink: a zip release holding the link up
// (to "..") and lib/sneaky.txt (to "../up/outside.txt"), whose target
// looks inside the archive as text but leads out once up is followed, passed
// sbom with a finding for up alone; it is now file/symlink-escape too,
// as verify reports it (walk.LinkChains).
func TestAttackSBOMLinkOutThroughLink(t *testing.T) {
	link := func(name, target string) walktest.ZipEntry {
		return walktest.ZipEntry{Name: name, Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	}
	p := filepath.Join(t.TempDir(), "release.zip")
	z := walktest.Zip(t, []walktest.ZipEntry{{Name: "a.txt", Data: []byte("a")}, link("up", ".."), link("lib/sneaky.txt", "../up/outside.txt")})
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := ruleFindings(inv.Findings, RuleSymlinkEscape, "")
	if want := []string{string(RuleSymlinkEscape) + " lib/sneaky.txt", string(RuleSymlinkEscape) + " up"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
