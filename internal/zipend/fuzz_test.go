package zipend

import (
	"archive/zip"
	"bytes"
	"testing"
)

// FuzzFind: Find never panics on hostile bytes, and a record it returns
// lies inside the file with its comment ending at or before the file's end.
func FuzzFind(f *testing.F) {
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("a.dll")
	w.Write([]byte("MZ"))
	zw.SetComment("comment")
	zw.Close()
	f.Add(zb.Bytes(), uint16(0))
	f.Add(append([]byte("MZ stub"), zb.Bytes()...), uint16(7))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00"), uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, cut uint16) {
		size := int64(len(b))
		ends := []int64{size, size - int64(cut)}
		for _, tail := range [][]byte{nil, b[max(0, len(b)-int(cut)):]} {
			e, ok, err := Find(bytes.NewReader(b), size, ends, tail)
			if err != nil || !ok {
				continue
			}
			if e.Off < 0 || e.Off+Len > size || e.End > size || e.End < e.Off+Len {
				t.Fatalf("record at %d ending at %d in %d bytes", e.Off, e.End, size)
			}
		}
	})
}
