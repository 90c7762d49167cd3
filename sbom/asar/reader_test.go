package asar

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// sample is a small app tree with every kind of entry.
func sample() []electronfix.AsarFile {
	return []electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"app","version":"1.0.0","main":"main.js"}`)},
		{Path: "main.js", Data: []byte("require('./lib/util')\n")},
		{Path: "lib/util.js", Data: []byte("module.exports = 1\n")},
		{Path: "lib/empty.txt", Data: nil},
		{Path: "node_modules/@scope/pkg/package.json", Data: []byte(`{"name":"@scope/pkg","version":"2.0.0"}`)},
		{Path: "node_modules/@scope/pkg/index.js", Data: bytes.Repeat([]byte("x"), 5000)},
		{Path: "node_modules/native/build/Release/native.node", Data: []byte("\x7fELF native"), Unpacked: true, Executable: true},
		{Path: "node_modules/native/package.json", Data: []byte(`{"name":"native","version":"0.1.0","gypfile":true}`)},
		{Path: "bin/tool", Data: []byte("#!/bin/sh\n"), Executable: true},
		{Path: "current", Link: "lib"},
		{Path: "lib/again", Link: "lib/util.js"},
		{Path: "__proto__", Data: []byte("proto")},
	}
}

func openSample(t testing.TB) (*Reader, []byte) {
	t.Helper()
	b, unpacked := electronfix.PackAsar(sample())
	m := fstest.MapFS{}
	for p, d := range unpacked {
		m[p] = &fstest.MapFile{Data: d, Mode: 0o755}
	}
	ar, err := NewReaderOptions(bytes.NewReader(b), int64(len(b)), Options{Unpacked: m})
	if err != nil {
		t.Fatal(err)
	}
	return ar, b
}

func TestReaderRoundTrip(t *testing.T) {
	ar, b := openSample(t)
	if p := ar.Problems(); len(p) != 0 {
		t.Fatalf("problems: %v", p)
	}
	for _, f := range sample() {
		if f.Link != "" {
			continue
		}
		got, err := ar.ReadFile(f.Path)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", f.Path, err)
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("ReadFile(%s) = %q, want %q", f.Path, got, f.Data)
		}
		sum, err := ar.VerifyFile(f.Path)
		if err != nil {
			t.Errorf("VerifyFile(%s): %v", f.Path, err)
		}
		want := sha256.Sum256(f.Data)
		if sum != hex.EncodeToString(want[:]) {
			t.Errorf("VerifyFile(%s) digest %s", f.Path, sum)
		}
	}
	// Links are followed by ReadFile and reported by Lstat and ReadLink.
	if got, err := ar.ReadFile("current/util.js"); err != nil || string(got) != "module.exports = 1\n" {
		t.Errorf("ReadFile through dir link = %q, %v", got, err)
	}
	if got, err := ar.ReadFile("lib/again"); err != nil || string(got) != "module.exports = 1\n" {
		t.Errorf("ReadFile of file link = %q, %v", got, err)
	}
	if fi, err := ar.Lstat("current"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(current) = %v, %v", fi, err)
	}
	if tgt, err := ar.ReadLink("lib/again"); err != nil || tgt != "util.js" {
		t.Errorf("ReadLink(lib/again) = %q, %v", tgt, err)
	}
	// Header hash is SHA-256 of exactly the JSON string.
	jsonLen := binary.LittleEndian.Uint32(b[12:])
	h := sha256.Sum256(b[16 : 16+jsonLen])
	if ar.HeaderHash() != hex.EncodeToString(h[:]) {
		t.Errorf("HeaderHash = %s", ar.HeaderHash())
	}
	if !bytes.Equal(ar.Header(), b[16:16+jsonLen]) {
		t.Error("Header differs from the JSON string")
	}
	if ar.NumFiles() != 10 {
		t.Errorf("NumFiles = %d, want 10", ar.NumFiles())
	}
	e, err := ar.Entry("node_modules/native/build/Release/native.node")
	if err != nil || !e.Unpacked || !e.Executable || e.Offset != -1 {
		t.Errorf("Entry(native.node) = %+v, %v", e, err)
	}
}

func TestReaderFSTest(t *testing.T) {
	ar, _ := openSample(t)
	if err := fstest.TestFS(ar, "package.json", "lib/util.js", "lib/empty.txt", "node_modules/@scope/pkg/index.js",
		"node_modules/native/build/Release/native.node", "current", "__proto__"); err != nil {
		t.Fatal(err)
	}
}

// TestPickleLayout checks the size fields against electron/asar's
// test/expected/packthis.asar: a JSON string of 1529 bytes gives a header
// pickle payload of 1536 and a header size of 1540.
func TestPickleLayout(t *testing.T) {
	json := `{"files":{"a":{"size":0,"offset":"0"}}}`
	json += strings.Repeat(" ", 1529-len(json))
	b := electronfix.PackAsarRaw([]byte(json), nil)
	want := []uint32{4, 0x604, 0x600, 0x5f9}
	for i, w := range want {
		if got := binary.LittleEndian.Uint32(b[4*i:]); got != w {
			t.Errorf("uint32 #%d = %#x, want %#x", i, got, w)
		}
	}
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if ar.DataOffset() != 1548 {
		t.Errorf("DataOffset = %d, want 1548", ar.DataOffset())
	}
}

func TestOpenWithUnpackedFolder(t *testing.T) {
	dir := t.TempDir()
	b, unpacked := electronfix.PackAsar(sample())
	name := filepath.Join(dir, "app.asar")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for p, d := range unpacked {
		full := filepath.Join(dir, "app.asar.unpacked", filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ar, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	if _, err := ar.VerifyFile("node_modules/native/build/Release/native.node"); err != nil {
		t.Fatal(err)
	}
	// A link on disk inside the unpacked folder may not leave it.
	outside := filepath.Join(dir, "secret")
	os.WriteFile(outside, []byte("\x7fELF native"), 0o644)
	native := filepath.Join(dir, "app.asar.unpacked", "node_modules", "native", "build", "Release", "native.node")
	os.Remove(native)
	if err := os.Symlink(outside, native); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	ar2, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ar2.Close()
	_, err = ar2.ReadFile("node_modules/native/build/Release/native.node")
	if !errors.Is(err, ErrUnpacked) {
		t.Fatalf("read through escaping link: err = %v, want ErrUnpacked", err)
	}
	if !strings.Contains(err.Error(), "node_modules/native/build/Release/native.node") {
		t.Errorf("error does not name the entry: %v", err)
	}
}

func TestUnpackedProblems(t *testing.T) {
	b, _ := electronfix.PackAsar(sample())
	const p = "node_modules/native/build/Release/native.node"
	cases := []struct {
		name string
		fsys fs.FS
	}{
		{"no folder", nil},
		{"missing file", fstest.MapFS{}},
		{"wrong size", fstest.MapFS{p: {Data: []byte("short")}}},
		{"directory", fstest.MapFS{p + "/x": {Data: []byte("x")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ar, err := NewReaderOptions(bytes.NewReader(b), int64(len(b)), Options{Unpacked: c.fsys})
			if err != nil {
				t.Fatal(err)
			}
			_, err = ar.Open(p)
			if !errors.Is(err, ErrUnpacked) {
				t.Fatalf("Open = %v, want ErrUnpacked", err)
			}
			// The entry is still listed and described.
			if fi, err := ar.Stat(p); err != nil || fi.Size() != int64(len("\x7fELF native")) {
				t.Errorf("Stat = %v, %v", fi, err)
			}
		})
	}
}

func TestVerifyFileIntegrity(t *testing.T) {
	big := make([]byte, 2*electronfix.AsarBlockSize+100)
	for i := range big {
		big[i] = byte(i * 7)
	}
	files := []electronfix.AsarFile{{Path: "a.bin", Data: big}, {Path: "b.txt", Data: []byte("hello")}}
	good, _ := electronfix.PackAsar(files)
	ar, err := NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ar.VerifyFile("a.bin"); err != nil {
		t.Fatalf("good archive: %v", err)
	}
	head := make([]byte, len(big)+10)
	if _, n, err := ar.VerifyFileHead("a.bin", head); err != nil || !bytes.Equal(head[:n], big) {
		t.Fatalf("VerifyFileHead copied %d bytes (equal %v), err %v; want the %d bytes of a.bin", n, bytes.Equal(head[:n], big), err, len(big))
	}

	// Flip one byte in the second block of a.bin: the check names block 1.
	bad := bytes.Clone(good)
	off := ar.DataOffset() + electronfix.AsarBlockSize + 10
	bad[off] ^= 0xff
	ar2, _ := NewReader(bytes.NewReader(bad), int64(len(bad)))
	sum, err := ar2.VerifyFile("a.bin")
	var ee *EntryError
	if !errors.As(err, &ee) || !errors.Is(err, ErrIntegrity) {
		t.Fatalf("tampered: err = %v, want ErrIntegrity", err)
	}
	if ee.Path != "a.bin" || ee.Offset != ar.DataOffset()+electronfix.AsarBlockSize {
		t.Errorf("tampered: path %q offset %d", ee.Path, ee.Offset)
	}
	if sum == "" {
		t.Error("digest not returned for tampered file")
	}
	if f := ee.Finding(); f.Rule != "asar/integrity-mismatch" || f.Offset == nil {
		t.Errorf("finding = %+v", f)
	}
	if _, err := ar2.VerifyFile("b.txt"); err != nil {
		t.Errorf("untouched file: %v", err)
	}
}

func TestVerifyFileIntegrityHeader(t *testing.T) {
	data := []byte("hello")
	h := sha256.Sum256(data)
	hx := hex.EncodeToString(h[:])
	cases := []struct {
		name, integrity string
		want            error
	}{
		{"none", ``, ErrNoIntegrity},
		{"ok", `,"integrity":{"algorithm":"SHA256","hash":"` + hx + `","blockSize":4,"blocks":["` + blockHex(data[:4]) + `","` + blockHex(data[4:]) + `"]}`, nil},
		{"wrong hash", `,"integrity":{"algorithm":"SHA256","hash":"00","blockSize":1024,"blocks":["` + hx + `"]}`, ErrIntegrity},
		{"wrong algorithm", `,"integrity":{"algorithm":"MD5","hash":"` + hx + `","blockSize":1024,"blocks":["` + hx + `"]}`, ErrIntegrity},
		{"missing block", `,"integrity":{"algorithm":"SHA256","hash":"` + hx + `","blockSize":4,"blocks":["` + blockHex(data[:4]) + `"]}`, ErrIntegrity},
		{"zero block size", `,"integrity":{"algorithm":"SHA256","hash":"` + hx + `","blockSize":0,"blocks":[]}`, ErrIntegrity},
		// One block, hashed once for the file and the block: each digest
		// is still compared.
		{"wrong single block", `,"integrity":{"algorithm":"SHA256","hash":"` + hx + `","blockSize":1024,"blocks":["` + blockHex([]byte("hellO")) + `"]}`, ErrIntegrity},
		{"single block size", `,"integrity":{"algorithm":"SHA256","hash":"` + hx + `","blockSize":5,"blocks":["` + hx + `"]}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := electronfix.PackAsarRaw([]byte(`{"files":{"f":{"size":5,"offset":"0"`+c.integrity+`}}}`), data)
			ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := ar.VerifyFile("f")
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("VerifyFile = %v, want %v", err, c.want)
			}
			if sum != hx {
				t.Errorf("digest %s, want %s", sum, hx)
			}
			// VerifyFileHead says the same and copies the first bytes.
			for _, size := range []int{3, 8} {
				head := make([]byte, size)
				sum2, n, err2 := ar.VerifyFileHead("f", head)
				if sum2 != sum || fmt.Sprint(err2) != fmt.Sprint(err) || string(head[:n]) != string(data[:min(size, len(data))]) {
					t.Errorf("VerifyFileHead(%d) = %s, %q, %v; want %s, %q, %v", size, sum2, head[:n], err2, sum, data[:min(size, len(data))], err)
				}
			}
			// VerifyEntryData says the same given the bytes, and refuses
			// bytes of another length.
			e, _ := ar.Entry("f")
			if sum3, err3 := ar.VerifyEntryData(e, data); sum3 != sum || fmt.Sprint(err3) != fmt.Sprint(err) {
				t.Errorf("VerifyEntryData = %s, %v; want %s, %v", sum3, err3, sum, err)
			}
			if _, err := ar.VerifyEntryData(e, data[:4]); err == nil {
				t.Error("VerifyEntryData took 4 bytes for a file of 5")
			}
		})
	}
}

func blockHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestReadDirPaging(t *testing.T) {
	ar, _ := openSample(t)
	f, err := ar.Open("lib")
	if err != nil {
		t.Fatal(err)
	}
	d := f.(fs.ReadDirFile)
	var names []string
	for {
		list, err := d.ReadDir(1)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, list[0].Name())
	}
	if got := strings.Join(names, ","); got != "again,empty.txt,util.js" {
		t.Errorf("ReadDir = %s", got)
	}
}
