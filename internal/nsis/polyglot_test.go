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

// TestStoredDeflatePolyglot: data that is both a stored header and a
// solid deflate stream, whose two headers extract different files, is
// refused; it was read as the stored header, the first reading tried.
func TestStoredDeflatePolyglot(t *testing.T) {
	t.Parallel()
	b := Stub(stub, BuildPolyglot([]BuildFile{{Name: `$INSTDIR\stored.dll`, Data: []byte("x")}}, []BuildFile{{Name: `$INSTDIR\deflate.dll`, Data: []byte("y")}}))
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
	var ae *AmbiguousError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "both as a stored header and as solid zlib") {
		t.Fatalf("polyglot read: error %v", err)
	}
}
