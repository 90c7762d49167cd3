package pkg

import (
	"bytes"
	"compress/bzip2"
	"compress/zlib"
	"crypto"
	_ "crypto/md5" // xar checksum algorithms
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/notary"
)

// Limits on what a xar header and table of contents may ask for. They are
// checked before anything is allocated.
const (
	// MaxTOC caps the table of contents, compressed and decompressed.
	MaxTOC = 64 << 20
	// maxEntries caps the files and directories of one table of contents.
	maxEntries = 1 << 20
	// maxDepth caps how deeply <file> elements nest.
	maxDepth = 256
	// maxSignatureSize caps a signature in the heap.
	maxSignatureSize = 1 << 20
	// maxCertificates caps the certificates of one KeyInfo.
	maxCertificates = 64
	// MaxDecoded caps the decoded size of an entry whose data is
	// compressed (a zlib or bzip2 stream can expand a thousandfold):
	// larger ones have their archived checksum checked, not the
	// extracted one.
	MaxDecoded = 256 << 20
)

// Magic starts every xar archive.
const Magic = "xar!"

// headerLen is the length of the fixed header (Apple's xar writes exactly
// this); mackyle's xar appends a NUL-padded checksum name when the
// algorithm is "other".
const headerLen = 28

// ErrNotXar is returned for input that does not start with "xar!".
var ErrNotXar = errors.New("pkg: not a xar archive")

// FormatError reports input that is not a well-formed xar archive.
type FormatError struct {
	// Offset is the file offset the problem is at, -1 when unknown.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return "pkg: " + e.Reason
	}
	return fmt.Sprintf("pkg: %s (at byte 0x%x)", e.Reason, e.Offset)
}

