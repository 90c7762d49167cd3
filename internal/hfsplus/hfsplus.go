// Package hfsplus reads HFS+ and HFSX volumes (Apple Technical Note
// TN1150) as an io/fs.FS, for the files inside macOS disk images, and
// builds small volumes for fixtures (Build).
//
// The reader is our own: the Go module proxy serves no maintained HFS+
// reader, and the APFS one (github.com/blacktop/go-apfs), which has no
// HFS+ reader either, is refused by it and needs cgo (see package apfs).
// It reads the volume header at byte 1024, the catalog file's B-tree
// (every leaf node, following the forward links from the first leaf, with
// loop detection and bounds on nodes and records; the index, which macOS
// descends to look names up, must reach the same leaves in the same
// order), the extents-overflow B-tree for data forks of more than eight
// extents, and resolves file hard links through the metadata folder
// ("\x00\x00\x00\x00HFS+ Private Data", not listed) as XNU does: only a
// record whose creation date is the volume's or that folder's is a link
// (another is reported: macOS reads its own data fork), and a second
// metadata folder or inode name is reported. Every count, offset
// and extent is checked against the volume before use; problems are
// reported (Volume.Problems) and the entries they concern left out:
// names holding "/" are shown with ":" as macOS does, names that are
// empty, "." or "..", hold NUL, repeat, or (on a case-insensitive volume)
// differ from another only in case are refused; folders nest at most 256
// deep; records the root does not reach are counted. Symbolic links are
// returned as links (ReadLink, Lstat) and followed by Open and Stat only
// while they stay inside the volume.
//
// Files compressed by HFS+ transparent compression are decoded from
// their com.apple.decmpfs attribute (the attributes B-tree is read for
// it) and, for the types that keep their data there, their resource fork
// (zlib, LZVN and LZFSE; internal/decmpfs), up to 16 MiB each and
// Options.MaxInline for the volume. A compressed file not decoded is in
// Volume.Skipped, marked Compressed.
//
// Bytes that no file's data fork carries are inventoried
// (Volume.Extras): non-empty resource forks (but a compressed file's
// data), extended attributes outside a tolerated list of Finder and
// download metadata (TolerateAttribute), blocks of a fork past its
// logical size, a startup file, and the allocation blocks the
// allocation bitmap marks used that no structure references (the
// volume headers, the special files, the journal info block and
// journal, catalog records' forks, fork data attributes); the bitmap is
// streamed in 64 KiB chunks. So are blocks two structures reference, or
// that one references but the bitmap marks free, free blocks holding
// bytes other than zero (read 64 KiB at a time, skipping what a
// ZeroSpanner reader knows to be zeros), and bytes of the B-trees and
// the allocation file that hold no record but are not zero (a node's
// free space, nodes the tree does not reach, the map and bitmap past their last node and
// block, a B-tree file past its last node, a leaf or index record's
// bytes past its type's fields), and around the volume
// headers (the boot blocks, the rest of their blocks, the partition past
// the volume's last block).
//
// Not read: other compressed files (data in the resource fork, types 4
// and up, LZVN, LZFSE: listed in Volume.Skipped and left out), directory
// hard links, the content of resource forks and extended attributes
// (only inventoried), the journal (a volume is read as its B-trees say;
// a journal holding transactions not replayed, which macOS would replay
// over them, is a Problem),
// the alternate volume header, B-tree files of more than eight extents,
// data in a fork's last block past its end (inside a structure read),
// and Unicode normalization
// (names are compared as stored).
package hfsplus

import (
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
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/decmpfs"
	"github.com/shipgate/shipgate/internal/foldname"
)

// Limits on what a hostile volume can make the reader do.
const (
	// DefaultMaxRecords bounds the catalog records read.
	DefaultMaxRecords = 1 << 20
	// maxNodeSize is the largest B-tree node size TN1150 allows.
	maxNodeSize = 32768
	// maxDepth bounds folder nesting.
	maxDepth = 256
	// maxExtentRecords bounds the overflow extent records of one fork.
	maxExtentRecords = 4096
)

// Signatures of the volume header.
const (
	SigHFSPlus = 0x482B // "H+"
	SigHFSX    = 0x4858 // "HX"
)

// Catalog node IDs with a fixed meaning.
const (
	rootParentID = 1
	rootFolderID = 2
	extentsID    = 3
	catalogID    = 4
)

// Catalog record types.
const (
	recFolder       = 1
	recFile         = 2
	recFolderThread = 3
	recFileThread   = 4
)

// Names of the folders holding hard links' targets.
const (
	privateData    = "\x00\x00\x00\x00HFS+ Private Data"
	privateDirData = ".HFS+ Private Directory Data\r"
)

// ErrNotHFSPlus results when the volume header's signature is neither H+
// nor HX.
var ErrNotHFSPlus = errors.New("hfsplus: not an HFS+ or HFSX volume")

// FormatError results when the volume cannot be read at all. Offset is the
// byte offset in the volume where reading failed.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("hfsplus: %s (at offset %#x)", e.Reason, e.Offset)
}

// Problem is an inconsistency found reading the volume: the entry it
// concerns (a path in the file system, or "" for the volume) is left out.
type Problem struct {
	Path   string
	Offset int64 // in the volume, -1 when unknown
	Reason string
	// Special is set on a Skipped special file (a FIFO, a socket or a
	// device), which has no data to verify.
	Special bool
	// Compressed is set on a Skipped file flagged compressed
	// (UF_COMPRESSED) whose com.apple.decmpfs data was not decoded:
	// macOS reads its data, which was not verified, wherever it lies.
	Compressed bool
}

