// Package cfb reads OLE compound files ([MS-CFB]), the container of MSI
// databases, for a verifier that faces hostile input: every count and
// sector number read from the file is checked against the file's size
// before it is used, every chain is followed with cycle and cross-link
// detection, the directory tree is walked with a visited set, and nothing
// is allocated from an unchecked size. It also accounts for every sector,
// so the bytes no stream, table or header owns can be reported.
//
// It is written here rather than taken from github.com/sassoftware/relic
// (lib/comdoc), which allocates the sector table from the header's count,
// indexes tables with sector numbers from the file unchecked, and follows
// chains and the directory tree without cycle detection: a crafted file
// panics it or makes it loop or allocate gigabytes.
package cfb

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"
)

// Special sector numbers ([MS-CFB] 2.1).
const (
	maxRegSect = 0xfffffffa
	difSect    = 0xfffffffc
	fatSect    = 0xfffffffd
	endOfChain = 0xfffffffe
	freeSect   = 0xffffffff
	noStream   = 0xffffffff
)

// Entry types of a directory entry.
const (
	TypeUnused  = 0
	TypeStorage = 1
	TypeStream  = 2
	TypeRoot    = 5
)

// MaxSectors caps the sectors of a file Open accepts (8 GiB of 512-byte
// sectors, 64 GiB of 4096-byte ones).
const MaxSectors = 1 << 24

// MaxEntries caps the directory entries of a file (an MSI has hundreds);
// MaxDepth caps how deep storages nest.
const (
	MaxEntries = 1 << 16
	MaxDepth   = 32
)

// ErrNotCFB is returned when the input does not start with the compound
// file signature.
var ErrNotCFB = errors.New("cfb: not a compound file")

// FormatError reports a compound file whose structure is broken.
type FormatError struct {
	// Offset is the file offset of the offending structure.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("cfb: %s at offset 0x%x", e.Reason, e.Offset)
}

// Entry is one directory entry.
type Entry struct {
	// Index is the entry's number in the directory.
	Index int
	// Name is the entry's name; RawName its UTF-16 code units, without the
	// terminating NUL.
	Name    string
	RawName []uint16
	// Type is TypeStorage, TypeStream or TypeRoot.
	Type uint8
	// CLSID is the class identifier of a storage.
	CLSID [16]byte
	// Raw is the entry's 128 bytes as stored.
	Raw [128]byte
	// Start is the first sector; Size the stream's size.
	Start uint32
	Size  int64
	// Offset is the entry's file offset.
	Offset int64

	left, right, child uint32
	runs               [][2]int64 // file ranges of a stream's bytes
}

// Region is a byte range of the file that nothing owns, or that is slack
// after a stream's end, holding non-zero bytes.
type Region struct {
	Offset, Len int64
	// Reason says where the bytes are.
	Reason string
}

// File is an open compound file.
type File struct {
	r          io.ReaderAt
	size       int64
	sectorSize int64
	nsect      int64 // sectors the file holds, a partial last one included
	fat        []uint32
	minifat    []uint32
	// Entries are the directory entries, Entries[0] the root.
	Entries []*Entry
	// owner[s] names what sector s holds; "" for none.
	owner      []string
	miniChain  []uint32 // the mini stream's sectors
	children   map[int][]*Entry
	headerSize int64
	// Version is the major version, 3 or 4.
	Version   int
	miniOwned map[uint32]string
	// fatSectors and miniFATSectors hold the tables, in order; header is
	// the first 512 bytes.
	fatSectors, miniFATSectors []uint32
	header                     [512]byte
}

// Open parses the compound file in r (size bytes).
func Open(r io.ReaderAt, size int64) (*File, error) {
	f, hc, err := openHeader(r, size)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, f.sectorSize)
	if err := f.readFAT(hc, buf); err != nil {
		return nil, err
	}
	if err := f.readDirectory(hc.firstDir, buf); err != nil {
		return nil, err
	}
	if err := f.readMiniFAT(hc, buf); err != nil {
		return nil, err
	}
	root := f.Entries[0]
	if f.miniChain, err = f.chain(root.Start, "mini stream", root.Size); err != nil {
		return nil, err
	}
	if err := f.walkTree(); err != nil {
		return nil, err
	}
	for _, e := range f.Entries {
		if e.Type == TypeStream {
			if e.runs, err = f.streamRuns(e); err != nil {
				return nil, err
			}
		}
	}
	return f, nil
}

// headerCounts are the header's table locations and sizes.
type headerCounts struct {
	nFAT, firstDir     uint32
	firstMini, nMini   uint32
	firstDIFAT, nDIFAT uint32
}

