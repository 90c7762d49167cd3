package hfsplus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func build(t testing.TB, s BuildSpec) []byte {
	t.Helper()
	img, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func open(t testing.TB, img []byte) *Volume {
	t.Helper()
	v, err := Open(bytes.NewReader(img), int64(len(img)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// hasProblem reports whether v has a problem whose reason holds want.
func hasProblem(v *Volume, want string) bool {
	for _, p := range v.Problems {
		if strings.Contains(p.Reason, want) {
			return true
		}
	}
	return false
}

func sample() map[string]BuildFile {
	return map[string]BuildFile{
		"App.app/Contents/Info.plist":       {Data: []byte("<plist/>")},
		"App.app/Contents/MacOS/App":        {Data: bytes.Repeat([]byte("code"), 3000), Mode: 0o755},
		"App.app/Contents/Resources/a.txt":  {Data: []byte("a")},
		"App.app/Contents/Resources/empty":  {},
		"App.app/Contents/Frameworks/Empty": {Dir: true},
		"Applications":                      {Link: "/Applications"},
	}
}

func TestReadBuiltVolume(t *testing.T) {
	files := sample()
	v := open(t, build(t, BuildSpec{Files: files, Name: "Acme"}))
	if len(v.Problems) > 0 || len(v.Skipped) > 0 {
		t.Fatalf("problems %v skipped %v", v.Problems, v.Skipped)
	}
	for p, f := range files {
		if f.Dir {
			st, err := fs.Stat(v, p)
			if err != nil || !st.IsDir() {
				t.Errorf("%s: %v %v", p, st, err)
			}
			continue
		}
		if f.Link != "" {
			got, err := v.ReadLink(p)
			if err != nil || got != f.Link {
				t.Errorf("%s: link %q, %v", p, got, err)
			}
			st, _ := v.Lstat(p)
			if st.Mode()&fs.ModeSymlink == 0 {
				t.Errorf("%s: mode %v", p, st.Mode())
			}
			continue
		}
		got, err := fs.ReadFile(v, p)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s: %d bytes, %v", p, len(got), err)
		}
		st, _ := fs.Stat(v, p)
		if f.Mode != 0 && st.Mode().Perm() != f.Mode {
			t.Errorf("%s: mode %v", p, st.Mode())
		}
	}
	// fstest opens every entry: leave out the link out of the volume.
	delete(files, "Applications")
	files["App.app/Contents/Link"] = BuildFile{Link: "MacOS/App"}
	if err := fstest.TestFS(open(t, build(t, BuildSpec{Files: files})), "App.app/Contents/Info.plist", "App.app/Contents/MacOS/App", "App.app/Contents/Link"); err != nil {
		t.Error(err)
	}
}

// TestLinksStayInside: links are followed by Open and Stat only while they
// stay inside the volume; loops end.
func TestLinksStayInside(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{
		"F.framework/Versions/A/Resources/Info.plist": {Data: []byte("plist")},
		"F.framework/Versions/Current":                {Link: "A"},
		"F.framework/Resources":                       {Link: "Versions/Current/Resources"},
		"out":                                         {Link: "../../etc/passwd"},
		"abs":                                         {Link: "/etc/passwd"},
		"loop1":                                       {Link: "loop2"},
		"loop2":                                       {Link: "loop1"},
	}}))
	got, err := fs.ReadFile(v, "F.framework/Resources/Info.plist")
	if err != nil || string(got) != "plist" {
		t.Errorf("through two links: %q %v", got, err)
	}
	if st, err := fs.Stat(v, "F.framework/Versions/Current"); err != nil || !st.IsDir() {
		t.Errorf("stat through a link: %v %v", st, err)
	}
	if st, err := v.Lstat("F.framework/Versions/Current"); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("lstat: %v %v", st, err)
	}
	for _, p := range []string{"out", "abs"} {
		if _, err := v.Open(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: link out of the volume followed: %v", p, err)
		}
	}
	if _, err := v.Open("loop1"); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("loop: %v", err)
	}
}

