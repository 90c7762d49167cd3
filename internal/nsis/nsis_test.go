package nsis

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stub is a stand-in for exehead: the archive is found by its alignment.
var stub = bytes.Repeat([]byte("MZ stub "), 64)

func sample() []BuildFile {
	return []BuildFile{
		{Name: `$INSTDIR\app.dll`, Data: bytes.Repeat([]byte("app code "), 100)},
		{Name: `$PLUGINSDIR\app-64.7z`, Data: []byte("7z\xbc\xaf\x27\x1c payload")},
		{Name: `$INSTDIR\resources\..\..\evil.dll`, Data: []byte("evil")},
	}
}

type got struct {
	names []string
	data  map[string]string
}

// walk opens the installer b and returns what its blocks hold, by first
// name ("" for none).
func walk(t *testing.T, b []byte, opts Options) (*Reader, got, error) {
	t.Helper()
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		return nil, got{}, err
	}
	rd, err := NewReader(r, h, opts)
	if err != nil {
		return rd, got{}, err
	}
	g := got{data: map[string]string{}}
	err = rd.Walk(func(bl *Block, r io.Reader, open func() (io.Reader, error)) error {
		d, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if int64(len(d)) != bl.Size {
			t.Errorf("block at %d: read %d bytes of %d", bl.Offset, len(d), bl.Size)
		}
		name := ""
		if len(bl.Files) > 0 {
			name = bl.Files[0].Name
		}
		g.names = append(g.names, name)
		g.data[name] = string(d)
		return nil
	})
	return rd, g, err
}

func TestBuildRoundTrip(t *testing.T) {
	t.Parallel()
	for _, o := range []BuildOptions{{}, {Deflate: true}, {Deflate: true, Solid: true}} {
		b := Stub(stub, Build(sample(), o))
		rd, g, err := walk(t, b, Options{})
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if want := map[bool]Method{false: MethodStored, true: MethodDeflate}[o.Deflate]; rd.Method != want || rd.Solid != o.Solid {
			t.Errorf("%+v: method %s solid %v", o, rd.Method, rd.Solid)
		}
		for _, f := range sample() {
			if g.data[f.Name] != string(f.Data) {
				t.Errorf("%+v: %s holds %q", o, f.Name, g.data[f.Name])
			}
		}
		if p, ok := rd.Header.Files[0].Path(); !ok || p != "$INSTDIR/app.dll" {
			t.Errorf("path %q %v", p, ok)
		}
		if p, ok := rd.Header.Files[2].Path(); ok {
			t.Errorf("a name with .. is a path: %q", p)
		}
	}
}

// TestFindAligned finds the firstheader only at 512-byte steps, as exehead
// does, and none in a file without one.
func TestFindAligned(t *testing.T) {
	t.Parallel()
	a := Build(sample(), BuildOptions{})
	b := append([]byte("x"), Stub(stub, a)...)
	if _, err := Find(bytes.NewReader(b), int64(len(b))); !errors.Is(err, ErrNotNSIS) {
		t.Errorf("unaligned: %v", err)
	}
	if _, err := Find(bytes.NewReader(stub), int64(len(stub))); !errors.Is(err, ErrNotNSIS) {
		t.Errorf("no header: %v", err)
	}
}

// TestHostileSizes corrupts the sizes an attacker controls: each is an
// error naming an offset, never a panic or a huge allocation.
func TestHostileSizes(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	base := Stub(stub, Build(sample(), BuildOptions{Deflate: true}))
	at := int64(bytes.Index(base, []byte("NullsoftInst"))) - 8
	for _, tc := range []struct {
		name string
		mod  func(b []byte)
	}{
		{"archive size past the file", func(b []byte) { le.PutUint32(b[at+24:], 0x7fffffff) }},
		{"header size 4 GiB", func(b []byte) { le.PutUint32(b[at+20:], 0xffffffff) }},
		{"header size smaller than its block table", func(b []byte) { le.PutUint32(b[at+20:], 8) }},
		{"header size larger than it decompresses to", func(b []byte) { le.PutUint32(b[at+20:], le.Uint32(b[at+20:])+100) }},
		{"block runs past the end", func(b []byte) {
			hl := int64(le.Uint32(b[at+28:]) &^ compressedBit)
			le.PutUint32(b[at+28+4+hl:], 0x7ffffff0|compressedBit)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), base...)
			tc.mod(b)
			_, _, err := walk(t, b, Options{})
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FormatError", err)
			}
			if !fe.InStream && (fe.Offset < at || fe.Offset > int64(len(b))) {
				t.Errorf("offset %d outside the archive", fe.Offset)
			}
		})
	}
}

// TestEntriesPastHeader gives the instruction table a count that does not
// fit in the header.
func TestEntriesPastHeader(t *testing.T) {
	t.Parallel()
	b := Build(sample(), BuildOptions{})
	le := binary.LittleEndian
	le.PutUint32(b[headerLen+4+8+8*blkEntries:], 0x10000000)
	_, _, err := walk(t, Stub(stub, b), Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "instructions") {
		t.Fatalf("got %v", err)
	}
}

