package nsis

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"unicode/utf16"

	"github.com/ulikunitz/xz/lzma"
)

// BuildFile is a file of an installer Build makes: Name is where it is
// extracted, and may start with "$INSTDIR\" or "$PLUGINSDIR\". Store
// keeps its block uncompressed in a non-solid installer (SetCompress off).
// With SetOffset, the instruction extracts from data offset Offset instead
// of its own block (a forged installer).
type BuildFile struct {
	Name      string
	Data      []byte
	Store     bool
	SetOffset bool
	Offset    int64
}

// BuildOptions say how Build compresses.
type BuildOptions struct {
	// Deflate compresses the header and each block with raw deflate;
	// Solid compresses them as one deflate stream; neither stores them.
	Deflate, Solid bool
	// LZMA, with Deflate or Solid, compresses with NSIS's LZMA instead of
	// deflate; X86 puts the x86 branch filter behind it, as the NSIS of
	// 7-Zip's installers did: each stream starts with a filter flag byte
	// (1), then the LZMA properties.
	LZMA, X86 bool
}

// Build returns the NSIS data of an NSIS 3 Unicode installer that extracts
// files, from the firstheader on, for tests and fuzzing: a header holding
// one EW_EXTRACTFILE instruction per file and its string table, then a
// data block per file, then the CRC32 (not computed: this package does not
// check it). Append it to a PE image padded to 512 bytes (see [Stub]).
func Build(files []BuildFile, o BuildOptions) []byte {
	le := binary.LittleEndian
	var strs []byte
	str := func(s string) uint32 {
		off := uint32(len(strs) / 2)
		for _, p := range []struct {
			prefix string
			v      uint16
		}{{`$INSTDIR\`, 21}, {`$PLUGINSDIR\`, 26}} {
			if len(s) >= len(p.prefix) && s[:len(p.prefix)] == p.prefix {
				strs = le.AppendUint16(strs, uVar)
				strs = le.AppendUint16(strs, p.v&0x7f|(p.v&0x3f80)<<1|0x8080)
				s = s[len(p.prefix)-1:]
				break
			}
		}
		for _, c := range utf16.Encode([]rune(s)) {
			strs = le.AppendUint16(strs, c)
		}
		strs = le.AppendUint16(strs, 0)
		return off
	}
	str("")
	var entries, data []byte
	for _, f := range files {
		e := make([]byte, entrySize)
		le.PutUint32(e, opExtractFile)
		le.PutUint32(e[8:], str(f.Name))
		le.PutUint32(e[12:], uint32(len(data)))
		if f.SetOffset {
			le.PutUint32(e[12:], uint32(f.Offset))
		}
		entries = append(entries, e...)
		data = append(data, o.block(f.Data, o.Deflate && !o.Solid && !f.Store)...)
	}
	hdr := make([]byte, 4+8*blocksNum)
	le.PutUint32(hdr[4+8*blkEntries:], uint32(len(hdr)))
	le.PutUint32(hdr[8+8*blkEntries:], uint32(len(files)))
	le.PutUint32(hdr[4+8*blkStrings:], uint32(len(hdr)+len(entries)))
	le.PutUint32(hdr[4+8*blkLangTabs:], uint32(len(hdr)+len(entries)+len(strs)))
	hdr = append(append(hdr, entries...), strs...)
	return o.assemble(hdr, data)
}

// assemble returns the NSIS data of an installer whose decompressed header
// is hdr, followed by the data blocks data: the first header, then the
// header block and data compressed as o says, then a zero CRC.
func (o BuildOptions) assemble(hdr, data []byte) []byte {
	le := binary.LittleEndian
	var body []byte
	if o.Solid {
		raw := append(le.AppendUint32(nil, uint32(len(hdr))), hdr...)
		raw = append(raw, data...)
		body = o.compress(raw)
	} else {
		body = append(o.block(hdr, o.Deflate), data...)
	}
	fh := make([]byte, headerLen)
	le.PutUint32(fh[4:], sigInfo)
	copy(fh[8:], magic)
	le.PutUint32(fh[20:], uint32(len(hdr)))
	le.PutUint32(fh[24:], uint32(headerLen+len(body)+4))
	return append(append(fh, body...), 0, 0, 0, 0)
}

// block returns a non-solid block of b.
func (o BuildOptions) block(b []byte, compress bool) []byte {
	if !compress {
		return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
	}
	c := o.compress(b)
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(c))|compressedBit), c...)
}

// compress returns b compressed as o says.
func (o BuildOptions) compress(b []byte) []byte {
	if !o.LZMA {
		return deflate(b)
	}
	var out []byte
	if o.X86 {
		out = []byte{1}
		b = x86Encode(b)
	}
	return append(out, lzmaStream(b)...)
}

// lzmaStream returns b compressed as NSIS's LZMA: the 5 property bytes (lc=3
// lp=0 pb=2, a 1 MiB dictionary), then the raw stream, with an end marker.
func lzmaStream(b []byte) []byte {
	var buf bytes.Buffer
	w, err := lzma.WriterConfig{DictCap: 1 << 20, EOSMarker: true}.NewWriter(&buf)
	if err != nil {
		panic(err)
	}
	w.Write(b)
	w.Close()
	// Drop the classic header's 8-byte size.
	out := buf.Bytes()
	return append(out[:5:5], out[13:]...)
}

// x86Encode returns b with the x86 branch filter applied, as an encoder
// starting at stream offset 0 does: what a filtered stream decompresses
// to.
func x86Encode(b []byte) []byte {
	out := append([]byte(nil), b...)
	s := newX86State()
	s.convert(out, 0, true)
	return out
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Stub returns img, a PE image, padded with zeros to a multiple of 512
// bytes and followed by data, as makensis lays out an installer.
func Stub(img, data []byte) []byte {
	out := append([]byte(nil), img...)
	for len(out)%alignment != 0 {
		out = append(out, 0)
	}
	return append(out, data...)
}
