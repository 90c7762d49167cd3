package sbom

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// A zip entry made on Atari (host 5) with a symbolic link's Unix mode is a
// link to Info-ZIP's unzip, which makes it, and was inventoried as a file
// holding its target: it is a link, here out of the release
// (file/symlink-escape), and extractors disagreeing on it file/malformed,
// as verify reports it (TestAttackZipSymlinkOtherHost).
func TestAttackSBOMZipSymlinkOtherHost(t *testing.T) {
	p := filepath.Join(t.TempDir(), "release.zip")
	z := walktest.Zip(t, []walktest.ZipEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "lib/evil.dll", Data: []byte("../../outside/evil.dll"), Mode: fs.ModeSymlink | 0o777, Host: 5}})
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := append(ruleFindings(inv.Findings, RuleSymlinkEscape, ""), ruleFindings(inv.Findings, release.RuleMalformed, "")...)
	if want := []string{string(RuleSymlinkEscape) + " lib/evil.dll", string(release.RuleMalformed) + " lib/evil.dll"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// A zip entry whose libarchive "xl" extra field (0x6c78) makes it a
// symbolic link for bsdtar alone is file/malformed, as verify reports it
// (TestAttackZipXLField).
func TestAttackSBOMZipXLField(t *testing.T) {
	p := filepath.Join(t.TempDir(), "release.zip")
	xl := []byte{0x78, 0x6c, 7, 0, 0x05, 20, 3, 0, 0, 0xff, 0xa1}
	z := walktest.Zip(t, []walktest.ZipEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "lib/evil.dll", Data: []byte("../../outside/evil.dll"), Extra: xl}})
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := Open(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ruleFindings(inv.Findings, release.RuleMalformed, ""), []string{string(release.RuleMalformed) + " lib/evil.dll"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