// TestManyFilesMultipleNodes builds a catalog of many leaf nodes and index
// levels (512-byte nodes) and reads every file back.
func TestManyFilesMultipleNodes(t *testing.T) {
	files := map[string]BuildFile{}
	for i := range 600 {
		files[fmt.Sprintf("d%02d/sub/file-%04d.txt", i%17, i)] = BuildFile{Data: []byte(fmt.Sprintf("content %d", i))}
	}
	img := build(t, BuildSpec{Files: files, NodeSize: 512})
	v := open(t, img)
	if len(v.Problems) > 0 {
		t.Fatal(v.Problems)
	}
	n := 0
	for p, f := range files {
		got, err := fs.ReadFile(v, p)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Fatalf("%s: %q %v", p, got, err)
		}
		n++
	}
	if len(v.Paths()) != 600+17*2+1 {
		t.Errorf("%d paths", len(v.Paths()))
	}
}

// TestExtentsOverflow reads a file whose extents continue in the extents
// overflow file.
func TestExtentsOverflow(t *testing.T) {
	big := make([]byte, 30*4096+100)
	for i := range big {
		big[i] = byte(i * 7 / 4096)
	}
	img := build(t, BuildSpec{Files: map[string]BuildFile{"big.bin": {Data: big}, "small": {Data: []byte("x")}}, Fragment: true})
	v := open(t, img)
	if len(v.Problems) > 0 {
		t.Fatal(v.Problems)
	}
	got, err := fs.ReadFile(v, "big.bin")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	f, _ := v.Open("big.bin")
	ra := f.(io.ReaderAt)
	b := make([]byte, 5000)
	if _, err := ra.ReadAt(b, 4096*20-10); err != nil || !bytes.Equal(b, big[4096*20-10:4096*20-10+5000]) {
		t.Errorf("ReadAt across extents: %v", err)
	}
}

func TestCompressedFileSkipped(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a/packed": {Compressed: true}, "a/plain": {Data: []byte("p")}}})
	v := open(t, img)
	if len(v.Skipped) != 1 || v.Skipped[0].Path != "a/packed" || !strings.Contains(v.Skipped[0].Reason, "decmpfs") {
		t.Fatalf("skipped %v", v.Skipped)
	}
	if _, err := v.Open("a/packed"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("compressed file opened: %v", err)
	}
}

// catalogLeaf returns the offset in img of the catalog's first leaf node
// and the node size.
func catalogLeaf(t *testing.T, img []byte) (int, int) {
	be := binary.BigEndian
	bs := int(be.Uint32(img[1024+40:]))
	start := int(be.Uint32(img[1024+272+16:])) * bs
	ns := int(be.Uint16(img[start+14+18:]))
	first := int(be.Uint32(img[start+14+10:]))
	return start + first*ns, ns
}