func formatErr(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// Header is a xar archive's fixed header (big-endian).
type Header struct {
	// Size is the header's length: 28, or more with a checksum name.
	Size uint16
	// Version is 1.
	Version uint16
	// TOCLength and TOCSize are the compressed and decompressed lengths of
	// the table of contents.
	TOCLength, TOCSize uint64
	// ChecksumAlgorithm is Apple's number: 0 none, 1 SHA-1, 2 MD5, 3
	// SHA-256 (or, with a name after the fixed header, "other"), 4 SHA-512.
	ChecksumAlgorithm uint32
	// ChecksumName is the name after the fixed header, when there is one.
	ChecksumName string
}

// HeapRef is a range of the heap, relative to its start (the byte after
// the table of contents).
type HeapRef struct {
	Offset, Size int64
}

// Checksum is a digest the table of contents records.
type Checksum struct {
	// Style names the algorithm: "sha1", "sha256", "sha512", "md5".
	Style string
	// Hex is the digest, lowercase hex; empty when absent.
	Hex string
}

// Signature is a <signature> or <x-signature> element of the table of
// contents.
type Signature struct {
	// Style is "RSA" for <signature> and "CMS" for <x-signature> as Apple
	// writes them.
	Style string
	// Extended reports an <x-signature>.
	Extended bool
	// Ref locates the signature bytes in the heap.
	Ref HeapRef
	// Certificates are the DER certificates of KeyInfo/X509Data, leaf
	// first.
	Certificates [][]byte
}

// Entry types.
const (
	TypeFile      = "file"
	TypeDirectory = "directory"
	// TypeHardlink is a hard link: libxar gives the first name of a file
	// the type "hardlink" with link="original" and stores its data there;
	// every other name has link set to the original's id and no data, and
	// extracts as a link to the original.
	TypeHardlink = "hardlink"
)

// Entry is one <file> element of the table of contents.
type Entry struct {
	// ID is the element's id attribute.
	ID string
	// Path is the "/"-joined names from the root; Name its last element.
	Path, Name string
	// Type is "file", "directory", "symlink", "hardlink" or another word.
	Type string
	// Link is the link attribute of <type>: for a hard link, "original"
	// or the id of the entry holding the data.
	Link string
	// Mode is the <mode> element's octal string, if any.
	Mode string
	// Data describes the entry's bytes; nil when it has none.
	Data *Data
	// Unsafe says why the entry's name cannot be used; empty when it can.
	Unsafe string
}

// Data is a <data> element: where an entry's bytes are and how they were
// encoded.
type Data struct {
	// Ref is where the encoded (archived) bytes are in the heap: <offset>
	// and <length>.
	Ref HeapRef
	// Size is the decoded length, <size>.
	Size int64
	// Encoding is the style of <encoding>: "application/octet-stream",
	// "application/x-gzip" (a zlib stream, as xar writes it) or
	// "application/x-bzip2".
	Encoding string
	// Archived is the checksum of the heap bytes; Extracted of the decoded.
	Archived, Extracted Checksum
}

// Problem is something wrong with the archive that does not stop it being
// read; Verify turns each into a finding.
type Problem struct {
	Rule     signing.Rule
	Severity signing.Severity
	// Offset is the file offset, -1 when there is none.
	Offset  int64
	Message string
}

// Reader reads a xar archive (the flat installer package format) over an
// [io.ReaderAt]. NewReader reads the header and the table of contents;
// heap bytes are read when asked for.
type Reader struct {
	r    io.ReaderAt
	size int64
	// Header is the fixed header.
	Header Header
	// Hash is the table of contents checksum's algorithm; zero for none.
	Hash crypto.Hash
	// HeapStart is the file offset of the heap.
	HeapStart int64
	// TOC is the decompressed table of contents (XML).
	TOC []byte
	// TOCChecksum is the <checksum> element's heap range and style; Ref
	// is zero-sized when there is none.
	TOCChecksum struct {
		Style   string
		Ref     HeapRef
		Present bool
	}
	// Signatures are the <signature> and <x-signature> elements, in order.
	Signatures []Signature
	// Entries are the <file> elements, parents before children, in
	// document order.
	Entries []*Entry
	// Problems lists what is wrong without stopping the read.
	Problems []Problem
	// Stapled is what stapler appended after the archive: the archive
	// ends at Stapled.Start, and Size is that end. Nil when the file does
	// not end in a "t8lr" trailer, or its trailers are malformed (a
	// problem; the archive then runs to the end of the file).
	Stapled *notary.PackageTrailers

	tocRaw []byte
	// byID indexes Entries by id for DataEntry; an id two entries share
	// maps to nil.
	byID map[string]*Entry
}

// Size returns the archive's size.
func (x *Reader) Size() int64 { return x.size }

func (x *Reader) problem(rule signing.Rule, sev signing.Severity, off int64, format string, args ...any) {
	x.Problems = append(x.Problems, Problem{Rule: rule, Severity: sev, Offset: off, Message: fmt.Sprintf(format, args...)})
}

// NewReader reads the xar archive of size bytes at r: its header and its
// table of contents, which it decompresses (at most MaxTOC bytes) and
// parses. It returns ErrNotXar when r does not start with "xar!" and a
// *FormatError when the header or table of contents cannot be read.
func NewReader(r io.ReaderAt, size int64) (*Reader, error) {
	var h [headerLen]byte
	if n, _ := r.ReadAt(h[:4], 0); n < 4 || string(h[:4]) != Magic {
		return nil, ErrNotXar
	}
	if size < headerLen {
		return nil, formatErr(0, "file of %d bytes is shorter than the %d-byte xar header", size, headerLen)
	}
	if n, err := r.ReadAt(h[:], 0); n < headerLen {
		return nil, formatErr(0, "reading the xar header: %v", err)
	}
	be := binary.BigEndian
	x := &Reader{r: r, size: size}
	// A stapled package ends in trailers and a ticket that the table of
	// contents does not know: the archive is what precedes them.
	switch st, err := notary.PackageTicket(r, size); {
	case err != nil:
		var fe *notary.FormatError
		if !errors.As(err, &fe) {
			return nil, fmt.Errorf("pkg: %w", err)
		}
		x.problem(RuleNotarizationTicketMalformed, signing.SeverityError, fe.Offset, "the file ends in a stapler trailer, but %s: no signature covers those bytes", fe.Reason)
	case st != nil && st.Start >= headerLen:
		x.Stapled, size, x.size = st, st.Start, st.Start
	}
	x.Header = Header{
		Size: be.Uint16(h[4:]), Version: be.Uint16(h[6:]),
		TOCLength: be.Uint64(h[8:]), TOCSize: be.Uint64(h[16:]),
		ChecksumAlgorithm: be.Uint32(h[24:]),
	}
	hd := &x.Header
	if hd.Version != 1 {
		return nil, formatErr(6, "xar header version %d, want 1", hd.Version)
	}
	if hd.Size < headerLen || int64(hd.Size) > size {
		return nil, formatErr(4, "xar header size %d is less than %d or past the end of the file", hd.Size, headerLen)
	}
	if hd.Size > headerLen {
		extra := make([]byte, hd.Size-headerLen)
		if n, err := r.ReadAt(extra, headerLen); n < len(extra) {
			return nil, formatErr(headerLen, "reading the xar header: %v", err)
		}
		if hd.ChecksumAlgorithm == 3 {
			name, _, _ := bytes.Cut(extra, []byte{0})
			hd.ChecksumName = string(name)
			for _, c := range extra[len(name):] {
				if c != 0 {
					return nil, formatErr(headerLen+int64(len(name)), "non-zero bytes after the checksum name in the xar header")
				}
			}
		} else if !allZero(extra) {
			x.problem(RuleUnownedHeapData, signing.SeverityError, headerLen, "%d header bytes after the fixed xar header are not zero and mean nothing", len(extra))
		}
	}
	var err error
	if x.Hash, err = headerHash(hd); err != nil {
		return nil, formatErr(24, "%v", err)
	}
	if hd.TOCLength == 0 || hd.TOCLength > MaxTOC || hd.TOCSize == 0 || hd.TOCSize > MaxTOC {
		return nil, formatErr(8, "table of contents of %d bytes (%d decompressed) is empty or over the %d-byte limit", hd.TOCLength, hd.TOCSize, MaxTOC)
	}
	x.HeapStart = int64(hd.Size) + int64(hd.TOCLength)
	if x.HeapStart > size {
		return nil, formatErr(8, "table of contents of %d bytes runs past the end of the %d-byte file", hd.TOCLength, size)
	}
	x.tocRaw = make([]byte, hd.TOCLength)
	if n, err := r.ReadAt(x.tocRaw, int64(hd.Size)); n < len(x.tocRaw) {
		return nil, formatErr(int64(hd.Size), "reading the table of contents: %v", err)
	}
	tr := bytes.NewReader(x.tocRaw)
	zr, err := zlib.NewReader(tr)
	if err != nil {
		return nil, formatErr(int64(hd.Size), "table of contents is not a zlib stream: %v", err)
	}
	x.TOC, err = io.ReadAll(io.LimitReader(zr, int64(hd.TOCSize)+1))
	if err != nil {
		return nil, formatErr(int64(hd.Size), "decompressing the table of contents: %v", err)
	}
	if uint64(len(x.TOC)) != hd.TOCSize {
		return nil, formatErr(16, "table of contents decompresses to %d bytes or more, the header says %d", len(x.TOC), hd.TOCSize)
	}
	// The zlib stream must end the compressed table: bytes after it are
	// covered by the checksum but mean nothing to a reader.
	if rest, _ := io.Copy(io.Discard, zr); rest != 0 {
		return nil, formatErr(16, "table of contents decompresses to more than the %d bytes the header says", hd.TOCSize)
	}
	if tr.Len() > 0 {
		at := int64(hd.Size) + int64(len(x.tocRaw)-tr.Len())
		x.problem(RuleUnownedHeapData, signing.SeverityWarning, at, "%d bytes after the table of contents' zlib stream mean nothing (the checksum covers them, no reader reads them)", tr.Len())
	}
	if err := x.parseTOC(); err != nil {
		return nil, err
	}
	x.checkHeap()
	return x, nil
}

// headerHash maps the header's checksum algorithm to a hash.
func headerHash(h *Header) (crypto.Hash, error) {
	if h.ChecksumName != "" {
		if hh, ok := hashByName(h.ChecksumName); ok && hh != crypto.MD5 {
			return hh, nil
		}
		return 0, fmt.Errorf("checksum algorithm %q is not supported", h.ChecksumName)
	}
	switch h.ChecksumAlgorithm {
	case 0:
		return 0, nil
	case 1:
		return crypto.SHA1, nil
	case 2:
		return crypto.MD5, nil
	case 3:
		return crypto.SHA256, nil
	case 4:
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("unknown checksum algorithm %d", h.ChecksumAlgorithm)
}

// hashByName maps a checksum style to a hash.
func hashByName(s string) (crypto.Hash, bool) {
	switch strings.ToLower(s) {
	case "sha1":
		return crypto.SHA1, true
	case "sha256":
		return crypto.SHA256, true
	case "sha512":
		return crypto.SHA512, true
	case "md5":
		return crypto.MD5, true
	}
	return 0, false
}

// newHash returns a hash of algorithm h, nil for none. The algorithms
// hashByName knows are linked in by this file's imports.
func newHash(h crypto.Hash) hash.Hash {
	if h == 0 || !h.Available() {
		return nil
	}
	return h.New()
}

// hashName names h as reports do.
func hashName(h crypto.Hash) string {
	if h == 0 {
		return "none"
	}
	return cms.HashName(h)
}

// The table of contents as encoding/xml reads it. Elements that must occur
// at most once are read as slices, so that a second copy (which another
// reader might take instead of the first) is caught.
type xmlXar struct {
	TOC []xmlTOC `xml:"toc"`
}

type xmlTOC struct {
	Checksum    []xmlHeapItem `xml:"checksum"`
	Signatures  []xmlHeapItem `xml:"signature"`
	XSignatures []xmlHeapItem `xml:"x-signature"`
	Files       []xmlFile     `xml:"file"`
}

type xmlHeapItem struct {
	Style  string   `xml:"style,attr"`
	Offset []string `xml:"offset"`
	Size   []string `xml:"size"`
	Certs  []string `xml:"KeyInfo>X509Data>X509Certificate"`
}

type xmlName struct {
	Value   string `xml:",chardata"`
	Enctype string `xml:"enctype,attr"`
}

type xmlFile struct {
	ID    string    `xml:"id,attr"`
	Name  []xmlName `xml:"name"`
	Type  []xmlType `xml:"type"`
	Mode  []string  `xml:"mode"`
	Data  []xmlData `xml:"data"`
	Files []xmlFile `xml:"file"`
}

type xmlType struct {
	Value string `xml:",chardata"`
	Link  string `xml:"link,attr"`
}

type xmlData struct {
	Offset    []string      `xml:"offset"`
	Length    []string      `xml:"length"`
	Size      []string      `xml:"size"`
	Encoding  []xmlStyle    `xml:"encoding"`
	Archived  []xmlChecksum `xml:"archived-checksum"`
	Extracted []xmlChecksum `xml:"extracted-checksum"`
}

type xmlStyle struct {
	Style string `xml:"style,attr"`
}

type xmlChecksum struct {
	Style string `xml:"style,attr"`
	Value string `xml:",chardata"`
}

// parseTOC reads the table of contents. Offsets in its errors are that of
// the compressed table, since XML positions are not file offsets.
func (x *Reader) parseTOC() error {
	at := int64(x.Header.Size)
	if el := splitText(x.TOC); el != "" {
		// libxar keeps an element's last text node and skips CDATA
		// sections; encoding/xml joins them all. No writer splits a
		// value, and a split one names one file to the installer and
		// another here.
		return formatErr(at, "table of contents element <%s> holds text split by a comment, processing instruction or CDATA section, which XML readers join differently", el)
	}
	d := xml.NewDecoder(bytes.NewReader(x.TOC))
	// Only the predefined entities; no DTD is ever fetched.
	d.Strict = true
	var doc xmlXar
	if err := d.Decode(&doc); err != nil {
		return formatErr(at, "table of contents is not XML: %v", err)
	}
	if rest, err := d.Token(); err != io.EOF && !isSpace(rest) {
		return formatErr(at, "table of contents holds more than one root element")
	}
	if len(doc.TOC) != 1 {
		return formatErr(at, "table of contents has %d <toc> elements, want 1", len(doc.TOC))
	}
	t := doc.TOC[0]
	switch len(t.Checksum) {
	case 0:
	case 1:
		ref, err := heapRef(at, "<checksum>", t.Checksum[0].Offset, t.Checksum[0].Size)
		if err != nil {
			return err
		}
		x.TOCChecksum.Style, x.TOCChecksum.Ref, x.TOCChecksum.Present = t.Checksum[0].Style, ref, true
	default:
		return formatErr(at, "table of contents has %d <checksum> elements", len(t.Checksum))
	}
	for i, s := range append(append([]xmlHeapItem(nil), t.Signatures...), t.XSignatures...) {
		ext := i >= len(t.Signatures)
		what := "<signature>"
		if ext {
			what = "<x-signature>"
		}
		ref, err := heapRef(at, what, s.Offset, s.Size)
		if err != nil {
			return err
		}
		if ref.Size > maxSignatureSize {
			return formatErr(at, "%s of %d bytes is over the %d-byte limit", what, ref.Size, maxSignatureSize)
		}
		if len(s.Certs) > maxCertificates {
			return formatErr(at, "%s carries %d certificates, over the limit of %d", what, len(s.Certs), maxCertificates)
		}
		sig := Signature{Style: s.Style, Extended: ext, Ref: ref}
		for j, c := range s.Certs {
			der, err := base64.StdEncoding.DecodeString(stripSpace(c))
			if err != nil {
				return formatErr(at, "%s certificate %d is not base64: %v", what, j, err)
			}
			sig.Certificates = append(sig.Certificates, der)
		}
		x.Signatures = append(x.Signatures, sig)
	}
	if err := x.addEntries(t.Files, "", 0); err != nil {
		return err
	}
	x.byID = make(map[string]*Entry, len(x.Entries))
	for _, o := range x.Entries {
		if _, dup := x.byID[o.ID]; dup {
			x.byID[o.ID] = nil // two entries claim the id: which one xar picks is not ours to guess
			continue
		}
		x.byID[o.ID] = o
	}
	return nil
}

// splitText returns the name of the first element of doc whose own text
// comes in more than one piece (text, CDATA sections, around comments or
// processing instructions) with any of them not white space, "" when none
// does or doc does not tokenize (Decode then reports it).
func splitText(doc []byte) string {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	type el struct {
		name string
		textPieces
	}
	var stack []el
	for {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth*4 {
				return "" // Decode bounds the depth it reads
			}
			stack = append(stack, el{name: t.Name.Local})
		case xml.EndElement:
			if len(stack) > 0 {
				e := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if e.split() {
					return e.name
				}
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].charData(t)
			}
		case xml.Comment, xml.ProcInst:
			if len(stack) > 0 {
				// What follows is a new text node to libxml2.
				stack[len(stack)-1].interrupt()
			}
		}
	}
}

