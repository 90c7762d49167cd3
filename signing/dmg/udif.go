package dmg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"howett.net/plist"

	"github.com/shipgate/shipgate/signing"
)

// KolySize is the size of the koly trailer that ends every UDIF image.
const KolySize = 512

// Limits on what a hostile image can make the reader allocate or do.
const (
	// maxPlist caps the XML plist: real ones are kilobytes to a few
	// megabytes (a chunk table entry is 40 bytes per megabyte of data).
	maxPlist = 64 << 20
	// maxPartitions caps the blkx entries; hdiutil writes under a dozen.
	maxPartitions = 1024
	// maxChunks caps the chunk entries of all block tables together.
	maxChunks = 4 << 20
	// maxChunkSectors caps the sectors of one compressed or raw chunk
	// (64 MiB decoded); hdiutil writes at most 2048 (1 MiB).
	maxChunkSectors = 64 << 20 / SectorSize
	// maxSectors caps the sector count of the image (512 TiB).
	maxSectors = 1 << 40
)

// SectorSize is the UDIF sector size.
const SectorSize = 512

// Chunk types of a block table (BLKXChunkEntry.EntryType).
const (
	ChunkZeroFill   uint32 = 0x00000000
	ChunkRaw        uint32 = 0x00000001
	ChunkIgnore     uint32 = 0x00000002
	ChunkADC        uint32 = 0x80000004
	ChunkZlib       uint32 = 0x80000005
	ChunkBzip2      uint32 = 0x80000006
	ChunkLZFSE      uint32 = 0x80000007
	ChunkLZMA       uint32 = 0x80000008
	ChunkComment    uint32 = 0x7ffffffe
	ChunkTerminator uint32 = 0xffffffff
)

// ChecksumCRC32 is the UDIF checksum type of a CRC-32 (IEEE), whose value
// is the first four bytes of Checksum.Data, big-endian.
const ChecksumCRC32 uint32 = 2

// ErrNotDMG results when a file does not end with a koly trailer.
var ErrNotDMG = errors.New("dmg: not a UDIF disk image (no koly trailer)")

// FormatError results when the koly trailer cannot be used at all. Offset
// is the byte offset in the file where parsing failed.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("dmg: %s (at offset %#x)", e.Reason, e.Offset)
}

// Checksum is a UDIF checksum: a type, a size in bits and up to 128 bytes.
type Checksum struct {
	Type uint32 `json:"type"`
	Bits uint32 `json:"bits"`
	// Data holds the value; a CRC-32 is its first four bytes, big-endian.
	Data [128]byte `json:"-"`
}

// CRC32 returns the CRC-32 the checksum holds and true, or false when the
// checksum is not a CRC-32.
func (c Checksum) CRC32() (uint32, bool) {
	if c.Type != ChecksumCRC32 || c.Bits != 32 {
		return 0, false
	}
	return binary.BigEndian.Uint32(c.Data[:]), true
}

func readChecksum(b []byte) Checksum {
	c := Checksum{Type: binary.BigEndian.Uint32(b), Bits: binary.BigEndian.Uint32(b[4:])}
	copy(c.Data[:], b[8:136])
	return c
}

