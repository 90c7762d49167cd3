package sevenz

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func sample() []BuildFile {
	return []BuildFile{
		{Name: "resources/app.asar", Data: bytes.Repeat([]byte("asar "), 200)},
		{Name: "ffmpeg.dll", Data: []byte("MZ not really")},
		{Name: "../evil.dll", Data: []byte("evil")},
	}
}

// contents opens b and reads every file.
func contents(t *testing.T, b []byte, take func(int64) bool) (map[string]string, *Archive, error) {
	t.Helper()
	a, err := Open(bytes.NewReader(b), int64(len(b)), take)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]string{}
	for _, f := range a.File {
		rc, err := f.Open()
		if err != nil {
			return nil, a, err
		}
		d, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, a, err
		}
		out[f.Name] = string(d)
	}
	return out, a, nil
}

func TestBuildRoundTrip(t *testing.T) {
	got, a, err := contents(t, Build(sample()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sample() {
		if got[f.Name] != string(f.Data) {
			t.Errorf("%s: %q", f.Name, got[f.Name])
		}
	}
	if a.Files != 3 || a.Unpacked != int64(1000+13+4) {
		t.Errorf("files %d unpacked %d", a.Files, a.Unpacked)
	}
}

// TestTake charges what the archive unpacks to before opening it.
func TestTake(t *testing.T) {
	_, _, err := contents(t, Build(sample()), func(n int64) bool { return n < 100 })
	if !errors.Is(err, ErrExpansion) {
		t.Errorf("got %v", err)
	}
}

// num encodes v in the nine-byte form.
func num(v uint64) []byte { return append([]byte{0xff}, le64(v)...) }

func le64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestHostileCounts gives counts and properties that made the library
// allocate gigabytes from a few bytes: each is a FormatError (or an
// UnsupportedError) before the library sees the archive.
func TestHostileCounts(t *testing.T) {
	packed := []byte("data")
	pack := cat([]byte{kPackInfo}, num(0), num(1), []byte{kSize}, num(4), []byte{kEnd})
	for _, tc := range []struct {
		name string
		h    []byte
	}{
		{"4G packed streams with CRCs", cat([]byte{kHeader, kMainStreamsInfo, kPackInfo}, num(0), num(1<<32-1), []byte{kCRC, 1, kEnd, kEnd, kEnd})},
		{"4G folders", cat([]byte{kHeader, kMainStreamsInfo}, pack, []byte{kUnPackInfo, kFolder}, num(1<<32-1), []byte{0})},
		{"4G files", cat([]byte{kHeader, kFilesInfo}, num(1<<32-1), []byte{kEnd, kEnd})},
		{"4 GiB LZMA2 dictionary", cat([]byte{kHeader, kMainStreamsInfo}, pack, []byte{kUnPackInfo, kFolder}, num(1), []byte{0}, num(1), []byte{0x21, 0x21}, num(1), []byte{40, kCodersUnPackSize}, num(4), []byte{kEnd, kEnd, kEnd})},
		{"AES", cat([]byte{kHeader, kMainStreamsInfo}, pack, []byte{kUnPackInfo, kFolder}, num(1), []byte{0}, num(1), []byte{0x24, 6, 0xf1, 7, 1}, num(0), []byte{kCodersUnPackSize}, num(4), []byte{kEnd, kEnd, kEnd})},
		{"4G substreams", cat([]byte{kHeader, kMainStreamsInfo}, pack, []byte{kUnPackInfo, kFolder}, num(1), []byte{0}, num(1), []byte{1, 0, kCodersUnPackSize}, num(4), []byte{kEnd, kSubStreamsInfo, kNumUnPackStream}, num(1<<32-1), []byte{kEnd, kEnd, kEnd})},
		{"truncated", []byte{kHeader, kMainStreamsInfo, kPackInfo}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(bytes.NewReader(assemble(packed, tc.h)), int64(32+len(packed)+len(tc.h)), nil)
			var fe *FormatError
			var ue *UnsupportedError
			if !errors.As(err, &fe) && !errors.As(err, &ue) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// TestSignatureAndCRCs: an archive that does not start with a signature
// header whose CRCs match is refused, so the library cannot look further
// into the file for another one.
func TestSignatureAndCRCs(t *testing.T) {
	good := Build(sample())
	for name, mod := range map[string]func([]byte) []byte{
		"not at the start": func(b []byte) []byte { return append([]byte("junk"), b...) },
		"start header CRC": func(b []byte) []byte { b[9] ^= 1; return b },
		"header CRC":       func(b []byte) []byte { b[len(b)-3] ^= 1; return b },
		"header past the end": func(b []byte) []byte {
			b[20] = 0xff
			b[21] = 0xff
			return b
		},
	} {
		b := mod(append([]byte(nil), good...))
		var fe *FormatError
		if _, err := Open(bytes.NewReader(b), int64(len(b)), nil); !errors.As(err, &fe) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSevenZipTool opens archives 7-Zip made: LZMA2 with the x86 filter
// and a compressed header (7za's defaults for executables), BCJ2, and
// solid LZMA; every file reads back.
func TestSevenZipTool(t *testing.T) {
	tool, err := exec.LookPath("7za")
	if err != nil {
		if tool, err = exec.LookPath("7z"); err != nil {
			t.Skip("7-Zip is not installed (apt-get install p7zip-full); the cross-check was skipped")
		}
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	files := map[string][]byte{
		"app.exe":            append([]byte("MZ"), bytes.Repeat([]byte{0xe8, 1, 2, 3, 4, 0x90}, 3000)...),
		"resources/app.asar": bytes.Repeat([]byte("asar data "), 5000),
		"ffmpeg.dll":         append([]byte("MZ"), bytes.Repeat([]byte{0xe9, 9, 8, 7, 6}, 2000)...),
	}
	for n, b := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(src, n)), 0o755)
		os.WriteFile(filepath.Join(src, n), b, 0o644)
	}
	for _, args := range [][]string{{"-mx=7"}, {"-m0=BCJ2", "-m1=LZMA", "-mb0:1"}, {"-m0=lzma", "-ms=on", "-mhc=off"}, {"-mx=9", "-md=64m"}} {
		out := filepath.Join(dir, "a.7z")
		os.Remove(out)
		cmd := exec.Command(tool, append(append([]string{"a", "-bd", out}, args...), ".")...)
		cmd.Dir = src
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("7z %v: %v\n%s", args, err, b)
		}
		b, _ := os.ReadFile(out)
		got, _, err := contents(t, b, nil)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for n, want := range files {
			if got[n] != string(want) {
				t.Errorf("%v: %s: %d bytes", args, n, len(got[n]))
			}
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(Build(sample()))
	f.Add(Build(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		left := int64(16 << 20)
		a, err := Open(bytes.NewReader(b), int64(len(b)), func(n int64) bool { left -= n; return left >= 0 })
		if err != nil {
			return
		}
		for _, f := range a.File {
			rc, err := f.Open()
			if err != nil {
				continue
			}
			io.Copy(io.Discard, io.LimitReader(rc, int64(f.UncompressedSize)+1))
			rc.Close()
		}
	})
}

// TestBuildSymlinkTool checks that a file Build gives a link's attributes
// is what 7-Zip on Unix extracts as a symbolic link.
func TestBuildSymlinkTool(t *testing.T) {
	tool, err := exec.LookPath("7z")
	if err != nil {
		if tool, err = exec.LookPath("7za"); err != nil {
			t.Skip("7-Zip is not installed (apt-get install p7zip-full); the cross-check was skipped")
		}
	}
	dir := t.TempDir()
	a := filepath.Join(dir, "a.7z")
	if err := os.WriteFile(a, Build([]BuildFile{{Name: "other/x.dll", Data: []byte("hi")}, {Name: "link", Data: []byte("other"), Attrib: 0xA1FF8000}}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if b, err := exec.Command(tool, "x", "-bd", "-o"+out, a).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, b)
	}
	if got, err := os.Readlink(filepath.Join(out, "link")); err != nil || got != "other" {
		t.Errorf("link: %q, %v", got, err)
	}
}
