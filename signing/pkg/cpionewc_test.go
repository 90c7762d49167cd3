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

// newcFiles are the entries of the newc fixtures: folders, files, a
// set-user-ID file, a symlink and a hard link written as GNU cpio writes
// one (the bytes with the last name).
var newcFiles = []pkgfile.CPIOFile{
	{Name: ".", Mode: 0o040755},
	{Name: "./App.app", Mode: 0o040755},
	{Name: "./App.app/Contents", Mode: 0o040755},
	{Name: "./App.app/Contents/Info.plist", Mode: 0o100644, Data: []byte("<plist/>")},
	{Name: "./App.app/Contents/MacOS", Mode: 0o040755},
	{Name: "./App.app/Contents/MacOS/App", Mode: 0o100755, Data: []byte("\xcf\xfa\xed\xfe code")},
	{Name: "./App.app/Contents/MacOS/helper", Mode: 0o104755, Data: []byte("setuid helper")},
	{Name: "./App.app/Contents/MacOS/current", Mode: 0o120755, Data: []byte("App")},
	{Name: "./App.app/Contents/Resources", Mode: 0o040755},
	{Name: "./App.app/Contents/Resources/a.txt", Mode: 0o100644, Ino: 40, Nlink: 2},
	{Name: "./App.app/Contents/Resources/b.txt", Mode: 0o100644, Data: []byte("shared"), Ino: 40, Nlink: 2},
}

// TestOpenFSNewcPayload: a Payload in the newc format, with and without
// checksums, opens as odc does: files with their bytes and modes (the
// set-user-ID bit kept), symlinks, and a hard link's bytes under both
// names.
func TestOpenFSNewcPayload(t *testing.T) {
	t.Parallel()
	for _, crc := range []bool{false, true} {
		fsys, finds := cpioPackage(t, pkgfile.Gzip(pkgfile.CPIONewc(newcFiles, crc)))
		if finds != "" {
			t.Fatalf("crc %v: findings %s", crc, finds)
		}
		checkNewcTree(t, fsys, "app.pkg/Payload/")
	}
	// Uncompressed, as odc may be.
	if _, finds := cpioPackage(t, pkgfile.CPIONewc(newcFiles, false)); finds != "" {
		t.Errorf("uncompressed: findings %s", finds)
	}
}

func checkNewcTree(t *testing.T, fsys fs.FS, dir string) {
	t.Helper()
	for name, want := range map[string]string{
		"App.app/Contents/Info.plist":      "<plist/>",
		"App.app/Contents/MacOS/App":       "\xcf\xfa\xed\xfe code",
		"App.app/Contents/MacOS/helper":    "setuid helper",
		"App.app/Contents/Resources/a.txt": "shared",
		"App.app/Contents/Resources/b.txt": "shared",
	} {
		if b, err := fs.ReadFile(fsys, dir+name); err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", name, b, err, want)
		}
	}
	if fi, err := fs.Stat(fsys, dir+"App.app/Contents/MacOS/helper"); err != nil || fi.Mode()&fs.ModeSetuid == 0 {
		t.Errorf("helper mode: %v %v", fi, err)
	}
	if l, err := fs.ReadLink(fsys, dir+"App.app/Contents/MacOS/current"); err != nil || l != "App" {
		t.Errorf("symlink: %q %v", l, err)
	}
}