// Koly is the 512-byte trailer (UDIFResourceFile) that ends a UDIF image,
// big-endian. Offsets are from the start of the file.
type Koly struct {
	Version    uint32 `json:"version"`
	HeaderSize uint32 `json:"headerSize"`
	Flags      uint32 `json:"flags"`
	// RunningDataForkOffset is the data fork's offset in a segmented
	// image's whole stream; zero for a single file.
	RunningDataForkOffset uint64   `json:"runningDataForkOffset"`
	DataForkOffset        uint64   `json:"dataForkOffset"`
	DataForkLength        uint64   `json:"dataForkLength"`
	RsrcForkOffset        uint64   `json:"rsrcForkOffset"`
	RsrcForkLength        uint64   `json:"rsrcForkLength"`
	SegmentNumber         uint32   `json:"segmentNumber"`
	SegmentCount          uint32   `json:"segmentCount"`
	SegmentID             [16]byte `json:"-"`
	// DataChecksum covers the data fork as stored.
	DataChecksum Checksum `json:"dataChecksum"`
	XMLOffset    uint64   `json:"xmlOffset"`
	XMLLength    uint64   `json:"xmlLength"`
	// CodeSignatureOffset and CodeSignatureLength locate the embedded code
	// signature (fields Apple added in reserved space); zero when unsigned.
	CodeSignatureOffset uint64 `json:"codeSignatureOffset"`
	CodeSignatureLength uint64 `json:"codeSignatureLength"`
	// MasterChecksum is a CRC-32 of the block tables' CRC-32s.
	MasterChecksum Checksum `json:"masterChecksum"`
	ImageVariant   uint32   `json:"imageVariant"`
	SectorCount    uint64   `json:"sectorCount"`
	// Raw is the trailer as read.
	Raw [KolySize]byte `json:"-"`
}

// Field offsets in the koly trailer.
const (
	kolyDataForkOffset = 24
	kolyXMLOffset      = 216
	kolySigOffset      = 296
	kolySigLength      = 304
	kolyMasterChecksum = 352
	kolySectorCount    = 492
)

// ParseKoly parses a koly trailer.
func ParseKoly(b []byte) (*Koly, error) {
	if len(b) != KolySize || string(b[:4]) != "koly" {
		return nil, ErrNotDMG
	}
	be := binary.BigEndian
	k := &Koly{
		Version: be.Uint32(b[4:]), HeaderSize: be.Uint32(b[8:]), Flags: be.Uint32(b[12:]),
		RunningDataForkOffset: be.Uint64(b[16:]), DataForkOffset: be.Uint64(b[24:]), DataForkLength: be.Uint64(b[32:]),
		RsrcForkOffset: be.Uint64(b[40:]), RsrcForkLength: be.Uint64(b[48:]),
		SegmentNumber: be.Uint32(b[56:]), SegmentCount: be.Uint32(b[60:]),
		DataChecksum: readChecksum(b[80:]),
		XMLOffset:    be.Uint64(b[216:]), XMLLength: be.Uint64(b[224:]),
		CodeSignatureOffset: be.Uint64(b[296:]), CodeSignatureLength: be.Uint64(b[304:]),
		MasterChecksum: readChecksum(b[352:]),
		ImageVariant:   be.Uint32(b[488:]), SectorCount: be.Uint64(b[492:]),
	}
	copy(k.SegmentID[:], b[64:80])
	copy(k.Raw[:], b)
	return k, nil
}

// Partition is one entry of the plist's resource-fork/blkx array: a block
// table (mish) mapping a run of the image's sectors to chunks of the data
// fork.
type Partition struct {
	// Index is the entry's position in the blkx array.
	Index int `json:"index"`
	// Name is the entry's Name (or CFName); ID its ID string.
	Name string `json:"name"`
	ID   string `json:"id"`
	// FirstSector and Sectors place the partition in the image.
	FirstSector uint64 `json:"firstSector"`
	Sectors     uint64 `json:"sectors"`
	// DataOffset is added to every chunk's offset (always zero in images
	// hdiutil writes).
	DataOffset uint64 `json:"dataOffset"`
	// Checksum covers the partition's decoded sectors.
	Checksum Checksum `json:"checksum"`
	Chunks   []Chunk  `json:"chunks"`
}

