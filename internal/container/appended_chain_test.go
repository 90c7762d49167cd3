package container

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
)

// zipAtOffset returns a zip archive holding one file name whose offsets
// count off bytes before it (a stub's, when it follows one).
func zipAtOffset(t *testing.T, name string, off int64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.SetOffset(off)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(name))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// appendedOf returns the archives AppendedZips finds in b, as offsets of
// their end records.
func appendedOf(t *testing.T, b []byte) []int64 {
	t.Helper()
	r, size := bytes.NewReader(b), int64(len(b))
	ends := ZipEnds(r, size, true)
	z, ok, err := FindAppendedZip(r, size, ends, nil, nil)
	if err != nil || !ok || !z.Valid {
		t.Fatalf("no archive: %v", err)
	}
	var offs []int64
	for _, a := range AppendedZips(r, size, ends, z, nil) {
		offs = append(offs, a.Off)
	}
	return offs
}

// TestAppendedZips: one zip after a PE is one archive; two concatenated
// are two, in file order, whether their offsets count what precedes them
// or not; a planted one in the certificate table comes after the signed
// one; an empty archive before the last is none; a long chain stops at
// MaxAppended.
func TestAppendedZips(t *testing.T) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	one := append(append([]byte(nil), img...), zipOne(t, "a.dll")...)
	if got := appendedOf(t, one); len(got) != 1 || got[0] != int64(len(one)-22) {
		t.Errorf("one archive: %v", got)
	}
	for _, adjust := range []bool{false, true} {
		b := append([]byte(nil), img...)
		var want []int64
		for _, n := range []string{"first.dll", "second.dll", "third.dll"} {
			off := int64(0)
			if adjust {
				off = int64(len(b))
			}
			b = append(b, zipAtOffset(t, n, off)...)
			want = append(want, int64(len(b)-22))
		}
		if got := appendedOf(t, b); !slices.Equal(got, want) {
			t.Errorf("adjusted=%v: three archives: %v, want %v", adjust, got, want)
		}
	}

	signed, decoy := zipOne(t, "payload.dll"), zipOne(t, "readme.txt")
	b := signedLike(t, signed, append([]byte("\x30\x82\x00\x10"), decoy...))
	if got := appendedOf(t, b); len(got) != 2 || got[0] != int64(len(img)+len(signed)-22) {
		t.Errorf("planted: %v", got)
	}

	empty := []byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	b = append(append(append([]byte(nil), img...), empty...), zipOne(t, "a.dll")...)
	if got := appendedOf(t, b); len(got) != 1 {
		t.Errorf("empty archive before: %v", got)
	}

	b = append([]byte(nil), img...)
	for range MaxAppended + 4 {
		b = append(b, zipOne(t, "a.dll")...)
	}
	if got := appendedOf(t, b); len(got) != MaxAppended || got[len(got)-1] != int64(len(b)-22) {
		t.Errorf("long chain: %d archives, want %d ending with the last", len(got), MaxAppended)
	}
}