func TestHostileVolumes(t *testing.T) {
	base := build(t, BuildSpec{Files: sample(), NodeSize: 512})
	be := binary.BigEndian
	cases := []struct {
		name   string
		mutate func(b []byte)
		want   string
	}{
		{"bad signature", func(b []byte) { b[1024] = 'X' }, "not an HFS+"},
		{"block size not a power of two", func(b []byte) { be.PutUint32(b[1024+40:], 4097) }, "block size"},
		{"blocks past the volume", func(b []byte) { be.PutUint32(b[1024+44:], 1<<30) }, "run past"},
		{"catalog extent past the volume", func(b []byte) { be.PutUint32(b[1024+272+16:], 1<<30) }, "runs past the volume"},
		{"leaf chain loops", func(b []byte) {
			at, _ := catalogLeaf(t, b)
			// Walk to the last leaf and point it back at the first.
			bs := int(be.Uint32(b[1024+40:]))
			start := int(be.Uint32(b[1024+272+16:])) * bs
			ns := int(be.Uint16(b[start+14+18:]))
			first := be.Uint32(b[start+14+10:])
			last := int(be.Uint32(b[start+14+14:]))
			be.PutUint32(b[start+last*ns:], first)
			_ = at
		}, "loops"},
		{"leaf link out of range", func(b []byte) {
			at, _ := catalogLeaf(t, b)
			be.PutUint32(b[at:], 1<<31)
		}, "leaf link"},
		{"huge record count", func(b []byte) {
			at, _ := catalogLeaf(t, b)
			be.PutUint16(b[at+10:], 0xffff)
		}, "more than fit"},
		{"record offset outside node", func(b []byte) {
			at, ns := catalogLeaf(t, b)
			be.PutUint16(b[at+ns-2:], uint16(ns-1))
		}, "outside the node"},
		{"node size hostile", func(b []byte) {
			bs := int(be.Uint32(b[1024+40:]))
			start := int(be.Uint32(b[1024+272+16:])) * bs
			be.PutUint16(b[start+14+18:], 3)
		}, "node size"},
		{"header node kind", func(b []byte) {
			bs := int(be.Uint32(b[1024+40:]))
			start := int(be.Uint32(b[1024+272+16:])) * bs
			b[start+8] = 0xff
		}, "not a header node"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := append([]byte(nil), base...)
			c.mutate(b)
			_, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// TestMaxRecords bounds the catalog records read.
func TestMaxRecords(t *testing.T) {
	img := build(t, BuildSpec{Files: sample()})
	_, err := Open(bytes.NewReader(img), int64(len(img)), Options{MaxRecords: 5})
	if err == nil || !strings.Contains(err.Error(), "more than 5 records") {
		t.Fatalf("got %v", err)
	}
}

// TestFileExtentPastVolume reports a file whose extent lies outside the
// volume and leaves it out.
func TestFileExtentPastVolume(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"f": {Data: []byte("data")}}})
	at, ns := catalogLeaf(t, img)
	be := binary.BigEndian
	node := img[at : at+ns]
	n := int(be.Uint16(node[10:]))
	patched := false
	for i := range n {
		off := int(be.Uint16(node[ns-2*(i+1):]))
		kl := int(be.Uint16(node[off:])) + 2
		rec := node[off+kl:]
		if be.Uint16(rec) == recFile {
			be.PutUint32(rec[88+16:], 1<<29)
			patched = true
		}
	}
	if !patched {
		t.Fatal("no file record")
	}
	v := open(t, img)
	if len(v.Problems) != 1 || v.Problems[0].Path != "f" || !strings.Contains(v.Problems[0].Reason, "runs past") {
		t.Fatalf("problems %v", v.Problems)
	}
	if _, err := v.Open("f"); err == nil {
		t.Error("file with a bad extent opened")
	}
}

// TestUnsafeNames refuses names that would escape or confuse paths.
func TestUnsafeNames(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"dotdot": {Data: []byte("x")}, "ok": {Data: []byte("y")}}})
	// Rename "dotdot" to ".." in place: same length is not possible, so
	// rename "ok" (2 chars) to "..".
	i := bytes.Index(img, []byte{0, 'o', 0, 'k'})
	if i < 0 {
		t.Fatal("name not found")
	}
	copy(img[i:], []byte{0, '.', 0, '.'})
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "unsafe name") {
		t.Fatalf("problems %v", v.Problems)
	}
	for _, p := range v.Paths() {
		if strings.Contains(p, "..") {
			t.Errorf("path %q listed", p)
		}
	}
}

