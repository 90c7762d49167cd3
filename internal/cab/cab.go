// Package cab reads Microsoft cabinet files ([MS-CAB]), the archives Windows
// Installer databases embed and Windows updates and drivers ship as, for a
// verifier that faces hostile input: every count, offset and size read from
// the cabinet is checked against the file before it is used, nothing is
// allocated from an unchecked size, CFDATA checksums are verified when
// present, names are cleaned (a name leading out of the archive is a
// [Problem], not a path), and what the cabinet's folders would decompress to
// is known before a byte is decompressed, so that callers can bound it
// (internal/container, the walker verify and sbom share, charges it to the
// release's expansion budget).
//
// Folders stored or compressed with MSZIP ([MS-MCI]: raw deflate blocks
// sharing one 32 KiB window) are decompressed with
// github.com/klauspost/compress/flate (compress/flate's decoder with faster
// Huffman loops: 1.7x on literal-heavy data, the same on text, see
// BenchmarkInflate; MSZIP inflate is what an MSZIP cabinet's walk costs
// most); a block's deflate stream must end with its final block and fill
// the block, as cabextract would otherwise decode other bytes
// (mszipend.go). Folders compressed with LZX are decompressed by this
// package (lzx.go); folders compressed with
// Quantum are listed and reported as problems, not opened; so are files
// that continue into or from another cabinet of a set, until the set is
// joined with [Join] or [OpenSet] (set.go).
//
// A cabinet set (set.go) is joined from its members, found by the names
// each header gives its neighbours, when they are all at hand: setID,
// iCabinet and names must agree, and each continued file be listed on
// both sides. The folder split between two cabinets is one stream (MSZIP
// history and LZX state carry over); the data block split at the boundary
// must be split (cbUncomp 0 on its first part), since libmspack counts
// blocks as if it always is and 7-Zip does not. A file of a continuation
// folder the first cabinet does not list is read, as 7-Zip reads it
// (libmspack drops it).
//
// Not checked: a folder's data beyond the end of its last file, and bytes of
// a folder no file claims (decompressed and skipped, not returned), are
// hidden from every extractor too; the data blocks after the last file's end
// are not read, so their checksums are not verified. The header's set
// fields and reserve areas are the signature verifier's business
// (signing/authenticode).
//
// It is written here rather than taken from a module: the Go module list
// served to this project holds no cabinet reader; github.com/google/go-cabfile
// reads from an io.ReadSeeker and decompresses a file's whole folder for every
// file asked for (quadratic on a cabinet of many files); and
// github.com/abemedia/go-cabinet takes no size, so offsets are not checked
// against the file, bounds nothing a cabinet expands to, and lets one reader
// per folder be open at a time (a second Open fails), which a walker that
// checks a cabinet's files on several goroutines cannot use.
package cab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// Header flags ([MS-CAB] 2.1).
const (
	flagPrevCabinet    = 0x0001
	flagNextCabinet    = 0x0002
	flagReservePresent = 0x0004
)

// iFolder values of files continued across cabinets ([MS-CAB] 2.3).
const (
	ifoldContinuedFromPrev    = 0xfffd
	ifoldContinuedToNext      = 0xfffe
	ifoldContinuedPrevAndNext = 0xffff
)

// Method is a folder's compression method (the low 4 bits of typeCompress).
type Method uint16

// Compression methods ([MS-CAB] 2.2).
const (
	// MethodNone stores the data as it is.
	MethodNone Method = 0
	// MethodMSZIP compresses each block with deflate.
	MethodMSZIP Method = 1
	// MethodQuantum is Quantum compression, which this package does not
	// decompress.
	MethodQuantum Method = 2
	// MethodLZX is LZX compression.
	MethodLZX Method = 3
)

func (m Method) String() string {
	switch m {
	case MethodNone:
		return "none"
	case MethodMSZIP:
		return "MSZIP"
	case MethodQuantum:
		return "Quantum"
	case MethodLZX:
		return "LZX"
	}
	return fmt.Sprintf("method %d", uint16(m))
}

// Limits of the format: a CFDATA block holds at most 32 KiB of uncompressed
// data, and at most 6 KiB more than that compressed ([MS-CAB] 2.4).
const (
	maxBlockUncomp = 32 << 10
	maxBlockData   = maxBlockUncomp + 6<<10
)

// ErrNotCabinet is returned when the input does not start with a cabinet
// header.
var ErrNotCabinet = errors.New("cab: not a cabinet")

// FormatError reports a cabinet whose structure is broken.
type FormatError struct {
	// Offset is the file offset of the offending structure.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("cab: %s at offset 0x%x", e.Reason, e.Offset)
}