// TestTrailingAppended: a zip that is the bytes after NSIS data and the
// one the PE carries at its end reads the same alone or in the PE, offsets
// adjusted or not; one whose offsets count from the trailing data while a
// directory header sits where they point in the PE reads otherwise in the
// PE (archive/zip takes the header there), one the PE search does not
// find, no zip, or a second self-extractor (a PE) appended, is not the
// PE's.
func TestTrailingAppended(t *testing.T) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	for _, adjust := range []bool{false, true} {
		off := int64(0)
		if adjust {
			off = int64(len(img))
		}
		z := zipAtOffset(t, "a.dll", off)
		b := append(append([]byte(nil), img...), z...)
		if !TrailingAppended(bytes.NewReader(b), int64(len(b)), Span{int64(len(img)), int64(len(z))}, nil) {
			t.Errorf("adjusted=%v: the appended zip is not the PE's", adjust)
		}
	}

	// Unadjusted, with a directory header at the offset the record gives,
	// inside the PE.
	z := zipAtOffset(t, "a.dll", 0)
	dirOff := int64(binary.LittleEndian.Uint32(z[len(z)-22+16:]))
	b := append(append([]byte(nil), img...), z...)
	if dirOff+46 > int64(len(img)) {
		t.Fatalf("directory offset %d past the PE", dirOff)
	}
	copy(b[dirOff:], z[dirOff:dirOff+46])
	if TrailingAppended(bytes.NewReader(b), int64(len(b)), Span{int64(len(img)), int64(len(z))}, nil) {
		t.Errorf("an archive that reads otherwise in the PE is taken for the PE's")
	}

	// A second self-extractor appended: its own walk finds its archives.
	sfx := append(append([]byte(nil), img...), zipOne(t, "a.dll")...)
	b = append(append([]byte(nil), img...), sfx...)
	if TrailingAppended(bytes.NewReader(b), int64(len(b)), Span{int64(len(img)), int64(len(sfx))}, nil) {
		t.Errorf("a self-extractor appended is taken for the outer PE's zip")
	}

	// Not a zip; a zip followed by more than an end record's reach.
	for name, tr := range map[string][]byte{"no zip": []byte("just bytes"), "zip far from the end": append(zipOne(t, "a.dll"), make([]byte, 70000)...)} {
		b := append(append([]byte(nil), img...), tr...)
		if TrailingAppended(bytes.NewReader(b), int64(len(b)), Span{int64(len(img)), int64(len(tr))}, nil) {
			t.Errorf("%s: taken for the PE's", name)
		}
	}
}

// FuzzAppendedZips: hostile bytes after a PE (directories pointing
// anywhere, records chained back to back) give archives in file order,
// each ending inside the file, and no panic.
func FuzzAppendedZips(f *testing.F) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		f.Fatal(err)
	}
	a, b := zipAtOffsetF(f, "a.dll", 0), zipAtOffsetF(f, "b.dll", 0)
	f.Add(append(append(append([]byte(nil), img...), a...), b...))
	f.Add(append(append([]byte(nil), img...), a...))
	f.Add(append(append([]byte(nil), a...), b...))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, size := bytes.NewReader(b), int64(len(b))
		ends := ZipEnds(r, size, true)
		z, ok, err := FindAppendedZip(r, size, ends, nil, nil)
		if err != nil || !ok || !z.Valid {
			return
		}
		all := AppendedZips(r, size, ends, z, nil)
		if len(all) == 0 || len(all) > MaxAppended || all[len(all)-1] != z {
			t.Fatalf("archives %+v for %+v", all, z)
		}
		for i, e := range all {
			if e.Off < 0 || e.End > size || (i > 0 && e.Off <= all[i-1].Off) {
				t.Fatalf("archive %d: %+v of %+v", i, e, all)
			}
		}
		TrailingAppended(r, size, Span{size / 2, size - size/2}, nil)
	})
}

// zipAtOffsetF is zipAtOffset for a fuzz target's seeds.
func zipAtOffsetF(f *testing.F, name string, off int64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.SetOffset(off)
	w, _ := zw.Create(name)
	w.Write([]byte(name))
	if err := zw.Close(); err != nil {
		f.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkAppendedZips: a PE followed by an archive of 20,000 entries,
// the directory read once more to look for an archive before it.
func BenchmarkAppendedZips(b *testing.B) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(img)
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(len(img)))
	for i := range 20000 {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "app/node_modules/pkg/file-" + string(rune('a'+i%26)) + "/" + itoa(i) + ".js", Method: zip.Store})
		w.Write([]byte("x"))
	}
	zw.Close()
	data := buf.Bytes()
	r, size := bytes.NewReader(data), int64(len(data))
	ends := ZipEnds(r, size, true)
	z, _, _ := FindAppendedZip(r, size, ends, nil, nil)
	b.Run("AppendedZips", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n := len(AppendedZips(r, size, ends, z, nil)); n != 1 {
				b.Fatalf("%d archives", n)
			}
		}
	})
	// What opening the archive costs anyway, for scale.
	b.Run("zip.NewReader", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := zip.NewReader(io.NewSectionReader(r, 0, z.End), z.End); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		if i /= 10; i == 0 {
			return s
		}
	}
}