// openHeader checks the header of the compound file in r and returns the
// File it describes, with no tables read yet.
func openHeader(r io.ReaderAt, size int64) (*File, headerCounts, error) {
	var h [512]byte
	var hc headerCounts
	if size < 512 {
		return nil, hc, ErrNotCFB
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, hc, fmt.Errorf("cfb: %w", err)
	}
	if !bytes.Equal(h[:8], []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}) {
		return nil, hc, ErrNotCFB
	}
	le := binary.LittleEndian
	f := &File{r: r, size: size, children: map[int][]*Entry{}, header: h}
	major, shift, miniShift := le.Uint16(h[26:]), le.Uint16(h[30:]), le.Uint16(h[32:])
	switch {
	case le.Uint16(h[28:]) != 0xfffe:
		return nil, hc, &FormatError{28, "byte order mark is not 0xfffe"}
	case major == 3 && shift == 9, major == 4 && shift == 12:
	default:
		return nil, hc, &FormatError{26, fmt.Sprintf("version %d with sector shift %d", major, shift)}
	}
	if miniShift != 6 || le.Uint32(h[56:]) != 4096 {
		return nil, hc, &FormatError{32, "mini sector shift is not 6 or the mini stream cutoff is not 4096"}
	}
	f.Version = int(major)
	f.sectorSize = 1 << shift
	f.headerSize = f.sectorSize
	if size < f.headerSize {
		return nil, hc, &FormatError{0, "file shorter than its header sector"}
	}
	f.nsect = (size - f.headerSize + f.sectorSize - 1) / f.sectorSize
	if f.nsect > MaxSectors {
		return nil, hc, &FormatError{0, fmt.Sprintf("%d sectors exceed the limit of %d", f.nsect, MaxSectors)}
	}
	f.owner = make([]string, f.nsect)
	hc = headerCounts{
		nFAT: le.Uint32(h[44:]), firstDir: le.Uint32(h[48:]),
		firstMini: le.Uint32(h[60:]), nMini: le.Uint32(h[64:]),
		firstDIFAT: le.Uint32(h[68:]), nDIFAT: le.Uint32(h[72:]),
	}
	if int64(hc.nFAT) > f.nsect || int64(hc.nMini) > f.nsect || int64(hc.nDIFAT) > f.nsect {
		return nil, hc, &FormatError{44, "sector counts exceed the sectors in the file"}
	}
	return f, hc, nil
}

// readFAT reads the DIFAT, then the FAT sectors it lists, into f.fat.
func (f *File) readFAT(hc headerCounts, buf []byte) error {
	fatSectors, err := f.readDIFAT(hc, buf)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	per := int(f.sectorSize / 4)
	f.fatSectors = fatSectors
	f.fat = make([]uint32, 0, len(fatSectors)*per)
	for _, s := range fatSectors {
		if err := f.claim(s, "FAT"); err != nil {
			return err
		}
		if err := f.readSector(s, buf); err != nil {
			return err
		}
		for i := 0; i < per; i++ {
			f.fat = append(f.fat, le.Uint32(buf[4*i:]))
		}
	}
	// The FAT must describe the FAT and DIFAT sectors as such.
	for _, s := range fatSectors {
		if int(s) >= len(f.fat) || f.fat[s] != fatSect {
			return &FormatError{f.sectorOffset(s), fmt.Sprintf("FAT sector %d is not marked FATSECT", s)}
		}
	}
	return nil
}

