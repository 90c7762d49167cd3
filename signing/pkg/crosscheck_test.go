package pkg

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// Debian has no xar or pkgutil; libarchive's bsdtar (libarchive-tools)
// reads and writes xar archives and GNU cpio writes odc archives: they are
// the independent implementations these tests compare with.

func need(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed (apt-get install %s): cross-check skipped", tool, pkg)
	}
	return p
}

func treeFiles(t *testing.T, root string) map[string][]byte {
	out := map[string][]byte{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	return out
}

func writeTreeFiles(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{
		"d/a.txt":       []byte("hello\n"),
		"d/sub/b.bin":   bytes.Repeat([]byte{1, 2, 3, 250}, 3000),
		"d/sub/empty":   nil,
		"d/odd name &<": []byte("<escaped>"),
	}
	for n, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestCrossLibarchiveWritesWeRead: archives bsdtar writes (zlib, bzip2 and
// no compression; SHA-1 and SHA-256 checksums) read back intact, with
// every heap byte owned and every checksum matching.
func TestCrossLibarchiveWritesWeRead(t *testing.T) {
	t.Parallel()
	bsdtar := need(t, "bsdtar", "libarchive-tools")
	dir := t.TempDir()
	want := writeTreeFiles(t, dir)
	for _, opt := range []string{"xar:compression=gzip,xar:checksum=sha1", "xar:compression=bzip2,xar:checksum=sha1", "xar:compression=none,xar:checksum=sha1"} {
		t.Run(opt, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "t.xar")
			cmd := exec.Command(bsdtar, "-cf", out, "--format", "xar", "--options", opt, "d")
			cmd.Dir = dir
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Skipf("bsdtar %s: %v: %s", opt, err, b)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			// libarchive 3.6 writes, after the heap, a copy of the first
			// hash-size bytes of the compressed table of contents, which
			// the table names nowhere: unowned bytes, reported as any are.
			hs := int64(res.Reader.Hash.Size())
			tail := b[int64(len(b))-hs:]
			if !res.TOCChecksumOK || len(res.Findings) != 1 || res.Findings[0].Rule != RuleUnownedHeapData ||
				*res.Findings[0].Offset != int64(len(b))-hs || !bytes.Equal(tail, b[28:28+hs]) {
				t.Fatalf("findings %+v, toc %t", res.Findings, res.TOCChecksumOK)
			}
			for _, e := range res.Reader.Entries {
				if c := res.Reader.CheckData(e); e.Data != nil && (!c.ArchivedOK || !c.ExtractedOK) {
					t.Errorf("%s: %+v", e.Path, c)
				}
			}
			fsys, _ := OpenFS(res.Reader, FSOptions{})
			for n, data := range want {
				got, err := fs.ReadFile(fsys, n)
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("%s: %v", n, err)
				}
			}
		})
	}
}

// TestCrossLibarchiveReadsOurs: bsdtar lists and extracts the packages
// pkgfile builds, and refuses the one whose file data was changed, as
// Verify does.
func TestCrossLibarchiveReadsOurs(t *testing.T) {
	t.Parallel()
	bsdtar := need(t, "bsdtar", "libarchive-tools")
	b, lay := pkgfile.Build(signedSpec(t))
	dir := t.TempDir()
	p := filepath.Join(dir, "ok.pkg")
	os.WriteFile(p, b, 0o644)
	out, err := exec.Command(bsdtar, "-tf", p).CombinedOutput()
	if err != nil {
		t.Fatalf("bsdtar -t: %v: %s", err, out)
	}
	names := strings.Fields(string(out))
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "Distribution a.pkg a.pkg/PackageInfo a.pkg/Payload" {
		t.Errorf("bsdtar lists %q", got)
	}
	x := filepath.Join(dir, "x")
	os.Mkdir(x, 0o755)
	if out, err := exec.Command(bsdtar, "-xf", p, "-C", x).CombinedOutput(); err != nil {
		t.Fatalf("bsdtar -x: %v: %s", err, out)
	}
	got := treeFiles(t, x)
	for _, f := range plainFiles() {
		if !bytes.Equal(got[f.Path], f.Data) {
			t.Errorf("bsdtar extracted %s as %q", f.Path, got[f.Path])
		}
	}
	// A changed byte of the (zlib-encoded) Distribution: both refuse it.
	bad := bytes.Clone(b)
	bad[lay.HeapStart+lay.Data["Distribution"]+4] ^= 1
	bp := filepath.Join(dir, "bad.pkg")
	os.WriteFile(bp, bad, 0o644)
	y := filepath.Join(dir, "y")
	os.Mkdir(y, 0o755)
	if out, err := exec.Command(bsdtar, "-xf", bp, "-C", y).CombinedOutput(); err == nil {
		t.Errorf("bsdtar extracted a package whose data does not match its checksum: %s", out)
	}
	if res := verifyBytes(t, bad, machofile.SignTime); res.FilesOK {
		t.Errorf("Verify accepted it")
	}
}

// TestCrossGNUCpio: GNU cpio lists the odc archives pkgfile writes, and
// parseCPIO reads the ones GNU cpio writes.
func TestCrossGNUCpio(t *testing.T) {
	t.Parallel()
	cpio := need(t, "cpio", "cpio")
	dir := t.TempDir()
	want := writeTreeFiles(t, dir)
	cmd := exec.Command(cpio, "-o", "-H", "odc", "--quiet")
	cmd.Dir = dir
	var list []string
	for n := range want {
		list = append(list, "./"+n)
	}
	sort.Strings(list)
	cmd.Stdin = strings.NewReader(".\n./d\n./d/sub\n" + strings.Join(list, "\n") + "\n")
	arc, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -o: %v", err)
	}
	root, probs, err := parseCPIO(arc)
	if err != nil || len(probs) != 0 {
		t.Fatalf("parseCPIO: %v %+v", err, probs)
	}
	for n, data := range want {
		got, err := fs.ReadFile(memFS{root}, n)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: %v", n, err)
		}
	}
	ours := pkgfile.CPIO([]pkgfile.CPIOFile{{Name: ".", Mode: 0o040755}, {Name: "./x", Mode: 0o100644, Data: []byte("x")}, {Name: "./l", Mode: 0o120755, Data: []byte("x")}})
	cmd = exec.Command(cpio, "-it", "--quiet")
	cmd.Stdin = bytes.NewReader(ours)
	out, err := cmd.Output()
	if err != nil || strings.Join(strings.Fields(string(out)), " ") != ". ./x ./l" {
		t.Errorf("cpio -it: %q %v", out, err)
	}
}
