package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/release"
)

// FuzzReleaseZip runs Release over hostile zip archives (with native code,
// asar archives and links inside): it must never panic, never report a path
// that leaves the archive, and either fail the run or return a report.
func FuzzReleaseZip(f *testing.F) {
	fx := getFixtures(f)
	asar := packAsar([]electronfix.AsarFile{{Path: "a/b.node", Data: fx.machoValid}, {Path: "l", Link: "a"}})
	f.Add(makeZip(f, []zipEntry{{name: "a.exe", data: fx.peValid, store: true}, {name: "b/app.asar", data: asar}}))
	f.Add(makeZip(f, []zipEntry{{name: "x.dylib", data: fx.fat}, {name: "l", data: []byte("../x"), mode: os.ModeSymlink | 0o777}}))
	f.Add(makeZip(f, []zipEntry{{name: "../../evil", data: []byte("x")}, {name: "d/", data: nil}}))
	f.Add(makeZip(f, []zipEntry{{name: "pkg.msix", data: msixPackage(f, false), store: true}}))
	dir := f.TempDir()
	opts := Options{Trust: fx.trust, Time: checkTime, MaxBuffer: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "r.zip")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Release(context.Background(), opts, p)
		if err != nil {
			return
		}
		for _, f := range r.Files {
			if !validReportPath(f.Path) {
				t.Errorf("report path %q leaves the archive", f.Path)
			}
		}
	})
}

func validReportPath(p string) bool {
	if p == "" || p[0] == '/' {
		return false
	}
	for _, el := range filepath.SplitList(p) {
		if el == ".." {
			return false
		}
	}
	return filepath.IsLocal(p)
}

// FuzzFindZipEnd runs the zip end record search and the PE certificate
// table lookup over hostile bytes: they must never panic, and a record
// found must lie inside the file, its comment included.
func FuzzFindZipEnd(f *testing.F) {
	fx := getFixtures(f)
	z := makeZip(f, []zipEntry{{name: "a.dll", data: []byte("MZ")}})
	f.Add(z, 0)
	f.Add(append(append([]byte(nil), fx.peValid...), z...), 0)
	f.Add(append([]byte("junk"), z...), 3)
	f.Add([]byte("PK\x05\x06\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00"), 1)
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		size := int64(len(b))
		ends := []int64{size}
		if off, ok := peCertTable(bytes.NewReader(b), size); ok {
			if off <= 0 || off >= size {
				t.Fatalf("certificate table at %d of %d", off, size)
			}
			ends = append(ends, off)
		}
		if cut > 0 && int64(cut) < size {
			ends = append(ends, int64(cut))
		}
		tail := b[max(0, len(b)-zipTailLen):]
		z, ok, err := findZipEnd(bytes.NewReader(b), size, ends, tail)
		if err != nil {
			t.Fatal(err)
		}
		if ok && (z.off < 0 || z.off+eocdLen > z.end || z.end > size) {
			t.Fatalf("record at %d ending at %d in %d bytes", z.off, z.end, size)
		}
		// The same answer without the tail.
		z2, ok2, err := findZipEnd(bytes.NewReader(b), size, ends, nil)
		if err != nil || ok2 != ok || z2 != z {
			t.Fatalf("with tail %v %+v, without %v %+v (%v)", ok, z, ok2, z2, err)
		}
	})
}

// FuzzZipEnds reads the end structures of whatever archive findZipEnd
// finds in hostile bytes, and searches the bytes before it for hidden
// local headers: they must never panic, the byte ranges they report must
// lie inside the file, and the reader they give must read what the file
// holds but for the locator's offset.
func FuzzZipEnds(f *testing.F) {
	fx := getFixtures(f)
	z := makeZip(f, []zipEntry{{name: "a.dll", data: []byte("MZ")}})
	f.Add(z)
	f.Add(append([]byte("junk"), z...))
	f.Add(append(append([]byte(nil), fx.peUnsigned...), z...))
	f.Add(append(append([]byte(nil), z...), "PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00trailing"...))
	f.Add([]byte("PK\x06\x06\x2c\x00\x00\x00\x00\x00\x00\x00-\x00-\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x2e\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
		"PK\x06\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00" +
		"PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		size := int64(len(b))
		r := bytes.NewReader(b)
		zend, ok, err := findZipEnd(r, size, []int64{size}, nil)
		if err != nil || !ok {
			return
		}
		ze, err := readZipEnds(r, zend)
		if err != nil {
			return
		}
		for _, fi := range ze.Unowned(r, size, "x") {
			if fi.Offset == nil || *fi.Offset < 0 || *fi.Offset >= size {
				t.Fatalf("finding outside the file: %+v", fi)
			}
		}
		got := make([]byte, len(b))
		if n, _ := ze.Reader(r).ReadAt(got, 0); n != len(b) {
			t.Fatalf("read %d of %d bytes", n, len(b))
		}
		if !ze.Patched() && !bytes.Equal(got, b) {
			t.Fatal("the reader changed bytes without a fix")
		}
		if at, ok := release.ZipHiddenInPrefix(r, min(zend.off, size), size); ok && (at < 0 || at >= zend.off) {
			t.Fatalf("hidden header at %d, outside the prefix of %d bytes", at, zend.off)
		}
	})
}