// ProblemKind classifies a [Problem].
type ProblemKind uint8

// Kinds of problems.
const (
	// ProblemInsecurePath results when a file's name is absolute, climbs
	// out of the archive or is empty; the file is not listed.
	ProblemInsecurePath ProblemKind = iota + 1
	// ProblemDuplicate results when two files have one name; both are
	// listed.
	ProblemDuplicate
	// ProblemNotOpened results when a file cannot be decompressed: its
	// folder uses Quantum, or it continues into or from another
	// cabinet of a set. The file is not listed.
	ProblemNotOpened
	// ProblemMalformed results when a file lies outside its folder, or
	// overlaps another file's data; the file is not listed.
	ProblemMalformed
	// ProblemVersion results when the header's version is not 1.3, the
	// only one [MS-CAB] defines; the cabinet is read as a 1.3 one (the
	// layout every known writer uses), and its files are listed.
	ProblemVersion
)

// Problem is something wrong with one file of a cabinet that does not stop
// the others from being read.
type Problem struct {
	Kind ProblemKind
	// Name is the file's name as stored ("\\"-separated), or "" for a
	// problem of a folder.
	Name string
	// Offset is the file offset of the CFFILE (or CFFOLDER) entry.
	Offset  int64
	Message string
	// Cabinet is the index in a joined set of the cabinet the entry is
	// in (0 for a lone cabinet).
	Cabinet int
	// continued marks a file not opened because it continues into or
	// from another cabinet: [Join] drops such problems.
	continued bool
}

// File is one file of a cabinet.
type File struct {
	// Name is the cleaned, "/"-separated path; RawName is the name as
	// stored.
	Name, RawName string
	// Size is the uncompressed size.
	Size int64
	// Folder is the index of the folder holding the data, and
	// FolderOffset where in its uncompressed data the file starts.
	Folder       int
	FolderOffset int64
	// Modified is the DOS date and time stored (local time, read as UTC).
	Modified time.Time
	// Attributes are the stored attribute bits.
	Attributes uint16
	// Offset is the file offset of the CFFILE entry, in cabinet Cabinet
	// of a joined set (0 for a lone cabinet).
	Offset  int64
	Cabinet int
}

// Folder is one CFFOLDER: a run of CFDATA blocks compressed as one stream.
type Folder struct {
	// DataOffset is the file offset of the first CFDATA block; Blocks is
	// how many there are.
	DataOffset int64
	Blocks     int
	// Method is the compression method; LZXWindow, for LZX, is the
	// window's size in bits (15 to 21 are defined), from bits 8-12 of
	// typeCompress.
	Method    Method
	LZXWindow int
	// Offset is the file offset of the CFFOLDER entry.
	Offset int64
	// end is the largest FolderOffset+Size of the files read from it.
	end int64
	// typeCompress is the stored compression field; segs, for a folder
	// of a joined set, the runs of data blocks in each cabinet it spans
	// (nil: Blocks blocks at DataOffset of the folder's own cabinet).
	typeCompress uint16
	segs         []segment
}

// segment is a run of blocks data blocks at file offset off of cabinet c.
type segment struct {
	c      *Reader
	off    int64
	blocks int
}

// Reader reads a cabinet. It implements [fs.FS]; its methods are safe for
// concurrent use, each opened file decompressing on its own.
type Reader struct {
	r    io.ReaderAt
	size int64 // cbCabinet
	// Files are the files that can be read, in the cabinet's order.
	Files []*File
	// Folders are the cabinet's folders.
	Folders []*Folder
	// SetID and Index identify the cabinet in a set; Prev and Next name
	// the cabinets before and after it, when it is in one.
	SetID, Index uint16
	Prev, Next   string
	// VersionMajor and VersionMinor are the header's version (1.3).
	VersionMajor, VersionMinor uint8

	dataReserve int
	flags       uint16
	name        string  // the cabinet's file name, when a member of a joined set
	entries     []*File // every CFFILE entry as read (iFolder as stored)
	problems    []Problem
	byName      map[string]*File
	dirs        map[string][]string // directory -> sorted child names
	// aheadMin, when positive (set by a test), replaces aheadMinBlocks.
	aheadMin int
}

// MaxFiles and MaxFolders are the format's limits (16-bit counts).
const (
	MaxFiles   = 0xffff
	MaxFolders = 0xffff
)