// Options bounds a Volume. The zero value is usable.
type Options struct {
	// MaxRecords bounds the catalog records read; zero means
	// DefaultMaxRecords.
	MaxRecords int
	// MaxInline bounds the bytes of compressed files decoded (and kept)
	// when the volume is opened; zero means DefaultMaxInline. Files past
	// it are listed in Volume.Skipped.
	MaxInline int64
}

// DefaultMaxInline is the default Options.MaxInline.
const DefaultMaxInline = 256 << 20

// extent is a run of allocation blocks.
type extent struct{ start, count uint32 }

// fork is a file's data fork.
type fork struct {
	size    uint64
	blocks  uint32
	extents [8]extent
}

// node is a folder, file or link of the catalog.
type node struct {
	id     uint32
	parent uint32
	name   string
	dir    bool
	mode   uint16
	flags  uint8 // BSD owner flags
	mod    time.Time
	ftype  uint32 // Finder file type
	creat  uint32 // Finder creator
	link   uint32 // permissions.special: a hard link's inode number
	create uint32 // createDate, as stored
	data   fork
	rsrc   fork  // a file's resource fork
	own    fork  // the data fork as the record holds it (data becomes a hard link's target's)
	at     int64 // the record's offset in the volume

	// set after loading
	exts     []extent // all data extents
	inline   []byte   // a compressed file's decoded data
	children []*node
	target   string // a symbolic link's target
}

// Volume is an opened HFS+ or HFSX volume.
type Volume struct {
	r         io.ReaderAt
	size      int64
	Signature uint16
	BlockSize uint32
	Blocks    uint32
	// Problems lists what could not be read; the entries concerned are
	// left out.
	Problems []Problem
	// Skipped lists the files whose content is not read (compressed, a
	// directory hard link), by path, with the reason; they are left out.
	Skipped []Problem

	root  *node
	paths map[string]*node
	max   int
	seen  map[uint32]bool // catalog IDs reached from the root
	fold  bool            // names compare case-insensitively
	// created is the volume header's createDate, as stored: macOS
	// resolves a hard link record only when its own createDate is this
	// one or the private data folder's.
	created uint32
	// decmpfs holds the com.apple.decmpfs attributes, by file ID.
	decmpfs map[uint32][]byte

	// Extras lists the bytes of the volume that no file's data fork
	// carries and no tolerated structure explains: resource forks,
	// extended attributes, blocks allocated but not referenced. At most
	// 1000; ExtrasLeftOut counts the others.
	Extras        []Extra
	ExtrasLeftOut int

	attrs  []*attr           // the attributes file's records
	pathOf map[uint32]string // catalog ID to path, the first walked
	rsrcOf map[uint32]bool   // resource forks inventoried, by catalog ID
	// rsrcOverflow holds the resource forks' overflow extents while
	// the catalog is walked; inlineLeft what Options.MaxInline leaves.
	rsrcOverflow map[uint32][]extentRec
	inlineLeft   int64
	header       [512]byte
}

func (v *Volume) problem(p string, off int64, format string, args ...any) {
	v.Problems = append(v.Problems, Problem{Path: p, Offset: off, Reason: fmt.Sprintf(format, args...)})
}

