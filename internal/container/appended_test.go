package container

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/zipend"
)

// zipOne returns a zip archive holding one file name.
func zipOne(t *testing.T, name string) []byte {
	t.Helper()
	return zipAtOffset(t, name, 0)
}

// signedLike returns a PE, then between, then a certificate table
// (DataDirectory[4] pointing at it) whose blob is blob.
func signedLike(t *testing.T, between, blob []byte) []byte {
	t.Helper()
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := pefile.Parse(img)
	if err != nil {
		t.Fatal(err)
	}
	b := append(img, between...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	off := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(8+len(blob)))
	b = append(b, 0x00, 0x02, 0x02, 0x00)
	b = append(b, blob...)
	binary.LittleEndian.PutUint32(b[in.SecDirOff:], uint32(off))
	binary.LittleEndian.PutUint32(b[in.SecDirOff+4:], uint32(len(b)-off))
	return b
}

// TestFindAppendedZip: the zip appended to a PE is found, and passed over
// when its end record lies in a range the walk accounted for (a resource
// package, NSIS data), so that it is opened once.
func TestFindAppendedZip(t *testing.T) {
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	z := zipOne(t, "a.dll")
	b := append(img, z...)
	r, size := bytes.NewReader(b), int64(len(b))
	ends := ZipEnds(r, size, true)
	if got, ok, err := FindAppendedZip(r, size, ends, nil, nil); err != nil || !ok || !got.Valid || got.End != size {
		t.Fatalf("appended zip: %+v %v %v", got, ok, err)
	}
	walked := []Span{{int64(len(img)), int64(len(z))}}
	if got, ok, err := FindAppendedZip(r, size, ends, nil, walked); err != nil || ok {
		t.Fatalf("zip inside a walked range: %+v %v %v, want none", got, ok, err)
	}
	if _, ok := SignedZip(r, size, ends, zipendOf(t, r, size, ends), nil); ok {
		t.Fatalf("a PE without a certificate table has no signed archive besides")
	}
}

// zipendOf returns the record FindAppendedZip finds.
func zipendOf(t *testing.T, r *bytes.Reader, size int64, ends []int64) zipend.End {
	t.Helper()
	z, ok, err := FindAppendedZip(r, size, ends, nil, nil)
	if !ok || err != nil {
		t.Fatalf("no archive: %v", err)
	}
	return z
}

// TestSignedZip: an archive planted in the certificate table (found first,
// reading from the end) does not hide the archive before the table; an
// archive before the table alone is no second one.
func TestSignedZip(t *testing.T) {
	signed, decoy := zipOne(t, "payload.dll"), zipOne(t, "readme.txt")
	b := signedLike(t, signed, append([]byte("\x30\x82\x00\x10"), decoy...))
	r, size := bytes.NewReader(b), int64(len(b))
	ends := ZipEnds(r, size, true)
	if len(ends) != 2 {
		t.Fatalf("ends %v: no certificate table", ends)
	}
	z := zipendOf(t, r, size, ends)
	if z.End <= ends[1] {
		t.Fatalf("found %+v before the table at %d; want the planted one", z, ends[1])
	}
	s, ok := SignedZip(r, size, ends, z, nil)
	if !ok || s.End > ends[1] || s.Off == z.Off {
		t.Fatalf("signed archive %+v %v", s, ok)
	}

	b = signedLike(t, signed, []byte("\x30\x82\x00\x10 a signature"))
	r, size = bytes.NewReader(b), int64(len(b))
	ends = ZipEnds(r, size, true)
	z = zipendOf(t, r, size, ends)
	if _, ok := SignedZip(r, size, ends, z, nil); ok || z.End > ends[1] {
		t.Fatalf("archive %+v before the table: a second one found", z)
	}
}
