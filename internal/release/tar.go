package release

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/signing"
)

// Compression is how a tarball is compressed.
type Compression uint8

// Compressions OpenTar reads.
const (
	// None is a plain tar archive.
	None Compression = iota
	// Gzip is a single gzip member (RFC 1952): .tar.gz, .tgz.
	Gzip
	// XZ is a single xz stream: .tar.xz.
	XZ
	// Zstd is a single Zstandard frame (RFC 8878): .tar.zst.
	Zstd
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case XZ:
		return "xz"
	case Zstd:
		return "zstd"
	}
	return "tar"
}

// TarCompression returns the compression of a tarball from its first bytes,
// and false when they start neither a tar header nor a compressed stream
// (whose content OpenTar checks).
func TarCompression(head []byte) (Compression, bool) {
	switch filekind.Detect(head, -1) {
	case filekind.Tar:
		return None, true
	case filekind.Gzip:
		return Gzip, true
	case filekind.XZ:
		return XZ, true
	case filekind.Zstd:
		return Zstd, true
	}
	return None, false
}

// ErrNotTar says a compressed stream does not hold a tar archive.
var ErrNotTar = errors.New("release: not a tar archive")

// ProblemKind says what a [Problem] of a tarball is.
type ProblemKind uint8

// Problems TarReader reports.
const (
	// ProblemMalformed results when a header or the compressed stream
	// cannot be read: the rest of the archive is not read.
	ProblemMalformed ProblemKind = iota + 1
	// ProblemInsecurePath results when an entry's name is absolute, holds
	// "..", a backslash or an empty element: the entry is not returned.
	ProblemInsecurePath
	// ProblemDuplicate results when a name is used by two entries that are
	// not both directories; both are returned (extractors keep the last).
	ProblemDuplicate
	// ProblemHardlink results when a hard link's target is not an earlier
	// file of the archive: the link is not returned.
	ProblemHardlink
	// ProblemTrailingData results when non-zero bytes follow the
	// end-of-archive marker, or bytes follow the compressed stream (a
	// second gzip member, xz stream or zstd frame, or anything else).
	ProblemTrailingData
	// ProblemHiddenData results when an entry's padding to 512 bytes is not
	// zero (a GNU sparse file's, and its 1.0 map's block: checkSparse), or
	// the gzip header carries an extra field or a comment: bytes no
	// extractor writes to a file.
	ProblemHiddenData
	// ProblemTooLarge results when the archive expands past its budget or
	// holds more than MaxEntries entries: the rest is not read.
	ProblemTooLarge
)

// Problem is something wrong with a tarball that its entries do not show.
type Problem struct {
	Kind ProblemKind
	// Index counts the entries read before it (0 for the first); Name is
	// the entry's name as the header gives it, "" for the archive.
	Index int
	Name  string
	// Offset is where the problem starts, -1 when unknown: in the file,
	// or, when InStream is set, in the decompressed tar stream.
	Offset   int64
	InStream bool
	// Err is the underlying error of a ProblemMalformed.
	Err     error
	Message string
}

// EntryType is what a tar entry is.
type EntryType uint8

// Entry types.
const (
	TypeFile EntryType = iota
	TypeDir
	TypeSymlink
	// TypeHardlink is a hard link to an earlier file of the archive,
	// named by Link.
	TypeHardlink
	// TypeSpecial is a device, FIFO or an entry of a type tar extractors
	// disagree on; Special describes it. An entry of a type no standard
	// defines that extractors write as a regular file is a TypeFile (and
	// a problem).
	TypeSpecial
)

// Entry is one member of a tarball.
type Entry struct {
	// Name is the entry's path in the archive: relative, "/"-separated,
	// without a leading "./" or a trailing "/".
	Name string
	// Header is the header as archive/tar read it.
	Header *tar.Header
	Type   EntryType
	// Size is the file's size (TypeFile).
	Size int64
	// Link is a symbolic link's target as written, or a hard link's
	// target entry name.
	Link string
	// LinkEscapes reports a symbolic link whose target is absolute or
	// leaves the archive.
	LinkEscapes bool
	// Special describes a TypeSpecial entry ("character device", …).
	Special string
	// Offset is where the entry's header starts in the tar stream.
	Offset int64
	// Source reads a file's bytes, until the next call to Next: a
	// [Window] into the archive when it is not compressed, a [Stream]
	// otherwise; nil for other types.
	Source Source
}

// TarOptions bounds a [TarReader]. The zero value is safe.
type TarOptions struct {
	// Take charges n bytes of the decompressed stream against an
	// expansion budget and reports whether they were left. Nil means a
	// budget of ExpansionRatio times the archive's size, at least
	// MinExpansion bytes.
	Take func(n int64) bool
	// MaxEntries bounds the entries read; zero means DefaultMaxEntries.
	MaxEntries int
}