// NewReader parses the cabinet in r (size bytes): the header, folders and
// file entries. Blocks are read only when files are. Bytes after cbCabinet
// (a signature) are not read.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	c, h, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	coffFiles := int64(le.Uint32(h[16:]))
	nFolders, nFiles := int(le.Uint16(h[26:])), int(le.Uint16(h[28:]))
	c.flags = le.Uint16(h[30:])
	off, folderReserve, err := c.readOptionalFields(c.flags)
	if err != nil {
		return nil, err
	}
	if err := c.readFolders(off, nFolders, folderReserve); err != nil {
		return nil, err
	}
	if err := c.readFiles(coffFiles, nFiles); err != nil {
		return nil, err
	}
	c.dropContinuationFolder()
	c.findOverlaps()
	c.buildDirs()
	return c, nil
}

// readHeader reads and checks the cabinet's fixed 36-byte header, and
// returns the Reader it describes and the header.
func readHeader(r io.ReaderAt, size int64) (*Reader, *[36]byte, error) {
	var h [36]byte
	if size < int64(len(h)) {
		return nil, nil, ErrNotCabinet
	}
	if n, err := r.ReadAt(h[:], 0); n < len(h) {
		return nil, nil, fmt.Errorf("cab: %w", err)
	}
	if string(h[:4]) != "MSCF" {
		return nil, nil, ErrNotCabinet
	}
	le := binary.LittleEndian
	cb := int64(le.Uint32(h[8:]))
	if cb > size {
		return nil, nil, &FormatError{8, fmt.Sprintf("cbCabinet %d exceeds the file's %d bytes", cb, size)}
	}
	if cb < int64(len(h)) {
		return nil, nil, &FormatError{8, fmt.Sprintf("cbCabinet %d is shorter than the header", cb)}
	}
	c := &Reader{r: r, size: cb, SetID: le.Uint16(h[32:]), Index: le.Uint16(h[34:]), VersionMajor: h[25], VersionMinor: h[24]}
	if c.VersionMajor != 1 || c.VersionMinor != 3 {
		// Extractors (cabextract, 7-Zip) read such a cabinet as a 1.3
		// one, so its files are read too: refusing would hide them.
		c.problems = append(c.problems, Problem{Kind: ProblemVersion, Offset: 24, Message: fmt.Sprintf("the cabinet's header gives version %d.%d; [MS-CAB] defines 1.3 only, and it was read as 1.3", c.VersionMajor, c.VersionMinor)})
	}
	return c, &h, nil
}

// readOptionalFields reads the header's optional fields that flags say
// follow it: the reserve sizes (and the header's reserve, skipped), and the
// previous and next cabinets' names. It returns the offset after them and
// each folder entry's reserve.
func (c *Reader) readOptionalFields(flags uint16) (off int64, folderReserve int, err error) {
	off = 36
	if flags&flagReservePresent != 0 {
		var rs [4]byte
		if err := c.read(rs[:], off, "reserve sizes"); err != nil {
			return 0, 0, err
		}
		off += 4 + int64(binary.LittleEndian.Uint16(rs[:]))
		folderReserve, c.dataReserve = int(rs[2]), int(rs[3])
	}
	if flags&flagPrevCabinet != 0 {
		if c.Prev, off, err = c.readString(off, "szCabinetPrev"); err != nil {
			return 0, 0, err
		}
		if _, off, err = c.readString(off, "szDiskPrev"); err != nil {
			return 0, 0, err
		}
	}
	if flags&flagNextCabinet != 0 {
		if c.Next, off, err = c.readString(off, "szCabinetNext"); err != nil {
			return 0, 0, err
		}
		if _, off, err = c.readString(off, "szDiskNext"); err != nil {
			return 0, 0, err
		}
	}
	return off, folderReserve, nil
}

// readFolders reads the nFolders folder entries at off: 8 bytes and the
// reserve each, all inside the cabinet.
func (c *Reader) readFolders(off int64, nFolders, folderReserve int) error {
	le := binary.LittleEndian
	cb := c.size
	fsz := int64(8 + folderReserve)
	if off+int64(nFolders)*fsz > cb {
		return &FormatError{26, fmt.Sprintf("%d folders of %d bytes do not fit in the cabinet", nFolders, fsz)}
	}
	buf := make([]byte, int64(nFolders)*fsz)
	if err := c.read(buf, off, "folders"); err != nil {
		return err
	}
	c.Folders = make([]*Folder, nFolders)
	for i := range c.Folders {
		b := buf[int64(i)*fsz:]
		tc := le.Uint16(b[6:])
		fo := &Folder{DataOffset: int64(le.Uint32(b)), Blocks: int(le.Uint16(b[4:])), Method: Method(tc & 0xf), Offset: off + int64(i)*fsz, typeCompress: tc}
		if fo.Method == MethodLZX {
			fo.LZXWindow = int(tc >> 8 & 0x1f)
		}
		// Each block takes at least its 8-byte header.
		if fo.DataOffset > cb || int64(fo.Blocks)*int64(8+c.dataReserve) > cb-fo.DataOffset {
			return &FormatError{fo.Offset, fmt.Sprintf("folder %d: %d data blocks at offset %d do not fit in the cabinet", i, fo.Blocks, fo.DataOffset)}
		}
		c.Folders[i] = fo
	}
	return nil
}

