package nsis

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// withHeader returns the NSIS data of an installer whose decompressed
// header is hdr, compressed as o says, with one stored data block.
func withHeader(hdr []byte, o BuildOptions) []byte {
	return o.assemble(hdr, o.block([]byte("MZ data"), false))
}

// sampleHeader is the decompressed header Build makes of sample().
func sampleHeader() []byte {
	b := Build(sample(), BuildOptions{})
	return append([]byte(nil), b[headerLen+4:headerLen+4+int(binary.LittleEndian.Uint32(b[20:]))]...)
}

// TestUnrealHeaders: a header that parses but that makensis cannot write
// (all zeros; instructions or strings inside the block table; no
// instruction; no string table, or one not starting with the empty
// string; instructions overlapping the strings) is a FormatError at a file
// offset inside the header block: the field's own when the header is
// stored. The unmodified header, the control, is read under each reading.
func TestUnrealHeaders(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	for _, tc := range []struct {
		name, want string
		field      int64 // the offending field's offset in the header; -1: the string table's start
		mod        func(h []byte)
	}{
		{"control", "", 0, func([]byte) {}},
		{"all-zero header", "inside its first 68 bytes", 4 + 8*blkEntries, func(h []byte) { clear(h) }},
		{"instructions in the block table", "instructions at offset 8", 4 + 8*blkEntries, func(h []byte) { le.PutUint32(h[4+8*blkEntries:], 8) }},
		{"no instruction", "no instruction", 8 + 8*blkEntries, func(h []byte) { le.PutUint32(h[8+8*blkEntries:], 0) }},
		{"strings in the block table", "string table at offset 16", 4 + 8*blkStrings, func(h []byte) { le.PutUint32(h[4+8*blkStrings:], 16) }},
		{"no string table", "is empty", 4 + 8*blkStrings, func(h []byte) {
			le.PutUint32(h[4+8*blkStrings:], uint32(len(h)))
			le.PutUint32(h[4+8*blkLangTabs:], 0)
		}},
		{"strings not starting empty", "does not start with the empty string", -1, func(h []byte) { h[le.Uint32(h[4+8*blkStrings:])] = 'A' }},
		{"instructions overlap strings", "overlap its string table", 4 + 8*blkStrings, func(h []byte) {
			le.PutUint32(h[4+8*blkStrings:], le.Uint32(h[4+8*blkEntries:])+entrySize)
		}},
	} {
		for _, o := range []BuildOptions{{}, {Deflate: true}, {Solid: true}, {Deflate: true, LZMA: true}} {
			m := MethodStored
			switch {
			case o.LZMA:
				m = MethodLZMA
			case o.Deflate || o.Solid:
				m = MethodDeflate
			}
			t.Run(tc.name+" "+readingName(m, o.Solid, false), func(t *testing.T) {
				h := sampleHeader()
				field := tc.field
				if field < 0 {
					field = int64(le.Uint32(h[4+8*blkStrings:]))
				}
				tc.mod(h)
				b := Stub(stub, withHeader(h, o))
				rd, _, err := walk(t, b, Options{})
				if tc.want == "" {
					if err != nil {
						t.Fatalf("the control: %v", err)
					}
					return
				}
				var fe *FormatError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want a FormatError saying %q", err, tc.want)
				}
				start := rd.First.Offset + headerLen
				want := start
				if !o.Deflate && !o.Solid {
					want = start + 4 + field
				} else if !strings.Contains(err.Error(), "of the header as it decompresses") {
					t.Errorf("%v does not give the offset in the header", err)
				}
				if fe.InStream || fe.Offset != want {
					t.Errorf("offset 0x%x (in stream %v), want file offset 0x%x", fe.Offset, fe.InStream, want)
				}
			})
		}
	}
}

// TestAmbiguityCountsUnrealHeaders: the ambiguity check counts another
// reading whose header parses, even one makensis cannot write, because
// exehead runs what it finds: the stored and solid deflate polyglot's
// second header keeps its instructions at offset 0, inside its block
// table (the five-byte shift of the deflate stored block leaves no other
// choice), yet an exehead built for solid zlib would run them. Checked
// only as the reading taken, it would leave the polyglot read as its
// stored header.
func TestAmbiguityCountsUnrealHeaders(t *testing.T) {
	t.Parallel()
	b := Stub(stub, BuildPolyglot([]BuildFile{{Name: `$INSTDIR\stored.dll`, Data: []byte("x")}}, []BuildFile{{Name: `$INSTDIR\deflate.dll`, Data: []byte("y")}}))
	var unreal int
	read := func(rd *Reader) ([]byte, error) {
		hdr, err := rd.readHeader()
		if err == nil && rd.Solid && checkReal(hdr) != nil {
			if _, perr := parseHeader(hdr); perr == nil {
				unreal++
			}
		}
		return hdr, err
	}
	_, _, err := walk(t, b, Options{readHeader: read})
	var ae *AmbiguousError
	if unreal != 1 || !errors.As(err, &ae) {
		t.Errorf("%d unreal other headers, error %v; want 1 and an AmbiguousError", unreal, err)
	}
}