// Chunk is one block table entry (BLKXChunkEntry).
type Chunk struct {
	Type    uint32 `json:"type"`
	Comment uint32 `json:"comment,omitempty"`
	// Sector and Sectors are relative to the partition's first sector.
	Sector  uint64 `json:"sector"`
	Sectors uint64 `json:"sectors"`
	// Offset is the chunk's data's offset in the file (data fork offset,
	// the table's DataOffset and the entry's offset added); Length its
	// stored size.
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// TypeName names a chunk type for messages.
func TypeName(t uint32) string {
	switch t {
	case ChunkZeroFill:
		return "zero-fill"
	case ChunkRaw:
		return "raw"
	case ChunkIgnore:
		return "ignore"
	case ChunkADC:
		return "ADC"
	case ChunkZlib:
		return "zlib"
	case ChunkBzip2:
		return "bzip2"
	case ChunkLZFSE:
		return "LZFSE"
	case ChunkLZMA:
		return "LZMA"
	case ChunkComment:
		return "comment"
	case ChunkTerminator:
		return "terminator"
	}
	return fmt.Sprintf("type %#08x", t)
}

// stored reports whether chunks of type t keep data in the data fork.
func stored(t uint32) bool {
	switch t {
	case ChunkRaw, ChunkADC, ChunkZlib, ChunkBzip2, ChunkLZFSE, ChunkLZMA:
		return true
	}
	return false
}

// Image is a parsed UDIF image: its trailer and block tables, and the
// problems found reading them.
type Image struct {
	r    io.ReaderAt
	size int64
	Koly *Koly `json:"koly"`
	// Partitions are the blkx entries in plist order; one that does not
	// parse is left out (and reported).
	Partitions []Partition `json:"partitions"`
	// Findings are the problems found while parsing, at file offsets;
	// Verify's Result carries them with its own.
	Findings []signing.Finding `json:"-"`
	// xmlOK says the plist parsed and its blkx array was read.
	xmlOK bool
	// zeroCredit is the zlib-inflated zeros still charged at a discount
	// (zerocharge.go), shared by every partition reader of the image.
	zeroCredit zeroCredit
}

func (im *Image) add(rule signing.Rule, sev signing.Severity, off int64, format string, args ...any) {
	f := signing.NewFinding(rule, sev, fmt.Sprintf(format, args...))
	if off >= 0 {
		f = f.At(off)
	}
	im.Findings = append(im.Findings, f)
}

// NewReader parses the UDIF image held in r[0:size]: the koly trailer in
// its last 512 bytes, the XML plist it locates, and every blkx block table
// (mish) in the plist. Every count and offset is checked before use, and
// inconsistencies are reported in Image.Findings rather than as errors.
// NewReader returns ErrNotDMG when the file does not end with a koly
// trailer, a *FormatError when the trailer is not a version 4, 512-byte
// one, and otherwise an error only for an I/O failure.
func NewReader(r io.ReaderAt, size int64) (*Image, error) {
	if size < KolySize {
		return nil, ErrNotDMG
	}
	var b [KolySize]byte
	if n, err := r.ReadAt(b[:], size-KolySize); n < KolySize {
		return nil, fmt.Errorf("dmg: reading the koly trailer: %w", orEOF(err))
	}
	k, err := ParseKoly(b[:])
	if err != nil {
		return nil, err
	}
	kolyAt := size - KolySize
	if k.Version != 4 || k.HeaderSize != KolySize {
		return nil, &FormatError{Offset: kolyAt + 4, Reason: fmt.Sprintf("koly trailer version %d, header size %d: want version 4, 512 bytes", k.Version, k.HeaderSize)}
	}
	im := &Image{r: r, size: size, Koly: k}
	im.kolyUnused()
	im.parsePlist()
	return im, nil
}

// kolyUnused reports non-zero bytes where the koly trailer holds nothing:
// its reserved space (but for the code signature's offset and length,
// which Apple put there), the bytes of each checksum past its bits, and
// the reserved bytes at its end. hdiutil writes zeros there, and nothing
// reads them: in an unsigned image no hash covers them either.
func (im *Image) kolyUnused() {
	k := im.Koly
	type span struct {
		a, z int
		what string
	}
	unused := func(c Checksum, at int, what string) span {
		n := 128
		if c.Bits <= 1024 {
			n = int(c.Bits+7) / 8
		}
		return span{at + 8 + n, at + 136, "past the bits of the " + what}
	}
	for _, s := range []span{
		unused(k.DataChecksum, 80, "data fork checksum"),
		{232, kolySigOffset, "reserved"},
		{kolySigLength + 8, kolyMasterChecksum, "reserved"},
		unused(k.MasterChecksum, kolyMasterChecksum, "master checksum"),
		{kolySectorCount + 8, KolySize, "reserved"},
	} {
		if s.a >= s.z {
			continue
		}
		if nz := firstNonZeroByte(k.Raw[s.a:s.z]); nz >= 0 {
			im.add(RuleUnownedData, signing.SeverityError, im.kolyAt(int64(s.a+nz)), "the koly trailer's bytes [%d, %d), %s, hold data (first non-zero byte at %d): nothing reads them", s.a, s.z, s.what, s.a+nz)
		}
	}
}

// firstNonZeroByte returns the index of b's first non-zero byte, or -1;
// firstNonZero (verify.go) looks through a file's bytes with it.
func firstNonZeroByte(b []byte) int {
	for i, c := range b {
		if c != 0 {
			return i
		}
	}
	return -1
}

// Size returns the size of the file.
func (im *Image) Size() int64 { return im.size }

// inFile reports whether [off, off+n) lies within the first limit bytes.
func inFile(off, n uint64, limit int64) bool {
	return off <= uint64(limit) && n <= uint64(limit)-off
}

// kolyAt returns the file offset of a koly field.
func (im *Image) kolyAt(field int64) int64 { return im.size - KolySize + field }

func (im *Image) parsePlist() {
	k := im.Koly
	body := im.size - KolySize
	if !inFile(k.DataForkOffset, k.DataForkLength, body) {
		im.add(RuleMalformed, signing.SeverityError, im.kolyAt(kolyDataForkOffset), "data fork [%#x, +%#x) runs past the end of the image before the koly trailer (%#x)", k.DataForkOffset, k.DataForkLength, body)
	}
	if k.RsrcForkLength > 0 && !inFile(k.RsrcForkOffset, k.RsrcForkLength, body) {
		im.add(RuleMalformed, signing.SeverityError, im.kolyAt(40), "resource fork [%#x, +%#x) runs past the end of the image before the koly trailer (%#x)", k.RsrcForkOffset, k.RsrcForkLength, body)
	}
	if k.SegmentCount > 1 || k.RunningDataForkOffset != 0 {
		im.add(RuleMalformed, signing.SeverityError, im.kolyAt(16), "segment %d of %d (running data fork offset %#x): segmented images are not read", k.SegmentNumber, k.SegmentCount, k.RunningDataForkOffset)
		return
	}
	if k.SectorCount > maxSectors {
		im.add(RuleMalformed, signing.SeverityError, im.kolyAt(kolySectorCount), "sector count %d is over the limit of %d", k.SectorCount, uint64(maxSectors))
	}
	if k.XMLLength == 0 {
		if k.RsrcForkLength > 0 {
			im.add(RuleMalformed, signing.SeverityError, im.kolyAt(40), "the block tables are in a %d-byte resource fork, which is not read (only XML plists are)", k.RsrcForkLength)
		} else {
			im.add(RuleMalformed, signing.SeverityError, im.kolyAt(kolyXMLOffset), "the koly trailer locates no plist: the image has no block tables")
		}
		return
	}
	at := im.kolyAt(kolyXMLOffset)
	switch {
	case !inFile(k.XMLOffset, k.XMLLength, body):
		im.add(RuleMalformed, signing.SeverityError, at, "XML plist [%#x, +%#x) runs past the end of the image before the koly trailer (%#x)", k.XMLOffset, k.XMLLength, body)
		return
	case k.XMLLength > maxPlist:
		im.add(RuleMalformed, signing.SeverityError, at, "XML plist is %d bytes, over the limit of %d", k.XMLLength, maxPlist)
		return
	}
	xml := make([]byte, k.XMLLength)
	if n, _ := im.r.ReadAt(xml, int64(k.XMLOffset)); n < len(xml) {
		im.add(RuleMalformed, signing.SeverityError, int64(k.XMLOffset), "XML plist cannot be read")
		return
	}
	xmlAt := int64(k.XMLOffset)
	if !bytes.HasPrefix(bytes.TrimLeft(xml, " \t\r\n"), []byte("<?xml")) && !bytes.HasPrefix(bytes.TrimLeft(xml, " \t\r\n"), []byte("<plist")) {
		im.add(RuleMalformed, signing.SeverityError, xmlAt, "the plist is not an XML property list")
		return
	}
	var doc struct {
		ResourceFork map[string][]struct {
			Attributes string `plist:"Attributes"`
			CFName     string `plist:"CFName"`
			Data       []byte `plist:"Data"`
			ID         string `plist:"ID"`
			Name       string `plist:"Name"`
		} `plist:"resource-fork"`
	}
	if _, err := plist.Unmarshal(xml, &doc); err != nil {
		im.add(RuleMalformed, signing.SeverityError, xmlAt, "XML plist does not parse: %v", err)
		return
	}
	blkx, ok := doc.ResourceFork["blkx"]
	switch {
	case !ok:
		im.add(RuleMalformed, signing.SeverityError, xmlAt, "the plist has no resource-fork/blkx array: the image has no block tables")
		return
	case len(blkx) > maxPartitions:
		im.add(RuleMalformed, signing.SeverityError, xmlAt, "the plist lists %d block tables, over the limit of %d", len(blkx), maxPartitions)
		return
	}
	im.xmlOK = true
	chunks := 0
	for i, e := range blkx {
		name := e.Name
		if name == "" {
			name = e.CFName
		}
		p, err := parseMish(e.Data, k.DataForkOffset, maxChunks-chunks)
		if err != nil {
			im.add(RuleMalformed, signing.SeverityError, xmlAt, "blkx entry %d (%q): %v", i, name, err)
			continue
		}
		chunks += len(p.Chunks)
		p.Index, p.Name, p.ID = i, name, e.ID
		im.Partitions = append(im.Partitions, *p)
	}
	im.checkSectors(xmlAt)
}

// parseMish parses a block table (BLKXTable, "mish", big-endian): a
// 204-byte header and 40-byte chunk entries. Chunk offsets are made
// absolute with dataFork. No more than room entries are accepted.
func parseMish(b []byte, dataFork uint64, room int) (*Partition, error) {
	if len(b) < 204 {
		return nil, fmt.Errorf("block table is %d bytes, shorter than its 204-byte header", len(b))
	}
	be := binary.BigEndian
	if string(b[:4]) != "mish" {
		return nil, fmt.Errorf("block table magic is %q, want \"mish\"", b[:4])
	}
	if v := be.Uint32(b[4:]); v != 1 {
		return nil, fmt.Errorf("block table version %d, want 1", v)
	}
	if dataFork > 1<<62 {
		return nil, fmt.Errorf("data fork offset %#x is out of range", dataFork)
	}
	p := &Partition{FirstSector: be.Uint64(b[8:]), Sectors: be.Uint64(b[16:]), DataOffset: be.Uint64(b[24:]), Checksum: readChecksum(b[64:])}
	n := be.Uint32(b[200:])
	if uint64(n) > uint64(room) {
		return nil, fmt.Errorf("block table lists %d chunks, over the limit of %d", n, room)
	}
	if uint64(len(b)) != 204+40*uint64(n) {
		return nil, fmt.Errorf("block table lists %d chunks (%d bytes) but holds %d bytes", n, 204+40*uint64(n), len(b))
	}
	if p.FirstSector > maxSectors || p.Sectors > maxSectors || p.DataOffset > 1<<62 {
		return nil, fmt.Errorf("block table sectors [%d, +%d) or data offset %#x out of range", p.FirstSector, p.Sectors, p.DataOffset)
	}
	p.Chunks = make([]Chunk, n)
	for i := range p.Chunks {
		e := b[204+40*i:]
		c := Chunk{Type: be.Uint32(e), Comment: be.Uint32(e[4:]), Sector: be.Uint64(e[8:]), Sectors: be.Uint64(e[16:])}
		off, length := be.Uint64(e[24:]), be.Uint64(e[32:])
		if c.Sector > maxSectors || c.Sectors > maxSectors || off > 1<<62 || length > 1<<62 {
			return nil, fmt.Errorf("chunk %d: sectors [%d, +%d), data [%#x, +%#x) out of range", i, c.Sector, c.Sectors, off, length)
		}
		c.Offset, c.Length = int64(dataFork+p.DataOffset+off), int64(length)
		p.Chunks[i] = c
	}
	return p, nil
}

// checkSectors reports chunks whose sectors do not follow each other,
// partitions whose chunks do not add up to their sectors, and partitions
// that overlap or run past the image's sector count.
func (im *Image) checkSectors(xmlAt int64) {
	type span struct {
		a, z uint64
		i    int
	}
	var spans []span
	for _, p := range im.Partitions {
		next := uint64(0)
		term := false
		for j, c := range p.Chunks {
			switch {
			case term:
				im.add(RuleMalformed, signing.SeverityError, xmlAt, "partition %d (%q): chunk %d follows the terminator", p.Index, p.Name, j)
			case c.Type == ChunkTerminator:
				term = true
				continue
			case c.Type == ChunkComment:
				continue
			}
			if c.Sector != next {
				im.add(RuleMalformed, signing.SeverityError, xmlAt, "partition %d (%q): chunk %d starts at sector %d, want %d (chunks must follow each other)", p.Index, p.Name, j, c.Sector, next)
			}
			next = c.Sector + c.Sectors
		}
		if next != p.Sectors {
			im.add(RuleMalformed, signing.SeverityError, xmlAt, "partition %d (%q): chunks cover %d sectors, the table says %d", p.Index, p.Name, next, p.Sectors)
		}
		if p.Sectors > 0 {
			spans = append(spans, span{p.FirstSector, p.FirstSector + p.Sectors, p.Index})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].a < spans[j].a })
	for i, s := range spans {
		if i > 0 && s.a < spans[i-1].z {
			im.add(RuleMalformed, signing.SeverityError, xmlAt, "partitions %d and %d overlap at sector %d", spans[i-1].i, s.i, s.a)
		}
		if s.z > im.Koly.SectorCount {
			im.add(RuleMalformed, signing.SeverityError, xmlAt, "partition %d ends at sector %d, past the image's %d sectors", s.i, s.z, im.Koly.SectorCount)
		}
	}
}