// DefaultMaxEntries bounds the entries of a tarball when
// TarOptions.MaxEntries is zero.
const DefaultMaxEntries = 1 << 21

// Bounds on a zstd frame: the window a decoder must keep (zstd --long=27
// and below; the format allows 3.75 TiB) and the memory it may use.
const (
	maxZstdWindow = 128 << 20
	maxZstdMemory = 1 << 30
)

// TarReader reads the entries of a tarball one after the other, checking
// what extractors disagree on and which bytes no entry holds.
type TarReader struct {
	r     io.ReaderAt
	size  int64
	comp  Compression
	tr    *tar.Reader
	pos   *posReader
	take  func(int64) bool
	max   int
	close func()

	// after checks the compressed stream once the tar stream is read.
	after func() []Problem

	index    int
	seen     map[string]EntryType
	files    map[string]string // file or hard link name -> file name
	problems []Problem
	done     bool
	// dataEnd is where the last entry's data ends in the tar stream, and
	// watch whether its padding is checked.
	dataEnd int64
	watch   bool
}

// OpenTar opens the tarball of size bytes at r, plain or compressed (see
// Compression). It returns ErrNotTar when a compressed stream does not
// start with a tar header; other errors say the stream cannot be read.
func OpenTar(r io.ReaderAt, size int64, opts TarOptions) (*TarReader, error) {
	var head [filekind.TarBlock]byte
	n, _ := r.ReadAt(head[:], 0)
	comp, ok := TarCompression(head[:n])
	if !ok {
		return nil, ErrNotTar
	}
	t := &TarReader{r: r, size: size, comp: comp, take: opts.Take, max: opts.MaxEntries,
		seen: map[string]EntryType{}, files: map[string]string{}}
	if t.take == nil {
		t.take = NewExpansion(size).Take
	}
	if t.max <= 0 {
		t.max = DefaultMaxEntries
	}
	var stream io.Reader
	switch comp {
	case None:
		sr := io.NewSectionReader(r, 0, size)
		t.pos = &posReader{r: sr, ra: r, seek: sr, hidden: -1}
		t.tr = tar.NewReader(seekPosReader{t.pos})
		return t, nil
	case Gzip:
		cr := &countReader{r: io.NewSectionReader(r, 0, size)}
		br := bufio.NewReaderSize(cr, 64<<10)
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(false)
		stream = zr
		t.after = func() []Problem { return t.afterGzip(zr, cr, br) }
	case XZ:
		cr := &countReader{r: io.NewSectionReader(r, 0, size)}
		xr, err := xz.ReaderConfig{SingleStream: true}.NewReader(cr)
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		stream = xr
	case Zstd:
		skipped, end, err := zstdFrameEnd(r, size)
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if skipped > 0 {
			t.problem(Problem{Kind: ProblemHiddenData, Offset: -1,
				Message: fmt.Sprintf("the zstd stream starts with %d bytes of skippable frames, which decoders pass over unseen and no extractor writes to a file", skipped)})
		}
		d, err := zstd.NewReader(io.NewSectionReader(r, 0, end), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(maxZstdMemory))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		t.close = d.Close
		stream = d
		if end < size {
			t.after = func() []Problem {
				return []Problem{{Kind: ProblemTrailingData, Offset: end, Index: t.index,
					Message: fmt.Sprintf("%d bytes follow the zstd frame at offset %d (%s); extractors that read every frame see them", size-end, end, zstdWhat(r, end))}}
			}
		}
	}
	br := bufio.NewReaderSize(stream, 64<<10)
	first, err := br.Peek(filekind.TarBlock)
	if err != nil && len(first) < filekind.TarBlock {
		t.Close()
		if err == io.EOF {
			return nil, ErrNotTar // a short stream, cleanly ended
		}
		return nil, fmt.Errorf("%s: %w", comp, err)
	}
	if !filekind.IsTarHeader(first) {
		t.Close()
		return nil, ErrNotTar
	}
	t.pos = &posReader{r: br, hidden: -1}
	t.tr = tar.NewReader(t.pos)
	return t, nil
}

// Compression returns the tarball's compression.
func (t *TarReader) Compression() Compression { return t.comp }

// Close releases the decompressor.
func (t *TarReader) Close() {
	if t.close != nil {
		t.close()
		t.close = nil
	}
}

// Problems returns the problems found since the last call.
func (t *TarReader) Problems() []Problem {
	p := t.problems
	t.problems = nil
	return p
}