// TestCrossCheck7z lists a built volume with 7-Zip, an independent HFS+
// reader.
func TestCrossCheck7z(t *testing.T) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z (Debian p7zip-full) not installed: the HFS+ writer is not cross-checked")
	}
	dir := t.TempDir()
	files := sample()
	for i := range 200 {
		files[fmt.Sprintf("many/f%03d", i)] = BuildFile{Data: []byte{byte(i)}}
	}
	img := build(t, BuildSpec{Files: files, NodeSize: 512, Name: "Vol"})
	p := filepath.Join(dir, "vol.hfs")
	os.WriteFile(p, img, 0o644)
	out, err := exec.Command(sz, "l", "-slt", p).CombinedOutput()
	if err != nil {
		t.Fatalf("7z l: %v\n%s", err, out)
	}
	for _, want := range []string{"Path = Vol/App.app/Contents/MacOS/App", "Path = Vol/many/f199", "Path = Vol/Applications"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("7z does not list %q:\n%s", want, out)
		}
	}
	x := filepath.Join(dir, "x")
	if out, err := exec.Command(sz, "x", "-o"+x, p).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(x, "Vol/App.app/Contents/MacOS/App"))
	if !bytes.Equal(got, files["App.app/Contents/MacOS/App"].Data) {
		t.Errorf("7z extracts %d bytes of App", len(got))
	}
}

// TestCrossCheckFsck checks a built volume with fsck.hfsplus.
func TestCrossCheckFsck(t *testing.T) {
	fsck, err := exec.LookPath("fsck.hfsplus")
	if err != nil {
		t.Skip("fsck.hfsplus (Debian hfsprogs) not installed: the HFS+ writer is not checked by it")
	}
	files := sample()
	big := make([]byte, 40*4096)
	files["big"] = BuildFile{Data: big}
	for i := range 300 {
		files[fmt.Sprintf("many/f%03d", i)] = BuildFile{Data: []byte{byte(i)}}
	}
	for _, frag := range []bool{false, true} {
		img := build(t, BuildSpec{Files: files, NodeSize: 512, Fragment: frag})
		p := filepath.Join(t.TempDir(), "vol.hfs")
		os.WriteFile(p, img, 0o644)
		out, err := exec.Command(fsck, "-n", "-f", p).CombinedOutput()
		if err != nil {
			t.Errorf("fragment %v: fsck.hfsplus: %v\n%s", frag, err, out)
		}
	}
}

// eachCatalogRecord calls fn with the key and record of every catalog leaf
// record of img, in place.
func eachCatalogRecord(t *testing.T, img []byte, fn func(key, rec []byte)) {
	t.Helper()
	be := binary.BigEndian
	bs := int(be.Uint32(img[1024+40:]))
	start := int(be.Uint32(img[1024+272+16:])) * bs
	ns := int(be.Uint16(img[start+14+18:]))
	for n := be.Uint32(img[start+14+10:]); n != 0; {
		node := img[start+int(n)*ns : start+int(n+1)*ns]
		for i := range int(be.Uint16(node[10:])) {
			off := int(be.Uint16(node[ns-2*(i+1):]))
			kl := int(be.Uint16(node[off:])) + 2
			fn(node[off:off+kl], node[off+kl:])
		}
		n = be.Uint32(node)
	}
}

func folderID(t *testing.T, img []byte, name string) uint32 {
	var id uint32
	eachCatalogRecord(t, img, func(key, rec []byte) {
		if n, _ := decodeName(key[6:]); n == name && binary.BigEndian.Uint16(rec) == recFolder {
			id = binary.BigEndian.Uint32(rec[8:])
		}
	})
	if id == 0 {
		t.Fatalf("no folder %q", name)
	}
	return id
}

// TestFolderParentLoop: two folders made each other's parents are not
// reachable from the root: they are reported, not walked forever.
func TestFolderParentLoop(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"A/x": {Data: []byte("x")}, "B/y": {Data: []byte("y")}, "ok": {Data: []byte("k")}}})
	a, b := folderID(t, img, "A"), folderID(t, img, "B")
	eachCatalogRecord(t, img, func(key, rec []byte) {
		n, _ := decodeName(key[6:])
		switch {
		case n == "A" && binary.BigEndian.Uint16(rec) == recFolder:
			binary.BigEndian.PutUint32(key[2:], b)
		case n == "B" && binary.BigEndian.Uint16(rec) == recFolder:
			binary.BigEndian.PutUint32(key[2:], a)
		}
	})
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "not reachable from the root") {
		t.Fatalf("problems %v", v.Problems)
	}
	if got := v.Paths(); len(got) != 2 || got[1] != "ok" {
		t.Errorf("paths %v", got)
	}
}