// readFiles reads the nFiles file entries at coffFiles: 16 bytes and a
// name of at most 256 bytes each.
func (c *Reader) readFiles(coffFiles int64, nFiles int) error {
	le := binary.LittleEndian
	if coffFiles > c.size || int64(nFiles)*17 > c.size-coffFiles {
		return &FormatError{16, fmt.Sprintf("%d file entries at offset %d do not fit in the cabinet", nFiles, coffFiles)}
	}
	c.byName = make(map[string]*File)
	off := coffFiles
	var fh [16]byte
	for i := 0; i < nFiles; i++ {
		if err := c.read(fh[:], off, "file entry"); err != nil {
			return err
		}
		raw, next, err := c.readString(off+16, "file name")
		if err != nil {
			return err
		}
		f := &File{RawName: raw, Size: int64(le.Uint32(fh[:])), FolderOffset: int64(le.Uint32(fh[4:])), Folder: int(le.Uint16(fh[8:])), Attributes: le.Uint16(fh[14:]), Offset: off}
		f.Modified = dosTime(le.Uint16(fh[10:]), le.Uint16(fh[12:]))
		off = next
		stored := *f
		c.entries = append(c.entries, &stored)
		c.addFile(f)
	}
	return nil
}

// addFile checks one file entry and lists it, or records why not.
func (c *Reader) addFile(f *File) {
	name := f.RawName
	if f.Attributes&0x80 == 0 && !utf8.ValidString(name) {
		// Not marked UTF-8: the bytes are in a code page; Latin-1 keeps
		// every byte distinct.
		rs := make([]rune, len(name))
		for i := 0; i < len(name); i++ {
			rs[i] = rune(name[i])
		}
		name = string(rs)
	}
	clean, ok := CleanName(name)
	if !ok {
		c.problem(ProblemInsecurePath, f, fmt.Sprintf("file name %q is not a relative path inside the cabinet; the file was not read", f.RawName))
		return
	}
	f.Name = clean
	switch f.Folder {
	case ifoldContinuedFromPrev, ifoldContinuedToNext, ifoldContinuedPrevAndNext:
		c.problem(ProblemNotOpened, f, fmt.Sprintf("file %q continues into or from another cabinet of the set (%q before, %q after); it was not read", f.RawName, c.Prev, c.Next))
		c.problems[len(c.problems)-1].continued = true
		return
	}
	if f.Folder < 0 || f.Folder >= len(c.Folders) {
		c.problem(ProblemMalformed, f, fmt.Sprintf("file %q names folder %d of %d; it was not read", f.RawName, f.Folder, len(c.Folders)))
		return
	}
	fo := c.Folders[f.Folder]
	if _, ok := lzxSlots[fo.LZXWindow]; fo.Method == MethodLZX && !ok {
		c.problem(ProblemMalformed, f, fmt.Sprintf("file %q is in folder %d, compressed with LZX with a window of 2^%d bytes, outside the 2^15 to 2^21 defined; it was not read", f.RawName, f.Folder, fo.LZXWindow))
		return
	}
	if fo.Method != MethodNone && fo.Method != MethodMSZIP && fo.Method != MethodLZX {
		c.problem(ProblemNotOpened, f, fmt.Sprintf("file %q is in folder %d, compressed with %s, which shipgate does not decompress; it was not read", f.RawName, f.Folder, fo.Method))
		return
	}
	// A folder holds at most Blocks*32 KiB.
	if f.FolderOffset+f.Size > int64(fo.Blocks)*maxBlockUncomp {
		c.problem(ProblemMalformed, f, fmt.Sprintf("file %q (%d bytes at %d) lies beyond the %d bytes its folder's %d blocks can hold; it was not read", f.RawName, f.Size, f.FolderOffset, int64(fo.Blocks)*maxBlockUncomp, fo.Blocks))
		return
	}
	if g := c.byName[f.Name]; g != nil {
		c.problem(ProblemDuplicate, f, fmt.Sprintf("the cabinet holds more than one file named %q; extractors disagree on which one is written", f.Name))
	} else {
		c.byName[f.Name] = f
	}
	fo.end = max(fo.end, f.FolderOffset+f.Size)
	c.Files = append(c.Files, f)
}