// Open reads the HFS+ or HFSX volume of size bytes at r. It returns
// ErrNotHFSPlus when the volume header's signature is wrong, a
// *FormatError when the volume header or the catalog's B-tree header
// cannot be used, and otherwise a Volume whose Problems list what it
// could not read.
func Open(r io.ReaderAt, size int64, opts Options) (*Volume, error) {
	var h [512]byte
	if size < 1536 {
		return nil, ErrNotHFSPlus
	}
	if n, err := r.ReadAt(h[:], 1024); n < len(h) {
		return nil, fmt.Errorf("hfsplus: reading the volume header: %w", orEOF(err))
	}
	be := binary.BigEndian
	v := &Volume{r: r, size: size, Signature: be.Uint16(h[:]), BlockSize: be.Uint32(h[40:]), Blocks: be.Uint32(h[44:]), max: opts.MaxRecords, created: be.Uint32(h[16:]), header: h}
	v.inlineLeft = opts.MaxInline
	if v.inlineLeft <= 0 {
		v.inlineLeft = DefaultMaxInline
	}
	if v.max <= 0 {
		v.max = DefaultMaxRecords
	}
	if v.Signature != SigHFSPlus && v.Signature != SigHFSX {
		return nil, ErrNotHFSPlus
	}
	if bs := v.BlockSize; bs < 512 || bs&(bs-1) != 0 || bs > 1<<20 {
		return nil, &FormatError{Offset: 1024 + 40, Reason: fmt.Sprintf("block size %d is not a power of two from 512 to 1 MiB", bs)}
	}
	if uint64(v.Blocks)*uint64(v.BlockSize) > uint64(size) {
		return nil, &FormatError{Offset: 1024 + 44, Reason: fmt.Sprintf("%d blocks of %d bytes run past the volume's %d bytes", v.Blocks, v.BlockSize, size)}
	}
	ext := readFork(h[192:])
	cat := readFork(h[272:])
	extTree, err := v.openTree("extents overflow file", ext, 1024+192, extentKeyEnd)
	if err != nil && ext.size != 0 {
		return nil, err
	}
	var overflow, rsrcOverflow map[uint32][]extentRec
	var trees []*tree
	if extTree != nil {
		trees = append(trees, extTree)
		overflow, rsrcOverflow = v.readOverflow(extTree)
	}
	if attr := readFork(h[352:]); attr.size != 0 {
		attrTree, err := v.openTree("attributes file", attr, 1024+352, attrKeyEnd)
		if err != nil {
			v.problem("", 1024+352, "the attributes file cannot be read (compressed files are not opened): %v", err)
		} else {
			trees = append(trees, attrTree)
			v.decmpfs = v.readAttributes(attrTree)
		}
	}
	catTree, err := v.openTree("catalog file", cat, 1024+272, catalogKeyEnd)
	if err != nil {
		return nil, err
	}
	// HFS+ names compare case-insensitively; HFSX's as its catalog says.
	v.fold = v.Signature == SigHFSPlus || catTree.cmp != 0xBC
	v.rsrcOverflow = rsrcOverflow
	all, err := v.readCatalog(catTree, overflow, rsrcOverflow)
	v.rsrcOverflow = nil
	if err != nil {
		return nil, err
	}
	byID := make(map[uint32]*node, len(all))
	for _, n := range all {
		byID[n.id] = n
	}
	v.inventoryAttributes(byID)
	zs := newZeroScan(v)
	v.account(all, overflow, rsrcOverflow, zs)
	for _, t := range append(trees, catTree) {
		v.treeSlack(t, zs)
	}
	v.reservedSlack(zs)
	v.pendingJournal()
	v.attrs, v.pathOf, v.rsrcOf = nil, nil, nil
	return v, nil
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readFork(b []byte) fork {
	be := binary.BigEndian
	f := fork{size: be.Uint64(b), blocks: be.Uint32(b[12:])}
	for i := range f.extents {
		f.extents[i] = extent{be.Uint32(b[16+8*i:]), be.Uint32(b[20+8*i:])}
	}
	return f
}

// extents returns the fork's extents, with those of the overflow file, as
// long as they cover its blocks, checked against the volume.
func (v *Volume) extents(f fork, id uint32, overflow map[uint32][]extentRec) ([]extent, error) {
	var out []extent
	total := uint64(0)
	add := func(e extent) error {
		if e.count == 0 {
			return nil
		}
		if uint64(e.start)+uint64(e.count) > uint64(v.Blocks) {
			return fmt.Errorf("extent of %d blocks at block %d runs past the volume's %d blocks", e.count, e.start, v.Blocks)
		}
		out = append(out, e)
		total += uint64(e.count)
		return nil
	}
	for _, e := range f.extents {
		if total >= uint64(f.blocks) {
			break
		}
		if err := add(e); err != nil {
			return nil, err
		}
	}
	if total < uint64(f.blocks) {
		recs := overflow[id]
		for _, r := range recs {
			if total >= uint64(f.blocks) {
				break
			}
			if uint64(r.startBlock) != total {
				return nil, fmt.Errorf("overflow extents start at file block %d, want %d", r.startBlock, total)
			}
			for _, e := range r.extents {
				if err := add(e); err != nil {
					return nil, err
				}
			}
		}
	}
	if total < uint64(f.blocks) {
		return nil, fmt.Errorf("extents cover %d of the fork's %d blocks", total, f.blocks)
	}
	if f.size > total*uint64(v.BlockSize) {
		return nil, fmt.Errorf("fork of %d bytes is longer than its %d blocks", f.size, total)
	}
	return out, nil
}

// forkReader reads a fork's bytes through its extents, or a compressed
// file's decoded bytes.
type forkReader struct {
	v      *Volume
	exts   []extent
	size   int64
	inline []byte
}

func (f *forkReader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("hfsplus: negative offset")
	}
	if f.inline != nil {
		if off >= int64(len(f.inline)) {
			return 0, io.EOF
		}
		n := copy(b, f.inline[off:])
		if n < len(b) {
			return n, io.EOF
		}
		return n, nil
	}
	bs := int64(f.v.BlockSize)
	n := 0
	pos := int64(0)
	for _, e := range f.exts {
		if n == len(b) || off+int64(n) >= f.size {
			break
		}
		elen := int64(e.count) * bs
		at := off + int64(n)
		if at >= pos+elen {
			pos += elen
			continue
		}
		want := min(int64(len(b)-n), pos+elen-at, f.size-at)
		k, err := f.v.r.ReadAt(b[n:n+int(want)], int64(e.start)*bs+(at-pos))
		n += k
		if k < int(want) {
			return n, fmt.Errorf("hfsplus: reading block %d: %w", e.start, orEOF(err))
		}
		pos += elen
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// tree is an opened B-tree file.
type tree struct {
	name      string
	f         *forkReader
	nodeSize  int
	nodes     uint32
	firstLeaf uint32
	leafRecs  uint32
	cmp       byte // keyCompareType
	root      uint32
	maxKey    int
	varIndex  bool // index keys are stored at their length, not maxKey
	// reached holds the index and leaf nodes checkIndex reached, once it
	// found them consistent.
	reached map[uint32]bool
	// keyEnd returns where a key's fields end (keyEnds); past collects
	// the bytes of records past their fields, the index's and (through
	// the tree's reader) the leaves'.
	keyEnd func(key []byte) int
	past   pastFields
}

// maxTreeDepth bounds the levels of a B-tree's index (XNU's kMaxTreeDepth).
const maxTreeDepth = 16

func (v *Volume) openTree(name string, f fork, at int64, keyEnd func([]byte) int) (*tree, error) {
	exts, err := v.extents(f, 0, nil)
	if err != nil {
		return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("%s: %v", name, err)}
	}
	if f.size < 512 {
		return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("%s is %d bytes, shorter than a B-tree header node", name, f.size)}
	}
	fr := &forkReader{v: v, exts: exts, size: int64(f.size)}
	var h [14 + 106]byte
	if _, err := fr.ReadAt(h[:], 0); err != nil {
		return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("%s: reading the header node: %v", name, err)}
	}
	be := binary.BigEndian
	if int8(h[8]) != 1 {
		return nil, &FormatError{Offset: blockOff(v, exts), Reason: fmt.Sprintf("%s: node 0 is of kind %d, not a header node", name, int8(h[8]))}
	}
	hr := h[14:]
	t := &tree{name: name, f: fr, nodeSize: int(be.Uint16(hr[18:])), nodes: be.Uint32(hr[22:]), firstLeaf: be.Uint32(hr[10:]), leafRecs: be.Uint32(hr[6:]), cmp: hr[37],
		root: be.Uint32(hr[2:]), maxKey: int(be.Uint16(hr[20:])), varIndex: be.Uint32(hr[38:])&4 != 0, keyEnd: keyEnd}
	if ns := t.nodeSize; ns < 512 || ns > maxNodeSize || ns&(ns-1) != 0 {
		return nil, &FormatError{Offset: blockOff(v, exts), Reason: fmt.Sprintf("%s: node size %d is not a power of two from 512 to 32768", name, ns)}
	}
	if uint64(t.nodes)*uint64(t.nodeSize) > f.size {
		return nil, &FormatError{Offset: blockOff(v, exts), Reason: fmt.Sprintf("%s: %d nodes of %d bytes do not fit its %d bytes", name, t.nodes, t.nodeSize, f.size)}
	}
	return t, nil
}