func isSpace(t xml.Token) bool {
	switch t := t.(type) {
	case xml.CharData:
		return len(bytes.TrimSpace(t)) == 0
	case xml.Comment, xml.ProcInst:
		return true
	}
	return false
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// one returns the only value of an element that must occur at most once.
func one(at int64, what string, v []string) (string, bool, error) {
	switch len(v) {
	case 0:
		return "", false, nil
	case 1:
		return strings.TrimSpace(v[0]), true, nil
	}
	return "", false, formatErr(at, "%s occurs %d times", what, len(v))
}

// number parses a non-negative decimal that fits in an int64.
func number(at int64, what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, formatErr(at, "%s %q is not a non-negative number", what, s)
	}
	return n, nil
}

func heapRef(at int64, what string, off, size []string) (HeapRef, error) {
	o, ok1, err := one(at, what+" <offset>", off)
	if err != nil {
		return HeapRef{}, err
	}
	s, ok2, err := one(at, what+" <size>", size)
	if err != nil {
		return HeapRef{}, err
	}
	if !ok1 || !ok2 {
		return HeapRef{}, formatErr(at, "%s lacks <offset> or <size>", what)
	}
	var r HeapRef
	if r.Offset, err = number(at, what+" <offset>", o); err != nil {
		return HeapRef{}, err
	}
	if r.Size, err = number(at, what+" <size>", s); err != nil {
		return HeapRef{}, err
	}
	return r, nil
}