func (t *TarReader) problem(p Problem) {
	if p.Index == 0 {
		p.Index = t.index
	}
	p.InStream = p.InStream || (t.comp != None && p.Offset >= 0)
	t.problems = append(t.problems, p)
}

// Next returns the next entry, or io.EOF once the archive is read (or can
// be read no further: the problems say why). Entries with insecure names
// and dangling hard links are not returned; their problems are.
func (t *TarReader) Next() (*Entry, error) {
	for !t.done {
		e, err := t.next()
		if err != nil {
			t.finish(err)
			return nil, io.EOF
		}
		if e != nil {
			return e, nil
		}
	}
	return nil, io.EOF
}

// finish ends the archive: after its end-of-archive marker, the rest of the
// tar stream must be zeros, and nothing may follow the compressed stream.
func (t *TarReader) finish(err error) {
	t.done = true
	defer t.Close()
	if err != io.EOF {
		if err != errStop {
			t.problem(Problem{Kind: ProblemMalformed, Offset: t.pos.pos, Err: err,
				Message: fmt.Sprintf("tar entry %d cannot be read at offset %d: %v; the rest of the archive was not read", t.index, t.pos.pos, err)})
		}
		return
	}
	t.checkPadding()
	start := t.pos.pos
	buf := make([]byte, 64<<10)
	for {
		n, err := t.pos.Read(buf)
		if n > 0 {
			if !t.take(int64(n)) {
				t.problem(Problem{Kind: ProblemTooLarge, Offset: t.pos.pos,
					Message: fmt.Sprintf("the tar stream goes on after its end-of-archive marker at offset %d past the archive's expansion budget (a decompression bomb?); the rest was not read", start)})
				return
			}
			if i := nonZeroAt(buf[:n]); i >= 0 {
				at := t.pos.pos - int64(n) + int64(i)
				t.problem(Problem{Kind: ProblemTrailingData, Offset: at,
					Message: fmt.Sprintf("non-zero bytes at offset %d follow the tar end-of-archive marker; tools that read past it (tar --ignore-zeros) find what was not checked", at)})
				return
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errXZTrailing) {
				t.problem(Problem{Kind: ProblemTrailingData, Offset: -1,
					Message: "bytes follow the xz stream; extractors that read every stream see them"})
			} else {
				t.problem(Problem{Kind: ProblemMalformed, Offset: t.pos.pos, Err: err,
					Message: fmt.Sprintf("the %s stream cannot be read after the tar end-of-archive marker: %v", t.comp, err)})
			}
			return
		}
	}
	if t.after != nil {
		for _, p := range t.after() {
			t.problem(p)
		}
	}
}

func nonZeroAt(b []byte) int {
	for i, c := range b {
		if c != 0 {
			return i
		}
	}
	return -1
}

// checkHeaderUnused reports non-zero bytes in the unused fields of the
// header block at offset at, the last block archive/tar read: past a V7
// header's link name (but for the device numbers GNU tar writes there in
// octal), and a ustar, pax or GNU header's final pad (a star header's pad
// before its "tar" trailer). No extractor reads them.
func (t *TarReader) checkHeaderUnused(idx int, at int64) {
	if t.pos.lastN < filekind.TarBlock {
		return
	}
	t.checkHeaderBlock(idx, t.pos.last[:], at)
}

// checkHeaderBlock reports non-zero bytes in the unused fields of the
// header block b, at offset at (see checkHeaderUnused), or after the end
// of one of its fields (checkFieldTails).
func (t *TarReader) checkHeaderBlock(idx int, b []byte, at int64) {
	type field struct{ lo, hi int }
	var unused []field
	var form []headerField
	switch {
	case string(b[257:263]) == "ustar\x00" && string(b[508:512]) == "tar\x00": // star
		unused, form = []field{{500, 508}}, starFields
	case string(b[257:263]) == "ustar\x00":
		unused, form = []field{{500, 512}}, posixFields
	case string(b[257:265]) == "ustar  \x00":
		unused, form = []field{{495, 512}}, gnuFields
	case octalField(b[329:345]):
		unused, form = []field{{257, 329}, {345, 512}}, v7DevFields
	default:
		unused, form = []field{{257, 512}}, v7Fields
	}
	for _, f := range unused {
		if i := nonZeroAt(b[f.lo:f.hi]); i >= 0 {
			t.problem(Problem{Kind: ProblemHiddenData, Offset: at + int64(f.lo+i), Index: idx,
				Message: fmt.Sprintf("tar entry %d's header holds non-zero bytes in its unused field [%d, %d) (the first at offset %d), which no extractor reads", idx, f.lo, f.hi, at+int64(f.lo+i))})
			return
		}
	}
	t.checkFieldTails(idx, b, at, form)
}

