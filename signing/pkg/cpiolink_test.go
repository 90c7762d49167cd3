package pkg

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// TestAttackCPIOHardLinkOverwrite: odc entries sharing a device and inode
// with a link count over 1 are hard links. libarchive links a later one
// to the first name and writes its bytes into the shared inode, so a
// harmless-looking second name (a .DS_Store, which a bundle's seal omits)
// carrying other bytes replaces the first name's checked content when
// extracted. A link written without data holds the first name's bytes.
func TestAttackCPIOHardLinkOverwrite(t *testing.T) {
	t.Parallel()
	lib := []byte("\xcf\xfa\xed\xfe the vendor's signed dylib")
	cases := []struct {
		name    string
		second  pkgfile.CPIOFile
		problem string
		want    []byte // the second name's content, when placed
	}{
		{"same-bytes", pkgfile.CPIOFile{Name: "./b/.DS_Store", Mode: 0o100644, Data: lib, Ino: 7, Nlink: 2}, "", lib},
		{"no-bytes", pkgfile.CPIOFile{Name: "./b/.DS_Store", Mode: 0o100644, Ino: 7, Nlink: 2}, "", lib},
		{"other-bytes", pkgfile.CPIOFile{Name: "./b/.DS_Store", Mode: 0o100644, Data: []byte("\xcf\xfa\xed\xfe trojan"), Ino: 7, Nlink: 2}, `a hard link to "./a/lib.dylib"`, nil},
		{"other-inode", pkgfile.CPIOFile{Name: "./b/.DS_Store", Mode: 0o100644, Data: []byte("notes"), Ino: 8, Nlink: 2}, "", []byte("notes")},
		{"single-link", pkgfile.CPIOFile{Name: "./b/.DS_Store", Mode: 0o100644, Data: []byte("notes"), Ino: 7, Nlink: 1}, "", []byte("notes")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
				{Name: "./a/lib.dylib", Mode: 0o100755, Data: lib, Ino: 7, Nlink: 2},
				c.second,
			}))
			fsys, got := cpioPackage(t, payload)
			if (c.problem == "") != (got == "") || !strings.Contains(got, c.problem) {
				t.Errorf("findings:\n%s\nwant %q", got, c.problem)
			}
			if b, err := fs.ReadFile(fsys, "app.pkg/Payload/a/lib.dylib"); err != nil || !bytes.Equal(b, lib) {
				t.Errorf("first name: %q, %v", b, err)
			}
			b, err := fs.ReadFile(fsys, "app.pkg/Payload/b/.DS_Store")
			if c.want == nil {
				if err == nil {
					t.Errorf("second name placed: %q", b)
				}
			} else if err != nil || !bytes.Equal(b, c.want) {
				t.Errorf("second name: %q, %v, want %q", b, err, c.want)
			}
		})
	}
}

// TestCrossLibarchiveHardLinkOverwrite: bsdtar extracts the attack of
// TestAttackCPIOHardLinkOverwrite with the second entry's bytes under the
// first name (GNU cpio keeps the first's: the extractors disagree, which
// is why such an entry is an error).
func TestCrossLibarchiveHardLinkOverwrite(t *testing.T) {
	t.Parallel()
	bsdtar := need(t, "bsdtar", "libarchive-tools")
	dir := t.TempDir()
	arc := filepath.Join(dir, "Payload.cpio")
	if err := os.WriteFile(arc, pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: "./a", Mode: 0o040755},
		{Name: "./a/lib.dylib", Mode: 0o100755, Data: []byte("vendor"), Ino: 7, Nlink: 2},
		{Name: "./a/.DS_Store", Mode: 0o100644, Data: []byte("trojan"), Ino: 7, Nlink: 2},
	}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bsdtar, "-xf", arc, "-C", out).CombinedOutput(); err != nil {
		t.Fatalf("bsdtar: %v: %s", err, b)
	}
	if b, err := os.ReadFile(filepath.Join(out, "a", "lib.dylib")); err != nil || string(b) != "trojan" {
		t.Errorf("bsdtar extracted lib.dylib as %q, %v: its hard-link semantics changed", b, err)
	}
}