// readDIFAT returns the FAT's sectors: 109 entries in the header, then a
// chain of DIFAT sectors. The list has no holes: readers that take the
// k-th entry for the FAT of sectors 128k and on (7-Zip refuses the file)
// would put a FAT sector listed after a FREESECT one elsewhere.
func (f *File) readDIFAT(hc headerCounts, buf []byte) ([]uint32, error) {
	le := binary.LittleEndian
	var fatSectors []uint32
	hole := int64(-1) // offset of the first FREESECT entry
	take := func(s uint32, at int64) error {
		switch {
		case s == freeSect && hole < 0:
			hole = at
		case s != freeSect && hole >= 0:
			return &FormatError{at, fmt.Sprintf("the DIFAT lists FAT sector %d after a FREESECT entry at 0x%x", s, hole)}
		case s != freeSect:
			fatSectors = append(fatSectors, s)
		}
		return nil
	}
	for i := 0; i < 109; i++ {
		if err := take(le.Uint32(f.header[76+4*i:]), int64(76+4*i)); err != nil {
			return nil, err
		}
	}
	per := int(f.sectorSize / 4)
	s := hc.firstDIFAT
	n := uint32(0)
	for ; s != endOfChain && s != freeSect; n++ {
		if n >= hc.nDIFAT {
			return nil, &FormatError{72, "DIFAT chain longer than its count"}
		}
		if err := f.claim(s, "DIFAT"); err != nil {
			return nil, err
		}
		if err := f.readSector(s, buf); err != nil {
			return nil, err
		}
		for i := 0; i < per-1; i++ {
			if err := take(le.Uint32(buf[4*i:]), f.sectorOffset(s)+int64(4*i)); err != nil {
				return nil, err
			}
		}
		s = le.Uint32(buf[4*(per-1):])
	}
	if n != hc.nDIFAT {
		return nil, &FormatError{72, fmt.Sprintf("header counts %d DIFAT sectors, the chain has %d", hc.nDIFAT, n)}
	}
	if uint32(len(fatSectors)) != hc.nFAT {
		return nil, &FormatError{44, fmt.Sprintf("header counts %d FAT sectors, the DIFAT lists %d", hc.nFAT, len(fatSectors))}
	}
	return fatSectors, nil
}

// readDirectory reads the directory entries from the chain at firstDir.
func (f *File) readDirectory(firstDir uint32, buf []byte) error {
	dirChain, err := f.chain(firstDir, "directory", -1)
	if err != nil {
		return err
	}
	if int64(len(dirChain))*f.sectorSize/128 > MaxEntries {
		return &FormatError{48, fmt.Sprintf("directory of %d sectors holds more than %d entries", len(dirChain), MaxEntries)}
	}
	for _, s := range dirChain {
		if err := f.readSector(s, buf); err != nil {
			return err
		}
		for k := int64(0); k < f.sectorSize/128; k++ {
			e := &Entry{Index: len(f.Entries), Offset: f.sectorOffset(s) + 128*k}
			copy(e.Raw[:], buf[128*k:])
			if err := f.parseEntry(e); err != nil {
				return err
			}
			f.Entries = append(f.Entries, e)
		}
	}
	if len(f.Entries) == 0 || f.Entries[0].Type != TypeRoot {
		return &FormatError{f.sectorOffset(firstDir), "the first directory entry is not the root"}
	}
	return nil
}

// readMiniFAT reads the mini FAT into f.minifat.
func (f *File) readMiniFAT(hc headerCounts, buf []byte) error {
	miniFATChain, err := f.chain(hc.firstMini, "mini FAT", -1)
	if err != nil {
		return err
	}
	if uint32(len(miniFATChain)) != hc.nMini {
		return &FormatError{64, fmt.Sprintf("header counts %d mini FAT sectors, the chain has %d", hc.nMini, len(miniFATChain))}
	}
	f.miniFATSectors = miniFATChain
	per := int(f.sectorSize / 4)
	for _, s := range miniFATChain {
		if err := f.readSector(s, buf); err != nil {
			return err
		}
		for i := 0; i < per; i++ {
			f.minifat = append(f.minifat, binary.LittleEndian.Uint32(buf[4*i:]))
		}
	}
	return nil
}

// Open returns a reader of a stream's bytes.
func (f *File) Open(e *Entry) io.Reader {
	rs := make([]io.Reader, len(e.runs))
	for i, r := range e.runs {
		rs[i] = io.NewSectionReader(f.r, r[0], r[1])
	}
	return io.MultiReader(rs...)
}

// ReaderAt returns random access to a stream's bytes, which lie in runs of
// sectors scattered over the file: reads past the stream's end return
// io.EOF.
func (f *File) ReaderAt(e *Entry) io.ReaderAt {
	s := &streamReader{r: f.r, runs: e.runs, size: e.Size, starts: make([]int64, len(e.runs))}
	var off int64
	for i, r := range e.runs {
		s.starts[i] = off
		off += r[1]
	}
	return s
}

type streamReader struct {
	r      io.ReaderAt
	runs   [][2]int64
	starts []int64 // stream offset of each run
	size   int64
}