func blockOff(v *Volume, exts []extent) int64 {
	if len(exts) == 0 {
		return -1
	}
	return int64(exts[0].start) * int64(v.BlockSize)
}

// volumeOffset returns the offset in the volume of byte off of the tree.
func (t *tree) volumeOffset(off int64) int64 {
	bs := int64(t.f.v.BlockSize)
	pos := int64(0)
	for _, e := range t.f.exts {
		if off < pos+int64(e.count)*bs {
			return int64(e.start)*bs + off - pos
		}
		pos += int64(e.count) * bs
	}
	return -1
}

// leaves calls fn with each record of each leaf node, following the leaf
// chain from the first leaf; a node seen twice, a node out of range or of
// the wrong kind, or more than max records end it with an error.
func (t *tree) leaves(max int, fn func(key, rec []byte, at int64) error) error {
	seen := map[uint32]bool{}
	buf := make([]byte, t.nodeSize)
	be := binary.BigEndian
	count := 0
	var chain []uint32
	for n := t.firstLeaf; n != 0; {
		off := int64(n) * int64(t.nodeSize)
		at := t.volumeOffset(off)
		if n >= t.nodes {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: leaf link to node %d of %d", t.name, n, t.nodes)}
		}
		if seen[n] {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the leaf chain loops back to node %d", t.name, n)}
		}
		seen[n] = true
		chain = append(chain, n)
		if _, err := t.f.ReadAt(buf, off); err != nil {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: reading node %d: %v", t.name, n, err)}
		}
		if int8(buf[8]) != -1 {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: node %d in the leaf chain is of kind %d, not a leaf", t.name, n, int8(buf[8]))}
		}
		nrec := int(be.Uint16(buf[10:]))
		if 14+2*(nrec+1) > t.nodeSize {
			return &FormatError{Offset: at + 10, Reason: fmt.Sprintf("%s: node %d holds %d records, more than fit", t.name, n, nrec)}
		}
		for i := range nrec {
			count++
			if count > max {
				return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: more than %d records", t.name, max)}
			}
			a := int(be.Uint16(buf[t.nodeSize-2*(i+1):]))
			z := int(be.Uint16(buf[t.nodeSize-2*(i+2):]))
			if a < 14 || z > t.nodeSize-2*(nrec+1) || a+2 > z {
				return &FormatError{Offset: at + int64(t.nodeSize-2*(i+1)), Reason: fmt.Sprintf("%s: node %d record %d spans [%d, %d), outside the node's records", t.name, n, i, a, z)}
			}
			r := buf[a:z]
			kl := int(be.Uint16(r)) + 2
			if kl > len(r) {
				return &FormatError{Offset: at + int64(a), Reason: fmt.Sprintf("%s: node %d record %d: key of %d bytes in a %d-byte record", t.name, n, i, kl, len(r))}
			}
			if err := fn(r[:kl], r[kl:], at+int64(a)); err != nil {
				return err
			}
		}
		n = be.Uint32(buf)
	}
	return t.checkIndex(chain)
}