// TestOpenFSHostileNewcPayloads: newc entries get the checks odc entries
// get (names, file types, hard links), and a newc header that does not
// read as its format says is reported with its offset, leaving the
// archive unopened: never silently passed.
func TestOpenFSHostileNewcPayloads(t *testing.T) {
	t.Parallel()
	one := func(f ...pkgfile.CPIOFile) []byte { return pkgfile.CPIONewc(f, false) }
	file := pkgfile.CPIOFile{Name: "./a", Mode: 0o100644, Data: []byte("x")}
	patch := func(b []byte, at int, s string) []byte {
		b = bytes.Clone(b)
		copy(b[at:], s)
		return b
	}
	for name, tc := range map[string]struct {
		payload []byte
		want    string
	}{
		"dot-dot escape": {one(pkgfile.CPIOFile{Name: "./../../etc/evil", Mode: 0o100644, Data: []byte("x")}), `entry "./../../etc/evil" was not checked: not a relative path`},
		"absolute":       {one(pkgfile.CPIOFile{Name: "/etc/evil", Mode: 0o100644}), `entry "/etc/evil" was not checked`},
		"case duplicate": {one(pkgfile.CPIOFile{Name: "./App", Mode: 0o100644, Data: []byte("1")}, pkgfile.CPIOFile{Name: "./app", Mode: 0o100644, Data: []byte("2")}), `differs from "App" only in case`},
		"unknown type":   {one(pkgfile.CPIOFile{Name: "./dev", Mode: 0o160644}), `neither file, directory, symlink nor special file`},
		"dir with bytes": {one(pkgfile.CPIOFile{Name: "./d", Mode: 0o040755, Data: []byte("x")}), `a directory holding 1 bytes`},
		"hard link other bytes": {one(pkgfile.CPIOFile{Name: "./a", Mode: 0o100644, Data: []byte("vendor"), Ino: 7, Nlink: 2},
			pkgfile.CPIOFile{Name: "./b", Mode: 0o100644, Data: []byte("trojan"), Ino: 7, Nlink: 2}), `a hard link to "./a"`},
		"hard link late other bytes": {one(pkgfile.CPIOFile{Name: "./a", Mode: 0o100644, Ino: 7, Nlink: 3},
			pkgfile.CPIOFile{Name: "./b", Mode: 0o100644, Data: []byte("vendor"), Ino: 7, Nlink: 3},
			pkgfile.CPIOFile{Name: "./c", Mode: 0o100644, Data: []byte("trojan"), Ino: 7, Nlink: 3}), `entry "./c" was not checked: a hard link to "./a"`},
		"not hex":          {patch(one(file), 6, "0000000g"), `field "0000000g" is not hexadecimal`},
		"signed field":     {patch(one(file), 6+8*6, "+0000001"), `is not hexadecimal`},
		"name past end":    {patch(one(file), 6+8*11, "7FFFFFFF"), `cpio name of 2147483647 bytes at offset 110 runs past the archive`},
		"data past end":    {patch(one(file), 6+8*6, "FFFFFFFF"), `cpio data of 4294967295 bytes`},
		"name padding":     {patch(one(file), 110+4, "\x01"), `padding byte at offset 114`},
		"data padding":     {patch(one(file), 116+1, "\x01"), `padding byte at offset 117`},
		"crc mismatch":     {patch(pkgfile.CPIONewc([]pkgfile.CPIOFile{file}, true), 6+8*12, "00000099"), `sum to 0x00000078, not its checksum 0x00000099`},
		"newc then crc":    {append(one(file)[:120], pkgfile.CPIONewc(nil, true)...), `not that of the archive's first (070701)`},
		"newc then odc":    {append(one(file)[:120], pkgfile.CPIO([]pkgfile.CPIOFile{file})...), `has the magic "070707"`},
		"no trailer":       {one(file)[:120], `cut short`},
		"after trailer":    {append(one(file), "hidden"...), `not zero padding`},
		"name not one NUL": {patch(one(file), 110+1, "\x00"), `not one NUL-terminated string`},
	} {
		t.Run(name, func(t *testing.T) {
			_, got := cpioPackage(t, pkgfile.Gzip(tc.payload))
			if !strings.Contains(got, tc.want) {
				t.Errorf("findings:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}

// TestCrossGNUCpioNewc: parseCPIO reads the newc and crc archives GNU cpio
// writes, hard links (bytes on the last name), symlinks and set-user-ID
// bits included, as GNU cpio extracts them.
func TestCrossGNUCpioNewc(t *testing.T) {
	t.Parallel()
	cpio := need(t, "cpio", "cpio")
	dir := t.TempDir()
	want := writeTreeFiles(t, dir)
	if err := os.Link(filepath.Join(dir, "d", "a.txt"), filepath.Join(dir, "d", "sub", "a-link")); err != nil {
		t.Fatal(err)
	}
	want["d/sub/a-link"] = want["d/a.txt"]
	if err := os.Symlink("../a.txt", filepath.Join(dir, "d", "sub", "sym")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "d", "sub", "b.bin"), 0o755|fs.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	list := ".\n./d\n./d/sub\n./d/a.txt\n./d/odd name &<\n./d/sub/a-link\n./d/sub/b.bin\n./d/sub/empty\n./d/sub/sym\n"
	for _, format := range []string{"newc", "crc"} {
		t.Run(format, func(t *testing.T) {
			cmd := exec.Command(cpio, "-o", "-H", format, "--quiet")
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(list)
			arc, err := cmd.Output()
			if err != nil {
				t.Fatalf("cpio -o: %v", err)
			}
			root, probs, err := parseCPIO(arc)
			if err != nil || len(probs) != 0 {
				t.Fatalf("parseCPIO: %v %+v", err, probs)
			}
			fsys := memFS{root}
			for n, data := range want {
				if got, err := fs.ReadFile(fsys, n); err != nil || !bytes.Equal(got, data) {
					t.Errorf("%s: %q %v", n, got, err)
				}
			}
			if l, err := fs.ReadLink(fsys, "d/sub/sym"); err != nil || l != "../a.txt" {
				t.Errorf("symlink %q %v", l, err)
			}
			if fi, err := fs.Stat(fsys, "d/sub/b.bin"); err != nil || fi.Mode()&fs.ModeSetuid == 0 {
				t.Errorf("set-user-ID bit lost: %v %v", fi, err)
			}
			// GNU cpio extracts what we read.
			out := t.TempDir()
			x := exec.Command(cpio, "-i", "-d", "--quiet")
			x.Dir, x.Stdin = out, bytes.NewReader(arc)
			if b, err := x.CombinedOutput(); err != nil {
				t.Fatalf("cpio -i: %v %s", err, b)
			}
			for n, data := range treeFiles(t, out) {
				if got, _ := fs.ReadFile(fsys, n); !bytes.Equal(got, data) {
					t.Errorf("%s: GNU cpio extracts %q, read %q", n, data, got)
				}
			}
		})
	}
	// GNU cpio lists the newc archives pkgfile writes.
	cmd := exec.Command(cpio, "-it", "--quiet")
	cmd.Stdin = bytes.NewReader(pkgfile.CPIONewc(newcFiles, true))
	out, err := cmd.Output()
	if err != nil || len(strings.Fields(string(out))) != len(newcFiles) {
		t.Errorf("cpio -it: %q %v", out, err)
	}
}
