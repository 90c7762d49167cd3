// Package nsis reads the data of Nullsoft Scriptable Install System (NSIS)
// installers, electron-builder's default Windows installer, for a verifier
// that faces hostile input: the files an installer extracts are found and
// returned one after the other, so that the native code inside is checked as
// it would be in a directory.
//
// An NSIS installer is the exehead stub (a PE) followed, at a 512-byte
// aligned offset, by the firstheader (flags, 0xDEADBEEF, "NullsoftInst", the
// header's size and the archive's size), the compressed header (the
// install script: its entries and string table) and the data blocks, each a
// 32-bit length (top bit: compressed) and its bytes. A solid installer
// compresses the header and the data blocks as one stream instead, in
// which each block is a length and its bytes. Files are extracted by
// EW_EXTRACTFILE instructions, which name the file (relative to the output
// folder the last SetOutPath set, or a full path) and the block's offset in
// the data; identical files share one block.
//
// Every data block is returned, in the order it is stored, whether or not
// an instruction names it, so no byte of the data is left unchecked;
// blocks are named after the instructions that extract them, read in the
// script's order (jumps are not followed, and only assignments of plain
// strings to variables are tracked). Deflate (raw, as NSIS writes it) and
// NSIS's LZMA (5 property bytes, then the raw stream) are decompressed, with
// compress/flate and github.com/ulikunitz/xz/lzma; NSIS's bzip2, a variant
// without the stream header, block magic and CRCs that compress/bzip2
// refuses, is decoded here (bzip2.go), and so is the x86 branch filter
// (BCJ) that the NSIS of 7-Zip's own installers put behind LZMA, told by a
// filter flag byte before the properties (x86.go).
//
// exehead is built for one compressor and one of solid and non-solid, but
// the data does not say which: each reading its start allows is tried, and
// data whose header block decodes to a valid header under two of them (a
// polyglot, whose files would depend on the reading taken) is refused
// with an [AmbiguousError] rather than read the first way.
//
// Limits: the header is read only when its size is at most
// [Options].MaxHeader; what blocks decompress to is charged to
// [Options].Take before it is returned (solid blocks by their recorded
// length, others as they are decompressed, before they are returned), and
// so is every decoding of the header beyond the one its size pays for (the
// readings tried before one decodes, and those the ambiguity check
// decodes after), as it is decompressed;
// the LZMA dictionary is bounded; every length and offset is checked
// against the archive before use. A non-solid block's size is known only
// by decompressing it: a block of up to 8 MiB is kept from that pass, a
// larger one decompressed again when read.
//
// A header that decompresses and parses but that makensis cannot have
// written (all zeros; its instructions or strings inside its block table;
// no instruction; no string table, or one not starting with the empty
// string; instructions overlapping the strings) is a [FormatError] at a
// file offset, although exehead, which checks none of it, would run it;
// the ambiguity check counts such headers under the other readings, since
// exehead would.
//
// Not checked: the installer's CRC32 (the PE's Authenticode signature, which
// covers the same bytes, is verified by the caller), and what the script
// does at run time beyond extracting files (downloads, registry writes).
//
// It is written here rather than taken from a module: the Go module list
// served to this project holds no NSIS reader.
package nsis

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ulikunitz/xz/lzma"
)

// Firstheader fields ("fileform.h" of NSIS).
const (
	headerLen = 28
	sigInfo   = 0xDEADBEEF
	magic     = "NullsoftInst"
	flagsMask = 0xF
	// flagNoCRC and flagForceCRC say whether the archive ends with its
	// CRC32 (7-Zip's NsisIn: a CRC unless NO_CRC without FORCE_CRC).
	flagNoCRC    = 4
	flagForceCRC = 8
	// alignment is the step at which exehead looks for the firstheader.
	alignment = 512
	// compressedBit marks a compressed block's length.
	compressedBit = 0x80000000
)

// Defaults of [Options].
const (
	DefaultMaxHeader = 64 << 20
	// maxDict bounds an LZMA dictionary: makensis allows at most 128 MiB
	// (SetCompressorDictSize).
	maxDict = 128 << 20
)

// Method is how an installer's header and data are compressed.
type Method uint8

// Compression methods.
const (
	// MethodStored: nothing is compressed.
	MethodStored Method = iota
	// MethodDeflate: raw deflate streams (SetCompressor zlib).
	MethodDeflate
	// MethodLZMA: NSIS's LZMA (SetCompressor lzma).
	MethodLZMA
	// MethodBZip2: NSIS's bzip2 variant (SetCompressor bzip2).
	MethodBZip2
)

