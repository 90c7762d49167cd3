package cab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// sampleFiles are compressible and incompressible files, one spanning
// several blocks, so that MSZIP history crosses blocks.
func sampleFiles() []BuildFile {
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 70000)
	for i := range noise {
		noise[i] = byte(rnd.IntN(256))
	}
	var text bytes.Buffer
	for i := 0; text.Len() < 150000; i++ {
		text.WriteString("line of text repeated across blocks ")
		text.WriteByte(byte('a' + i%26))
		text.WriteByte('\n')
	}
	return []BuildFile{
		{Name: "noise.bin", Data: noise},
		{Name: `bin\app.dll`, Data: text.Bytes()},
		{Name: "empty.txt"},
		{Name: `bin\readme.txt`, Data: []byte("hello")},
	}
}

func open(t *testing.T, b []byte) *Reader {
	t.Helper()
	c, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRoundTrip reads back what Build wrote, stored and MSZIP, through Walk
// and through the fs.FS, which fstest.TestFS checks.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	files := sampleFiles()
	for _, m := range []Method{MethodNone, MethodMSZIP} {
		t.Run(m.String(), func(t *testing.T) {
			c := open(t, Build(files, BuildOptions{Method: m}))
			if p := c.Problems(); len(p) != 0 {
				t.Fatalf("problems: %v", p)
			}
			got := map[string][]byte{}
			err := c.Walk(func(f *File, r io.Reader) error {
				b, err := io.ReadAll(r)
				got[f.Name] = b
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				name := strings.ReplaceAll(f.Name, `\`, "/")
				if !bytes.Equal(got[name], f.Data) {
					t.Errorf("%s: %d bytes, want %d", name, len(got[name]), len(f.Data))
				}
				b, err := fs.ReadFile(c, name)
				if err != nil || !bytes.Equal(b, f.Data) {
					t.Errorf("fs.ReadFile(%s): %d bytes, %v", name, len(b), err)
				}
			}
			if err := fstest.TestFS(c, "noise.bin", "bin/app.dll", "bin/readme.txt", "empty.txt"); err != nil {
				t.Error(err)
			}
			if want := int64(70000 + len(files[1].Data) + 5); c.Expansion() != want {
				t.Errorf("Expansion = %d, want %d", c.Expansion(), want)
			}
		})
	}
}

// TestWalkSkipsUnread checks that bytes a caller leaves unread are skipped,
// not handed to the next file.
func TestWalkSkipsUnread(t *testing.T) {
	t.Parallel()
	c := open(t, Build(sampleFiles(), BuildOptions{Method: MethodMSZIP}))
	err := c.Walk(func(f *File, r io.Reader) error {
		if f.Name == "bin/readme.txt" {
			b, _ := io.ReadAll(r)
			if string(b) != "hello" {
				t.Errorf("readme.txt = %q", b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestChecksumMismatch flips a byte of a block's data: the read fails with
// a FormatError naming the checksum; with checksums zero, the flipped
// stored byte is read (nothing else protects it).
func TestChecksumMismatch(t *testing.T) {
	t.Parallel()
	b := Build([]BuildFile{{Name: "a.txt", Data: []byte("0123456789abcdef")}}, BuildOptions{})
	bad := bytes.Clone(b)
	bad[len(bad)-1] ^= 1
	c := open(t, bad)
	_, err := fs.ReadFile(c, "a.txt")
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "checksum") {
		t.Fatalf("err = %v, want a checksum FormatError", err)
	}
	nb := Build([]BuildFile{{Name: "a.txt", Data: []byte("0123456789abcdef")}}, BuildOptions{NoChecksums: true})
	nb[len(nb)-1] ^= 1
	got, err := fs.ReadFile(open(t, nb), "a.txt")
	if err != nil || string(got) != "0123456789abcdeg" {
		t.Fatalf("got %q, %v", got, err)
	}
}

// TestUnsupportedMethodsReported lists Quantum folders' files as problems
// naming the method, never as readable files; an LZX folder whose window
// size is not defined is malformed.
func TestUnsupportedMethodsReported(t *testing.T) {
	t.Parallel()
	c := open(t, Build([]BuildFile{{Name: "x.dll", Data: []byte("MZ")}}, BuildOptions{Method: MethodQuantum}))
	p := c.Problems()
	if len(c.Files) != 0 || len(p) != 1 || p[0].Kind != ProblemNotOpened || !strings.Contains(p[0].Message, "Quantum") {
		t.Errorf("Quantum: files %d, problems %+v", len(c.Files), p)
	}
	for _, w := range []int{0, 14, 22, 31} {
		c := open(t, Build([]BuildFile{{Name: "x.dll", Data: []byte("MZ")}}, BuildOptions{Method: MethodLZX, LZXWindow: w}))
		p := c.Problems()
		if len(c.Files) != 0 || len(p) != 1 || p[0].Kind != ProblemMalformed || !strings.Contains(p[0].Message, "LZX") {
			t.Errorf("LZX window 2^%d: files %d, problems %+v", w, len(c.Files), p)
		}
	}
}

// TestHostileNames refuses names that leave the archive and reports
// duplicates and file/directory clashes.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	for _, n := range []string{`..\evil.dll`, `\abs.dll`, `C:\x.dll`, `a\..\..\b`, `a\\b`, "", `a\.\b`} {
		c := open(t, Build([]BuildFile{{Name: n, Data: []byte("x")}}, BuildOptions{}))
		if len(c.Files) != 0 || len(c.Problems()) != 1 || c.Problems()[0].Kind != ProblemInsecurePath {
			t.Errorf("%q: files %v, problems %v", n, c.Files, c.Problems())
		}
	}
	c := open(t, Build([]BuildFile{{Name: "a.dll", Data: []byte("1")}, {Name: "a.dll", Data: []byte("2")}, {Name: "d", Data: []byte("3")}, {Name: `d\e`, Data: []byte("4")}}, BuildOptions{}))
	var kinds []ProblemKind
	for _, p := range c.Problems() {
		kinds = append(kinds, p.Kind)
	}
	if len(kinds) != 2 || kinds[0] != ProblemDuplicate || kinds[1] != ProblemDuplicate {
		t.Errorf("problems %v", c.Problems())
	}
}

// patch returns b with a little-endian value written at off.
func patch(b []byte, off int, v uint32, n int) []byte {
	b = bytes.Clone(b)
	switch n {
	case 2:
		binary.LittleEndian.PutUint16(b[off:], uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b[off:], v)
	}
	return b
}

// TestHostileSizes covers the header and entry fields an attacker sets: each
// case is refused, or its file dropped, before anything is allocated from
// the field.
func TestHostileSizes(t *testing.T) {
	t.Parallel()
	good := Build([]BuildFile{{Name: "a.txt", Data: bytes.Repeat([]byte("ab"), 40000)}, {Name: "b.txt", Data: []byte("b")}}, BuildOptions{Method: MethodMSZIP})
	folderOff, fileOff := 36, 44
	cases := []struct {
		name string
		b    []byte
		open bool // NewReader succeeds
		want string
	}{
		{"cbCabinet beyond file", patch(good, 8, uint32(len(good)+1), 4), false, "exceeds"},
		{"folders beyond cabinet", patch(good, 26, 0xffff, 2), false, "folders"},
		{"files beyond cabinet", patch(good, 28, 0xffff, 2), false, "file entries"},
		{"coffFiles beyond cabinet", patch(good, 16, 0xfffffff0, 4), false, "file entries"},
		{"blocks beyond cabinet", patch(good, folderOff+4, 0xffff, 2), false, "data blocks"},
		{"data offset beyond cabinet", patch(good, folderOff, 0xfffffff0, 4), false, "data blocks"},
		{"file beyond its folder", patch(good, fileOff, 0xffffffff, 4), true, "beyond"},
		{"file offset beyond its folder", patch(good, fileOff+4, 0xfffffff0, 4), true, "beyond"},
		{"file in no folder", patch(good, fileOff+8, 7, 2), true, "names folder"},
		{"file continued", patch(good, fileOff+8, ifoldContinuedFromPrev, 2), true, "another cabinet"},
		{"overlapping files", patch(good, fileOff+16+6+4, 0, 4), true, "overlaps"},
		{"reserve beyond cabinet", patch(patch(good, 30, flagReservePresent, 2), 36, 0xffff, 2), false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewReader(bytes.NewReader(tc.b), int64(len(tc.b)))
			if !tc.open {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range c.Problems() {
				found = found || strings.Contains(p.Message, tc.want)
			}
			if !found {
				t.Fatalf("problems %v, want one mentioning %q", c.Problems(), tc.want)
			}
		})
	}
}

// TestBlockTampering corrupts MSZIP blocks: a block declaring more than
// 32 KiB, a block without "CK", and one that decompresses to other than it
// declares all fail the read with a FormatError.
func TestBlockTampering(t *testing.T) {
	t.Parallel()
	good := Build([]BuildFile{{Name: "a.txt", Data: bytes.Repeat([]byte("xyz"), 100)}}, BuildOptions{Method: MethodMSZIP, NoChecksums: true})
	c := open(t, good)
	blk := int(c.Folders[0].DataOffset)
	for name, b := range map[string][]byte{
		"uncomp over 32k": patch(good, blk+6, 0x8001, 2),
		"no CK":           patch(good, blk+8, 'X', 2),
		"declares more":   patch(good, blk+6, 301, 2),
		"declares less":   patch(good, blk+6, 299, 2),
		"cut short":       patch(good, blk+4, 3, 2),
	} {
		_, err := fs.ReadFile(open(t, b), "a.txt")
		if !errors.As(err, new(*FormatError)) {
			t.Errorf("%s: err = %v, want a FormatError", name, err)
		}
	}
}

// TestGcab reads cabinets gcab (from GNOME's gcab package) wrote, stored
// and MSZIP, and checks every file's bytes.
func TestGcab(t *testing.T) {
	t.Parallel()
	gcab, err := exec.LookPath("gcab")
	if err != nil {
		t.Skip("gcab is not installed (apt-get install gcab); the cross-check against another cabinet writer was skipped")
	}
	dir := t.TempDir()
	files := sampleFiles()
	var names []string
	for _, f := range files {
		n := filepath.FromSlash(strings.ReplaceAll(f.Name, `\`, "/"))
		os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, n), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	for _, z := range []bool{false, true} {
		args := []string{"-c"}
		if z {
			args = append(args, "-z")
		}
		out := filepath.Join(t.TempDir(), "out.cab")
		cmd := exec.Command(gcab, append(append(args, out), names...)...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcab: %v: %s", err, b)
		}
		b, _ := os.ReadFile(out)
		c := open(t, b)
		if len(c.Files) != len(files) || len(c.Problems()) != 0 {
			t.Fatalf("z=%v: %d files, problems %v", z, len(c.Files), c.Problems())
		}
		for _, f := range files {
			got, err := fs.ReadFile(c, strings.ReplaceAll(f.Name, `\`, "/"))
			if err != nil || !bytes.Equal(got, f.Data) {
				t.Errorf("z=%v %s: %d bytes, %v", z, f.Name, len(got), err)
			}
		}
		if z && c.Folders[0].Method != MethodMSZIP {
			t.Errorf("gcab -z wrote method %s", c.Folders[0].Method)
		}
	}
}

// FuzzReader must never panic, and a cabinet that opens reads within its
// declared expansion.
func FuzzReader(f *testing.F) {
	f.Add(Build(sampleFiles()[2:], BuildOptions{Method: MethodMSZIP}))
	f.Add(Build([]BuildFile{{Name: `a\b.txt`, Data: []byte("hello hello hello")}}, BuildOptions{}))
	f.Add(Build([]BuildFile{{Name: "x", Data: []byte("x")}}, BuildOptions{Method: MethodLZX}))
	for _, o := range lzxConfigs() {
		f.Add(lzxCab([]BuildFile{{Name: "a", Data: lzxSample(40000, 1)}, {Name: "b", Data: []byte("bb")}}, o))
	}
	// Members of a set: header names, continued files, split blocks.
	f.Add(BuildSet(sampleFiles()[2:], BuildOptions{}, BuildSetOptions{Names: []string{"a.cab", "b.cab"}, Cuts: []int{0}})[1])
	f.Add(BuildSet(sampleFiles(), BuildOptions{Method: MethodMSZIP}, BuildSetOptions{Names: []string{"a.cab", "b.cab", "c.cab"}, Cuts: []int{1, 5}})[1])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		var n int64
		c.Walk(func(f *File, r io.Reader) error {
			k, _ := io.Copy(io.Discard, r)
			if k > f.Size {
				t.Fatalf("%s: read %d bytes of %d", f.Name, k, f.Size)
			}
			n += k
			return nil
		})
		if n > c.Expansion() {
			t.Fatalf("read %d bytes, expansion %d", n, c.Expansion())
		}
		fs.WalkDir(c, ".", func(p string, d fs.DirEntry, err error) error { return nil })
	})
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.ReaderAt
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestWalkEmptyFilesInsideOthers places empty files inside the data of
// the files before them: Walk must not decompress the folder again for
// each (which would make a cabinet of n files cost n passes).
func TestWalkEmptyFilesInsideOthers(t *testing.T) {
	t.Parallel()
	var files []BuildFile
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	for i := 0; i < 20; i++ {
		files = append(files, BuildFile{Name: fmt.Sprintf("f%02d", i), Data: chunk}, BuildFile{Name: fmt.Sprintf("z%02d", i)})
	}
	b := Build(files, BuildOptions{Method: MethodMSZIP})
	for _, f := range open(t, b).Files {
		if f.Size == 0 {
			b = patch(b, int(f.Offset)+4, uint32(f.FolderOffset-int64(len(chunk))+1), 4)
		}
	}
	cr := &countingReader{r: bytes.NewReader(b)}
	c, err := NewReader(cr, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	cr.n = 0
	if err := c.Walk(func(f *File, r io.Reader) error { n++; _, err := io.Copy(io.Discard, r); return err }); err != nil {
		t.Fatal(err)
	}
	if n != 40 || cr.n > int64(len(b)) {
		t.Errorf("%d files, read %d bytes of a %d-byte cabinet", n, cr.n, len(b))
	}
}

// TestVersion reads a 1.3 cabinet without a problem, and one whose header
// gives another version as a 1.3 one, its files listed and read, with a
// ProblemVersion at the version's offset.
func TestVersion(t *testing.T) {
	t.Parallel()
	for _, v := range [][2]byte{{1, 3}, {1, 4}, {2, 0}, {0, 0}} {
		b := Build([]BuildFile{{Name: "x.dll", Data: []byte("MZ code")}}, BuildOptions{Method: MethodMSZIP})
		b[25], b[24] = v[0], v[1]
		c := open(t, b)
		p := c.Problems()
		if c.VersionMajor != v[0] || c.VersionMinor != v[1] || len(c.Files) != 1 {
			t.Errorf("%d.%d: version %d.%d, %d files", v[0], v[1], c.VersionMajor, c.VersionMinor, len(c.Files))
		}
		known := v == [2]byte{1, 3}
		if known != (len(p) == 0) || (!known && (p[0].Kind != ProblemVersion || p[0].Offset != 24)) {
			t.Errorf("%d.%d: problems %+v", v[0], v[1], p)
		}
		err := c.Walk(func(f *File, r io.Reader) error {
			d, err := io.ReadAll(r)
			if string(d) != "MZ code" {
				t.Errorf("%d.%d: read %q", v[0], v[1], d)
			}
			return err
		})
		if err != nil {
			t.Errorf("%d.%d: %v", v[0], v[1], err)
		}
	}
}