// checkIndex checks that the index, descended from the root node, reaches
// the leaves of the leaf chain, in its order, and nothing else: macOS
// finds a file by descending the index, the reader by the chain, and a
// leaf only one of them reaches (a second record of a file's key, in a
// node the chain skips) would let the two read different files.
func (t *tree) checkIndex(chain []uint32) error {
	var got []uint32
	seen := map[uint32]bool{}
	buf := make([]byte, t.nodeSize)
	be := binary.BigEndian
	var visit func(n uint32, depth int) error
	visit = func(n uint32, depth int) error {
		at := t.volumeOffset(int64(n) * int64(t.nodeSize))
		switch {
		case n == 0 || n >= t.nodes:
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the index points to node %d of %d", t.name, n, t.nodes)}
		case seen[n]:
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the index reaches node %d twice", t.name, n)}
		case depth > maxTreeDepth:
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the index is more than %d levels deep", t.name, maxTreeDepth)}
		}
		seen[n] = true
		if _, err := t.f.ReadAt(buf, int64(n)*int64(t.nodeSize)); err != nil {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: reading node %d: %v", t.name, n, err)}
		}
		switch int8(buf[8]) {
		case -1:
			got = append(got, n)
			return nil
		case 0:
		default:
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the index reaches node %d, of kind %d", t.name, n, int8(buf[8]))}
		}
		nrec := int(be.Uint16(buf[10:]))
		if nrec == 0 || 14+2*(nrec+1) > t.nodeSize {
			return &FormatError{Offset: at + 10, Reason: fmt.Sprintf("%s: index node %d holds %d records", t.name, n, nrec)}
		}
		kids := make([]uint32, 0, nrec)
		for i := range nrec {
			a := int(be.Uint16(buf[t.nodeSize-2*(i+1):]))
			z := int(be.Uint16(buf[t.nodeSize-2*(i+2):]))
			if a < 14 || z > t.nodeSize-2*(nrec+1) || a+2 > z {
				return &FormatError{Offset: at + int64(t.nodeSize-2*(i+1)), Reason: fmt.Sprintf("%s: index node %d record %d spans [%d, %d), outside the node's records", t.name, n, i, a, z)}
			}
			r := buf[a:z]
			kl := int(be.Uint16(r)) + 2
			if !t.varIndex {
				kl = t.maxKey + 2
			}
			if kl+4 > len(r) {
				return &FormatError{Offset: at + int64(a), Reason: fmt.Sprintf("%s: index node %d record %d: key of %d bytes and a pointer in a %d-byte record", t.name, n, i, kl, len(r))}
			}
			kids = append(kids, be.Uint32(r[kl:]))
			t.indexPastFields(at+int64(a), r, kl)
		}
		for _, k := range kids {
			if err := visit(k, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if t.root != 0 {
		if err := visit(t.root, 1); err != nil {
			return err
		}
	}
	if !slices.Equal(got, chain) {
		at := t.volumeOffset(0)
		return &FormatError{Offset: at, Reason: fmt.Sprintf("%s: the index reaches leaf nodes %s, the leaf chain %s: macOS looks files up through the index", t.name, nodeList(got), nodeList(chain))}
	}
	t.reached = seen
	return nil
}

// nodeList prints node numbers, the first few of a long list.
func nodeList(ns []uint32) string {
	if len(ns) > 8 {
		return fmt.Sprint(ns[:8])[:len(fmt.Sprint(ns[:8]))-1] + fmt.Sprintf(" … (%d)]", len(ns))
	}
	return fmt.Sprint(ns)
}

// extentRec is an overflow extent record of a data fork.
type extentRec struct {
	startBlock uint32
	extents    [8]extent
}

// readOverflow reads the data and resource fork records of the extents
// overflow file.
func (v *Volume) readOverflow(t *tree) (data, rsrc map[uint32][]extentRec) {
	data, rsrc = map[uint32][]extentRec{}, map[uint32][]extentRec{}
	total := 0
	past := &t.past
	defer past.report(v, "the "+t.name)
	err := t.leaves(v.max, func(key, rec []byte, at int64) error {
		if len(key) < 12 || len(rec) < 64 {
			return &FormatError{Offset: at, Reason: "extents overflow record too short"}
		}
		past.add(at+12, key[12:])
		past.add(at+int64(len(key))+64, rec[64:])
		be := binary.BigEndian
		out := data
		switch key[2] {
		case 0:
		case 0xff:
			out = rsrc
		default:
			return &FormatError{Offset: at, Reason: fmt.Sprintf("extents overflow record of fork type %#x", key[2])}
		}
		id := be.Uint32(key[4:])
		if len(out[id]) >= maxExtentRecords || total >= v.max {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("more than %d overflow extent records", maxExtentRecords)}
		}
		r := extentRec{startBlock: be.Uint32(key[8:])}
		for i := range r.extents {
			r.extents[i] = extent{be.Uint32(rec[8*i:]), be.Uint32(rec[8*i+4:])}
		}
		out[id] = append(out[id], r)
		total++
		return nil
	})
	if err != nil {
		var fe *FormatError
		off := int64(-1)
		if errors.As(err, &fe) {
			off = fe.Offset
		}
		v.problem("", off, "the extents overflow file cannot be read (files of more than eight extents are left out): %v", err)
		return nil, nil
	}
	for _, out := range []map[uint32][]extentRec{data, rsrc} {
		for _, rs := range out {
			sort.Slice(rs, func(i, j int) bool { return rs[i].startBlock < rs[j].startBlock })
		}
	}
	return data, rsrc
}

// hfsTime converts seconds since 1904 (GMT) to a time.
func hfsTime(s uint32) time.Time {
	return time.Unix(int64(s)-2082844800, 0).UTC()
}

// decodeName returns a catalog key's or thread's name as UTF-8.
func decodeName(b []byte) (string, bool) {
	if len(b) < 2 {
		return "", false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n > 255 || 2+2*n > len(b) {
		return "", false
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.BigEndian.Uint16(b[2+2*i:])
	}
	return string(utf16.Decode(u)), true
}

// readCatalog reads every catalog leaf record and builds the tree of
// folders from the root.
func (v *Volume) readCatalog(t *tree, overflow, rsrcOverflow map[uint32][]extentRec) ([]*node, error) {
	all, byID, err := v.readCatalogRecords(t)
	if err != nil {
		return nil, err
	}
	root := byID[rootFolderID]
	if root == nil || !root.dir || root.parent != rootParentID {
		return nil, &FormatError{Offset: t.volumeOffset(0), Reason: "the catalog has no root folder (ID 2 under ID 1)"}
	}
	v.root = root
	for _, n := range all {
		if n == root {
			continue
		}
		if p := byID[n.parent]; p != nil && p.dir {
			p.children = append(p.children, n)
		} else {
			v.problem("", n.at, "catalog record %q (ID %d) has no parent folder %d", n.name, n.id, n.parent)
		}
	}
	links := v.hardLinkTargets(root)
	v.paths = map[string]*node{".": root}
	v.seen = map[uint32]bool{root.id: true}
	for _, c := range root.children {
		if c.dir && (c.name == privateData || c.name == privateDirData) {
			v.seen[c.id] = true
			for _, f := range c.children {
				v.seen[f.id] = true
			}
		}
	}
	v.pathOf = map[uint32]string{root.id: "."}
	v.rsrcOf = map[uint32]bool{}
	v.walk(root, ".", 0, map[uint32]bool{root.id: true}, &links, overflow)
	v.reportUnreachable(all)
	return all, nil
}

// readCatalogRecords reads the catalog's leaf records: the files and
// folders, in key order and by ID. It reports the bytes past the records'
// fields.
func (v *Volume) readCatalogRecords(t *tree) ([]*node, map[uint32]*node, error) {
	byID := map[uint32]*node{}
	var all []*node
	past := &t.past
	err := t.leaves(v.max, func(key, rec []byte, at int64) error {
		n, err := decodeCatalogRecord(key, rec, at, past)
		if n == nil || err != nil {
			return err
		}
		if byID[n.id] != nil {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("catalog ID %d is used twice (%q and %q)", n.id, byID[n.id].name, n.name)}
		}
		byID[n.id] = n
		all = append(all, n)
		return nil
	})
	past.report(v, "the "+t.name)
	if err != nil {
		return nil, nil, err
	}
	return all, byID, nil
}

// decodeCatalogRecord decodes the catalog leaf record at at: a file or folder,
// or nil for a thread record. It notes the bytes past the key's and the
// record's fields in past.
func decodeCatalogRecord(key, rec []byte, at int64, past *pastFields) (*node, error) {
	be := binary.BigEndian
	if len(key) < 8 || len(rec) < 2 {
		return nil, &FormatError{Offset: at, Reason: "catalog record too short"}
	}
	parent := be.Uint32(key[2:])
	name, ok := decodeName(key[6:])
	if !ok {
		return nil, &FormatError{Offset: at, Reason: "catalog key name runs past its key"}
	}
	kend := 8 + 2*int(be.Uint16(key[6:]))
	past.add(at+int64(kend), key[kend:])
	recAt := at + int64(len(key))
	typ := be.Uint16(rec)
	switch typ {
	case recFolderThread, recFileThread:
		if len(rec) >= 10 {
			if end := 10 + 2*int(be.Uint16(rec[8:])); end <= len(rec) {
				past.add(recAt+int64(end), rec[end:])
			}
		}
		return nil, nil
	case recFolder:
		if len(rec) < 88 {
			return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("folder record of %d bytes, want 88", len(rec))}
		}
		past.add(recAt+88, rec[88:])
	case recFile:
		if len(rec) < 248 {
			return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("file record of %d bytes, want 248", len(rec))}
		}
		past.add(recAt+248, rec[248:])
	default:
		return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("catalog record type %d", typ)}
	}
	n := &node{parent: parent, name: name, dir: typ == recFolder, at: at,
		mode: be.Uint16(rec[32+10:]), flags: rec[32+9], mod: hfsTime(be.Uint32(rec[16:])), link: be.Uint32(rec[32+12:]), create: be.Uint32(rec[12:])}
	if n.dir {
		n.id = be.Uint32(rec[8:])
	} else {
		n.id = be.Uint32(rec[8:])
		n.ftype, n.creat = be.Uint32(rec[48:]), be.Uint32(rec[52:])
		n.data = readFork(rec[88:])
		n.own = n.data
		n.rsrc = readFork(rec[168:])
	}
	if n.id < 2 {
		return nil, &FormatError{Offset: at, Reason: fmt.Sprintf("catalog record %q has reserved ID %d", name, n.id)}
	}
	return n, nil
}