func (m Method) String() string {
	switch m {
	case MethodStored:
		return "stored"
	case MethodDeflate:
		return "zlib"
	case MethodLZMA:
		return "lzma"
	case MethodBZip2:
		return "bzip2"
	}
	return fmt.Sprintf("method %d", m)
}

// ErrNotNSIS says a file holds no NSIS firstheader.
var ErrNotNSIS = errors.New("nsis: no NSIS installer data")

// ErrExpansion says the blocks decompress to more than [Options].Take
// allowed: a decompression bomb.
var ErrExpansion = errors.New("nsis: the installer's data decompresses to more than allowed")

// FormatError says the installer's data is malformed.
type FormatError struct {
	// Offset is the file offset of the offending structure, or, when
	// InStream is set, its offset in the decompressed solid stream.
	Offset   int64
	InStream bool
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	if e.InStream {
		return fmt.Sprintf("nsis: %s at offset 0x%x of the solid stream", e.Reason, e.Offset)
	}
	return fmt.Sprintf("nsis: %s at offset 0x%x", e.Reason, e.Offset)
}

// AmbiguousError says the installer's data decodes to a valid header
// under two readings (compressors, or solid and non-solid): exehead reads
// it only one way, and which files it installs depends on which. It is not
// a [FormatError]: the data is well formed, twice over, so it is no
// lookalike of an installer to pass over.
type AmbiguousError struct {
	// Offset is the file offset of the data (after the firstheader).
	Offset int64
	// First and Other name the two readings.
	First, Other string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("nsis: the data at offset 0x%x decodes to a valid header both as %s and as %s; exehead reads only one, so which files it installs is ambiguous", e.Offset, e.First, e.Other)
}

// UnsupportedError says the installer's data is compressed in a way this
// package does not decompress: an LZMA stream behind a filter flag other
// than 0 (none) and 1 (x86).
type UnsupportedError struct {
	Method Method
	Reason string
}

func (e *UnsupportedError) Error() string { return "nsis: " + e.Reason }

// Options bound what an installer may make a reader do. The zero value
// takes the defaults and allows any expansion.
type Options struct {
	// MaxHeader bounds the header's size; zero means DefaultMaxHeader.
	MaxHeader int64
	// Take, when set, is charged with what the header and each block
	// decompress to before they are returned, and with what every further
	// decoding of the header block under another reading decompresses
	// to; when it returns false the reader stops with ErrExpansion.
	Take func(n int64) bool

	// readHeader, when set (by a test), replaces (*Reader).readHeader
	// for every reading tried, to force readings that disagree.
	readHeader func(rd *Reader) ([]byte, error)
}

// FirstHeader is an installer's firstheader.
type FirstHeader struct {
	// Offset is its offset in the file.
	Offset int64
	Flags  uint32
	// HeaderSize is the size of the decompressed header.
	HeaderSize int64
	// ArchiveSize is the size of everything from the firstheader on,
	// the CRC32 included.
	ArchiveSize int64
}

// hasCRC reports whether the archive ends with a CRC32.
func (h FirstHeader) hasCRC() bool {
	return h.Flags&flagForceCRC != 0 || h.Flags&flagNoCRC == 0
}

// parseFirst reads a firstheader from b, reporting whether it is one.
func parseFirst(b []byte) (FirstHeader, bool) {
	le := binary.LittleEndian
	if len(b) < headerLen || le.Uint32(b[4:]) != sigInfo || string(b[8:20]) != magic || le.Uint32(b)&^flagsMask != 0 {
		return FirstHeader{}, false
	}
	return FirstHeader{Flags: le.Uint32(b), HeaderSize: int64(le.Uint32(b[20:])), ArchiveSize: int64(le.Uint32(b[24:]))}, true
}

// IsData reports whether b, a file's first bytes, starts with a
// firstheader: NSIS data without an exehead (the uninstaller an installer
// writes, which it carries as a data block).
func IsData(b []byte) bool {
	_, ok := parseFirst(b)
	return ok
}

// Find returns the installer's firstheader: the first at an offset that is
// a multiple of 512, where exehead looks for it, from the file's start.
// The file, of size bytes at r, is read a MiB at a time until one is
// found; ErrNotNSIS says there is none.
func Find(r io.ReaderAt, size int64) (FirstHeader, error) {
	const chunk = 1 << 20
	buf := make([]byte, min(size, chunk+headerLen))
	for pos := int64(0); pos+headerLen <= size; pos += chunk {
		b := buf[:min(size-pos, chunk+headerLen)]
		if n, err := r.ReadAt(b, pos); n < len(b) {
			return FirstHeader{}, &readError{off: pos, err: err}
		}
		for i := 0; i < chunk && i+headerLen <= len(b); i += alignment {
			if h, ok := parseFirst(b[i:]); ok {
				return checkFirst(h, pos+int64(i), size)
			}
		}
	}
	return FirstHeader{}, ErrNotNSIS
}

