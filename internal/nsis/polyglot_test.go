package nsis

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// buildHeader returns the decompressed header Build makes of files, with
// its instructions and its string table (to the header's end).
func buildHeader(files []BuildFile) (entries, strs []byte) {
	le := binary.LittleEndian
	b := Build(files, BuildOptions{})
	h := b[headerLen+4 : headerLen+4+int(le.Uint32(b[20:]))]
	eoff, en := le.Uint32(h[4+8*blkEntries:]), le.Uint32(h[8+8*blkEntries:])
	soff := le.Uint32(h[4+8*blkStrings:])
	return h[eoff : eoff+en*entrySize], h[soff:]
}

// storedDeflatePolyglot returns an installer whose data reads both as a
// stored header block and as a solid deflate stream, each giving a valid
// header that extracts a different file. The block length 0xFF00 is, read
// as deflate, a stored deflate block of 255 bytes (its NLEN ends in the
// header's first byte, 0xFF) holding the solid stream's header length
// (0xFF00 again) and the second header's first 251 bytes; a deflate stream
// inside the first header, past those bytes, gives the rest of the second
// header. The two headers share their block tables, shifted by five
// bytes: the numbers are chosen so that both read sensibly.
func storedDeflatePolyglot(t *testing.T) []byte {
	t.Helper()
	le := binary.LittleEndian
	const size = 0xFF00
	h1 := make([]byte, size) // the stored header
	copy(h1, []byte{0xFF, 0x00, 0xFF, 0x00, 0x00})
	le.PutUint32(h1[4+8*blkEntries:], 0x1000) // h1: instructions at 0x1000,
	h1[8+8*blkEntries] = 1                    // one of them (bytes 25-27, h2's instruction offset, stay 0),
	le.PutUint32(h1[4+8*blkStrings:], 0x2000) // strings at 0x2000 (h2: 32 instructions),
	le.PutUint32(h1[33:], 0x3000)             // h2: strings at 0x3000
	e1, s1 := buildHeader([]BuildFile{{Name: `$INSTDIR\stored.dll`, Data: []byte("x")}})
	if len(e1) != entrySize {
		t.Fatalf("Build wrote %d bytes of instructions, want one", len(e1))
	}
	copy(h1[0x1000:], e1)
	copy(h1[0x2000:], s1)

	h2 := make([]byte, size) // the solid stream's header
	copy(h2, h1[5:256])
	e2, s2 := buildHeader([]BuildFile{{Name: `$INSTDIR\deflate.dll`, Data: []byte("y")}})
	copy(h2[20*entrySize:], e2) // instruction 20 of 32: past the shared bytes
	copy(h2[0x3000:], s2)
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(h2[251:])
	w.Close()
	if 256+z.Len() > 0x1000 {
		t.Fatalf("the deflate stream (%d bytes) runs into the first header's instructions", z.Len())
	}
	copy(h1[256:], z.Bytes())

	data := make([]byte, headerLen, headerLen+4+size)
	le.PutUint32(data, flagNoCRC)
	le.PutUint32(data[4:], sigInfo)
	copy(data[8:], magic)
	le.PutUint32(data[20:], size)
	le.PutUint32(data[24:], headerLen+4+size)
	data = le.AppendUint32(data, size)
	data = append(data, h1...)
	return Stub(stub, data)
}

// TestStoredDeflatePolyglot: data that is both a stored header and a
// solid deflate stream, whose two headers extract different files, is
// refused; it was read as the stored header, the first reading tried.
func TestStoredDeflatePolyglot(t *testing.T) {
	b := storedDeflatePolyglot(t)
	r := bytes.NewReader(b)
	h, err := Find(r, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Each reading alone gives a valid header, naming its own file.
	a := b[h.Offset+headerLen:]
	for name, hdr := range map[string][]byte{
		`$INSTDIR\stored.dll`: a[4 : 4+h.HeaderSize],
		`$INSTDIR\deflate.dll`: func() []byte {
			d, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(a)), 4+h.HeaderSize))
			if err != nil || int64(len(d)) != 4+h.HeaderSize || int64(binary.LittleEndian.Uint32(d)) != h.HeaderSize {
				t.Fatalf("the solid deflate reading: %d bytes, %v", len(d), err)
			}
			return d[4:]
		}(),
	} {
		hd, err := parseHeader(hdr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(hd.Files) != 1 || hd.Files[0].Name != name {
			t.Errorf("header extracts %+v, want %s", hd.Files, name)
		}
	}
	_, err = NewReader(r, h, Options{})
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "both as a stored header and as solid zlib") {
		t.Fatalf("polyglot read: error %v", err)
	}
}