func (x *Reader) addEntries(files []xmlFile, parent string, depth int) error {
	at := int64(x.Header.Size)
	if depth > maxDepth {
		return formatErr(at, "<file> elements nest more than %d deep", maxDepth)
	}
	seen, folded := map[string]bool{}, map[string]string{}
	for i := range files {
		f := &files[i]
		if len(x.Entries) >= maxEntries {
			return formatErr(at, "table of contents lists more than %d entries", maxEntries)
		}
		e := &Entry{ID: f.ID}
		switch len(f.Name) {
		case 0:
			e.Unsafe = "it has no <name>"
		case 1:
			e.Name = f.Name[0].Value
			switch f.Name[0].Enctype {
			case "":
			case "base64":
				b, err := base64.StdEncoding.DecodeString(stripSpace(e.Name))
				if err != nil {
					e.Unsafe = "its base64 <name> does not decode"
				}
				e.Name = string(b)
			default:
				e.Unsafe = fmt.Sprintf("its <name> has the unknown enctype %q", f.Name[0].Enctype)
			}
		default:
			e.Unsafe = fmt.Sprintf("it has %d <name> elements", len(f.Name))
		}
		if e.Unsafe == "" {
			switch {
			case e.Name == "" || e.Name == "." || e.Name == "..":
				e.Unsafe = fmt.Sprintf("its name %q is not a file name", e.Name)
			case strings.ContainsAny(e.Name, "/\x00\\"):
				e.Unsafe = fmt.Sprintf("its name %q holds a slash, a backslash or a NUL", e.Name)
			case seen[e.Name]:
				e.Unsafe = fmt.Sprintf("its name %q repeats a sibling's", e.Name)
			case foldedSibling(folded, e.Name) != "":
				// Installer extracts the archive onto a case- and
				// normalization-insensitive volume, where one would
				// replace the other.
				e.Unsafe = fmt.Sprintf("its name %q differs from its sibling %q only in case or Unicode normalization (NFC/NFD)", e.Name, foldedSibling(folded, e.Name))
			}
		}
		if e.Unsafe == "" {
			addFolded(folded, e.Name)
		}
		if strings.HasPrefix(parent, "\x00") {
			e.Unsafe = "its parent's name is unsafe"
		}
		seen[e.Name] = true
		e.Path = e.Name
		if parent != "" {
			e.Path = parent + "/" + e.Name
		}
		types := make([]string, len(f.Type))
		for k, t := range f.Type {
			types[k] = t.Value
		}
		typ, _, err := one(at, "<file> <type>", types)
		if err != nil {
			return err
		}
		e.Type = typ
		if len(f.Type) == 1 {
			e.Link = f.Type[0].Link
		}
		if e.Mode, _, err = one(at, "<file> <mode>", f.Mode); err != nil {
			return err
		}
		switch len(f.Data) {
		case 0:
		case 1:
			if e.Data, err = x.parseData(&f.Data[0]); err != nil {
				return err
			}
		default:
			return formatErr(at, "<file> %q has %d <data> elements", e.Name, len(f.Data))
		}
		if e.Unsafe != "" {
			x.problem(RuleUnsafeName, signing.SeverityError, -1, "table of contents entry %s (id %q) is not opened: %s", quotePath(e.Path), e.ID, e.Unsafe)
		}
		x.Entries = append(x.Entries, e)
		childParent := e.Path
		if e.Unsafe != "" {
			// Children of an unusable entry cannot be placed either;
			// they are still read, so that their heap bytes are owned.
			childParent = "\x00" + e.Path
		}
		if len(f.Files) > 0 && e.Type != TypeDirectory {
			x.problem(RuleMalformed, signing.SeverityError, -1, "table of contents entry %s of type %q has children", quotePath(e.Path), e.Type)
		}
		if err := x.addEntries(f.Files, childParent, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// DataEntry returns the entry whose data extracting e writes: e itself
// for a file or an original hard link, the original for another name of a
// hard link (found by id: a file or an original hard link, with a safe
// name), nil for anything else or when the original is not found.
func (x *Reader) DataEntry(e *Entry) *Entry {
	switch {
	case e.Type == TypeFile, e.Type == TypeHardlink && e.Link == "original":
		return e
	case e.Type != TypeHardlink || e.Link == "":
		return nil
	}
	found := x.byID[e.Link]
	if found == nil || found == e || found.Unsafe != "" || strings.HasPrefix(found.Path, "\x00") ||
		!(found.Type == TypeFile || found.Type == TypeHardlink && found.Link == "original") {
		return nil
	}
	return found
}

func quotePath(p string) string { return strconv.Quote(strings.TrimPrefix(p, "\x00")) }

func (x *Reader) parseData(d *xmlData) (*Data, error) {
	at := int64(x.Header.Size)
	off, size := d.Offset, d.Length
	ref, err := heapRef(at, "<data>", off, size)
	if err != nil {
		return nil, err
	}
	out := &Data{Ref: ref}
	s, ok, err := one(at, "<data> <size>", d.Size)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, formatErr(at, "<data> lacks <size>")
	}
	if out.Size, err = number(at, "<data> <size>", s); err != nil {
		return nil, err
	}
	switch len(d.Encoding) {
	case 0:
		out.Encoding = "application/octet-stream"
	case 1:
		out.Encoding = d.Encoding[0].Style
	default:
		return nil, formatErr(at, "<data> has %d <encoding> elements", len(d.Encoding))
	}
	for _, c := range []struct {
		dst *Checksum
		src []xmlChecksum
		n   string
	}{{&out.Archived, d.Archived, "<archived-checksum>"}, {&out.Extracted, d.Extracted, "<extracted-checksum>"}} {
		switch len(c.src) {
		case 0:
		case 1:
			c.dst.Style, c.dst.Hex = strings.ToLower(c.src[0].Style), strings.ToLower(strings.TrimSpace(c.src[0].Value))
		default:
			return nil, formatErr(at, "<data> has %d %s elements", len(c.src), c.n)
		}
	}
	return out, nil
}

// ReadHeap returns the bytes of ref, which must lie inside the file.
func (x *Reader) ReadHeap(ref HeapRef, limit int64) ([]byte, error) {
	if ref.Size > limit {
		return nil, formatErr(x.HeapStart+ref.Offset, "heap range of %d bytes is over the %d-byte limit", ref.Size, limit)
	}
	if !x.inFile(ref) {
		return nil, formatErr(x.HeapStart, "heap range [%d, +%d) lies outside the file", ref.Offset, ref.Size)
	}
	b := make([]byte, ref.Size)
	if n, err := x.r.ReadAt(b, x.HeapStart+ref.Offset); n < len(b) {
		return nil, fmt.Errorf("reading %d heap bytes at 0x%x: %w", ref.Size, x.HeapStart+ref.Offset, err)
	}
	return b, nil
}

func (x *Reader) inFile(ref HeapRef) bool {
	room := x.size - x.HeapStart
	return ref.Offset >= 0 && ref.Size >= 0 && ref.Offset <= room && ref.Size <= room-ref.Offset
}

// TOCDigest returns the hash of the compressed table of contents under the
// header's algorithm, or nil when the header names none.
func (x *Reader) TOCDigest() []byte {
	h := newHash(x.Hash)
	if h == nil {
		return nil
	}
	h.Write(x.tocRaw)
	return h.Sum(nil)
}

// Encodings.
const (
	EncodingNone  = "application/octet-stream"
	EncodingZlib  = "application/x-gzip"
	EncodingBzip2 = "application/x-bzip2"
)

// Open returns a reader of e's decoded bytes: at most e.Data.Size of them,
// failing with a *FormatError when the encoded bytes decode to another
// length. It checks no checksum; see [Reader.CheckData].
func (x *Reader) Open(e *Entry) (io.Reader, error) {
	d := e.Data
	if d == nil {
		return bytes.NewReader(nil), nil
	}
	if !x.inFile(d.Ref) {
		return nil, formatErr(x.HeapStart, "data of %s lies outside the file (heap [%d, +%d))", quotePath(e.Path), d.Ref.Offset, d.Ref.Size)
	}
	raw := io.NewSectionReader(x.r, x.HeapStart+d.Ref.Offset, d.Ref.Size)
	return x.decode(e, raw)
}

func (x *Reader) decode(e *Entry, raw io.Reader) (io.Reader, error) {
	d := e.Data
	var r io.Reader
	switch d.Encoding {
	case EncodingNone:
		r = raw
	case EncodingZlib:
		zr, err := zlib.NewReader(raw)
		if err != nil {
			return nil, formatErr(x.HeapStart+d.Ref.Offset, "data of %s is not a zlib stream: %v", quotePath(e.Path), err)
		}
		r = zr
	case EncodingBzip2:
		r = bzip2.NewReader(raw)
	default:
		return nil, formatErr(x.HeapStart+d.Ref.Offset, "data of %s has the unknown encoding %q", quotePath(e.Path), d.Encoding)
	}
	return &exactReader{r: r, left: d.Size, e: e, at: x.HeapStart + d.Ref.Offset}, nil
}

// exactReader ends a decoded stream at its declared size, failing when it
// is shorter or longer.
type exactReader struct {
	r    io.Reader
	left int64
	e    *Entry
	at   int64
	err  error
}

func (r *exactReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.left == 0 {
		var b [1]byte
		if n, _ := io.ReadFull(r.r, b[:]); n > 0 {
			r.err = formatErr(r.at, "data of %s decodes to more than the %d bytes its <size> says", quotePath(r.e.Path), r.e.Data.Size)
			return 0, r.err
		}
		r.err = io.EOF
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.r.Read(p)
	r.left -= int64(n)
	if err == io.EOF && r.left > 0 {
		err = formatErr(r.at, "data of %s decodes to %d bytes, its <size> says %d", quotePath(r.e.Path), r.e.Data.Size-r.left, r.e.Data.Size)
	} else if err == io.EOF {
		err = nil
	}
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = formatErr(r.at, "decoding the data of %s: %v", quotePath(r.e.Path), err)
		}
		r.err = err
	}
	return n, err
}

// DataCheck is the outcome of checking one entry's data.
type DataCheck struct {
	// ArchivedOK and ExtractedOK report matching checksums; Computed* are
	// the digests computed (hex), empty when not computed.
	ArchivedOK, ExtractedOK             bool
	ArchivedComputed, ExtractedComputed string
	// Err is a decoding failure, nil when the data decoded to its size.
	Err error
	// Skipped reports compressed data over MaxDecoded, not decoded.
	Skipped bool
}

// CheckData reads e's heap bytes once, hashing them for the archived
// checksum and decoding them for the extracted one.
func (x *Reader) CheckData(e *Entry) DataCheck {
	d := e.Data
	var out DataCheck
	if d == nil {
		return out
	}
	if !x.inFile(d.Ref) {
		out.Err = formatErr(x.HeapStart, "data of %s lies outside the file (heap [%d, +%d))", quotePath(e.Path), d.Ref.Offset, d.Ref.Size)
		return out
	}
	ah, _ := hashByName(d.Archived.Style)
	eh, _ := hashByName(d.Extracted.Style)
	aw, ew := newHash(ah), newHash(eh)
	// Stored data is its own decoding: one hash serves both checksums
	// when they use one algorithm.
	same := d.Encoding == EncodingNone && ah == eh && aw != nil
	if same {
		ew = nil
	}
	raw := io.Reader(io.NewSectionReader(x.r, x.HeapStart+d.Ref.Offset, d.Ref.Size))
	if aw != nil {
		raw = io.TeeReader(raw, aw)
	}
	if d.Encoding != EncodingNone && d.Size > MaxDecoded {
		out.Skipped = true
		io.Copy(io.Discard, raw)
		if aw != nil {
			out.ArchivedComputed = hex.EncodeToString(aw.Sum(nil))
			out.ArchivedOK = out.ArchivedComputed == d.Archived.Hex
		}
		return out
	}
	dec, err := x.decode(e, raw)
	if err == nil {
		var dst io.Writer = io.Discard
		if ew != nil {
			dst = ew
		}
		_, err = io.Copy(dst, dec)
	}
	if err != nil {
		out.Err = err
		if aw != nil {
			// Hash what the decoder left unread, so the archived checksum
			// is still judged over every heap byte.
			io.Copy(io.Discard, raw)
		}
	} else if aw != nil {
		io.Copy(io.Discard, raw) // trailing bytes after the encoded stream
	}
	if aw != nil {
		out.ArchivedComputed = hex.EncodeToString(aw.Sum(nil))
		out.ArchivedOK = out.ArchivedComputed == d.Archived.Hex
	}
	switch {
	case out.Err != nil:
	case same:
		out.ExtractedComputed = out.ArchivedComputed
		out.ExtractedOK = out.ExtractedComputed == d.Extracted.Hex
	case ew != nil:
		out.ExtractedComputed = hex.EncodeToString(ew.Sum(nil))
		out.ExtractedOK = out.ExtractedComputed == d.Extracted.Hex
	}
	return out
}

// owner is one heap range and what owns it.
type owner struct {
	ref  HeapRef
	what string
	file bool
}

// Owners lists every heap range the table of contents names, sorted by
// offset: the checksum, the signatures and each entry's data.
func (x *Reader) owners() []owner {
	var out []owner
	if x.TOCChecksum.Present {
		out = append(out, owner{ref: x.TOCChecksum.Ref, what: "the table of contents checksum"})
	}
	for i, s := range x.Signatures {
		w := fmt.Sprintf("signature %d (%s)", i, s.Style)
		out = append(out, owner{ref: s.Ref, what: w})
	}
	for _, e := range x.Entries {
		if e.Data != nil {
			out = append(out, owner{ref: e.Data.Ref, what: "the data of " + quotePath(e.Path), file: true})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].ref.Offset != out[j].ref.Offset {
			return out[i].ref.Offset < out[j].ref.Offset
		}
		return out[i].ref.Size < out[j].ref.Size
	})
	return out
}