// octalField reports whether b holds only octal digits, spaces and NULs,
// as a numeric header field does.
func octalField(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '7') && c != ' ' && c != 0 {
			return false
		}
	}
	return true
}

// errStop ends the archive after a problem already reported.
var errStop = errors.New("stop")

// errXZTrailing is what the xz reader returns for data after its stream.
var errXZTrailing = errors.New("xz: unexpected data after stream")

// checkPadding reports non-zero bytes between the end of the last entry's
// data and the next 512-byte boundary, which archive/tar skips unread.
func (t *TarReader) checkPadding() {
	if !t.watch {
		return
	}
	t.watch = false
	if at := t.pos.hidden; at >= 0 {
		t.pos.hidden = -1
		t.problem(Problem{Kind: ProblemHiddenData, Offset: at, Index: t.index - 1,
			Message: fmt.Sprintf("the padding after tar entry %d's data holds non-zero bytes at offset %d, which no extractor writes to a file", t.index-1, at)})
	}
}

// next reads the next header and returns its entry: nil with a nil error
// for a header that is no entry (a global pax header, the root "./", an
// insecure name or a dangling hard link, the last two reported), errStop
// after a problem that ends the archive.
func (t *TarReader) next() (*Entry, error) {
	hdr, idx, start, err := t.readHeader()
	if err != nil {
		return nil, err
	}
	if err := t.checkRecords(hdr, idx, start); err != nil {
		return nil, err
	}
	sparse := hdr.Typeflag == tar.TypeGNUSparse || hasSparse(hdr)
	dataStart := t.pos.pos
	hb := t.checkMetaHeaders(hdr, idx, start, sparse)
	if err := t.checkHeaderName(hdr, idx, start, hb); err != nil {
		return nil, err
	}
	if !sparse && hdr.Typeflag != tar.TypeXGlobalHeader { // archive/tar returns those after reading their records
		t.checkHeaderUnused(idx, dataStart-filekind.TarBlock)
	}
	t.dataEnd, t.watch = dataStart+hdr.Size, !sparse
	if sparse && hdr.Typeflag != tar.TypeXGlobalHeader {
		t.dataEnd, t.watch = t.checkSparse(hdr, idx, start)
	}
	if skip, err := t.checkType(hdr, idx, start, dataStart); skip || err != nil {
		return nil, err
	}
	name, ok := cleanName(hdr.Name)
	if !ok {
		t.problem(Problem{Kind: ProblemInsecurePath, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d has an unsafe name %q (absolute, escaping the archive, or with a backslash or an empty element)", idx, hdr.Name)})
		return nil, nil
	}
	if name == "" {
		return nil, nil // the archive's root directory, "./"
	}
	e := t.newEntry(hdr, name, idx, start, dataStart, sparse)
	if e == nil {
		return nil, nil
	}
	t.record(e, idx, start)
	return e, nil
}

// readHeader reads the next header (idx, starting at offset start of the
// tar stream), checking the padding of the entry before, the entry count
// and the header's size against the expansion budget.
func (t *TarReader) readHeader() (hdr *tar.Header, idx int, start int64, err error) {
	if t.index >= t.max {
		t.problem(Problem{Kind: ProblemTooLarge, Offset: t.pos.pos,
			Message: fmt.Sprintf("the tar archive holds more than %d entries; the rest were not read", t.max)})
		return nil, 0, 0, errStop
	}
	if t.watch {
		t.pos.ws, t.pos.we = t.dataEnd, (t.dataEnd+filekind.TarBlock-1)/filekind.TarBlock*filekind.TarBlock
	}
	start = t.pos.pos
	t.pos.rec.reset((t.dataEnd + filekind.TarBlock - 1) / filekind.TarBlock * filekind.TarBlock)
	hdr, err = t.tr.Next()
	t.pos.rec.stop()
	t.checkPadding()
	t.pos.ws, t.pos.we = 0, 0
	if err != nil {
		return nil, 0, 0, err // io.EOF at the end-of-archive marker or a clean end
	}
	idx = t.index
	t.index++
	if hdr.Size < 0 {
		return nil, 0, 0, fmt.Errorf("negative size %d", hdr.Size)
	}
	if !t.take(t.pos.pos - start + hdr.Size) {
		t.problem(Problem{Kind: ProblemTooLarge, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d (%q) declares %d bytes, past the archive's expansion budget (%d times its size, at least %d bytes; a decompression bomb?); the rest of the archive was not read", idx, hdr.Name, hdr.Size, ExpansionRatio, int64(MinExpansion))})
		return nil, 0, 0, errStop
	}
	return hdr, idx, start, nil
}

// checkRecords reports the header's pax records that extractors read
// differently, or not at all: errStop when the archive cannot be read on.
func (t *TarReader) checkRecords(hdr *tar.Header, idx int, start int64) error {
	if v, ok := hdr.PAXRecords[sunHoles]; ok {
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d carries a pax record %s (%q), a Solaris sparse map: bsdtar writes zeros over the holes it names, archive/tar and GNU tar ignore it, so the file bsdtar installs is not the one checked", idx, sunHoles, v)})
	}
	if k, n := unknownPAX(hdr); k != "" {
		t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d carries a pax record %q of %d bytes that no extractor writes to a file", idx, k, n)})
	}
	if k, name, n := hiddenXattr(hdr); k != "" {
		t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: start, Message: xattrProblemMessage(idx, k, name, n)})
	}
	if k, v := longNameConflict(hdr); k != "" && hdr.Typeflag != tar.TypeXGlobalHeader {
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d has both a GNU long name header and a pax %s record (%q) that disagree: archive/tar takes %q, GNU tar the pax record, bsdtar whichever comes last; the rest of the archive was not read", idx, k, v, longNameOf(hdr, k))})
		return errStop
	}
	if v, ok := hdr.PAXRecords["SCHILY.realsize"]; ok && v != strconv.FormatInt(hdr.Size, 10) {
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d's pax record SCHILY.realsize (%q) is not its size, %d bytes: bsdtar cuts or pads the file it extracts to that size, archive/tar and GNU tar do not, so the file installed is not the one checked; the rest of the archive was not read", idx, v, hdr.Size)})
		return errStop
	}
	return nil
}

// checkType checks what the header's type requires: skip for a global pax
// header, errStop for one extractors read otherwise; a link's data ends at
// dataStart.
func (t *TarReader) checkType(hdr *tar.Header, idx int, start, dataStart int64) (skip bool, err error) {
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		if k := globalLayoutRecord(hdr); k != "" {
			t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
				Message: fmt.Sprintf("tar entry %d is a global pax header whose %q record applies to every entry after it in GNU tar (one name, one link target or one size for all) and is ignored by archive/tar and bsdtar, so the entries extracted are not those checked; the rest of the archive was not read", idx, k)})
			return false, errStop
		}
		return true, nil
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		if strings.HasSuffix(hdr.Name, "/") && hdr.Size > 0 {
			t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
				Message: fmt.Sprintf("tar entry %d (%q) is a file whose name ends in a slash, with %d bytes of data: GNU tar and bsdtar extract it as a directory and read its data as the entries that follow, archive/tar as a file holding them; the rest of the archive was not read", idx, hdr.Name, hdr.Size)})
			return false, errStop
		}
	case tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		if hdr.Size > 0 {
			t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
				Message: fmt.Sprintf("tar entry %d (%q) is a %s declaring %d bytes of data: npm's node-tar (and GNU tar when it lists) reads them as the entry's data and skips them, archive/tar and GNU tar when it extracts read them as the entries that follow, so a package installed by npm holds entries that were not checked; the rest of the archive was not read", idx, hdr.Name, typeName(hdr.Typeflag), hdr.Size)})
			return false, errStop
		}
		t.dataEnd = dataStart
	case tar.TypeLink:
		if hdr.Size > 0 {
			t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
				Message: fmt.Sprintf("tar entry %d (%q) is a hard link to %q declaring %d bytes of data: bsdtar (libarchive, the tar of macOS) reads them as the link's data and writes them into the file both names share, archive/tar and GNU tar read them as the entries that follow; the rest of the archive was not read", idx, hdr.Name, hdr.Linkname, hdr.Size)})
			return false, errStop
		}
		t.dataEnd = dataStart // links hold no data for archive/tar
	}
	return false, nil
}

