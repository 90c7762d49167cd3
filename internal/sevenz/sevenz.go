// Package sevenz opens 7-Zip archives (electron-builder ships an app as
// app-64.7z inside its NSIS installer) for a verifier that faces hostile
// input, through github.com/bodgit/sevenzip.
//
// That reader is wrapped rather than used alone because it trusts the
// archive's header: it allocates from counts it has not checked against
// the header's bytes (a few bytes declaring 2^32 CRCs make it allocate 16
// GiB, which kills the process rather than failing), and from coder
// properties (an LZMA2 dictionary of up to 4 GiB). So the header is parsed
// here first (7zFormat.txt): every count is checked against the bytes left
// in the header and against caps, only the coders listed in [Methods] are
// accepted (copy, LZMA, LZMA2, deflate, bzip2 and the branch filters BCJ,
// BCJ2, ARM, ARM64, PPC, SPARC and delta), LZMA dictionaries are bounded,
// and what the archive unpacks to is summed, so that callers can bound it
// before a byte is decompressed. A header compressed with LZMA (as 7-Zip
// writes it) is decompressed here, within the same bounds, and checked the
// same way. Only then does bodgit/sevenzip open the archive; its files are
// read through it.
//
// The archive must start with its signature header, whose CRC must match:
// the library would otherwise search the file for another.
//
// Not checked here: the CRCs of the files (the library checks them as a
// file is read to its end), encrypted archives (refused: AES is not in
// Methods), archives that span volumes.
package sevenz

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/bodgit/sevenzip"
	"github.com/ulikunitz/xz/lzma"
)

// Signature is how a 7-Zip archive starts.
const Signature = "7z\xbc\xaf\x27\x1c"

// Limits of what an archive may declare.
const (
	// MaxHeader bounds the header, compressed or not.
	MaxHeader = 64 << 20
	// MaxFiles bounds the files of an archive.
	MaxFiles = 1 << 18
	// MaxDict bounds one LZMA or LZMA2 dictionary, MaxDicts all of an
	// archive's: 7-Zip's ultra level uses 64 MiB.
	MaxDict  = 256 << 20
	MaxDicts = 512 << 20
	// maxItems bounds any other count (folders, coders, streams).
	maxItems = 1 << 20
)

// Property IDs (7zFormat.txt).
const (
	kEnd = iota
	kHeader
	kArchiveProperties
	kAdditionalStreamsInfo
	kMainStreamsInfo
	kFilesInfo
	kPackInfo
	kUnPackInfo
	kSubStreamsInfo
	kSize
	kCRC
	kFolder
	kCodersUnPackSize
	kNumUnPackStream
	kEncodedHeader = 0x17
	kDummy         = 0x19
)

// Methods are the coder IDs this package lets the library decode.
var Methods = map[string]string{
	"\x00":             "copy",
	"\x03":             "delta",
	"\x03\x01\x01":     "LZMA",
	"\x21":             "LZMA2",
	"\x03\x03\x01\x03": "BCJ",
	"\x03\x03\x01\x1b": "BCJ2",
	"\x03\x03\x02\x05": "PPC",
	"\x03\x03\x05\x01": "ARM",
	"\x03\x03\x08\x05": "SPARC",
	"\x0a":             "ARM64",
	"\x04\x01\x08":     "deflate",
	"\x04\x02\x02":     "bzip2",
}

// FormatError says the archive is malformed or declares more than this
// package allows.
type FormatError struct {
	// Offset is the file offset of the offending structure, or, when
	// InHeader is set, its offset in the decompressed header.
	Offset   int64
	InHeader bool
	Reason   string
}

func (e *FormatError) Error() string {
	if e.InHeader {
		return fmt.Sprintf("7z: %s at offset 0x%x of the decompressed header", e.Reason, e.Offset)
	}
	return fmt.Sprintf("7z: %s at offset 0x%x", e.Reason, e.Offset)
}

// UnsupportedError says the archive uses a coder not in Methods.
type UnsupportedError struct {
	// Method is the coder's ID in hex.
	Method string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("7z: coder %s is not one shipgate decodes (encrypted, or a rare method)", e.Method)
}

// Archive is an opened archive.
type Archive struct {
	*sevenzip.Reader
	// Unpacked is what its folders unpack to, as the header says.
	Unpacked int64
	// Files is the number of files the header lists.
	Files int
}