// checkHeap reports heap ranges outside the file, ranges that overlap, and
// bytes from the heap's start to the file's end that nothing owns.
func (x *Reader) checkHeap() {
	end := x.HeapStart // file offset up to which bytes are owned
	var prev *owner
	owners := x.owners()
	for i := range owners {
		o := &owners[i]
		if !x.inFile(o.ref) {
			x.problem(RuleMalformed, signing.SeverityError, x.HeapStart, "%s, heap [%d, +%d), lies outside the file", o.what, o.ref.Offset, o.ref.Size)
			continue
		}
		start, stop := x.HeapStart+o.ref.Offset, x.HeapStart+o.ref.Offset+o.ref.Size
		switch {
		case start > end:
			x.problem(RuleUnownedHeapData, signing.SeverityError, end, "%d heap bytes at 0x%x belong to no file, checksum or signature", start-end, end)
		case start < end && prev != nil && o.ref.Size > 0:
			if prev.file && o.file && prev.ref == o.ref {
				// Two entries sharing identical data, as xar writes
				// duplicate files: both are checked against it.
				break
			}
			x.problem(RuleHeapOverlap, signing.SeverityError, start, "%s overlaps %s in the heap", o.what, prev.what)
		}
		if stop > end {
			end = stop
		}
		if o.ref.Size > 0 {
			prev = o
		}
	}
	if end < x.size {
		x.problem(RuleUnownedHeapData, signing.SeverityError, end, "%d bytes at 0x%x, up to the end of the file, belong to no file, checksum or signature", x.size-end, end)
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