// newEntry returns the entry of the header, named name (its data at
// dataStart), or nil for a hard link to no file before it (reported).
func (t *TarReader) newEntry(hdr *tar.Header, name string, idx int, start, dataStart int64, sparse bool) *Entry {
	e := &Entry{Name: name, Header: hdr, Offset: start}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeCont, tar.TypeGNUSparse:
		e.Type, e.Size = TypeFile, hdr.Size
		if t.comp == None && !sparse {
			e.Source = NewSection(t.r, dataStart, hdr.Size)
		} else {
			e.Source = NewStream(t.tr)
		}
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type, e.Link, e.LinkEscapes = TypeSymlink, hdr.Linkname, LinkEscapes(name, hdr.Linkname)
	case tar.TypeLink:
		target, ok := cleanName(hdr.Linkname)
		file, found := t.files[target]
		if !ok || !found {
			t.problem(Problem{Kind: ProblemHardlink, Index: idx, Name: name, Offset: start,
				Message: fmt.Sprintf("hard link to %q, which precedes it in no entry", hdr.Linkname)})
			return nil
		}
		e.Type, e.Link = TypeHardlink, file
	default:
		if !extractedAsFile(hdr.Typeflag) {
			e.Type, e.Special = TypeSpecial, specialName(hdr)
			break
		}
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: name, Offset: start,
			Message: fmt.Sprintf("tar entry %d (%q) has type %q, which no standard defines and GNU tar and bsdtar extract as a regular file; it was checked as one", idx, name, hdr.Typeflag)})
		e.Type, e.Size = TypeFile, hdr.Size
		e.Source = NewStream(t.tr)
		if t.comp == None && !sparse {
			e.Source = NewSection(t.r, dataStart, hdr.Size)
		}
	}
	return e
}