// TestBomb stops a block that decompresses to more than Take allows,
// solid or not, before it is returned.
func TestBomb(t *testing.T) {
	t.Parallel()
	files := []BuildFile{{Name: `$INSTDIR\zeros`, Data: make([]byte, 8<<20)}}
	for _, o := range []BuildOptions{{Deflate: true}, {Deflate: true, Solid: true}} {
		left := int64(4 << 20)
		take := func(n int64) bool { left -= n; return left >= 0 }
		_, g, err := walk(t, Stub(stub, Build(files, o)), Options{Take: take})
		if !errors.Is(err, ErrExpansion) {
			t.Errorf("%+v: %v", o, err)
		}
		if len(g.names) != 0 {
			t.Errorf("%+v: returned %v", o, g.names)
		}
	}
}

// TestMakensis reads installers makensis built with each compressor,
// solid and not: every file is found under its installed path with its
// bytes.
func TestMakensis(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt-get install nsis); the NSIS cross-check was skipped")
	}
	dir := t.TempDir()
	// Large enough for several bzip2 blocks of 900000 bytes, with runs
	// (zeros) the final run-length coding shortens and bytes it does not.
	dll := bytes.Repeat([]byte("not really a dll "), 500)
	rnd := uint32(1)
	for len(dll) < 2<<20 {
		if len(dll)%(1<<20) < 200000 {
			dll = append(dll, make([]byte, 4099)...)
			continue
		}
		rnd = rnd*1664525 + 1013904223
		dll = append(dll, byte(rnd>>24), byte(rnd>>16), 'a', 'a', 'a', 'a', 'a')
	}
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "ffmpeg.dll"), []byte("ffmpeg"), 0o644)
	big := dll
	for _, comp := range []string{"zlib", "lzma", "bzip2", "ansi"} {
		// Only bzip2 needs the large file (its blocks); the others are
		// slow to build it.
		dll = big
		if comp != "bzip2" {
			dll = big[:1<<16]
		}
		os.WriteFile(filepath.Join(dir, "app.dll"), dll, 0o644)
		for _, solid := range []string{"", "/SOLID "} {
			unicode, compressor := "true", comp
			if comp == "ansi" {
				// An NSIS 3 ANSI installer: its strings are bytes.
				unicode, compressor = "false", "zlib"
			}
			script := "Unicode " + unicode + "\nSetCompressor " + solid + compressor + "\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\n" +
				"Section\nSetOutPath \"$INSTDIR\"\nFile app.dll\nSetOutPath \"$INSTDIR\\resources\"\nFile /r sub\nFile \"/oname=$PLUGINSDIR\\app-64.7z\" app.dll\nSectionEnd\n"
			os.WriteFile(filepath.Join(dir, "t.nsi"), []byte(script), 0o644)
			cmd := exec.Command(tool, "-V1", "t.nsi")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("makensis: %v\n%s", err, out)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "setup.exe"))
			rd, g, err := walk(t, b, Options{})
			if err != nil {
				t.Fatalf("%s%s: %v", comp, solid, err)
			}
			if rd.Solid != (solid != "") || rd.Method.String() != compressor || rd.Header.Unicode != (unicode == "true") {
				t.Errorf("%s%s: read as %s solid %v", comp, solid, rd.Method, rd.Solid)
			}
			if g.data[`$INSTDIR\app.dll`] != string(dll) || g.data[`$INSTDIR\resources\sub\ffmpeg.dll`] != "ffmpeg" {
				t.Errorf("%s%s: files %q", comp, solid, g.names)
			}
			var names []string
			for _, f := range rd.Header.Files {
				names = append(names, f.Name)
			}
			if want := `$INSTDIR\app.dll $INSTDIR\resources\sub\ffmpeg.dll $PLUGINSDIR\app-64.7z`; strings.Join(names, " ") != want {
				t.Errorf("%s%s: names %q", comp, solid, names)
			}
		}
	}
}

// TestBZip2Corrupt: damaged bzip2 data is an error, never a panic.
func TestBZip2Corrupt(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{
		{0x31},
		{0x31, 0, 0, 0, 0, 0},
		{0x31, 0, 0, 1, 0x80, 0x00, 0x80, 0x00, 0xff, 0xff, 0xff, 0xff},
		{0x42},
		bytes.Repeat([]byte{0x31, 0xff}, 100),
	} {
		z := newBZip2Reader(bytes.NewReader(b))
		if _, err := io.ReadAll(z); err == nil {
			t.Errorf("%x: no error", b)
		}
	}
	if n, err := io.ReadAll(newBZip2Reader(bytes.NewReader([]byte{0x17}))); err != nil || len(n) != 0 {
		t.Errorf("empty stream: %q %v", n, err)
	}
}