// checkFirst returns the firstheader h found at offset off of a file of
// size bytes, with an error when exehead would refuse it: it gives an
// archive longer than the rest of the file (fileform.c, loadHeaders).
func checkFirst(h FirstHeader, off, size int64) (FirstHeader, error) {
	h.Offset = off
	if h.ArchiveSize > size-h.Offset || h.ArchiveSize < headerLen+4 {
		return h, &FormatError{Offset: h.Offset + 24, Reason: fmt.Sprintf("firstheader gives an archive of %d bytes, but %d bytes follow it", h.ArchiveSize, size-h.Offset)}
	}
	return h, nil
}

// readError is a failed read of the file where the firstheader is looked
// for.
type readError struct {
	off int64
	err error
}

func (e *readError) Error() string {
	return fmt.Sprintf("nsis: reading at offset 0x%x: %v", e.off, e.err)
}
func (e *readError) Unwrap() error { return e.err }

// Reader reads the data blocks of one installer.
type Reader struct {
	r    io.ReaderAt
	opts Options
	// First is the installer's firstheader.
	First FirstHeader
	// Method is how the header and data are compressed; Solid says as one
	// stream. MethodStored is a non-solid installer whose header block is
	// stored: its compressed data blocks (if any) are read with the method
	// the first one's start tells, as exehead reads them with its own.
	Method Method
	Solid  bool
	// FilterFlag says that each LZMA stream starts with a filter flag
	// byte: 1 when what it decompresses to is behind the x86 branch
	// filter (BCJ), 0 when not. The NSIS builds of 7-Zip's installers
	// (4.38 to 9.08) write it; stock makensis does not.
	FilterFlag bool
	// Header is the decompressed header.
	Header *Header

	// solid, after the header is read, is the solid stream's decompressor
	// positioned after it (and the counter of its input), for the walk:
	// decoders read ahead, so starting again would decompress twice.
	solid   io.Reader
	solidIn *countReader

	// blocks, when the header block is stored, is how the compressed
	// data blocks are compressed: the first one's start tells (see
	// blockMethod).
	blocks struct {
		sync.Mutex
		known      bool
		m          Method
		filterFlag bool
	}

	// chargeHeader says readHeader charges what it decompresses to Take:
	// the header's size, charged once up front, pays for one decoding.
	chargeHeader bool

	start int64 // file offset of the first byte after the firstheader
	end   int64 // file offset where the data ends (the CRC32, if any)
	data  int64 // non-solid: file offset of the data blocks
}

// NewReader opens the installer whose firstheader is h (see [Find]) in the
// file r: it finds how the data is compressed and reads the header.
func NewReader(r io.ReaderAt, h FirstHeader, opts Options) (*Reader, error) {
	if opts.MaxHeader <= 0 {
		opts.MaxHeader = DefaultMaxHeader
	}
	rd := &Reader{r: r, opts: opts, First: h, start: h.Offset + headerLen, end: h.Offset + h.ArchiveSize}
	if h.hasCRC() {
		rd.end -= 4
	}
	if h.HeaderSize > opts.MaxHeader || h.HeaderSize < 4+8*blocksNum {
		return nil, &FormatError{Offset: h.Offset + 20, Reason: fmt.Sprintf("header size %d is outside the %d to %d bytes allowed", h.HeaderSize, 4+8*blocksNum, opts.MaxHeader)}
	}
	if rd.end-rd.start < 4 {
		return nil, &FormatError{Offset: rd.start, Reason: "the archive holds no header"}
	}
	var sig [16]byte
	n, _ := r.ReadAt(sig[:min(int64(len(sig)), rd.end-rd.start)], rd.start)
	if n < 4 {
		return nil, &FormatError{Offset: rd.start, Reason: "cannot read the header"}
	}
	s := sig[:n]
	var buf [5]reading // at most one of each kind readings lists
	try := readings(buf[:0], s, h.HeaderSize)
	if opts.Take != nil && !opts.Take(h.HeaderSize) {
		return rd, ErrExpansion
	}
	hdr, chosen, err := rd.firstReading(try, s)
	if err != nil {
		return rd, err
	}
	if rd.Header, err = parseHeader(hdr); err != nil {
		return rd, rd.headerFormatError(err)
	}
	if err := checkReal(hdr); err != nil {
		return rd, rd.headerFormatError(err)
	}
	return rd, rd.checkUnambiguous(try[chosen+1:], s)
}