// findOverlaps drops files whose data overlaps another's in their folder:
// no cabinet tool writes them, and they are how a small cabinet declares
// far more than it holds.
func (c *Reader) findOverlaps() {
	idx := make([]int, 0, len(c.Files))
	for i, f := range c.Files {
		if f.Size > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, fb := c.Files[idx[a]], c.Files[idx[b]]
		if fa.Folder != fb.Folder {
			return fa.Folder < fb.Folder
		}
		return fa.FolderOffset < fb.FolderOffset
	})
	bad := map[int]bool{}
	last, end, folder := -1, int64(0), -1
	for _, i := range idx {
		f := c.Files[i]
		if f.Folder != folder {
			folder, end, last = f.Folder, 0, -1
		}
		if last >= 0 && f.FolderOffset < end {
			bad[i], bad[last] = true, true
		}
		if e := f.FolderOffset + f.Size; e > end {
			end, last = e, i
		}
	}
	if len(bad) == 0 {
		return
	}
	kept := c.Files[:0:0]
	for i, f := range c.Files {
		if bad[i] {
			c.problem(ProblemMalformed, f, fmt.Sprintf("the data of file %q overlaps another file's in folder %d; it was not read", f.RawName, f.Folder))
			if c.byName[f.Name] == f {
				delete(c.byName, f.Name)
			}
			continue
		}
		kept = append(kept, f)
	}
	c.Files = kept
	for _, fo := range c.Folders {
		fo.end = 0
	}
	for _, f := range c.Files {
		fo := c.Folders[f.Folder]
		fo.end = max(fo.end, f.FolderOffset+f.Size)
	}
}

func (c *Reader) problem(k ProblemKind, f *File, msg string) {
	c.problems = append(c.problems, Problem{Kind: k, Name: f.RawName, Offset: f.Offset, Message: msg, Cabinet: f.Cabinet})
}

// continues reports whether the cabinet lists a file continued from the
// previous cabinet (prev) or into the next one (!prev).
func (c *Reader) continues(prev bool) bool {
	for _, e := range c.entries {
		switch e.Folder {
		case ifoldContinuedPrevAndNext:
			return true
		case ifoldContinuedFromPrev:
			if prev {
				return true
			}
		case ifoldContinuedToNext:
			if !prev {
				return true
			}
		}
	}
	return false
}

// dropContinuationFolder drops, from a cabinet that continues a folder of
// the previous cabinet (its folder 0), the files of that folder: their
// data starts in the previous cabinet and cannot be read without it.
func (c *Reader) dropContinuationFolder() {
	if !c.continues(true) || len(c.Folders) == 0 {
		return
	}
	kept := c.Files[:0:0]
	for _, f := range c.Files {
		if f.Folder != 0 {
			kept = append(kept, f)
			continue
		}
		c.problem(ProblemNotOpened, f, fmt.Sprintf("file %q is in folder 0, which continues a folder of the previous cabinet of the set (%q); it was not read", f.RawName, c.Prev))
		c.problems[len(c.problems)-1].continued = true
		if c.byName[f.Name] == f {
			delete(c.byName, f.Name)
		}
	}
	c.Files = kept
	c.Folders[0].end = 0
}

// InSet reports whether the cabinet's header says it is in a set: it
// names a previous or a next cabinet.
func (c *Reader) InSet() bool { return c.flags&(flagPrevCabinet|flagNextCabinet) != 0 }

// Problems returns what is wrong with files of the cabinet, in the order
// found.
func (c *Reader) Problems() []Problem { return slices.Clone(c.problems) }

// Expansion returns the bytes decompressing every file means decompressing:
// for each folder, up to the end of its last file. A caller bounding what
// archives expand to charges this before reading.
func (c *Reader) Expansion() int64 {
	var n int64
	for _, fo := range c.Folders {
		n += fo.end
	}
	return n
}

// CleanName returns a cabinet file name ("\\" or "/" separated) as a
// "/"-separated path inside the archive, and false for a name that is
// empty, absolute (a leading separator or a drive letter), holds "." or
// ".." elements, empty elements, or a NUL.
func CleanName(name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.ContainsRune(n, 0) || (len(n) >= 2 && n[1] == ':') {
		return "", false
	}
	if !fs.ValidPath(n) || n == "." {
		return "", false
	}
	return n, true
}