// hardLinkTargets finds the private data folder in root and its inode
// files, which hard links resolve to. macOS finds one folder and one
// inode file by name: a second one of either (or one differing only in
// case on a case-insensitive volume) leaves which one it reads open, so
// no link is resolved through them.
func (v *Volume) hardLinkTargets(root *node) hardLinks {
	var inodes map[string]*node
	links := hardLinks{v: v, created: []uint32{v.created}}
	privates := 0
	for _, c := range root.children {
		if c.dir && c.name == privateData {
			if privates++; privates > 1 {
				v.problem("", c.at, "a second private data folder %q in the root folder: which one holds the hard links' files is ambiguous, so no hard link is resolved", privateData)
				inodes = nil
				break
			}
			links.created = append(links.created, c.create)
			inodes = map[string]*node{}
			for _, f := range c.children {
				k := v.foldKey(f.name)
				if inodes[k] != nil {
					v.problem("", f.at, "two entries of the private data folder are named %q: hard links to it are not resolved", f.name)
					inodes[k] = &node{dir: true} // resolves to nothing
					continue
				}
				inodes[k] = f
			}
		}
	}
	links.inodes = inodes
	return links
}

// reportUnreachable reports the catalog records the root does not reach
// (folders that are each other's parents, hard link targets): they are
// not files of the volume, and hidden ones are reported.
func (v *Volume) reportUnreachable(all []*node) {
	hidden := 0
	first := int64(-1)
	for _, n := range all {
		if !v.seen[n.id] {
			if hidden == 0 {
				first = n.at
			}
			hidden++
		}
	}
	if hidden > 0 {
		v.problem("", first, "%d catalog records are not reachable from the root folder (folders that are each other's parents, or under a left-out entry)", hidden)
	}
}