// reading is a way to read an installer's data: a method, solid or not.
type reading struct {
	m     Method
	solid bool
}

// readings appends to try the readings the data's first bytes s allow, in
// the order to try them, and returns it. The method is told as 7-Zip does (NsisIn.cpp): a
// block length equal to the header's size (headerSize) is a stored header;
// LZMA properties at the start are a solid LZMA stream, after a length a
// non-solid one; a length below 16 MiB with its top bit set starts a
// non-solid bzip2 or deflate archive; otherwise the stream is solid bzip2
// or deflate. The tests are not exclusive (a solid stream may start with
// bytes that read as a compressed block's length), so each reading that
// fits is tried in that order until the header decompresses.
func readings(try []reading, s []byte, headerSize int64) []reading {
	if int64(binary.LittleEndian.Uint32(s)) == headerSize {
		try = append(try, reading{MethodStored, false})
	}
	if isLZMA(s) {
		try = append(try, reading{MethodLZMA, true})
	}
	if len(s) > 4 && isLZMA(s[4:]) {
		try = append(try, reading{MethodLZMA, false})
	}
	if s[3] == 0x80 {
		if len(s) > 5 && isBZip2(s[4:]) {
			try = append(try, reading{MethodBZip2, false})
		} else {
			try = append(try, reading{MethodDeflate, false})
		}
	}
	if isBZip2(s) {
		try = append(try, reading{MethodBZip2, true})
	} else {
		try = append(try, reading{MethodDeflate, true})
	}
	return try
}

// setReading makes rd read its data as t; s is the data's first bytes.
func (rd *Reader) setReading(t reading, s []byte) {
	rd.Method, rd.Solid = t.m, t.solid
	rd.FilterFlag = false
	if t.m == MethodLZMA {
		// The properties' first byte is 0x5D; a filter flag is 0 or 1.
		at := 4
		if t.solid {
			at = 0
		}
		rd.FilterFlag = s[at] <= 1
	}
}