func (c *Reader) read(b []byte, off int64, what string) error {
	if off < 0 || off > c.size || int64(len(b)) > c.size-off {
		return &FormatError{off, what + " lies beyond the end of the cabinet"}
	}
	if n, err := c.r.ReadAt(b, off); n < len(b) {
		return fmt.Errorf("cab: reading %s at offset %d: %w", what, off, err)
	}
	return nil
}

// readString reads a NUL-terminated string of at most 256 bytes at off.
func (c *Reader) readString(off int64, what string) (string, int64, error) {
	n := min(257, c.size-off)
	if n <= 0 {
		return "", 0, &FormatError{off, what + " lies beyond the end of the cabinet"}
	}
	b := make([]byte, n)
	if err := c.read(b, off, what); err != nil {
		return "", 0, err
	}
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return "", 0, &FormatError{off, what + " is longer than 256 bytes or not terminated"}
	}
	return string(b[:i]), off + int64(i) + 1, nil
}

// dosTime decodes a DOS date and time.
func dosTime(d, t uint16) time.Time {
	return time.Date(int(d>>9)+1980, time.Month(d>>5&0xf), int(d&0x1f), int(t>>11), int(t>>5&0x3f), int(t&0x1f)*2, 0, time.UTC)
}

// buildDirs records the directories the file names imply.
func (c *Reader) buildDirs() {
	c.dirs = map[string][]string{".": nil}
	seen := map[string]bool{}
	for _, f := range c.Files {
		if c.byName[f.Name] != f {
			continue
		}
		p := f.Name
		for {
			dir, base := path.Dir(p), path.Base(p)
			if !seen[p] {
				seen[p] = true
				c.dirs[dir] = append(c.dirs[dir], base)
			}
			if dir == "." {
				break
			}
			if _, ok := c.dirs[dir]; ok && seen[dir] {
				break
			}
			p = dir
		}
	}
	for _, kids := range c.dirs {
		slices.Sort(kids)
	}
	for _, f := range c.Files {
		if _, ok := c.dirs[f.Name]; ok && c.byName[f.Name] == f {
			c.problem(ProblemDuplicate, f, fmt.Sprintf("%q names both a file and a directory of the cabinet; extractors write one of them", f.Name))
		}
	}
}

// Walk decompresses each folder once, front to back, and calls fn with each
// file in folder order and a reader of its bytes, valid until fn returns;
// bytes fn leaves unread are skipped. It stops at fn's first error, or at
// the first block that cannot be read, returning it wrapped with the file's
// name; decompression errors are [*FormatError]s.
func (c *Reader) Walk(fn func(f *File, r io.Reader) error) error {
	byFolder := slices.Clone(c.Files)
	sort.SliceStable(byFolder, func(a, b int) bool {
		if byFolder[a].Folder != byFolder[b].Folder {
			return byFolder[a].Folder < byFolder[b].Folder
		}
		return byFolder[a].FolderOffset < byFolder[b].FolderOffset
	})
	var d folderReader
	defer func() {
		if d != nil {
			d.close()
		}
	}()
	for _, f := range byFolder {
		if f.Size == 0 {
			// Nothing to decompress: an empty file placed inside
			// another must not make the folder be decompressed again.
			if err := fn(f, bytes.NewReader(nil)); err != nil {
				return err
			}
			continue
		}
		if d == nil || d.folderIndex() != f.Folder || d.position() > f.FolderOffset {
			if d != nil {
				d.close()
			}
			d = c.openFolder(f.Folder)
		}
		if err := skipFolder(d, c.Folders[f.Folder], f.FolderOffset-d.position()); err != nil {
			return fmt.Errorf("cab: %s: %w", f.Name, err)
		}
		lr := &io.LimitedReader{R: d, N: f.Size}
		if err := fn(f, &exact{lr: lr, name: f.Name}); err != nil {
			return err
		}
		if lr.N > 0 {
			if err := skipFolder(d, c.Folders[f.Folder], lr.N); err != nil {
				return fmt.Errorf("cab: %s: %w", f.Name, err)
			}
		}
	}
	return nil
}

// exact fails with io.ErrUnexpectedEOF when the folder ends before the
// file does.
type exact struct {
	lr   *io.LimitedReader
	name string
}

func (e *exact) Read(p []byte) (int, error) {
	n, err := e.lr.Read(p)
	if err == io.EOF && e.lr.N > 0 {
		return n, &FormatError{-1, fmt.Sprintf("file %q: its folder ends %d bytes before the file does", e.name, e.lr.N)}
	}
	return n, err
}