// TestDuplicateCatalogID: two records with one ID make the catalog
// unusable.
func TestDuplicateCatalogID(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"A/x": {Data: []byte("x")}, "B/y": {Data: []byte("y")}}})
	a := folderID(t, img, "A")
	eachCatalogRecord(t, img, func(key, rec []byte) {
		if n, _ := decodeName(key[6:]); n == "B" && binary.BigEndian.Uint16(rec) == recFolder {
			binary.BigEndian.PutUint32(rec[8:], a)
		}
	})
	if _, err := Open(bytes.NewReader(img), int64(len(img)), Options{}); err == nil || !strings.Contains(err.Error(), "used twice") {
		t.Fatalf("got %v", err)
	}
}

// TestSlashInName: a "/" in an HFS+ name is shown as ":", as macOS does,
// and never splits the path.
func TestSlashInName(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a:b": {Data: []byte("x")}}})
	i := bytes.Index(img, []byte{0, 'a', 0, ':', 0, 'b'})
	copy(img[i:], []byte{0, 'a', 0, '/', 0, 'b'})
	v := open(t, img)
	if _, err := fs.ReadFile(v, "a:b"); err != nil || len(v.Problems) > 0 {
		t.Fatalf("%v %v", err, v.Problems)
	}
}

// TestHardLink: a file hard link reads its inode file's data from the
// private data folder, which is not listed.
func TestHardLink(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"a/linked": {Data: []byte("shared data"), HardLink: true, Mode: 0o755}, "b": {Data: []byte("b")}}})
	v := open(t, img)
	if len(v.Problems) > 0 || len(v.Skipped) > 0 {
		t.Fatalf("problems %v skipped %v", v.Problems, v.Skipped)
	}
	got, err := fs.ReadFile(v, "a/linked")
	if err != nil || string(got) != "shared data" {
		t.Fatalf("%q %v", got, err)
	}
	if st, _ := fs.Stat(v, "a/linked"); st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", st.Mode())
	}
	if p := v.Paths(); len(p) != 4 {
		t.Errorf("paths %q: the private data folder must not be listed", p)
	}
	// A link whose inode file is missing is skipped, and says so.
	i := bytes.Index(img, []byte{0, 'i', 0, 'N', 0, 'o', 0, 'd', 0, 'e'})
	img[i+1] = 'X'
	v = open(t, img)
	if len(v.Skipped) != 1 || v.Skipped[0].Path != "a/linked" || !strings.Contains(v.Skipped[0].Reason, "hard link") {
		t.Fatalf("skipped %v", v.Skipped)
	}
}

// TestCaseFoldDuplicates: on a case-insensitive volume two names that
// differ only in case (or by a character HFS+ ignores) are one entry to
// macOS: the second is reported and left out.
func TestCaseFoldDuplicates(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"A.app/Info.plist": {Data: []byte("checked")}, "A.app/Info.plisX": {Data: []byte("runs")}}})
	i := bytes.Index(img, []byte{0, 'I', 0, 'n', 0, 'f', 0, 'o', 0, '.', 0, 'p', 0, 'l', 0, 'i', 0, 's', 0, 'X'})
	copy(img[i:], []byte{0, 'i', 0, 'n', 0, 'f', 0, 'o', 0, '.', 0, 'p', 0, 'l', 0, 'i', 0, 's', 0, 't'})
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "case-insensitive") {
		t.Fatalf("problems %v", v.Problems)
	}
}