// extractedAsFile reports whether GNU tar and bsdtar both extract an entry
// of the tar type flag, one archive/tar gives no meaning to, as a regular
// file with its data: a digit or letter of no type they know ("Unknown
// file type, extracted as normal file"), but for devices and FIFOs ('3',
// '4', '6') and the vendor types one of them reads otherwise (Solaris
// ACLs 'A' and extended headers 'X', GNU dump folders 'D', multi-volume
// continuations 'M' and volume labels 'V').
func extractedAsFile(flag byte) bool {
	alnum := flag >= '0' && flag <= '9' || flag >= 'A' && flag <= 'Z' || flag >= 'a' && flag <= 'z'
	return alnum && !strings.ContainsRune("3456ADMVX", rune(flag))
}

// record notes the entry's name: a second entry of a name (not two
// directories) is reported, and hard links resolve to the files recorded.
func (t *TarReader) record(e *Entry, idx int, start int64) {
	name := e.Name
	if prev, dup := t.seen[name]; dup && (prev != TypeDir || e.Type != TypeDir) {
		t.problem(Problem{Kind: ProblemDuplicate, Index: idx, Name: name, Offset: start,
			Message: fmt.Sprintf("tar archive holds more than one entry named %q; extractors keep the last", name)})
	}
	t.seen[name] = e.Type
	switch e.Type {
	case TypeFile:
		t.files[name] = name
	case TypeHardlink:
		t.files[name] = e.Link
	default:
		delete(t.files, name)
	}
}

// sunHoles is the pax record of Solaris' sparse map (" hole data hole
// ..." offsets), which libarchive applies (solaris_sparse_parse).
const sunHoles = "SUN.holesdata"

// unknownPAX returns the first (by key) pax record of h that is not one
// extractors apply to the file (POSIX.1-2017 pax keywords for names, ids,
// sizes and times; GNU sparse maps; the extended attributes, ACLs and
// other vendorRecord records bsdtar and GNU tar store), with its length: a "comment" record, or any vendor's, is
// bytes carried by the archive that no check reads.
func unknownPAX(h *tar.Header) (string, int) {
	var bad []string
	for k := range h.PAXRecords {
		switch k {
		case "path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime", "atime", "ctime", "charset", "hdrcharset":
			continue
		case "comment":
			if h.Typeflag == tar.TypeXGlobalHeader && gitObjectID(h.PAXRecords[k]) {
				continue // git archive names the commit it archived
			}
		}
		if strings.HasPrefix(k, "GNU.sparse.") || vendorRecord(k) || k == sunHoles {
			continue
		}
		bad = append(bad, k)
	}
	if len(bad) == 0 {
		return "", 0
	}
	slices.Sort(bad)
	return bad[0], len(h.PAXRecords[bad[0]])
}