// decoder reads a folder's uncompressed data block by block, across the
// cabinets of a joined set when the folder spans them.
type decoder struct {
	c       *Reader
	folder  int
	fo      *Folder
	segs    []segment
	seg     int   // the segment being read
	segLeft int   // its blocks not read yet
	off     int64 // next block's file offset in segs[seg].c
	block   int   // blocks read
	pos     int64 // uncompressed bytes returned
	out     []byte
	window  []byte // the last 32 KiB of output (MSZIP history)
	data    []byte
	buf     []byte // the decompressed block
	fr      io.ReadCloser
	lzx     *lzxDecoder
	err     error
}

func (c *Reader) newDecoder(folder int) *decoder {
	fo := c.Folders[folder]
	segs := fo.segs
	if segs == nil {
		segs = []segment{{c, fo.DataOffset, fo.Blocks}}
	}
	return &decoder{c: c, folder: folder, fo: fo, segs: segs, off: segs[0].off, segLeft: segs[0].blocks}
}

// more moves to the next segment holding blocks when the current one has
// none left, and reports whether a block is left to read.
func (d *decoder) more() bool {
	for d.segLeft == 0 && d.seg+1 < len(d.segs) {
		d.seg++
		d.off, d.segLeft = d.segs[d.seg].off, d.segs[d.seg].blocks
	}
	return d.segLeft > 0
}

func (d *decoder) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if !d.more() {
			return 0, io.EOF
		}
		if err := d.next(); err != nil {
			d.err = err
			return 0, err
		}
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	d.pos += int64(n)
	return n, nil
}

// readPart reads and checks the next CFDATA block of the current segment,
// appending its data to dst.
func (d *decoder) readPart(dst []byte) (data []byte, cbUncomp int, err error) {
	c, at := d.segs[d.seg].c, d.off
	le := binary.LittleEndian
	var h [8]byte
	if err := c.read(h[:], at, "data block header"); err != nil {
		return nil, 0, err
	}
	cbData, cbUncomp := int(le.Uint16(h[4:])), int(le.Uint16(h[6:]))
	if cbData > maxBlockData || cbUncomp > maxBlockUncomp {
		return nil, 0, &FormatError{at, fmt.Sprintf("data block of %d bytes holding %d exceeds the format's limits", cbData, cbUncomp)}
	}
	reserve := make([]byte, c.dataReserve)
	if err := c.read(reserve, at+8, "data block reserve"); err != nil {
		return nil, 0, err
	}
	n := len(dst)
	dst = append(dst, make([]byte, cbData)...)
	part := dst[n:]
	if err := c.read(part, at+8+int64(len(reserve)), "data block"); err != nil {
		return nil, 0, err
	}
	if sum := le.Uint32(h[:]); sum != 0 {
		got := checksum(h[4:8], checksum(part, 0))
		// libmspack and cabextract leave the per-block reserve out of the
		// sum; the specification puts it in. Either is taken.
		if got != sum && (len(reserve) == 0 || checksum(h[4:8], checksum(part, checksum(reserve, 0))) != sum) {
			return nil, 0, &FormatError{at, fmt.Sprintf("data block checksum %08x, computed %08x", sum, got)}
		}
	}
	d.off = at + 8 + int64(len(reserve)) + int64(cbData)
	d.segLeft--
	return dst, cbUncomp, nil
}

// next reads, checks and decompresses one CFDATA block: in a joined set,
// a block whose first part ends a cabinet (cbUncomp 0) is completed by
// the next cabinet's first block.
func (d *decoder) next() error {
	err := d.nextBlock()
	var fe *FormatError
	if c := d.segs[d.seg].c; err != nil && c != d.c && c.name != "" && errors.As(err, &fe) {
		return &FormatError{fe.Offset, fmt.Sprintf("cabinet %q: %s", c.name, fe.Reason)}
	}
	return err
}

func (d *decoder) nextBlock() error {
	at := d.off
	if d.data == nil {
		d.data = make([]byte, 0, 2*maxBlockData)
	}
	data, cbUncomp, err := d.readPart(d.data[:0])
	if err != nil {
		return err
	}
	if cbUncomp != 0 && d.segLeft == 0 && d.seg+1 < len(d.segs) {
		// libmspack counts a joined folder's blocks as if every
		// boundary split one; 7-Zip does not: refused, not guessed.
		return &FormatError{at, "the cabinet's last data block of a folder continued into the next cabinet is whole (cbUncomp is not 0): extractors disagree on how such a set is read"}
	}
	if cbUncomp == 0 {
		if d.segLeft != 0 || !d.more() {
			return &FormatError{at, "data block continues in the next cabinet"}
		}
		at = d.off
		if data, cbUncomp, err = d.readPart(data); err != nil {
			return err
		}
		if cbUncomp == 0 || len(data) > maxBlockData {
			return &FormatError{at, fmt.Sprintf("data block split across cabinets is not completed by the next one's first block (%d bytes, holding %d)", len(data), cbUncomp)}
		}
	}
	d.data = data
	d.block++
	return d.decode(data, cbUncomp, at)
}

