package nsis

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
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

// BuildPolyglot returns NSIS data, for tests (as [Build]), that reads both
// as a stored header block and as a solid deflate stream, each giving a
// valid header: the first extracts stored's files, the second solid's
// (stored one file, whose data is written as a stored block; solid a
// few, whose data is not: the solid stream ends with its header). The data reads both as a
// stored header block and as a solid deflate stream, each giving a valid
// header that extracts a different file. The block length 0xFF00 is, read
// as deflate, a stored deflate block of 255 bytes (its NLEN ends in the
// header's first byte, 0xFF) holding the solid stream's header length
// (0xFF00 again) and the second header's first 251 bytes; a deflate stream
// inside the first header, past those bytes, gives the rest of the second
// header. The two headers share their block tables, shifted by five
// bytes: the numbers are chosen so that both read sensibly.
func BuildPolyglot(stored, solid []BuildFile) []byte {
	le := binary.LittleEndian
	const size = 0xFF00
	h1 := make([]byte, size) // the stored header
	copy(h1, []byte{0xFF, 0x00, 0xFF, 0x00, 0x00})
	le.PutUint32(h1[4+8*blkEntries:], 0x1000) // h1: instructions at 0x1000,
	h1[8+8*blkEntries] = 1                    // one of them (bytes 25-27, h2's instruction offset, stay 0),
	le.PutUint32(h1[4+8*blkStrings:], 0x2000) // strings at 0x2000 (h2: 32 instructions),
	le.PutUint32(h1[33:], 0x3000)             // h2: strings at 0x3000
	e1, s1 := buildHeader(stored)
	if len(e1) != entrySize || len(s1) > 0x1000 {
		panic("nsis: BuildPolyglot takes one file a header")
	}
	copy(h1[0x1000:], e1)
	copy(h1[0x2000:], s1)

	h2 := make([]byte, size) // the solid stream's header
	copy(h2, h1[5:256])
	e2, s2 := buildHeader(solid)
	if len(e2) > 12*entrySize || len(s2) > size-0x3000 {
		panic("nsis: BuildPolyglot's files do not fit")
	}
	copy(h2[20*entrySize:], e2) // instruction 20 of 32: past the shared bytes
	copy(h2[0x3000:], s2)
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(h2[251:])
	w.Close()
	if 256+z.Len() > 0x1000 {
		panic("nsis: BuildPolyglot's deflate stream runs into the first header's instructions")
	}
	copy(h1[256:], z.Bytes())

	data := make([]byte, headerLen, headerLen+4+size)
	le.PutUint32(data, flagNoCRC)
	le.PutUint32(data[4:], sigInfo)
	copy(data[8:], magic)
	le.PutUint32(data[20:], size)
	data = le.AppendUint32(data, size)
	data = append(data, h1...)
	// The stored reading's one data block, stored: the solid stream ends
	// with its header.
	data = le.AppendUint32(data, uint32(len(stored[0].Data)))
	data = append(data, stored[0].Data...)
	le.PutUint32(data[24:], uint32(len(data)))
	return data
}