// firstReading tries the readings in order and returns the header that the
// first to decompress it reads, and that reading's index in try; else the
// first reading's error. rd is left set to the reading that worked.
func (rd *Reader) firstReading(try []reading, s []byte) (hdr []byte, chosen int, err error) {
	var firstErr error
	chosen = -1
	for i, t := range try {
		rd.setReading(t, s)
		// The header's size, charged by NewReader, pays for the first
		// decoding; a reading tried after one that failed pays for
		// itself.
		rd.chargeHeader = i > 0
		b, err := rd.readHeaderOf()
		if errors.Is(err, ErrExpansion) {
			return nil, chosen, err
		}
		if err == nil {
			hdr, firstErr, chosen = b, nil, i
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return hdr, chosen, firstErr
}

// checkUnambiguous refuses data that also decodes to a valid header under
// another of the readings rest: exehead is built for one compressor and one
// of solid and non-solid, so such data is a polyglot whose files depend on
// which one a reader takes, and is refused rather than read one way. Only
// the header block of the other readings is decoded, under the same
// limits. rd is left set to the reading it had.
func (rd *Reader) checkUnambiguous(rest []reading, s []byte) error {
	kept := *rd.state()
	defer func() { rd.chargeHeader = false }()
	for _, t := range rest {
		rd.setReading(t, s)
		// Each decoding of the check is charged as it decompresses, so
		// that data whose other readings are bombs stops at the budget
		// rather than costing each its MaxHeader.
		rd.chargeHeader = true
		b, err := rd.readHeaderOf()
		if errors.Is(err, ErrExpansion) {
			rd.restore(kept)
			return err
		}
		if err != nil {
			continue
		}
		if _, err := parseHeader(b); err != nil {
			continue
		}
		other := readingName(t.m, t.solid, rd.FilterFlag)
		rd.restore(kept)
		return &AmbiguousError{Offset: rd.start, First: readingName(kept.m, kept.solid, kept.filterFlag), Other: other}
	}
	rd.restore(kept)
	return nil
}

// headerFormatError returns err, a *headerError of the header read under
// rd's reading, as a FormatError at a file offset: the field's own when
// the header block is stored, else the header block's, the field's offset
// in the decompressed header given in the reason.
func (rd *Reader) headerFormatError(err error) error {
	he, ok := err.(*headerError)
	if !ok {
		return err
	}
	if rd.Method == MethodStored && !rd.Solid {
		return &FormatError{Offset: rd.start + 4 + he.Offset, Reason: he.Reason + " (the stored header)"}
	}
	return &FormatError{Offset: rd.start, Reason: fmt.Sprintf("%s at offset 0x%x of the header as it decompresses (%s) from the block", he.Reason, he.Offset, readingName(rd.Method, rd.Solid, rd.FilterFlag))}
}

// readHeaderOf reads the header block under rd's current reading, through
// the hook of rd's Options when a test set one.
func (rd *Reader) readHeaderOf() ([]byte, error) {
	if rd.opts.readHeader != nil {
		return rd.opts.readHeader(rd)
	}
	return rd.readHeader()
}

// readingState is what reading the header block under one reading sets.
type readingState struct {
	m          Method
	solid      bool
	filterFlag bool
	dec        io.Reader
	in         *countReader
	data       int64
}

func (rd *Reader) state() *readingState {
	return &readingState{rd.Method, rd.Solid, rd.FilterFlag, rd.solid, rd.solidIn, rd.data}
}

func (rd *Reader) restore(s readingState) {
	rd.Method, rd.Solid, rd.FilterFlag, rd.solid, rd.solidIn, rd.data = s.m, s.solid, s.filterFlag, s.dec, s.in, s.data
}

// readingName names a reading of an installer's data in errors.
func readingName(m Method, solid, filterFlag bool) string {
	s := "non-solid " + m.String()
	if solid {
		s = "solid " + m.String()
	}
	if m == MethodStored {
		s = "a stored header"
	}
	if filterFlag {
		s += " with a filter flag"
	}
	return s
}

// isLZMA reports LZMA properties as NSIS writes them: lc=3 lp=0 pb=2
// (0x5D) and a dictionary below 2 GiB (NsisIn.cpp), optionally after a
// filter flag byte of 0 or 1.
func isLZMA(p []byte) bool {
	ok := func(p []byte) bool {
		return len(p) >= 7 && p[0] == 0x5D && p[1] == 0 && p[2] == 0 && p[5] == 0 && p[6]&0x80 == 0
	}
	return ok(p) || (len(p) > 0 && p[0] <= 1 && ok(p[1:]))
}

// isBZip2 reports the start of NSIS's bzip2 stream: a block begins with
// '1' and a small value (NsisIn.cpp).
func isBZip2(p []byte) bool { return len(p) >= 2 && p[0] == 0x31 && p[1] < 14 }

// decompressor returns a reader of what the compressed bytes from r
// decompress to.
func (rd *Reader) decompressor(r io.Reader) (io.Reader, error) {
	m, filterFlag := rd.Method, rd.FilterFlag
	if m == MethodStored {
		// Only a data block with the compressed bit of an installer
		// whose header block is stored comes here: exehead decompresses
		// it with its compressor all the same.
		br, ok := r.(*bufio.Reader)
		if !ok {
			br = bufio.NewReader(r)
		}
		r = br
		m, filterFlag = rd.blockMethod(br)
	}
	switch m {
	case MethodDeflate:
		return flate.NewReader(r), nil
	case MethodBZip2:
		return newBZip2Reader(byteReader(r)), nil
	case MethodLZMA:
		filter := false
		if filterFlag {
			var f [1]byte
			if _, err := io.ReadFull(r, f[:]); err != nil {
				return nil, fmt.Errorf("reading the LZMA filter flag: %w", err)
			}
			if f[0] > 1 {
				return nil, &UnsupportedError{Method: MethodLZMA, Reason: fmt.Sprintf("an LZMA stream's filter flag is %d; only 0 (none) and 1 (the x86 branch filter) are known", f[0])}
			}
			filter = f[0] == 1
		}
		var p [5]byte
		if _, err := io.ReadFull(r, p[:]); err != nil {
			return nil, fmt.Errorf("reading the LZMA properties: %w", err)
		}
		dict := binary.LittleEndian.Uint32(p[1:])
		if dict > maxDict {
			return nil, fmt.Errorf("the LZMA dictionary of %d bytes is larger than the %d makensis allows", dict, maxDict)
		}
		// The classic .lzma header: the properties, then an unknown
		// size (the stream is read as far as the caller asks).
		var h [13]byte
		copy(h[:], p[:])
		for i := 5; i < 13; i++ {
			h[i] = 0xff
		}
		lr, err := lzma.ReaderConfig{DictCap: maxDict}.NewReader(&prefixReader{p: h[:], r: byteReader(r)})
		if err != nil {
			return nil, err
		}
		if filter {
			return newX86Reader(lr), nil
		}
		return lr, nil
	}
	return r, nil
}

// blockMethod returns how the compressed data blocks of an installer
// whose header block is stored are compressed, told from the start of the
// first one asked about, as the header's method is told (see NewReader):
// exehead has one compressor, so the others are read with it too.
func (rd *Reader) blockMethod(br *bufio.Reader) (Method, bool) {
	rd.blocks.Lock()
	defer rd.blocks.Unlock()
	if !rd.blocks.known {
		s, _ := br.Peek(16)
		rd.blocks.known = true
		switch {
		case isLZMA(s):
			rd.blocks.m, rd.blocks.filterFlag = MethodLZMA, s[0] <= 1
		case isBZip2(s):
			rd.blocks.m = MethodBZip2
		default:
			rd.blocks.m = MethodDeflate
		}
	}
	return rd.blocks.m, rd.blocks.filterFlag
}

// decompressError returns err, an error of decompressor for the stream at
// file offset off, as a FormatError, unless it says the stream is
// compressed in a way this package does not know.
func decompressError(err error, off int64) error {
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		return ue
	}
	return &FormatError{Offset: off, Reason: err.Error()}
}

// prefixReader reads p, then r, one byte at a time when asked: the LZMA
// decoder reads no further than it needs from an io.ByteReader.
type prefixReader struct {
	p []byte
	r io.ByteReader
}

func (s *prefixReader) Read(b []byte) (int, error) {
	if len(s.p) > 0 {
		n := copy(b, s.p)
		s.p = s.p[n:]
		return n, nil
	}
	if len(b) == 0 {
		return 0, nil
	}
	c, err := s.r.ReadByte()
	if err != nil {
		return 0, err
	}
	b[0] = c
	return 1, nil
}

func (s *prefixReader) ReadByte() (byte, error) {
	if len(s.p) > 0 {
		c := s.p[0]
		s.p = s.p[1:]
		return c, nil
	}
	return s.r.ReadByte()
}

// byteReader returns r as an io.ByteReader, buffered if it is not one.
func byteReader(r io.Reader) io.ByteReader {
	if br, ok := r.(io.ByteReader); ok {
		return br
	}
	return bufio.NewReader(r)
}

// readHeader reads and decompresses the header block.
func (rd *Reader) readHeader() ([]byte, error) {
	want := rd.First.HeaderSize
	var src io.Reader
	if rd.Solid {
		cr := &countReader{r: bufio.NewReader(io.NewSectionReader(rd.r, rd.start, rd.end-rd.start))}
		dec, err := rd.decompressor(cr)
		if err != nil {
			return nil, decompressError(err, rd.start)
		}
		var l [4]byte
		if _, err := io.ReadFull(dec, l[:]); err != nil {
			return nil, &FormatError{Offset: rd.start, Reason: fmt.Sprintf("cannot decompress the header: %v", err)}
		}
		if n := int64(binary.LittleEndian.Uint32(l[:])); n != want {
			return nil, &FormatError{Offset: 0, InStream: true, Reason: fmt.Sprintf("the header block holds %d bytes, the firstheader says %d", n, want)}
		}
		src = dec
		defer func() { rd.solid, rd.solidIn = dec, cr }()
	} else {
		l, comp, err := rd.blockAt(rd.start)
		if err != nil {
			return nil, err
		}
		rd.data = rd.start + 4 + l
		src = io.NewSectionReader(rd.r, rd.start+4, l)
		if comp {
			if src, err = rd.decompressor(bufio.NewReader(src)); err != nil {
				return nil, decompressError(err, rd.start+4)
			}
		} else if l != want {
			return nil, &FormatError{Offset: rd.start, Reason: fmt.Sprintf("the stored header block holds %d bytes, the firstheader says %d", l, want)}
		}
	}
	// Read at most want bytes, growing the buffer as they come, and
	// charge them a MiB at a time when rd.chargeHeader says so.
	const step = 1 << 20
	var buf []byte
	var charged int64
	charge := func(all bool) bool {
		n := int64(len(buf)) - charged
		if !rd.chargeHeader || rd.opts.Take == nil || n <= 0 || (!all && n < step) {
			return true
		}
		charged += n
		return rd.opts.Take(n)
	}
	buf = make([]byte, 0, min(want, step))
	for int64(len(buf)) < want {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		k := min(int64(cap(buf)), want)
		n, err := src.Read(buf[len(buf):k])
		buf = buf[:len(buf)+n]
		if !charge(false) {
			return nil, ErrExpansion
		}
		if err != nil && int64(len(buf)) < want {
			if !charge(true) {
				return nil, ErrExpansion
			}
			return nil, &FormatError{Offset: rd.start, Reason: fmt.Sprintf("the header decompresses to %d bytes, the firstheader says %d: %v", len(buf), want, err)}
		}
	}
	if !charge(true) {
		return nil, ErrExpansion
	}
	return buf, nil
}

// blockAt reads the length of the non-solid block at file offset off and
// checks that the block lies in the archive.
func (rd *Reader) blockAt(off int64) (n int64, compressed bool, err error) {
	var l [4]byte
	if off+4 > rd.end {
		return 0, false, &FormatError{Offset: off, Reason: "a block's length runs past the archive's end"}
	}
	if k, _ := rd.r.ReadAt(l[:], off); k < 4 {
		return 0, false, &FormatError{Offset: off, Reason: "cannot read a block's length"}
	}
	v := binary.LittleEndian.Uint32(l[:])
	n = int64(v &^ compressedBit)
	if n > rd.end-off-4 {
		return 0, false, &FormatError{Offset: off, Reason: fmt.Sprintf("a block of %d bytes runs past the archive's end (%d bytes left)", n, rd.end-off-4)}
	}
	return n, v&compressedBit != 0, nil
}

// Block is one data block of an installer.
type Block struct {
	// Offset is the block's offset in the data, as EW_EXTRACTFILE
	// instructions give it.
	Offset int64
	// FileOffset is the file offset of its length field, or -1 in a
	// solid installer.
	FileOffset int64
	// Size is what it decompresses to.
	Size int64
	// Stored says its bytes lie in the file as they are: at
	// FileOffset+4.
	Stored bool
	// Files are the instructions that extract it, in the script's order.
	Files []File
	// Data, when set, holds its bytes: a small compressed block of a
	// non-solid installer, decompressed once.
	Data []byte
}

// Walk calls fn for every data block in the order they are stored, with a
// reader of its bytes, valid until fn returns; open, in a non-solid
// installer, opens the block again. An error from fn stops the walk and
// is returned.
func (rd *Reader) Walk(fn func(b *Block, r io.Reader, open func() (io.Reader, error)) error) error {
	byOff := map[int64][]File{}
	if rd.Header != nil {
		for _, f := range rd.Header.Files {
			byOff[f.DataOffset] = append(byOff[f.DataOffset], f)
		}
	}
	if rd.Solid {
		return rd.walkSolid(byOff, fn)
	}
	for off := rd.data; off < rd.end; {
		n, comp, err := rd.blockAt(off)
		if err != nil {
			return err
		}
		b := &Block{Offset: off - rd.data, FileOffset: off, Size: n, Stored: !comp, Files: byOff[off-rd.data]}
		start := off
		open := func() (io.Reader, error) {
			sr := io.NewSectionReader(rd.r, start+4, n)
			if !comp {
				return sr, nil
			}
			d, err := rd.decompressor(bufio.NewReader(sr))
			if err != nil {
				return nil, decompressError(err, start+4)
			}
			return d, nil
		}
		if comp {
			// Count what the block decompresses to, charging it as it
			// comes, so that a bomb stops early.
			d, err := open()
			if err != nil {
				return err
			}
			size, data, err := rd.count(d)
			if err != nil {
				if err == ErrExpansion {
					return err
				}
				return &FormatError{Offset: start, Reason: fmt.Sprintf("the block does not decompress: %v", err)}
			}
			b.Size, b.Data = size, data
		} else if rd.opts.Take != nil && !rd.opts.Take(n) {
			return ErrExpansion
		}
		if b.Data != nil {
			data := b.Data
			if err := fn(b, bytes.NewReader(data), func() (io.Reader, error) { return bytes.NewReader(data), nil }); err != nil {
				return err
			}
			off += 4 + n
			continue
		}
		r, err := open()
		if err != nil {
			return err
		}
		if err := fn(b, io.LimitReader(r, b.Size), func() (io.Reader, error) {
			r, err := open()
			if err != nil {
				return nil, err
			}
			return io.LimitReader(r, b.Size), nil
		}); err != nil {
			return err
		}
		off += 4 + n
	}
	return nil
}

// File returns the file the installer is read from.
func (rd *Reader) File() io.ReaderAt { return rd.r }

// BlockAt returns the block at offset off of a non-solid installer's data
// and a function that opens it (charging what it decompresses to Take, as
// Walk does), for an instruction that extracts from an offset Walk did not
// find a block at: exehead reads a length there and decompresses what
// follows, so a block can hide inside another's bytes. It fails in a solid
// installer, whose offsets are in the decompressed stream.
func (rd *Reader) BlockAt(off int64) (*Block, func() (io.Reader, error), error) {
	if rd.Solid {
		return nil, nil, errors.New("nsis: a solid installer's blocks are read in order only")
	}
	if off < 0 || off > rd.end-rd.data {
		return nil, nil, &FormatError{Offset: rd.data, Reason: fmt.Sprintf("data offset %d lies outside the data", off)}
	}
	at := rd.data + off
	n, comp, err := rd.blockAt(at)
	if err != nil {
		return nil, nil, err
	}
	b := &Block{Offset: off, FileOffset: at, Size: n, Stored: !comp}
	open := func() (io.Reader, error) {
		sr := io.NewSectionReader(rd.r, at+4, n)
		if !comp {
			return sr, nil
		}
		d, err := rd.decompressor(bufio.NewReader(sr))
		if err != nil {
			return nil, decompressError(err, at+4)
		}
		return d, nil
	}
	if comp {
		d, err := open()
		if err != nil {
			return nil, nil, err
		}
		if b.Size, b.Data, err = rd.count(d); err != nil {
			if err == ErrExpansion {
				return nil, nil, err
			}
			return nil, nil, &FormatError{Offset: at, Reason: fmt.Sprintf("the block does not decompress: %v", err)}
		}
	} else if rd.opts.Take != nil && !rd.opts.Take(n) {
		return nil, nil, ErrExpansion
	}
	if b.Data != nil {
		data := b.Data
		return b, func() (io.Reader, error) { return bytes.NewReader(data), nil }, nil
	}
	return b, func() (io.Reader, error) {
		r, err := open()
		if err != nil {
			return nil, err
		}
		return io.LimitReader(r, b.Size), nil
	}, nil
}

// count returns how many bytes r yields, charging them to Take a MiB at a
// time.
//
// A block that decompresses to at most keepBlock bytes is kept: its bytes
// are returned, so that it need not be decompressed a second time.
func (rd *Reader) count(r io.Reader) (int64, []byte, error) {
	const step = 1 << 20
	var total int64
	var kept bytes.Buffer
	keep := true
	for {
		var w io.Writer = io.Discard
		if keep {
			w = &kept
		}
		n, err := io.Copy(w, io.LimitReader(r, step))
		total += n
		if rd.opts.Take != nil && n > 0 && !rd.opts.Take(n) {
			return total, nil, ErrExpansion
		}
		if err != nil {
			return total, nil, err
		}
		if keep && total > keepBlock {
			keep = false
			kept = bytes.Buffer{}
		}
		if n < step {
			if !keep {
				return total, nil, nil
			}
			return total, kept.Bytes(), nil
		}
	}
}

// keepBlock bounds the blocks kept in memory after counting.
const keepBlock = 8 << 20

// walkSolid walks the blocks of a solid installer's one stream.
func (rd *Reader) walkSolid(byOff map[int64][]File, fn func(b *Block, r io.Reader, open func() (io.Reader, error)) error) error {
	// The stream continues after the header NewReader read.
	dec, cr := rd.solid, rd.solidIn
	rd.solid, rd.solidIn = nil, nil
	if dec == nil {
		return errors.New("nsis: a solid installer's blocks can be walked once")
	}
	pos := 4 + rd.First.HeaderSize
	for {
		var l [4]byte
		n, err := io.ReadFull(dec, l[:])
		if n == 0 && (err == io.EOF || cr.n >= rd.end-rd.start) {
			// The stream ends at a block's start: deflate says so; an
			// LZMA stream without an end marker has used up its input.
			return nil
		}
		if err != nil {
			return &FormatError{Offset: pos, InStream: true, Reason: fmt.Sprintf("cannot decompress a block's length: %v", err)}
		}
		size := int64(binary.LittleEndian.Uint32(l[:]))
		off := pos - 4 - rd.First.HeaderSize
		if rd.opts.Take != nil && !rd.opts.Take(size) {
			return ErrExpansion
		}
		b := &Block{Offset: off, FileOffset: -1, Size: size, Files: byOff[off]}
		lr := &io.LimitedReader{R: dec, N: size}
		if err := fn(b, lr, nil); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, lr); err != nil {
			return &FormatError{Offset: pos, InStream: true, Reason: fmt.Sprintf("the block does not decompress: %v", err)}
		}
		if lr.N > 0 {
			return &FormatError{Offset: pos, InStream: true, Reason: fmt.Sprintf("a block of %d bytes runs past the end of the stream", size)}
		}
		pos += 4 + size
	}
}

// countReader counts the bytes read through it.
type countReader struct {
	r *bufio.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