func (s *streamReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("cfb: negative offset")
	}
	if off >= s.size {
		return 0, io.EOF
	}
	// The first run holding off; runs are in stream order.
	i, pos := 0, int64(0)
	if len(s.runs) > 0 {
		i = sort.Search(len(s.runs), func(k int) bool { return s.starts[k]+s.runs[k][1] > off })
		if i < len(s.runs) {
			pos = s.starts[i]
		}
	}
	n := 0
	for ; n < len(p) && i < len(s.runs); i++ {
		r := s.runs[i]
		skip := max(off+int64(n)-pos, 0)
		want := min(int64(len(p)-n), r[1]-skip)
		k, err := s.r.ReadAt(p[n:n+int(want)], r[0]+skip)
		n += k
		if err != nil && int64(k) < want {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		pos += r[1]
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// ReadAll returns a stream's bytes; streams over max bytes are refused.
func (f *File) ReadAll(e *Entry, max int64) ([]byte, error) {
	if e.Size > max {
		return nil, &FormatError{e.Offset + 120, fmt.Sprintf("stream %q of %d bytes exceeds the %d-byte limit", e.Name, e.Size, max)}
	}
	b := make([]byte, 0, e.Size)
	w := bytes.NewBuffer(b)
	if _, err := io.Copy(w, f.Open(e)); err != nil {
		return nil, fmt.Errorf("cfb: %w", err)
	}
	return w.Bytes(), nil
}

// Unowned returns, in file order, the regions holding non-zero bytes that
// no stream, table or header owns: free or unreachable sectors, slack after
// a stream's last byte in its sector or mini sector, unused mini sectors,
// unused directory entries, the padding of a version 4 header, reserved
// header fields, FAT and mini FAT entries of free or missing sectors that
// hold anything but FREESECT (their bits are the XOR with it), and directory entry fields that must be zero (a stream's class
// identifier, state bits and times; a storage's start and size; the root's
// creation time, siblings and name).
func (f *File) Unowned() ([]Region, error) {
	u := &unownedScan{f: f, buf: make([]byte, f.sectorSize)}
	if err := u.header(); err != nil {
		return nil, err
	}
	u.tableSlack(f.fat, f.fatSectors, f.nsect, "FAT entry for a sector past the end of the file")
	u.tableSlack(f.minifat, f.miniFATSectors, (miniSizeOf(f)+63)/64, "mini FAT entry for a mini sector past the mini stream")
	if err := u.sectors(); err != nil {
		return nil, err
	}
	if err := u.miniSlack(); err != nil {
		return nil, err
	}
	u.directory()
	out := u.out
	sortRegions(out)
	if u.truncated {
		out[len(out)-1].Reason += fmt.Sprintf("; more than %d regions, the rest not listed", maxRegions)
	}
	return out, nil
}

// unownedScan collects Unowned's regions.
type unownedScan struct {
	f         *File
	out       []Region
	truncated bool   // more than maxRegions were found
	buf       []byte // one sector, for read
}

// add reports the runs of non-zero bytes in b, which is at offset off.
func (u *unownedScan) add(off int64, b []byte, why string) {
	out := u.out
	for i := 0; i < len(b); {
		if b[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] != 0 {
			j++
		}
		// Merge runs separated by few zeros into one region.
		if k := len(out) - 1; k >= 0 && out[k].Reason == why && off+int64(i) >= out[k].Offset && off+int64(i)-(out[k].Offset+out[k].Len) <= 16 {
			out[k].Len = off + int64(j) - out[k].Offset
		} else if len(out) >= maxRegions {
			u.truncated = true
		} else {
			out = append(out, Region{Offset: off + int64(i), Len: int64(j - i), Reason: why})
		}
		i = j
	}
	u.out = out
}

// read returns up to n bytes (at most a sector) of the file at off, fewer
// at the file's end; the buffer is reused by the next read.
func (u *unownedScan) read(off, n int64) ([]byte, error) {
	n = min(n, u.f.size-off)
	if n <= 0 {
		return nil, nil
	}
	if _, err := u.f.r.ReadAt(u.buf[:n], off); err != nil && err != io.EOF {
		return nil, fmt.Errorf("cfb: %w", err)
	}
	return u.buf[:n], nil
}

// header reports a version 4 header's padding and the header fields that
// must be zero: the class identifier, the reserved bytes, the transaction
// signature, and a version 3 file's directory sector count; and a minor
// version other than the two known ones.
func (u *unownedScan) header() error {
	f := u.f
	if f.headerSize > 512 {
		b, err := u.read(512, f.headerSize-512)
		if err != nil {
			return err
		}
		u.add(512, b, "header padding")
	}
	for _, fld := range [][2]int{{8, 24}, {34, 40}, {52, 56}} {
		u.add(int64(fld[0]), f.header[fld[0]:fld[1]], "reserved header field")
	}
	if f.Version == 3 {
		u.add(40, f.header[40:44], "reserved header field")
	}
	if mv := binary.LittleEndian.Uint16(f.header[24:]); mv != 0x3e && mv != 0x3b {
		u.add(24, f.header[24:26], "minor version other than 0x3E or 0x3B")
	}
	return nil
}

// tableSlack reports the entries from index from on of a FAT or mini FAT
// (held in secs), which are for sectors the file does not have: each must
// be FREESECT. Special values spell data too (one of five, in every entry
// of as many table sectors as the header lists), so only the first may be
// ENDOFCHAIN, as osslsigncode leaves it in its mini FAT.
func (u *unownedScan) tableSlack(table []uint32, secs []uint32, from int64, why string) {
	f := u.f
	per := f.sectorSize / 4
	for i := from; i < int64(len(table)); i++ {
		if table[i] != freeSect && (i != from || table[i] != endOfChain) {
			var v [4]byte
			binary.LittleEndian.PutUint32(v[:], table[i]^freeSect) // non-zero where it differs from FREESECT
			u.add(f.sectorOffset(secs[i/per])+(i%per)*4, v[:], why)
		}
	}
}

// sectors reports, sector by sector, free sectors, DIFAT sectors the FAT
// does not mark, unused parts of the mini stream, and the slack after each
// regular stream's end.
func (u *unownedScan) sectors() error {
	f := u.f
	tails := f.streamTails()
	miniIndex := map[uint32]int64{} // sector -> index in the mini stream
	for i, s := range f.miniChain {
		miniIndex[s] = int64(i)
	}
	for s := int64(0); s < f.nsect; s++ {
		off := f.sectorOffset(uint32(s))
		var err error
		switch owner := f.owner[s]; {
		case owner == "":
			err = u.freeSector(s, off)
		case owner == "DIFAT":
			if s < int64(len(f.fat)) && f.fat[s] != difSect {
				f.tableEntry(u.add, f.fat, f.fatSectors, s, difSect, "FAT entry of a DIFAT sector other than DIFSECT")
			}
		case owner == "mini stream":
			err = u.miniStreamSector(off, miniIndex[uint32(s)]*f.sectorSize)
		case tails[uint32(s)] != 0:
			used := tails[uint32(s)]
			var b []byte
			if b, err = u.read(off+used, f.sectorSize-used); err == nil {
				u.add(off+used, b, "slack after a stream's end")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// streamTails maps the last sector of each regular (not mini) stream that
// ends inside it to the bytes the stream uses there.
func (f *File) streamTails() map[uint32]int64 {
	tails := map[uint32]int64{} // sector -> bytes used
	for _, e := range f.Entries {
		if e.Type == TypeStream && e.Size >= 4096 && len(e.runs) > 0 {
			last := e.runs[len(e.runs)-1]
			end := last[0] + last[1]
			if used := (end - f.headerSize) % f.sectorSize; used != 0 {
				tails[uint32((end-f.headerSize)/f.sectorSize)] = used
			}
		}
	}
	return tails
}

// freeSector reports free sector s (at off) and a sector number in its FAT
// entry.
func (u *unownedScan) freeSector(s, off int64) error {
	f := u.f
	// A free sector's FAT entry holds FREESECT; a sector number or
	// another special value there is data no chain uses.
	if s < int64(len(f.fat)) && f.fat[s] != freeSect {
		f.tableEntry(u.add, f.fat, f.fatSectors, s, freeSect, "FAT entry of a free sector")
	}
	b, err := u.read(off, f.sectorSize)
	if err != nil {
		return err
	}
	why := "free or unreachable sector"
	if off+f.sectorSize > f.size {
		why = "partial sector at the end of the file"
	}
	u.add(off, b, why)
	return nil
}

// miniStreamSector reports the mini sectors of the mini stream's sector at
// off (base bytes into the mini stream) that lie past the mini stream's end
// or are free, and free mini sectors' mini FAT entries other than FREESECT.
func (u *unownedScan) miniStreamSector(off, base int64) error {
	f := u.f
	miniSize := f.Entries[0].Size
	b, err := u.read(off, f.sectorSize)
	if err != nil {
		return err
	}
	for k := int64(0); k < f.sectorSize; k += 64 {
		ms := uint32((base + k) / 64)
		mb := b[min(k, int64(len(b))):min(k+64, int64(len(b)))]
		switch {
		case base+k >= miniSize:
			u.add(off+k, mb, "mini stream sector after the mini stream's end")
		case f.miniOwner(ms) == "":
			u.add(off+k, mb, "free mini sector")
			if int(ms) < len(f.minifat) && f.minifat[ms] != freeSect {
				f.tableEntry(u.add, f.minifat, f.miniFATSectors, int64(ms), freeSect, "mini FAT entry of a free mini sector")
			}
		}
	}
	return nil
}

// miniSlack reports the slack in the last mini sector of small streams.
func (u *unownedScan) miniSlack() error {
	for _, e := range u.f.Entries {
		if e.Type != TypeStream || e.Size >= 4096 || e.Size%64 == 0 || len(e.runs) == 0 {
			continue
		}
		last := e.runs[len(e.runs)-1]
		b, err := u.read(last[0]+last[1], 64-last[1])
		if err != nil {
			return err
		}
		u.add(last[0]+last[1], b, "slack after a stream's end")
	}
	return nil
}

// directory reports unused directory entries, name padding and the fields
// of used entries that must be zero.
func (u *unownedScan) directory() {
	for _, e := range u.f.Entries {
		if e.Type == TypeUnused {
			raw := e.Raw
			for k := 68; k < 80; k += 4 { // NOSTREAM siblings and child are the norm
				if binary.LittleEndian.Uint32(raw[k:]) == noStream {
					clear(raw[k : k+4])
				}
			}
			u.add(e.Offset, raw[:], "unused directory entry")
			continue
		}
		n := 2 * (len(e.RawName) + 1)
		u.add(e.Offset+int64(n), e.Raw[n:64], "directory entry name padding")
		u.f.entryFields(e, u.add)
	}
}

// tableEntry reports entry i of a FAT or mini FAT (held in secs) where it
// differs from want.
func (f *File) tableEntry(add func(int64, []byte, string), table, secs []uint32, i int64, want uint32, why string) {
	per := f.sectorSize / 4
	if i/per >= int64(len(secs)) {
		return
	}
	var v [4]byte
	binary.LittleEndian.PutUint32(v[:], table[i]^want) // non-zero where it differs
	add(f.sectorOffset(secs[i/per])+(i%per)*4, v[:], why)
}

// entryFields reports the fields of a used directory entry that [MS-CFB]
// 2.6.3 requires to be zero (or NOSTREAM) and that no digest covers: a
// stream's class identifier, state bits, times and child; a storage's start
// sector and size; the root's creation time, siblings and a name other than
// "Root Entry"; the high half of a version 3 stream's size; a color other
// than red or black.
func (f *File) entryFields(e *Entry, add func(int64, []byte, string)) {
	le := binary.LittleEndian
	raw := e.Raw
	ptr := func(at int, why string) {
		var v [4]byte
		le.PutUint32(v[:], le.Uint32(raw[at:])^noStream)
		add(e.Offset+int64(at), v[:], why)
	}
	switch e.Type {
	case TypeStream:
		add(e.Offset+80, raw[80:116], "stream directory entry's class identifier, state bits or times, which must be zero")
		ptr(76, "stream directory entry's child, which must be NOSTREAM")
	case TypeStorage:
		add(e.Offset+116, raw[116:128], "storage directory entry's start sector or size, which must be zero")
	case TypeRoot:
		add(e.Offset+100, raw[100:108], "root entry's creation time, which must be zero")
		ptr(68, "root entry's left sibling, which must be NOSTREAM")
		ptr(72, "root entry's right sibling, which must be NOSTREAM")
		if e.Name != "Root Entry" {
			add(e.Offset, raw[:2*len(e.RawName)], "root entry name other than \"Root Entry\"")
		}
	}
	if f.Version == 3 && e.Type != TypeStorage {
		add(e.Offset+124, raw[124:128], "high half of a version 3 stream size")
	}
	if raw[67] > 1 {
		add(e.Offset+67, raw[67:68], "directory entry color other than red or black")
	}
}

func miniSizeOf(f *File) int64 { return f.Entries[0].Size }

// maxRegions caps the regions Unowned returns; the last one says when
// more were found.
const maxRegions = 1024

func sortRegions(r []Region) {
	slices.SortStableFunc(r, func(a, b Region) int { return cmp.Compare(a.Offset, b.Offset) })
}

func (f *File) parseEntry(e *Entry) error {
	le := binary.LittleEndian
	nameLen := le.Uint16(e.Raw[64:])
	e.Type = e.Raw[66]
	e.left, e.right, e.child = le.Uint32(e.Raw[68:]), le.Uint32(e.Raw[72:]), le.Uint32(e.Raw[76:])
	copy(e.CLSID[:], e.Raw[80:96])
	e.Start = le.Uint32(e.Raw[116:])
	e.Size = int64(le.Uint32(e.Raw[120:]))
	if f.Version == 4 {
		e.Size |= int64(le.Uint32(e.Raw[124:])) << 32
	}
	switch e.Type {
	case TypeUnused:
		return nil
	case TypeStorage, TypeStream, TypeRoot:
	default:
		return &FormatError{e.Offset + 66, fmt.Sprintf("directory entry %d has type %d", e.Index, e.Type)}
	}
	if nameLen < 2 || nameLen > 64 || nameLen%2 != 0 {
		return &FormatError{e.Offset + 64, fmt.Sprintf("directory entry %d has a name length of %d", e.Index, nameLen)}
	}
	n := int(nameLen/2) - 1
	e.RawName = make([]uint16, n)
	for i := range n {
		e.RawName[i] = le.Uint16(e.Raw[2*i:])
	}
	if le.Uint16(e.Raw[2*n:]) != 0 {
		return &FormatError{e.Offset, fmt.Sprintf("directory entry %d: name not terminated", e.Index)}
	}
	e.Name = string(utf16.Decode(e.RawName))
	if e.Size > f.size*64 && e.Type != TypeStorage { // far beyond what the file can hold
		return &FormatError{e.Offset + 120, fmt.Sprintf("directory entry %d: size %d", e.Index, e.Size)}
	}
	return nil
}

func (f *File) sectorOffset(s uint32) int64 { return f.headerSize + int64(s)*f.sectorSize }

func (f *File) readSector(s uint32, buf []byte) error {
	if int64(s) >= f.nsect {
		return &FormatError{0, fmt.Sprintf("sector %d beyond the end of the file", s)}
	}
	off := f.sectorOffset(s)
	n := min(int64(len(buf)), f.size-off)
	clear(buf)
	if _, err := f.r.ReadAt(buf[:n], off); err != nil && err != io.EOF {
		return fmt.Errorf("cfb: %w", err)
	}
	return nil
}

// claim records that sector s holds what; a sector claimed twice is a
// cross-linked file.
func (f *File) claim(s uint32, what string) error {
	if s > maxRegSect || int64(s) >= f.nsect {
		return &FormatError{0, fmt.Sprintf("%s sector %d beyond the end of the file (%d sectors)", what, s, f.nsect)}
	}
	if f.owner[s] != "" {
		return &FormatError{f.sectorOffset(s), fmt.Sprintf("sector %d belongs to both %s and %s", s, f.owner[s], what)}
	}
	f.owner[s] = what
	return nil
}

// chain follows a FAT chain from start, claiming every sector for what.
// size, when not negative, is the byte count the chain must hold.
func (f *File) chain(start uint32, what string, size int64) ([]uint32, error) {
	var out []uint32
	for s := start; s != endOfChain; {
		if s == freeSect && len(out) == 0 && size <= 0 {
			break // an empty chain written as FREESECT
		}
		if int64(len(out)) >= f.nsect {
			return nil, &FormatError{0, what + " chain longer than the file"}
		}
		if err := f.claim(s, what); err != nil {
			return nil, err
		}
		if int(s) >= len(f.fat) {
			return nil, &FormatError{f.sectorOffset(s), fmt.Sprintf("%s sector %d is not in the FAT", what, s)}
		}
		out = append(out, s)
		s = f.fat[s]
	}
	if size >= 0 {
		need := (size + f.sectorSize - 1) / f.sectorSize
		if int64(len(out)) != need {
			return nil, &FormatError{0, fmt.Sprintf("%s of %d bytes has %d sectors, want %d", what, size, len(out), need)}
		}
		if need > 0 && f.sectorOffset(out[len(out)-1])+(size-(need-1)*f.sectorSize) > f.size {
			return nil, &FormatError{f.sectorOffset(out[len(out)-1]), what + " ends beyond the end of the file"}
		}
	}
	return out, nil
}

// walkTree builds every storage's children from the red-black trees,
// rejecting entries reached twice.
func (f *File) walkTree() error {
	seen := make([]bool, len(f.Entries))
	seen[0] = true
	depth := map[int]int{0: 0}
	var storages []*Entry
	storages = append(storages, f.Entries[0])
	for len(storages) > 0 {
		st := storages[len(storages)-1]
		storages = storages[:len(storages)-1]
		if depth[st.Index] > MaxDepth {
			return &FormatError{st.Offset, fmt.Sprintf("storages nest more than %d deep", MaxDepth)}
		}
		stack := []uint32{st.child}
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if i == noStream {
				continue
			}
			if int(i) >= len(f.Entries) {
				return &FormatError{st.Offset, fmt.Sprintf("directory tree of %q names entry %d of %d", st.Name, i, len(f.Entries))}
			}
			if seen[i] {
				return &FormatError{f.Entries[i].Offset, fmt.Sprintf("directory entry %d is reached twice", i)}
			}
			seen[i] = true
			e := f.Entries[i]
			if e.Type != TypeStorage && e.Type != TypeStream {
				return &FormatError{e.Offset, fmt.Sprintf("directory entry %d in a tree has type %d", i, e.Type)}
			}
			f.children[st.Index] = append(f.children[st.Index], e)
			stack = append(stack, e.left, e.right)
			if e.Type == TypeStorage {
				depth[e.Index] = depth[st.Index] + 1
				storages = append(storages, e)
			}
		}
	}
	// Names are unique within a storage, compared as the format orders them
	// (upper case): a second entry of a name would be a stream that readers
	// looking it up never see.
	for _, kids := range f.children {
		names := make(map[string]bool, len(kids))
		for _, e := range kids {
			k := strings.ToUpper(e.Name)
			if names[k] {
				return &FormatError{e.Offset, fmt.Sprintf("directory entry %d: a second entry named %q in one storage", e.Index, e.Name)}
			}
			names[k] = true
		}
	}
	for i, e := range f.Entries {
		if e.Type != TypeUnused && !seen[i] {
			return &FormatError{e.Offset, fmt.Sprintf("directory entry %d (%q) is in no storage", i, e.Name)}
		}
	}
	return nil
}

// Children returns a storage's entries, in no particular order.
func (f *File) Children(e *Entry) []*Entry { return f.children[e.Index] }

// Root returns the root storage.
func (f *File) Root() *Entry { return f.Entries[0] }

// streamRuns returns the file ranges that hold a stream's bytes, in order,
// claiming its sectors, and records non-zero slack after its end.
func (f *File) streamRuns(e *Entry) ([][2]int64, error) {
	if e.Size < 4096 {
		return f.miniRuns(e)
	}
	ch, err := f.chain(e.Start, fmt.Sprintf("stream %q", e.Name), e.Size)
	if err != nil {
		return nil, err
	}
	var runs [][2]int64
	left := e.Size
	for _, s := range ch {
		off, n := f.sectorOffset(s), min(left, f.sectorSize)
		if k := len(runs) - 1; k >= 0 && runs[k][0]+runs[k][1] == off {
			runs[k][1] += n
		} else {
			runs = append(runs, [2]int64{off, n})
		}
		left -= n
	}
	return runs, nil
}

// miniRuns maps a small stream to file ranges through the mini FAT.
func (f *File) miniRuns(e *Entry) ([][2]int64, error) {
	var runs [][2]int64
	left := e.Size
	seen := 0
	for ms := e.Start; left > 0; {
		if ms > maxRegSect || int(ms) >= len(f.minifat) {
			return nil, &FormatError{e.Offset + 116, fmt.Sprintf("stream %q: mini sector %d is not in the mini FAT", e.Name, ms)}
		}
		if f.miniOwner(ms) != "" {
			return nil, &FormatError{e.Offset + 116, fmt.Sprintf("stream %q: mini sector %d belongs to %s too", e.Name, ms, f.miniOwner(ms))}
		}
		f.setMiniOwner(ms, e.Name)
		if seen++; seen > len(f.minifat) {
			return nil, &FormatError{e.Offset, "mini chain longer than the mini FAT"}
		}
		off, ok := f.miniOffset(ms)
		if !ok {
			return nil, &FormatError{e.Offset + 116, fmt.Sprintf("stream %q: mini sector %d beyond the mini stream", e.Name, ms)}
		}
		n := min(left, 64)
		runs = append(runs, [2]int64{off, n})
		left -= n
		next := f.minifat[ms]
		if left == 0 && next != endOfChain {
			return nil, &FormatError{e.Offset, fmt.Sprintf("stream %q: mini chain longer than its size", e.Name)}
		}
		ms = next
	}
	return runs, nil
}

// miniOwners is indexed by mini sector.
func (f *File) miniOwner(ms uint32) string {
	if f.miniOwned == nil {
		return ""
	}
	return f.miniOwned[ms]
}

func (f *File) setMiniOwner(ms uint32, what string) {
	if f.miniOwned == nil {
		f.miniOwned = make(map[uint32]string)
	}
	f.miniOwned[ms] = what
}

func (f *File) miniOffset(ms uint32) (int64, bool) {
	i := int64(ms) * 64 / f.sectorSize
	if i >= int64(len(f.miniChain)) || int64(ms)*64+64 > f.Entries[0].Size {
		return 0, false
	}
	return f.sectorOffset(f.miniChain[i]) + int64(ms)*64%f.sectorSize, true
}