// decode decompresses one whole block's data, which holds cbUncomp bytes.
func (d *decoder) decode(data []byte, cbUncomp int, at int64) error {
	switch d.fo.Method {
	case MethodNone:
		if len(data) != cbUncomp {
			return &FormatError{at, fmt.Sprintf("stored data block of %d bytes says it holds %d", len(data), cbUncomp)}
		}
		d.out = data
	case MethodMSZIP:
		out, err := d.inflate(data, cbUncomp, at)
		if err != nil {
			return err
		}
		d.out = out
	case MethodLZX:
		// Every block is a 32 KiB frame but the folder's last.
		if cbUncomp != lzxFrame && d.more() {
			return &FormatError{at, fmt.Sprintf("LZX data block %d holds %d bytes; all but the last hold %d", d.block, cbUncomp, lzxFrame)}
		}
		if d.lzx == nil {
			z, err := newLZX(d.fo.LZXWindow, int64(d.fo.Blocks)*lzxFrame)
			if err != nil {
				return &FormatError{d.fo.Offset, err.Error()}
			}
			d.lzx = z
		}
		out, err := d.lzx.decodeFrame(data, cbUncomp)
		if err != nil {
			return &FormatError{at + 8, fmt.Sprintf("LZX data block: %v", err)}
		}
		d.out = out
	default:
		return &FormatError{d.fo.Offset, fmt.Sprintf("folder %d is compressed with %s", d.folder, d.fo.Method)}
	}
	return nil
}

// inflate decompresses one MSZIP block: "CK" and a deflate stream whose
// back references may reach into the previous blocks' last 32 KiB.
func (d *decoder) inflate(data []byte, n int, at int64) ([]byte, error) {
	if len(data) < 2 || data[0] != 'C' || data[1] != 'K' {
		return nil, &FormatError{at + 8, "MSZIP block does not start with \"CK\""}
	}
	src := bytes.NewReader(data[2:])
	if d.fr == nil {
		d.fr = flate.NewReader(src)
	}
	if err := d.fr.(flate.Resetter).Reset(src, d.window); err != nil {
		return nil, &FormatError{at + 8, fmt.Sprintf("MSZIP block: %v", err)}
	}
	if d.buf == nil {
		d.buf = make([]byte, maxBlockUncomp+1)
	}
	out := d.buf[:n]
	k, err := io.ReadFull(d.fr, out)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return nil, &FormatError{at + 8, fmt.Sprintf("MSZIP block decompresses to %d bytes, it declares %d", k, n)}
	case err != nil:
		return nil, &FormatError{at + 8, fmt.Sprintf("MSZIP block: %v", err)}
	}
	if err := mszipEnd(d.fr, src); err != nil {
		return nil, &FormatError{at + 8, err.Error()}
	}
	if len(out) >= maxBlockUncomp {
		d.window = append(d.window[:0], out[len(out)-maxBlockUncomp:]...)
	} else {
		d.window = append(d.window, out...)
		if len(d.window) > maxBlockUncomp {
			d.window = append(d.window[:0:0], d.window[len(d.window)-maxBlockUncomp:]...)
		}
	}
	return out, nil
}

// checksum is the CFDATA checksum ([MS-CAB] 2.4, as cabextract computes
// it): the XOR of the data's little-endian 32-bit words, the last partial
// word's bytes taken first-byte-highest.
func checksum(b []byte, seed uint32) uint32 {
	// Eight words at a time as four 64-bit ones (a little-endian 64-bit
	// word is two 32-bit words, low first): XOR does not care how the
	// words are grouped.
	var w0, w1, w2, w3 uint64
	for len(b) >= 32 {
		w0 ^= binary.LittleEndian.Uint64(b)
		w1 ^= binary.LittleEndian.Uint64(b[8:])
		w2 ^= binary.LittleEndian.Uint64(b[16:])
		w3 ^= binary.LittleEndian.Uint64(b[24:])
		b = b[32:]
	}
	w := w0 ^ w1 ^ w2 ^ w3
	sum := seed ^ uint32(w) ^ uint32(w>>32)
	for len(b) >= 4 {
		sum ^= binary.LittleEndian.Uint32(b)
		b = b[4:]
	}
	var ul uint32
	for _, x := range b {
		ul = ul<<8 | uint32(x)
	}
	return sum ^ ul
}