// Finder types of special files.
const (
	typeSymlink  = 0x736c6e6b // 'slnk'
	typeHardlink = 0x686c6e6b // 'hlnk'
	typeDirLink  = 0x66647270 // 'fdrp'
	creatHFS     = 0x6866732b // 'hfs+'
	creatMACS    = 0x4d414353 // 'MACS'
	ufCompressed = 0x20
	sIFMT        = 0o170000
	sIFLNK       = 0o120000
	sIFDIR       = 0o040000
	sIFREG       = 0o100000
)

// Limits on compressed files.
const (
	maxDecmpfsAttr = 64 << 10
)

// FoldName returns the key under which macOS finds name on a
// case-insensitive HFS+ volume (foldname.HFSPlusKey: canonical
// decomposition, HFS+'s Unicode 2.0 lower-case table, without the
// characters its comparison ignores): two names of one key are one entry
// there. Other formats' checks (a .pkg installed onto HFS+) share it.
func FoldName(name string) string { return foldname.HFSPlusKey(name) }

// foldName is FoldName, as the volume's walk calls it.
var foldName = foldname.HFSPlusKey

// maxLink bounds a symbolic link's target.
const maxLink = 4096

// hardLinks is what resolving file hard links needs.
type hardLinks struct {
	v      *Volume
	inodes map[string]*node // the private data folder's entries, by foldKey
	// created are the createDates (as stored) a link record must carry
	// for macOS to resolve it: the volume's and the private data
	// folder's (XNU's cat_lookupbykey).
	created []uint32
}

// foldKey returns name as macOS finds it on the volume: foldName on a
// case-insensitive one, in canonical decomposition (NFD) on HFSX, whose
// names are decomposed too.
func (v *Volume) foldKey(name string) string {
	if v.fold {
		return foldName(name)
	}
	return norm.NFD.String(name)
}

// walk names the children of folder d, at dpath and depth folders deep,
// keeps in d and in v.paths those it can read, and walks the folders
// among them; onPath holds the folders from the root to d.
func (v *Volume) walk(d *node, dpath string, depth int, onPath map[uint32]bool, links *hardLinks, overflow map[uint32][]extentRec) {
	sort.Slice(d.children, func(i, j int) bool { return d.children[i].name < d.children[j].name })
	kept := d.children[:0]
	folded := map[string]string{}
	for _, c := range d.children {
		v.seen[c.id] = true
		if d == v.root && (c.name == privateData || c.name == privateDirData) && c.dir {
			continue
		}
		p, ok := v.childPath(dpath, c, folded)
		if !ok {
			continue
		}
		if c.dir {
			if !v.enterable(p, c, depth, onPath) {
				continue
			}
			v.paths[p] = c
			kept = append(kept, c)
			onPath[c.id] = true
			v.walk(c, p, depth+1, onPath, links, overflow)
			delete(onPath, c.id)
			continue
		}
		if v.readFile(p, c, links, overflow) {
			v.paths[p] = c
			kept = append(kept, c)
		}
	}
	d.children = kept
}

// childPath names child c of the folder at dpath as macOS shows it, and
// returns its path; ok is false when the name is unsafe or names the
// same entry as a sibling's, whose names folded holds by foldKey.
func (v *Volume) childPath(dpath string, c *node, folded map[string]string) (p string, ok bool) {
	name := strings.ReplaceAll(c.name, "/", ":") // as macOS shows it
	p = path.Join(dpath, name)
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, 0) || !fs.ValidPath(p) {
		v.problem(path.Join(dpath, fmt.Sprintf("%q", c.name)), c.at, "unsafe name %q", c.name)
		return "", false
	}
	if v.paths[p] != nil {
		v.problem(p, c.at, "a second entry named %q in its folder", name)
		return "", false
	}
	// macOS finds one of two names that differ only in Unicode
	// normalization, or on a case-insensitive volume in case (or in
	// characters HFS+ ignores): which one a check read and which one
	// runs could differ.
	if other, ok := folded[v.foldKey(name)]; ok {
		if v.fold {
			v.problem(p, c.at, "%q and %q name the same entry on a case-insensitive volume", other, name)
		} else {
			v.problem(p, c.at, "%q and %q name the same entry: they differ only in Unicode normalization", other, name)
		}
		return "", false
	}
	folded[v.foldKey(name)] = name
	c.name = name
	if _, ok := v.pathOf[c.id]; !ok {
		v.pathOf[c.id] = p
	}
	return p, true
}

// enterable reports whether folder c at p, a child of a folder depth
// deep, is walked: not too deep, and not its own ancestor.
func (v *Volume) enterable(p string, c *node, depth int, onPath map[uint32]bool) bool {
	if depth+1 > maxDepth {
		v.problem(p, c.at, "folders nested more than %d deep", maxDepth)
		return false
	}
	if onPath[c.id] {
		v.problem(p, c.at, "folder %d is its own ancestor", c.id)
		return false
	}
	return true
}