// gitObjectID reports whether v is a git object ID, SHA-1 or SHA-256, in
// lower-case hex: what git archive writes as the comment of a tar's global
// pax header when it archives a commit (see git-get-tar-commit-id).
func gitObjectID(v string) bool {
	if len(v) != 40 && len(v) != 64 {
		return false
	}
	for i := range len(v) {
		if c := v[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// longNameConflict returns the pax record (path or linkpath) and its value
// when it differs from the entry's name or link target as archive/tar
// gives it: archive/tar lets a GNU long name ('L') or long link ('K')
// header win over the pax record, GNU tar lets the pax record win, and
// bsdtar takes the later of the two, so each extracts another name.
func longNameConflict(h *tar.Header) (string, string) {
	if v, ok := h.PAXRecords["path"]; ok && v != h.Name {
		return "path", v
	}
	if v, ok := h.PAXRecords["linkpath"]; ok && v != h.Linkname {
		return "linkpath", v
	}
	return "", ""
}

// longNameOf returns the name (k "path") or link target of h.
func longNameOf(h *tar.Header, k string) string {
	if k == "path" {
		return h.Name
	}
	return h.Linkname
}

// globalLayoutRecord returns the first (by key) record of a global pax
// header that sets where or what the entries after it are: their name,
// link target, size or sparse map, "" when there is none. GNU tar applies
// such records to every later entry; archive/tar and libarchive do not.
func globalLayoutRecord(h *tar.Header) string {
	var bad []string
	for k := range h.PAXRecords {
		if k == "path" || k == "linkpath" || k == "size" || strings.HasPrefix(k, "GNU.sparse.") {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	return bad[0]
}

func hasSparse(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// typeName names a symbolic link, a device or a FIFO.
func typeName(flag byte) string {
	if flag == tar.TypeSymlink {
		return "symbolic link"
	}
	return specialName(&tar.Header{Typeflag: flag})
}

func specialName(h *tar.Header) string {
	switch h.Typeflag {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("tar type %q", h.Typeflag)
}

// cleanName returns a tar member name as a path inside the archive: without
// leading "./" and a trailing "/", "" for the root; ok is false for names
// that are absolute, leave the archive, hold a backslash (a separator on
// Windows) or an empty or "." element.
func cleanName(n string) (string, bool) {
	for strings.HasPrefix(n, "./") {
		n = strings.TrimLeft(n[2:], "/")
	}
	n = strings.TrimSuffix(n, "/")
	if n == "" || n == "." {
		return "", true
	}
	if strings.Contains(n, `\`) || !fs.ValidPath(n) {
		return "", false
	}
	return n, true
}

// CleanName is the name check TarReader applies, for callers that list
// archive members themselves.
func CleanName(n string) (string, bool) { return cleanName(n) }

// LinkEscapes reports whether a symbolic link at name (a "/"-separated path
// in its archive or folder) with the given target leaves the archive: an
// absolute target, one from a drive or share (`C:\x`, `\\host\x`), or one
// that climbs above the archive's root. Backslashes separate components, as
// on Windows, where extractors make links too. It looks at the target as
// text; a target that leaves only through other links is not seen here.
func LinkEscapes(name, target string) bool {
	target = strings.ReplaceAll(target, `\`, "/")
	if path.IsAbs(target) || (len(target) >= 2 && target[1] == ':') {
		return true
	}
	j := path.Join(path.Dir(name), target)
	return j == ".." || strings.HasPrefix(j, "../")
}

// afterGzip checks the gzip member once its data is read: its header's
// extra field and comment, and what follows it in the file.
func (t *TarReader) afterGzip(zr *gzip.Reader, cr *countReader, br *bufio.Reader) []Problem {
	var out []Problem
	if len(zr.Header.Extra) > 0 || zr.Header.Comment != "" {
		out = append(out, Problem{Kind: ProblemHiddenData, Offset: 10,
			Message: fmt.Sprintf("the gzip header carries %d bytes of extra field and a %d-byte comment, which no extractor writes to a file", len(zr.Header.Extra), len(zr.Header.Comment))})
	}
	end := cr.n - int64(br.Buffered())
	if end < t.size {
		var b [2]byte
		n, _ := t.r.ReadAt(b[:], end)
		what := "bytes that are not a gzip member"
		if n == 2 && string(b[:]) == "\x1f\x8b" {
			what = "another gzip member, which gunzip and tar -z decompress and append to the archive"
		}
		out = append(out, Problem{Kind: ProblemTrailingData, Offset: end,
			Message: fmt.Sprintf("%d bytes follow the gzip member at offset %d: %s", t.size-end, end, what)})
	}
	return out
}

// zstdFrameEnd returns where the Zstandard frame at the start of r ends
// (RFC 8878, 3.1.1): its header, blocks up to the one marked last, and the
// optional checksum, after the skippable frames before it (of skipped
// bytes in all). The decoder reads every frame of a file and skips
// skippable frames unseen; only the first frame is decompressed, and what
// follows it is reported.
func zstdFrameEnd(r io.ReaderAt, size int64) (skipped, end int64, err error) {
	var h [18]byte
	n, _ := r.ReadAt(h[:8], 0)
	for n == 8 && filekind.IsZstdSkippable(h[:8]) {
		skipped += 8 + int64(binary.LittleEndian.Uint32(h[4:8]))
		if skipped > size {
			return 0, 0, fmt.Errorf("skippable frame at offset 0 runs past the file")
		}
		n, _ = r.ReadAt(h[:8], skipped)
	}
	off := skipped
	n, _ = r.ReadAt(h[:], off)
	if n < 6 || string(h[:4]) != zstdMagicStr {
		return 0, 0, fmt.Errorf("no frame at offset %d", off)
	}
	fhd := h[4]
	if fhd&0x08 != 0 {
		return 0, 0, errors.New("reserved bit set in the frame header")
	}
	single := fhd&0x20 != 0
	off += 5
	if !single {
		off++
	}
	off += [4]int64{0, 1, 2, 4}[fhd&3]
	fcs := [4]int64{0, 2, 4, 8}[fhd>>6]
	if fhd>>6 == 0 && single {
		fcs = 1
	}
	off += fcs
	for {
		var b [3]byte
		if n, _ := r.ReadAt(b[:], off); n < 3 {
			return 0, 0, fmt.Errorf("block header at offset %d runs past the file", off)
		}
		v := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
		last, typ, bsize := v&1 != 0, (v>>1)&3, int64(v>>3)
		off += 3
		switch typ {
		case 0, 2:
			off += bsize
		case 1:
			off++
		default:
			return 0, 0, fmt.Errorf("reserved block type at offset %d", off-3)
		}
		if off > size {
			return 0, 0, fmt.Errorf("block at offset %d runs past the file", off)
		}
		if last {
			break
		}
	}
	if fhd&0x04 != 0 {
		off += 4
	}
	if off > size {
		return 0, 0, errors.New("checksum runs past the file")
	}
	return skipped, off, nil
}

const zstdMagicStr = "\x28\xb5\x2f\xfd"

// zstdWhat names what starts at off of r.
func zstdWhat(r io.ReaderAt, off int64) string {
	var b [4]byte
	if n, _ := r.ReadAt(b[:], off); n == 4 {
		m := binary.LittleEndian.Uint32(b[:])
		switch {
		case string(b[:]) == zstdMagicStr:
			return "another zstd frame"
		case m&0xfffffff0 == 0x184d2a50:
			return "a skippable frame, which decoders pass over unseen"
		}
	}
	return "not a zstd frame"
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// posReader tracks the position in the tar stream and looks for non-zero
// bytes in the watched range [ws, we) (an entry's padding) as archive/tar
// reads or skips it.
type posReader struct {
	r      io.Reader
	ra     io.ReaderAt // the stream, when it can be read at offsets
	seek   io.Seeker   // its seeker
	pos    int64
	ws, we int64
	hidden int64 // first non-zero watched byte; -1 none
	// last holds the last lastN (at most 512) bytes read: after
	// archive/tar reads a header, its block.
	last  [512]byte
	lastN int
	// rec records the headers archive/tar reads (see checkSparse).
	rec recorder
}

func (p *posReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.look(b[:n], p.pos)
		p.rec.add(b[:n], p.pos)
		p.pos += int64(n)
		p.keep(b[:n])
	}
	if err != nil && err.Error() == errXZTrailing.Error() {
		err = errXZTrailing
	}
	return n, err
}

// keep appends b to the last bytes read.
func (p *posReader) keep(b []byte) {
	if len(b) >= len(p.last) {
		copy(p.last[:], b[len(b)-len(p.last):])
	} else {
		copy(p.last[:], p.last[len(b):])
		copy(p.last[len(p.last)-len(b):], b)
	}
	p.lastN = min(p.lastN+len(b), len(p.last))
}

func (p *posReader) look(b []byte, at int64) {
	if p.hidden >= 0 {
		return
	}
	lo, hi := max(p.ws, at), min(p.we, at+int64(len(b)))
	for i := lo; i < hi; i++ {
		if b[i-at] != 0 {
			p.hidden = i
			return
		}
	}
}

// seekPosReader lets archive/tar skip a plain tarball's data by seeking; the
// padding skipped is still read, at its offset.
type seekPosReader struct{ *posReader }

func (s seekPosReader) Seek(off int64, whence int) (int64, error) {
	p := s.posReader
	if whence != io.SeekCurrent {
		return 0, errors.New("release: unsupported seek")
	}
	to := p.pos + off
	if lo, hi := max(p.ws, p.pos), min(p.we, to); lo < hi {
		b := make([]byte, hi-lo)
		if n, _ := p.ra.ReadAt(b, lo); n == len(b) {
			p.look(b, lo)
		}
	}
	if _, err := p.seek.Seek(to, io.SeekStart); err != nil {
		return p.pos, err
	}
	p.pos = to
	return to, nil
}

// Rule returns the rule ID of a problem of kind k.
func (k ProblemKind) Rule() signing.Rule {
	switch k {
	case ProblemInsecurePath:
		return RuleInsecurePath
	case ProblemDuplicate:
		return RuleDuplicateEntry
	case ProblemHardlink:
		return RuleTarHardlink
	case ProblemTrailingData:
		return RuleTarTrailingData
	case ProblemHiddenData:
		return RuleTarHiddenData
	case ProblemTooLarge:
		return RuleUnreadable
	}
	return RuleMalformed
}