// Open checks the header of the archive of size bytes at r, and opens
// it. take, when not nil, is charged with what the archive unpacks to
// (and a compressed header with what it decompresses to) before anything
// is decompressed; when it returns false, Open fails with ErrExpansion.
func Open(r io.ReaderAt, size int64, take func(int64) bool) (*Archive, error) {
	var sh [32]byte
	if n, _ := r.ReadAt(sh[:], 0); n < len(sh) || string(sh[:6]) != Signature {
		return nil, &FormatError{Offset: 0, Reason: "no 7z signature header"}
	}
	le := binary.LittleEndian
	if crc32.ChecksumIEEE(sh[12:32]) != le.Uint32(sh[8:]) {
		return nil, &FormatError{Offset: 8, Reason: "the start header's CRC does not match"}
	}
	off, n := le.Uint64(sh[12:]), le.Uint64(sh[20:])
	if n == 0 {
		return nil, &FormatError{Offset: 20, Reason: "the archive has no header"}
	}
	if n > MaxHeader || off > uint64(size) || n > uint64(size)-32-min(off, uint64(size)-32) || off > uint64(size-32) {
		return nil, &FormatError{Offset: 12, Reason: fmt.Sprintf("a header of %d bytes at offset %d does not fit in the %d-byte file (or exceeds %d bytes)", n, 32+off, size, MaxHeader)}
	}
	at := int64(32 + off)
	hdr := make([]byte, n)
	if k, _ := r.ReadAt(hdr, at); k < len(hdr) {
		return nil, &FormatError{Offset: at, Reason: "cannot read the header"}
	}
	if crc32.ChecksumIEEE(hdr) != le.Uint32(sh[28:]) {
		return nil, &FormatError{Offset: 28, Reason: "the header's CRC does not match"}
	}
	p := &parser{b: hdr, base: at}
	a := &Archive{}
	switch id := p.byte(); id {
	case kHeader:
		if err := p.header(a); err != nil {
			return nil, err
		}
	case kEncodedHeader:
		si, err := p.streamsInfo()
		if err != nil {
			return nil, err
		}
		dec, err := decodeHeader(r, size, si, take)
		if err != nil {
			return nil, err
		}
		q := &parser{b: dec, inHeader: true}
		if q.byte() != kHeader {
			return nil, &FormatError{Offset: 0, InHeader: true, Reason: "the decompressed header is no header"}
		}
		if err := q.header(a); err != nil {
			return nil, err
		}
	default:
		if p.err == nil {
			return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("the header starts with property %d", id)}
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	if take != nil && !take(a.Unpacked) {
		return nil, ErrExpansion
	}
	zr, err := sevenzip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("7z: %w", err)
	}
	a.Reader = zr
	return a, nil
}

// ErrExpansion says the archive unpacks to more than the caller allows.
var ErrExpansion = errors.New("7z: the archive unpacks to more than allowed")

// streams is what a StreamsInfo says.
type streams struct {
	packPos   uint64
	packSizes []uint64
	folders   []folder
}

type folder struct {
	coders      []coder
	unpackSizes []uint64
	packed      int // packed streams
}

type coder struct {
	id    string
	props []byte
}

// decodeHeader decompresses an encoded header: one folder of one LZMA
// coder, as 7-Zip writes it.
func decodeHeader(r io.ReaderAt, size int64, si *streams, take func(int64) bool) ([]byte, error) {
	if len(si.folders) != 1 || len(si.packSizes) != 1 || len(si.folders[0].coders) != 1 || si.folders[0].coders[0].id != "\x03\x01\x01" || len(si.folders[0].unpackSizes) != 1 {
		return nil, &UnsupportedError{Method: "(a header compressed other than with LZMA alone)"}
	}
	c, us, ps := si.folders[0].coders[0], si.folders[0].unpackSizes[0], si.packSizes[0]
	if us > MaxHeader {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("the header decompresses to %d bytes, more than %d", us, MaxHeader)}
	}
	if ps > uint64(size) || si.packPos > uint64(size)-32-min(ps, uint64(size)-32) || ps > uint64(size)-32 {
		return nil, &FormatError{Offset: 32, Reason: "the compressed header lies outside the file"}
	}
	if len(c.props) != 5 {
		return nil, &FormatError{Offset: 0, Reason: "the header's LZMA properties are not 5 bytes"}
	}
	if take != nil && !take(int64(us)) {
		return nil, ErrExpansion
	}
	var h [13]byte
	copy(h[:], c.props)
	binary.LittleEndian.PutUint64(h[5:], us)
	lr, err := lzma.ReaderConfig{DictCap: MaxDict}.NewReader(io.MultiReader(bytes.NewReader(h[:]), bufio.NewReader(io.NewSectionReader(r, int64(32+si.packPos), int64(ps)))))
	if err != nil {
		return nil, &FormatError{Offset: int64(32 + si.packPos), Reason: fmt.Sprintf("cannot decompress the header: %v", err)}
	}
	out := make([]byte, us)
	if _, err := io.ReadFull(lr, out); err != nil {
		return nil, &FormatError{Offset: int64(32 + si.packPos), Reason: fmt.Sprintf("cannot decompress the header: %v", err)}
	}
	return out, nil
}