// readFile fills in file c at p from its own data fork, or from the
// inode its hard link names, and reports whether it is kept: a regular
// file or a symbolic link that reads.
func (v *Volume) readFile(p string, c *node, links *hardLinks, overflow map[uint32][]extentRec) bool {
	src, ok := v.linkSource(p, c, links)
	if !ok {
		return false
	}
	if src.flags&ufCompressed != 0 {
		return v.decompress(p, c, src)
	}
	exts, err := v.extents(src.data, src.id, overflow)
	if err != nil {
		v.problem(p, c.at, "data fork: %v", err)
		return false
	}
	c.exts, c.data = exts, src.data
	if c.mode&sIFMT == sIFLNK || (c.ftype == typeSymlink && c.mode&sIFMT == 0) {
		return v.readLinkTarget(p, c)
	}
	if m := c.mode & sIFMT; m != 0 && m != sIFREG {
		v.Skipped = append(v.Skipped, Problem{Path: p, Offset: c.at, Reason: fmt.Sprintf("special file (mode %#o), not read", c.mode), Special: true})
		return false
	}
	return true
}

// linkSource notes the resource forks of file c at p and returns the
// record that holds its data: c, or the inode its hard link names, whose
// mode and flags c takes. ok is false when c is a link not followed.
func (v *Volume) linkSource(p string, c *node, links *hardLinks) (src *node, ok bool) {
	src = c
	v.noteRsrc(p, c)
	switch {
	case c.ftype == typeHardlink && c.creat == creatHFS:
		if !slices.Contains(links.created, c.create) {
			// macOS then reads the record as a plain file of its own
			// data fork; other readers follow the link.
			v.problem(p, c.at, "a hard link record (type hlnk, creator hfs+) whose creation date is neither the volume's nor the private data folder's: macOS reads its own data fork, not inode %d's", c.link)
			return nil, false
		}
		t := links.inodes[v.foldKey(fmt.Sprintf("iNode%d", c.link))]
		if t == nil || t.dir {
			v.Skipped = append(v.Skipped, Problem{Path: p, Offset: c.at, Reason: fmt.Sprintf("hard link to inode %d, which the private data folder does not hold", c.link)})
			return nil, false
		}
		src = t
		c.mode, c.flags = t.mode, t.flags
		if _, ok := v.pathOf[t.id]; !ok {
			v.pathOf[t.id] = p
		}
		v.noteRsrc(p, t)
	case c.ftype == typeDirLink && c.creat == creatMACS:
		v.Skipped = append(v.Skipped, Problem{Path: p, Offset: c.at, Reason: "directory hard link, which is not followed"})
		return nil, false
	}
	return src, true
}

// decompress fills in file c at p from the HFS+ transparent compression
// (com.apple.decmpfs) of src, and reports whether it is kept: a regular
// file that decodes.
func (v *Volume) decompress(p string, c, src *node) bool {
	data, why := v.decode(src)
	if why != "" {
		v.Skipped = append(v.Skipped, Problem{Path: p, Offset: c.at, Reason: "compressed by HFS+ transparent compression (com.apple.decmpfs): " + why, Compressed: true})
		return false
	}
	c.inline, c.data = data, fork{size: uint64(len(data))}
	if c.mode&sIFMT != 0 && c.mode&sIFMT != sIFREG {
		v.Skipped = append(v.Skipped, Problem{Path: p, Offset: c.at, Reason: "compressed special file, not read", Special: true})
		return false
	}
	return true
}

// decode decodes compressed file src from its com.apple.decmpfs
// attribute and, for the types that keep their data there, its resource
// fork, or says why not. The size the attribute declares is charged to
// Options.MaxInline before decoding, whether it decodes or not.
func (v *Volume) decode(src *node) ([]byte, string) {
	a := v.decmpfs[src.id]
	if size, ok := decmpfs.DeclaredSize(a); ok {
		if size > v.inlineLeft {
			return nil, "the volume's compressed files decode to more than the reader's limit"
		}
		v.inlineLeft -= size
	}
	if !decmpfs.InFork(a) {
		return decmpfs.Decode(a, nil)
	}
	if why := decmpfs.ForkOverLimit(src.rsrc.size); why != "" {
		return nil, why
	}
	exts, err := v.extents(src.rsrc, src.id, v.rsrcOverflow)
	if err != nil {
		return nil, fmt.Sprintf("its resource fork: %v", err)
	}
	fork := make([]byte, src.rsrc.size)
	if _, err := (&forkReader{v: v, exts: exts, size: int64(src.rsrc.size)}).ReadAt(fork, 0); err != nil && len(fork) > 0 {
		return nil, fmt.Sprintf("its resource fork: %v", err)
	}
	return decmpfs.Decode(a, fork)
}

// readLinkTarget reads the target of symbolic link c at p from its data
// fork, and reports whether it read.
func (v *Volume) readLinkTarget(p string, c *node) bool {
	c.mode = c.mode&^sIFMT | sIFLNK
	if c.data.size > maxLink {
		v.problem(p, c.at, "symbolic link target of %d bytes, over %d", c.data.size, maxLink)
		return false
	}
	b := make([]byte, c.data.size)
	if _, err := (&forkReader{v: v, exts: c.exts, size: int64(c.data.size)}).ReadAt(b, 0); err != nil && len(b) > 0 {
		v.problem(p, c.at, "symbolic link target: %v", err)
		return false
	}
	c.target = string(b)
	return true
}
