package nsis

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"testing"
)

// storedHeader returns the non-solid installer Build makes of files with
// o, its header block rewritten as stored: exehead reads a block without
// the compressed bit as it is, whatever its compressor, so the data blocks
// stay compressed with it.
func storedHeader(t *testing.T, files []BuildFile, o BuildOptions) []byte {
	t.Helper()
	le := binary.LittleEndian
	b := Build(files, o)
	l := int(le.Uint32(b[headerLen:]) &^ compressedBit)
	comp := b[headerLen+4 : headerLen+4+l]
	var hdr []byte
	var err error
	if o.LZMA {
		var d io.Reader
		d, err = (&Reader{Method: MethodLZMA, FilterFlag: o.X86}).decompressor(bytes.NewReader(comp))
		if err == nil {
			hdr = make([]byte, le.Uint32(b[20:]))
			_, err = io.ReadFull(d, hdr)
		}
	} else {
		hdr, err = io.ReadAll(flate.NewReader(bytes.NewReader(comp)))
	}
	if err != nil {
		t.Fatal(err)
	}
	out := append(append([]byte(nil), b[:headerLen]...), le.AppendUint32(nil, uint32(len(hdr)))...)
	out = append(append(out, hdr...), b[headerLen+4+l:]...)
	le.PutUint32(out[24:], uint32(len(out)))
	return Stub(stub, out)
}

// TestStoredHeaderCompressedData: a non-solid installer whose header block
// is stored and whose data blocks are compressed (exehead decompresses
// each block with the compressed bit, whatever the header's) was read as
// stored throughout: the compressed bytes of each block were checked as
// the file, and the DLL exehead extracts never was.
func TestStoredHeaderCompressedData(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]BuildOptions{
		"deflate":  {Deflate: true},
		"lzma":     {Deflate: true, LZMA: true},
		"lzma x86": {Deflate: true, LZMA: true, X86: true},
	} {
		_, g, err := walk(t, storedHeader(t, sample(), o), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, f := range sample() {
			if g.data[f.Name] != string(f.Data) {
				t.Errorf("%s: %s holds %q, exehead extracts %q", name, f.Name, g.data[f.Name], f.Data)
			}
		}
	}
}