// region is a byte range of the file owned by a structure.
type region struct {
	a, z int64
	what string
}

// regions lists the ranges the koly trailer and the block tables own.
func (im *Image) regions() []region {
	k := im.Koly
	body := im.size - KolySize
	clip := func(off, n uint64) (int64, int64, bool) {
		if off >= uint64(body) || n == 0 {
			return 0, 0, false
		}
		return int64(off), int64(min(off+min(n, uint64(body)), uint64(body))), true
	}
	var rs []region
	if a, z, ok := clip(k.XMLOffset, k.XMLLength); ok {
		rs = append(rs, region{a, z, "the XML plist"})
	}
	if a, z, ok := clip(k.RsrcForkOffset, k.RsrcForkLength); ok {
		rs = append(rs, region{a, z, "the resource fork"})
	}
	if a, z, ok := clip(k.CodeSignatureOffset, k.CodeSignatureLength); ok {
		rs = append(rs, region{a, z, "the code signature"})
	}
	rs = append(rs, region{body, im.size, "the koly trailer"})
	if !im.xmlOK {
		// Without block tables the data fork is owned as a whole.
		if a, z, ok := clip(k.DataForkOffset, k.DataForkLength); ok {
			rs = append(rs, region{a, z, "the data fork"})
		}
		return rs
	}
	for _, p := range im.Partitions {
		for j, c := range p.Chunks {
			// A chunk past the end of the image owns nothing in it
			// (decode reports it); one running past it owns the bytes
			// up to the trailer.
			if a, z, ok := clip(uint64(c.Offset), uint64(c.Length)); ok && stored(c.Type) {
				rs = append(rs, region{a, z, fmt.Sprintf("chunk %d of partition %d", j, p.Index)})
			}
		}
	}
	return rs
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}