// TestCompressedInline: a file compressed with zlib inline in its
// com.apple.decmpfs attribute (type 3) is decoded; 7-Zip, where
// installed, decodes it alike.
func TestCompressedInline(t *testing.T) {
	data := bytes.Repeat([]byte("compressed content "), 200)
	img := build(t, BuildSpec{Files: map[string]BuildFile{"c/z.txt": {Data: data, Compressed: true}, "c/plain": {Data: []byte("p")}}, Name: "Vol"})
	v := open(t, img)
	if len(v.Problems) > 0 || len(v.Skipped) > 0 {
		t.Fatalf("problems %v skipped %v", v.Problems, v.Skipped)
	}
	got, err := fs.ReadFile(v, "c/z.txt")
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	if st, _ := fs.Stat(v, "c/z.txt"); st.Size() != int64(len(data)) {
		t.Errorf("size %d", st.Size())
	}
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z (Debian p7zip-full) not installed: decmpfs decoding is not cross-checked")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "vol.hfs")
	os.WriteFile(p, img, 0o644)
	if out, err := exec.Command(sz, "x", "-o"+filepath.Join(dir, "x"), p).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "x/Vol/c/z.txt")); !bytes.Equal(got, data) {
		t.Errorf("7z extracts %d bytes", len(got))
	}
}

// TestCompressedBomb: a type 3 attribute declaring more than the limit is
// not decoded.
func TestCompressedBomb(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"z": {Data: []byte("x"), Compressed: true}}})
	i := bytes.Index(img, []byte("fpmc"))
	binary.LittleEndian.PutUint64(img[i+8:], 1<<40)
	v := open(t, img)
	if len(v.Skipped) != 1 || !strings.Contains(v.Skipped[0].Reason, "over the limit") {
		t.Fatalf("skipped %v", v.Skipped)
	}
}

// TestNormalizationDuplicates: on a case-insensitive volume two names that
// differ only in Unicode normalization ("café" with U+00E9 and with "e"
// and U+0301) are one entry to macOS, which decomposes the name it looks
// up: the second is reported and left out.
func TestNormalizationDuplicates(t *testing.T) {
	img := build(t, BuildSpec{Files: map[string]BuildFile{"A.app/caf\u00e9": {Data: []byte("checked")}, "A.app/cafe\u0301": {Data: []byte("runs")}}})
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "same entry") {
		t.Fatalf("problems %v", v.Problems)
	}
	img = build(t, BuildSpec{Files: map[string]BuildFile{"A.app/caf\u00e9": {Data: []byte("checked")}, "A.app/cafe": {Data: []byte("other")}}})
	if v := open(t, img); len(v.Problems) != 0 {
		t.Fatalf("distinct names: problems %v", v.Problems)
	}
}

// TestNormalizationDuplicatesHFSX: on a case-sensitive (HFSX, binary
// compare) volume "App" and "app" are two entries, but names that differ
// only in Unicode normalization are still one: macOS decomposes names on
// HFSX too.
func TestNormalizationDuplicatesHFSX(t *testing.T) {
	hfsx := func(img []byte) []byte {
		be := binary.BigEndian
		copy(img[1024:], "HX")
		bs := int(be.Uint32(img[1024+40:]))
		cat := int(be.Uint32(img[1024+272+16:])) * bs
		img[cat+14+37] = 0xBC // the catalog's keyCompareType: binary
		return img
	}
	img := hfsx(build(t, BuildSpec{Files: map[string]BuildFile{"A.app/caf\u00e9": {Data: []byte("checked")}, "A.app/cafe\u0301": {Data: []byte("runs")}}}))
	v := open(t, img)
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Reason, "Unicode normalization") {
		t.Fatalf("problems %v", v.Problems)
	}
	img = hfsx(build(t, BuildSpec{Files: map[string]BuildFile{"A.app/App": {Data: []byte("one")}, "A.app/app": {Data: []byte("two")}}}))
	if v := open(t, img); len(v.Problems) != 0 || len(v.Skipped) != 0 {
		t.Fatalf("case-distinct names on HFSX: problems %v skipped %v", v.Problems, v.Skipped)
	}
}