// parser reads a header, failing once and for all at the first error.
type parser struct {
	b        []byte
	pos      int
	base     int64 // file offset of b, when not inHeader
	inHeader bool
	err      error
	dicts    uint64
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = &FormatError{Offset: p.base + int64(p.pos), InHeader: p.inHeader, Reason: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) left() int { return len(p.b) - p.pos }

func (p *parser) byte() byte {
	if p.err != nil || p.pos >= len(p.b) {
		p.fail("the header ends early")
		return 0
	}
	c := p.b[p.pos]
	p.pos++
	return c
}

func (p *parser) bytes(n uint64) []byte {
	if p.err != nil || n > uint64(p.left()) {
		p.fail("a field of %d bytes runs past the header's end", n)
		return nil
	}
	b := p.b[p.pos : p.pos+int(n)]
	p.pos += int(n)
	return b
}

// number reads a 7z number: the first byte's leading one bits count the
// little-endian bytes that follow, its other bits are the high ones.
func (p *parser) number() uint64 {
	first := p.byte()
	var v uint64
	mask := byte(0x80)
	for i := 0; i < 8; i++ {
		if first&mask == 0 {
			hi := uint64(first & (mask - 1))
			return v | hi<<(8*i)
		}
		v |= uint64(p.byte()) << (8 * i)
		mask >>= 1
	}
	return v
}

// count reads a count of items that each take at least perItem bits of
// the header, and checks it.
func (p *parser) count(what string, perItem int, max uint64) int {
	n := p.number()
	if p.err != nil {
		return 0
	}
	if n > max || (perItem > 0 && n > uint64(p.left())*8/uint64(perItem)+1) {
		p.fail("%d %s do not fit in the header (at most %d)", n, what, max)
		return 0
	}
	return int(n)
}

// bits reads a vector of n bits, or, with all, an all-defined byte first.
func (p *parser) bits(n int, all bool) []bool {
	if all && p.byte() != 0 {
		v := make([]bool, n)
		for i := range v {
			v[i] = true
		}
		return v
	}
	b := p.bytes(uint64((n + 7) / 8))
	v := make([]bool, n)
	for i := range v {
		if b != nil {
			v[i] = b[i/8]&(0x80>>(i%8)) != 0
		}
	}
	return v
}

func (p *parser) digests(n int) {
	defined := p.bits(n, true)
	for _, d := range defined {
		if d {
			p.bytes(4)
		}
	}
}

func (p *parser) header(a *Archive) error {
	id := p.byte()
	if id == kArchiveProperties {
		for p.err == nil {
			if p.byte() == 0 {
				break
			}
			p.bytes(p.number())
		}
		id = p.byte()
	}
	if id == kAdditionalStreamsInfo {
		p.streamsInfo()
		id = p.byte()
	}
	if id == kMainStreamsInfo {
		si, _ := p.streamsInfo()
		if si != nil {
			for _, f := range si.folders {
				for _, u := range f.unpackSizes {
					if u > 1<<50 || a.Unpacked+int64(u) > 1<<50 {
						p.fail("folders unpack to more than a pebibyte")
						break
					}
					// The folder's last unpacked stream is its
					// output; others feed its filters, and are
					// decoded too.
					a.Unpacked += int64(u)
				}
			}
		}
		id = p.byte()
	}
	if id == kFilesInfo {
		a.Files = p.count("files", 0, MaxFiles)
		for p.err == nil {
			t := p.number()
			if t == kEnd {
				break
			}
			p.bytes(p.number())
		}
		id = p.byte()
	}
	if p.err == nil && id != kEnd {
		p.fail("unexpected property %d in the header", id)
	}
	return p.err
}

// streamsInfo reads a StreamsInfo: its pack info, unpack info and
// substreams info, each optional, in that order.
func (p *parser) streamsInfo() (*streams, error) {
	si := &streams{}
	id := p.byte()
	if id == kPackInfo {
		p.packInfo(si)
		id = p.byte()
	}
	if id == kUnPackInfo {
		p.unpackInfo(si)
		id = p.byte()
	}
	if id == kSubStreamsInfo {
		p.subStreamsInfo(len(si.folders))
		id = p.byte()
	}
	if p.err == nil && id != kEnd {
		p.fail("unexpected property %d in the streams info", id)
	}
	return si, p.err
}

// packInfo reads a PackInfo: where the packed streams start, their sizes
// and digests.
func (p *parser) packInfo(si *streams) {
	si.packPos = p.number()
	n := p.count("packed streams", 1, maxItems)
	for p.err == nil {
		switch t := p.byte(); t {
		case kSize:
			si.packSizes = make([]uint64, n)
			for i := range si.packSizes {
				si.packSizes[i] = p.number()
			}
			continue
		case kCRC:
			p.digests(n)
			continue
		case kEnd:
		default:
			p.fail("unexpected property %d in the pack info", t)
		}
		break
	}
}

// unpackInfo reads an UnPackInfo: the folders, their unpacked sizes and
// digests.
func (p *parser) unpackInfo(si *streams) {
	if p.byte() != kFolder {
		p.fail("the unpack info does not list folders")
	}
	n := p.count("folders", 8, maxItems)
	if p.byte() != 0 {
		p.fail("folders kept outside the header are not supported")
	}
	si.folders = make([]folder, 0, n)
	for i := 0; i < n && p.err == nil; i++ {
		si.folders = append(si.folders, p.folder())
	}
	if p.byte() != kCodersUnPackSize {
		p.fail("the unpack info gives no unpacked sizes")
	}
	for i := range si.folders {
		for j := range si.folders[i].unpackSizes {
			si.folders[i].unpackSizes[j] = p.number()
		}
	}
	for p.err == nil {
		t := p.byte()
		if t == kCRC {
			p.digests(len(si.folders))
			continue
		}
		if t != kEnd {
			p.fail("unexpected property %d in the unpack info", t)
		}
		break
	}
}

// subStreamsInfo reads a SubStreamsInfo of nFolders folders: how many
// streams each folder holds, their sizes and digests, which are checked
// but not kept.
func (p *parser) subStreamsInfo(nFolders int) {
	sub := make([]uint64, nFolders)
	for i := range sub {
		sub[i] = 1
	}
	t := p.byte()
	if t == kNumUnPackStream {
		for i := range sub {
			sub[i] = uint64(p.count("streams in a folder", 0, MaxFiles))
		}
		t = p.byte()
	}
	var total uint64
	for _, s := range sub {
		if total += s; total > MaxFiles {
			p.fail("more than %d streams in folders", MaxFiles)
		}
	}
	if t == kSize {
		for _, s := range sub {
			for j := uint64(1); j < s && p.err == nil; j++ {
				p.number()
			}
		}
		t = p.byte()
	}
	for p.err == nil && t != kEnd {
		if t != kCRC {
			p.fail("unexpected property %d in the substreams info", t)
			break
		}
		if total > uint64(p.left())*8+8 {
			p.fail("%d digests do not fit in the header", total)
			break
		}
		p.digests(int(total))
		t = p.byte()
	}
}

func (p *parser) folder() folder {
	var f folder
	n := p.count("coders", 8, 64)
	var ins, outs int
	for i := 0; i < n && p.err == nil; i++ {
		flags := p.byte()
		if flags&0xc0 != 0 {
			p.fail("coder flags 0x%02x are not supported", flags)
			break
		}
		c := coder{id: string(p.bytes(uint64(flags & 0x0f)))}
		in, out := 1, 1
		if flags&0x10 != 0 {
			in, out = p.count("coder input streams", 0, 64), p.count("coder output streams", 0, 64)
		}
		if flags&0x20 != 0 {
			c.props = p.bytes(p.number())
		}
		if p.err != nil {
			break
		}
		if _, ok := Methods[c.id]; !ok {
			p.err = &UnsupportedError{Method: fmt.Sprintf("%x", c.id)}
			break
		}
		p.checkDict(c)
		ins += in
		outs += out
		f.coders = append(f.coders, c)
	}
	if p.err != nil {
		return f
	}
	if outs == 0 || outs > 64 || ins > 64 {
		p.fail("a folder has %d input and %d output streams", ins, outs)
		return f
	}
	for i := 0; i < outs-1; i++ {
		p.number()
		p.number()
	}
	f.packed = ins - (outs - 1)
	if f.packed < 1 {
		p.fail("a folder has no packed stream")
		return f
	}
	if f.packed > 1 {
		for i := 0; i < f.packed; i++ {
			p.number()
		}
	}
	f.unpackSizes = make([]uint64, outs)
	return f
}

// checkDict bounds an LZMA or LZMA2 coder's dictionary.
func (p *parser) checkDict(c coder) {
	var d uint64
	switch c.id {
	case "\x03\x01\x01":
		if len(c.props) != 5 {
			p.fail("LZMA properties are not 5 bytes")
			return
		}
		d = uint64(binary.LittleEndian.Uint32(c.props[1:]))
	case "\x21":
		if len(c.props) != 1 || c.props[0] > 40 {
			p.fail("bad LZMA2 properties")
			return
		}
		b := uint64(c.props[0])
		d = (2 | b&1) << (b/2 + 11)
	default:
		return
	}
	p.dicts += d
	if d > MaxDict || p.dicts > MaxDicts {
		p.fail("an LZMA dictionary of %d bytes (%d in all) is larger than the %d (%d) allowed", d, p.dicts, MaxDict, MaxDicts)
	}
}