func FuzzBZip2(f *testing.F) {
	f.Add([]byte{0x31, 0, 0, 1, 0x80, 0x00, 0x80, 0x00})
	f.Add([]byte{0x17})
	f.Fuzz(func(t *testing.T, b []byte) {
		io.Copy(io.Discard, io.LimitReader(newBZip2Reader(bytes.NewReader(b)), 64<<20))
	})
}

func FuzzReader(f *testing.F) {
	for _, o := range []BuildOptions{{}, {Deflate: true}, {Deflate: true, Solid: true}, {Deflate: true, LZMA: true, X86: true}, {Solid: true, LZMA: true, X86: true}} {
		f.Add(Stub(nil, Build(sample(), o)))
	}
	f.Add(BuildPolyglot(sample()[:1], sample()[1:2]))
	f.Add(withHeader(make([]byte, len(sampleHeader())), BuildOptions{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		h, err := Find(r, int64(len(b)))
		if err != nil {
			return
		}
		left := int64(64 << 20)
		rd, err := NewReader(r, h, Options{MaxHeader: 1 << 20, Take: func(n int64) bool { left -= n; return left >= 0 }})
		if err != nil {
			return
		}
		for _, f := range rd.Header.Files {
			if p, ok := f.Path(); ok && (strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../")) {
				t.Fatalf("path %q leaves its folder", p)
			}
		}
		rd.Walk(func(bl *Block, r io.Reader, open func() (io.Reader, error)) error {
			n, _ := io.Copy(io.Discard, r)
			if n > bl.Size {
				t.Fatalf("read %d bytes of a %d-byte block", n, bl.Size)
			}
			return nil
		})
	})
}

// TestSevenZipAgrees cross-checks the reader against 7-Zip, which opens
// NSIS installers too: every file 7-Zip extracts from a makensis installer
// (each compressor, solid and not) is found under the same path (7-Zip
// drops the leading $INSTDIR) with the same bytes.
func TestSevenZipAgrees(t *testing.T) {
	t.Parallel()
	mk, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis is not installed (apt-get install nsis); the 7-Zip cross-check was skipped")
	}
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the 7-Zip cross-check was skipped")
	}
	dir, outs := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "app.dll"), bytes.Repeat([]byte("app code 0123456789 "), 3000), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "ffmpeg.dll"), bytes.Repeat([]byte{0, 1, 2, 3, 0xe8}, 1000), 0o644)
	for _, comp := range []string{"zlib", "lzma", "bzip2"} {
		for _, solid := range []string{"", "/SOLID "} {
			script := "Unicode true\nSetCompressor " + solid + comp + "\nOutFile setup.exe\nInstallDir \"$PROGRAMFILES\\Acme\"\nRequestExecutionLevel user\n" +
				"Section\nSetOutPath \"$INSTDIR\"\nFile app.dll\nSetOutPath \"$INSTDIR\\resources\"\nFile /r sub\nFile \"/oname=$PLUGINSDIR\\app-64.7z\" sub\\ffmpeg.dll\nSectionEnd\n"
			os.WriteFile(filepath.Join(dir, "t.nsi"), []byte(script), 0o644)
			cmd := exec.Command(mk, "-V1", "t.nsi")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("makensis: %v\n%s", err, out)
			}
			out := filepath.Join(outs, comp+strings.TrimSpace(strings.TrimPrefix(solid, "/")))
			if b, err := exec.Command(sz, "x", "-y", "-o"+out, filepath.Join(dir, "setup.exe")).CombinedOutput(); err != nil {
				t.Fatalf("7z x: %v\n%s", err, b)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "setup.exe"))
			r := bytes.NewReader(b)
			h, err := Find(r, int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			rd, err := NewReader(r, h, Options{})
			if err != nil {
				t.Fatalf("%s%s: %v", comp, solid, err)
			}
			ours := map[string]string{}
			err = rd.Walk(func(bl *Block, r io.Reader, _ func() (io.Reader, error)) error {
				d, err := io.ReadAll(r)
				for _, f := range bl.Files {
					p, _ := f.Path()
					ours[strings.TrimPrefix(p, "$INSTDIR/")] = string(d)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(out, p)
				rel = filepath.ToSlash(rel)
				if rel == "uninst.exe" || strings.HasPrefix(rel, "[NSIS]") {
					return nil // 7-Zip's own: the uninstaller it rebuilds, the script
				}
				want, _ := os.ReadFile(p)
				if got, ok := ours[rel]; !ok || got != string(want) {
					t.Errorf("%s%s: %s: 7-Zip extracts %d bytes, the reader has %d (%v)", comp, solid, rel, len(want), len(got), ok)
				}
				n++
				return nil
			})
			if n != 3 {
				t.Errorf("%s%s: 7-Zip extracted %d files", comp, solid, n)
			}
		}
	}
}
