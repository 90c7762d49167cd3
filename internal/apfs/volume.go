package apfs

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/shipgate/shipgate/internal/decmpfs"
	"github.com/shipgate/shipgate/internal/foldname"
)

// Limits on the file-system tree.
const (
	// maxDepth bounds folder nesting.
	maxDepth = 256
	// maxDirEntries bounds one folder's records.
	maxDirEntries = 1 << 18
	// maxLink bounds a symbolic link's target.
	maxLink = 4096
)

// Volume superblock (apfs_superblock_t) fields used.
const (
	apsbMagic              = "APSB"
	apsbSize               = 1056 // apfs_superblock_t, apfs_reserved_oid last
	incompatCaseInsens     = 0x1
	incompatDatalessSnaps  = 0x2
	incompatEncRolled      = 0x4
	incompatNormInsens     = 0x8
	incompatIncomplete     = 0x10
	incompatSealed         = 0x20
	fsUnencrypted          = 0x1
	ufCompressed           = 0x20
	sIFMT                  = 0o170000
	sIFDIR                 = 0o040000
	sIFREG                 = 0o100000
	sIFLNK                 = 0o120000
	dtDir, dtReg, dtLnk    = 4, 8, 10
	supportedIncompatFlags = incompatCaseInsens | incompatDatalessSnaps | incompatNormInsens
)

// Problem is an entry left out of the file system, and why.
type Problem struct {
	Path   string
	Offset int64 // byte of the container holding its record
	Reason string
	// Special is set on a Skipped special file (a FIFO, a socket or a
	// device), which has no data to verify.
	Special bool
	// Compressed is set on a Skipped file flagged compressed
	// (UF_COMPRESSED) whose com.apple.decmpfs data was not decoded:
	// macOS reads its data, which was not verified, wherever it lies.
	Compressed bool
}

// Options bound the reader; zero fields take the defaults.
type Options struct {
	// MaxRecords bounds the B-tree records read; zero means
	// DefaultMaxRecords.
	MaxRecords int
	// MaxInline bounds the bytes of compressed files decoded (and kept)
	// when the volume is opened; zero means DefaultMaxInline. Files past
	// it are listed in Volume.Skipped.
	MaxInline int64
}

// DefaultMaxInline is the default Options.MaxInline.
const DefaultMaxInline = 256 << 20

// Volume is the volumes of an APFS container, read as one fs.FS: with
// one volume, its files; with several (macOS mounts them all), each
// volume's files under a top-level folder (Folders).
type Volume struct {
	// Name is the first volume's name.
	Name string
	// CaseInsensitive says names differing only in case are one entry
	// (of the first volume; each volume's own flag rules its folder).
	CaseInsensitive bool
	// Volumes is the number of volumes in the container, all read.
	Volumes int
	// Names are the volumes' names, in the container's order (its
	// nx_fs_oid array).
	Names []string
	// Folders are the top-level folders holding each volume's files, in
	// that order: "." for a container of one volume; with several, the
	// volume's name, or "volume N" (N counting from 1, then "~" added
	// until unique) when its name is not a safe path element or names
	// an earlier folder, case and Unicode normalization ignored.
	Folders []string
	// Problems are entries left out because their records are
	// inconsistent or unsafe.
	Problems []Problem
	// Skipped are files not read: compressed ones whose data is not
	// inline, special files.
	Skipped []Problem
	// Unreferenced are the runs of container blocks that no structure
	// read owns and that hold bytes other than zero, and the partition's
	// bytes past the container's last block that are not zero: hidden
	// data, which no file carries. Owned are block 0, the checkpoint
	// read's map blocks and superblock and the space manager, reaper
	// and reap lists its maps list in the data area (their first block;
	// the space manager's address array; objects of other types and
	// earlier checkpoints are not owned), the pool
	// bitmap, chunk-info blocks and allocation bitmaps of a space
	// manager in the data area (one elsewhere is not trusted; the rest
	// of its internal pool is not owned), the object maps and their
	// snapshot trees, the volume superblocks, the file-system, extent
	// reference and snapshot metadata trees' nodes (when they read and
	// their records are of their types' sizes), and the extents of
	// the walked files and of their attributes' data streams up to the
	// block of their data's last byte (that block only when its bytes
	// past the data are zero). The bytes owned B-tree nodes, superblocks,
	// object maps, checkpoint maps and chunk-info blocks leave unused
	// that are not zero are listed too, as are file-system records
	// nothing reads (attributes and entries of inodes not walked,
	// records of other types not of their types' sizes). Runs the
	// space manager's bitmaps mark free (earlier copies of metadata, data
	// left behind) say so (Run.Free). At most 1024 runs.
	Unreferenced []Run
	// UnreferencedBytes is the size of all the unreferenced runs.
	UnreferencedBytes int64
	// Attributes are the extended attributes of the walked entries
	// (each inode's once, under its first path) other than a link's
	// target and a compressed file's header (attributes of those names
	// on other entries are listed), resource forks included
	// (a compressed file walked is decoded from its header, so its
	// fork is not its data): bytes no file's data carries.
	Attributes []Attribute

	c     *container
	recs  *records
	root  *node
	paths map[string]*node
	links map[uint64]int // paths per file inode
	// decoded are the compressed files' data, by inode.
	decoded map[uint64][]byte
	// inlineLeft is what Options.MaxInline leaves to decode.
	inlineLeft int64
}

// node is an entry of the walked tree.
type node struct {
	id       uint64
	name     string
	dir      bool
	mode     uint16
	mod      time.Time
	size     uint64
	exts     []fileExtent
	inline   []byte
	fromFork bool // inline was decoded from the resource fork
	target   string
	children []*node
	top      bool // the file system's root folder
}

// Open reads the APFS container of size bytes at r and every volume
// it lists.
func Open(r io.ReaderAt, size int64, opts Options) (*Volume, error) {
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = DefaultMaxRecords
	}
	if opts.MaxInline <= 0 {
		opts.MaxInline = DefaultMaxInline
	}
	c, err := openContainer(r, size, opts.MaxRecords)
	if err != nil {
		return nil, err
	}
	if len(c.fsOids) == 0 {
		return nil, &FormatError{Offset: nxFSOids, Reason: "the container holds no volume"}
	}
	left := opts.MaxInline
	seen := map[uint64]bool{}
	var subs []*Volume
	for i, oid := range c.fsOids {
		if seen[oid] {
			return nil, &FormatError{Offset: nxFSOids, Reason: fmt.Sprintf("volume oid %d listed twice", oid)}
		}
		seen[oid] = true
		sub := &Volume{c: c, paths: map[string]*node{}, links: map[uint64]int{}, decoded: map[uint64][]byte{}, inlineLeft: left}
		if err := sub.open(oid); err != nil {
			if len(c.fsOids) > 1 {
				err = fmt.Errorf("volume %d of %d (oid %d): %w", i+1, len(c.fsOids), oid, err)
			}
			return nil, err
		}
		left = sub.inlineLeft
		subs = append(subs, sub)
	}
	v := subs[0]
	if len(subs) == 1 {
		v.Volumes, v.Names, v.Folders, v.root.top = 1, []string{v.Name}, []string{"."}, true
	} else {
		v = merge(c, subs)
	}
	v.Unreferenced, v.UnreferencedBytes = c.unreferenced()
	return v, nil
}

// under returns ps with their paths under folder f.
func under(f string, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.Path = path.Join(f, p.Path)
		out[i] = p
	}
	return out
}

// merge returns the volumes subs of container c as one file system, each
// under its folder (Volume.Folders).
func merge(c *container, subs []*Volume) *Volume {
	v := &Volume{c: c, Name: subs[0].Name, CaseInsensitive: subs[0].CaseInsensitive, Volumes: len(subs), paths: map[string]*node{}}
	v.root = &node{id: rootDirID, dir: true, top: true, mode: sIFDIR | 0o755, mod: subs[0].root.mod}
	v.paths["."] = v.root
	taken := map[string]bool{}
	for i, s := range subs {
		f := s.Name
		if f == "" || f == "." || f == ".." || strings.ContainsAny(f, "/\x00") || !fs.ValidPath(f) || taken[foldname.Key(f)] {
			f = fmt.Sprintf("volume %d", i+1)
		}
		for taken[foldname.Key(f)] {
			f += "~"
		}
		taken[foldname.Key(f)] = true
		v.Names, v.Folders = append(v.Names, s.Name), append(v.Folders, f)
		s.root.name = f
		v.root.children = append(v.root.children, s.root)
		for p, n := range s.paths {
			v.paths[path.Join(f, p)] = n
		}
		v.Problems = append(v.Problems, under(f, s.Problems)...)
		v.Skipped = append(v.Skipped, under(f, s.Skipped)...)
		for _, a := range s.Attributes {
			a.Path = path.Join(f, a.Path)
			v.Attributes = append(v.Attributes, a)
		}
	}
	sort.Slice(v.root.children, func(i, j int) bool { return v.root.children[i].name < v.root.children[j].name })
	return v
}

func (v *Volume) open(oid uint64) error {
	c := v.c
	ov, ok := c.omap[oid]
	if !ok {
		return &FormatError{Offset: nxFSOids, Reason: fmt.Sprintf("volume oid %d is not in the container's object map", oid)}
	}
	o, err := c.readObject(ov.paddr, typeFS, oid, c.xid)
	if err != nil {
		return fmt.Errorf("volume superblock: %w", err)
	}
	s, off := o.b, int64(ov.paddr)*int64(c.blockSize)
	if string(s[32:36]) != apsbMagic {
		return &FormatError{Offset: off + 32, Reason: "volume superblock without its APSB magic"}
	}
	c.own(ov.paddr, 1)
	c.slackOf(ov.paddr, s, []span{{0, apsbSize}})
	inc, flags := le.Uint64(s[56:]), le.Uint64(s[264:])
	switch {
	case flags&fsUnencrypted == 0:
		return &UnsupportedError{Feature: "an encrypted volume"}
	case inc&incompatSealed != 0:
		return &UnsupportedError{Feature: "a sealed volume"}
	case inc&^uint64(supportedIncompatFlags) != 0:
		return &UnsupportedError{Feature: fmt.Sprintf("volume incompatible features %#x", inc)}
	case le.Uint64(s[160:]) != 0 || le.Uint64(s[168:]) != 0:
		return &UnsupportedError{Feature: "a volume being reverted to a snapshot"}
	case le.Uint64(s[968:]) != 0:
		return &UnsupportedError{Feature: "a volume whose root is a snapshot's"}
	case le.Uint32(s[116:]) != objVirtual|typeBtree:
		return &UnsupportedError{Feature: fmt.Sprintf("file-system tree type %#x", le.Uint32(s[116:]))}
	}
	v.CaseInsensitive = inc&incompatCaseInsens != 0
	name, _, _ := strings.Cut(string(s[704:960]), "\x00")
	v.Name = name
	vomap, err := c.readOmap(le.Uint64(s[128:]), c.xid)
	if err != nil {
		return fmt.Errorf("volume object map: %w", err)
	}
	v.recs = &records{hashed: inc&(incompatCaseInsens|incompatNormInsens) != 0, fold: inc&incompatCaseInsens != 0, inodes: map[uint64]*inode{},
		dirs: map[uint64][]drec{}, extents: map[uint64][]fileExtent{}, xattrs: map[uint64]map[string]xattr{}, others: map[uint64][]Attribute{}, streams: map[uint64][]dstream{},
		bs: int64(c.blockSize), loose: map[uint64][]span64{}}
	t := &btree{c: c, subtype: typeFSTree, xid: c.xid, omap: vomap, cmp: v.recs.fsCmp}
	if err := t.walk(le.Uint64(s[136:]), v.recs.add); err != nil {
		return fmt.Errorf("file-system tree: %w", err)
	}
	ri := v.recs.inodes[rootDirID]
	if ri == nil || ri.mode&sIFMT != sIFDIR || ri.parent != rootDirParent {
		return &FormatError{Offset: off + 136, Reason: "the file-system tree holds no root folder (inode 2)"}
	}
	v.root = &node{id: rootDirID, dir: true, mode: ri.mode, mod: time.Unix(0, ri.mod).UTC()}
	v.paths["."] = v.root
	v.walk(v.root, ".", 0, map[uint64]bool{rootDirID: true})
	v.inventory()
	v.looseBytes()
	c.ownTree(le.Uint64(s[144:]), typeExtentRef)
	c.ownTree(le.Uint64(s[152:]), typeSnapMeta)
	return nil
}

// ownExtents marks the blocks of exts, the extents of data of size
// bytes, sparse ones aside, up to the block holding the data's last
// byte: blocks past it, which no read reaches, are not owned, nor is
// that block when its bytes past the data are not zero (where an
// extent longer than its file would hide a payload).
func (v *Volume) ownExtents(exts []fileExtent, size uint64) {
	c := v.c
	bs := uint64(c.blockSize)
	last := size/bs + min(size%bs, 1) // blocks holding data
	for _, e := range exts {
		lb := e.logical / bs
		if e.phys == 0 || e.logical%bs != 0 || lb >= last {
			continue
		}
		n := min(e.length/bs+min(e.length%bs, 1), last-lb)
		if size%bs != 0 && lb+n == last && !v.tailZero(e.phys+n-1, size%bs) {
			n-- // the block of the data's end holds more past it
		}
		c.own(e.phys, n)
	}
}

// tailZero reports whether the bytes of block b from byte from on are
// zero (a block past the container's is: it is not owned).
func (v *Volume) tailZero(b, from uint64) bool {
	c := v.c
	if b >= c.blockCount {
		return true
	}
	if c.scratch == nil {
		c.scratch = make([]byte, c.blockSize)
	}
	return c.zero(c.scratch[:uint64(c.blockSize)-from], int64(b)*int64(c.blockSize)+int64(from))
}

// inventory lists the walked entries' other extended attributes and
// marks the blocks of their files' extents and attributes' data streams
// as owned.
func (v *Volume) inventory() {
	done := map[uint64]bool{}
	for _, p := range v.Paths() {
		n := v.paths[p]
		if done[n.id] {
			continue
		}
		done[n.id] = true
		v.ownExtents(n.exts, n.size)
		for _, ds := range v.recs.streams[n.id] {
			v.ownExtents(v.recs.extents[ds.id], ds.size)
		}
		// A compressed file's resource fork is listed too: a file walked
		// was decoded from its com.apple.decmpfs attribute, so the fork
		// is not its data (one whose data is in the fork is skipped).
		for _, a := range v.recs.others[n.id] {
			if a.Name == xattrRsrc && n.fromFork {
				continue // the file's data, decoded
			}
			a.Path = p
			v.Attributes = append(v.Attributes, a)
		}
		v.unusedXattrs(p, v.recs.inodes[n.id])
	}
}

// unusedXattrs lists, as Attributes of the entry at p, inode in's
// com.apple.fs.symlink and com.apple.decmpfs attributes when the reader
// does not use them: on an entry that is not a link, or not a
// compressed file (a payload there was neither data nor listed).
func (v *Volume) unusedXattrs(p string, in *inode) {
	if in == nil {
		return
	}
	xa := v.recs.xattrs[in.id]
	for _, name := range []string{xattrDecmpfs, xattrSymlink} {
		x, ok := xa[name]
		used := name == xattrSymlink && in.mode&sIFMT == sIFLNK ||
			name == xattrDecmpfs && in.mode&sIFMT == sIFREG && in.bsdFlags&ufCompressed != 0
		if !ok || used {
			continue
		}
		a := Attribute{Path: p, Name: name, Size: uint64(len(x.data)), Stream: x.flags&xattrDataStream != 0, Offset: x.at}
		if a.Stream && len(x.data) >= 16 {
			a.Size = le.Uint64(x.data[8:]) // the stream's size
		}
		v.Attributes = append(v.Attributes, a)
	}
}

func (v *Volume) problem(p string, off int64, f string, args ...any) {
	v.Problems = append(v.Problems, Problem{Path: p, Offset: off, Reason: fmt.Sprintf(f, args...)})
}

// foldKey returns name as macOS finds it on the volume: its canonical
// caseless match on a case-insensitive volume, its canonical
// decomposition on a case-sensitive one (APFS volumes macOS makes are
// normalization-insensitive).
func (v *Volume) foldKey(name string) string {
	if v.CaseInsensitive {
		return foldname.Key(name)
	}
	return norm.NFD.String(name)
}

// walk adds the entries of folder d at dpath, refusing unsafe and
// colliding names, folders reached twice, and entries whose inode is
// missing or disagrees with them.
func (v *Volume) walk(d *node, dpath string, depth int, seenDirs map[uint64]bool) {
	recs := v.recs.dirs[d.id]
	sort.Slice(recs, func(i, j int) bool { return recs[i].name < recs[j].name })
	folded := map[string]string{}
	for _, r := range recs {
		p := path.Join(dpath, r.name)
		if r.name == "" || r.name == "." || r.name == ".." || strings.ContainsAny(r.name, "/\x00") || !fs.ValidPath(p) {
			v.problem(path.Join(dpath, fmt.Sprintf("%q", r.name)), r.at, "unsafe name %q", r.name)
			continue
		}
		if v.recs.hashed {
			if h := nameHash(r.name, v.recs.fold); h != r.hash {
				v.problem(p, r.at, "directory record's name hash %#x is not its name's (%#x): a lookup by name does not find it", r.hash, h)
				continue
			}
		}
		if other, ok := folded[v.foldKey(r.name)]; ok {
			v.problem(p, r.at, "%q and %q name the same entry (they differ only in case or Unicode normalization)", other, r.name)
			continue
		}
		folded[v.foldKey(r.name)] = r.name
		in := v.recs.inodes[r.id]
		if in == nil {
			v.problem(p, r.at, "directory record for inode %d, which does not exist", r.id)
			continue
		}
		n := &node{id: in.id, name: r.name, mode: in.mode, mod: time.Unix(0, in.mod).UTC(), size: in.size}
		switch {
		case in.mode&sIFMT == sIFDIR && r.dtype == dtDir:
			if seenDirs[in.id] || in.parent != d.id {
				v.problem(p, r.at, "folder inode %d reached a second time or from a folder that is not its parent (%d)", in.id, in.parent)
				continue
			}
			if depth+1 > maxDepth {
				v.problem(p, r.at, "folders nested more than %d deep", maxDepth)
				continue
			}
			seenDirs[in.id] = true
			n.dir = true
			v.paths[p] = n
			d.children = append(d.children, n)
			v.walk(n, p, depth+1, seenDirs)
			continue
		case in.mode&sIFMT == sIFREG && r.dtype == dtReg, in.mode&sIFMT == sIFLNK && r.dtype == dtLnk:
		case in.mode&sIFMT == sIFDIR || r.dtype == dtDir || in.mode&sIFMT == sIFREG || in.mode&sIFMT == sIFLNK:
			v.problem(p, r.at, "directory record type %d disagrees with inode %d's mode %#o", r.dtype, in.id, in.mode)
			continue
		default:
			v.Skipped = append(v.Skipped, Problem{Path: p, Offset: r.at, Reason: fmt.Sprintf("special file (mode %#o), not read", in.mode), Special: true})
			continue
		}
		if v.links[in.id]++; int64(v.links[in.id]) > max(int64(in.nlink), 1) {
			v.problem(p, r.at, "inode %d reached by more directory records than its %d links", in.id, in.nlink)
			continue
		}
		if ok := v.file(n, in, p, r.at); ok {
			v.paths[p] = n
			d.children = append(d.children, n)
		}
	}
}

// file fills in a file or link's data; false leaves it out.
func (v *Volume) file(n *node, in *inode, p string, at int64) bool {
	xa := v.recs.xattrs[in.id]
	if in.mode&sIFMT == sIFLNK {
		x, ok := xa[xattrSymlink]
		t, okS := cString(x.data)
		if !ok || x.flags&xattrDataEmbedded == 0 || !okS || len(t) > maxLink {
			v.problem(p, at, "symbolic link without a readable target")
			return false
		}
		n.target = t
		return true
	}
	if in.bsdFlags&ufCompressed != 0 {
		data, why := v.decompress(in.id, xa)
		if why != "" {
			v.Skipped = append(v.Skipped, Problem{Path: p, Offset: at, Reason: "compressed (com.apple.decmpfs): " + why, Compressed: true})
			return false
		}
		n.inline, n.size = data, uint64(len(data))
		n.fromFork = decmpfs.InFork(xa[xattrDecmpfs].data)
		return true
	}
	if in.size > math.MaxInt64 {
		v.problem(p, in.at, "data of %d bytes, past the largest file offset", in.size)
		return false
	}
	exts := v.recs.extents[in.private]
	if at, why := v.badExtent(exts); why != "" {
		v.problem(p, at, "%s", why)
		return false
	}
	n.exts = exts
	return true
}

// badExtent returns the first of exts, a file's or data stream's
// extents in order, that is flagged, not whole blocks, past the largest
// file offset or the container, or overlapping the one before, and why
// ("" when none is).
func (v *Volume) badExtent(exts []fileExtent) (int64, string) {
	var end uint64
	for _, e := range exts {
		switch {
		case e.flags != 0:
			return e.at, fmt.Sprintf("file extent flags %#x", e.flags)
		case e.length == 0 || e.length%uint64(v.c.blockSize) != 0 || e.logical%uint64(v.c.blockSize) != 0:
			return e.at, fmt.Sprintf("file extent of %d bytes at %d, not whole blocks", e.length, e.logical)
		case e.logical > math.MaxInt64-e.length:
			return e.at, fmt.Sprintf("file extent of %d bytes at %d, past the largest file offset", e.length, e.logical)
		case e.logical < end:
			return e.at, fmt.Sprintf("file extents overlap at %d", e.logical)
		case e.phys != 0 && (e.phys >= v.c.blockCount || e.length/uint64(v.c.blockSize) > v.c.blockCount-e.phys):
			return e.at, fmt.Sprintf("file extent of %d bytes at block %d past the container's %d blocks", e.length, e.phys, v.c.blockCount)
		}
		end = e.logical + e.length
	}
	return 0, ""
}

// decompress returns the decoded data of compressed file inode id,
// whose attributes are xa, or why not. A file is decoded once, however
// many paths reach it, and the size its header declares is charged to
// Options.MaxInline before decoding, whether it decodes or not: so a
// volume of many (or many times linked) small bombs is not decoded
// again and again.
func (v *Volume) decompress(id uint64, xa map[string]xattr) ([]byte, string) {
	if d, ok := v.decoded[id]; ok {
		return d, ""
	}
	x, ok := xa[xattrDecmpfs]
	if !ok || x.flags&xattrDataEmbedded == 0 {
		return nil, "its com.apple.decmpfs attribute is not inline"
	}
	if size, ok := decmpfs.DeclaredSize(x.data); ok {
		if size > v.inlineLeft {
			return nil, "the volume's compressed files decode to more than the reader's limit"
		}
		v.inlineLeft -= size
	}
	var fork []byte
	if decmpfs.InFork(x.data) {
		var why string
		if fork, why = v.resourceFork(xa); why != "" {
			return nil, why
		}
	}
	data, why := decmpfs.Decode(x.data, fork)
	if why == "" {
		v.decoded[id] = data
	}
	return data, why
}

// resourceFork returns the com.apple.ResourceFork attribute in xa, of a
// compressed file whose data lies there, or why not: inline in its
// attribute record, or in a data stream (j_xattr_dstream_t: the
// stream's object ID, then its j_dstream_t, size first) read through its
// extents, checked as a file's are.
func (v *Volume) resourceFork(xa map[string]xattr) ([]byte, string) {
	x, ok := xa[xattrRsrc]
	switch {
	case !ok:
		return nil, "its data is in the resource fork (com.apple.ResourceFork), which it does not have"
	case x.flags&xattrDataStream == 0:
		if why := decmpfs.ForkOverLimit(uint64(len(x.data))); why != "" {
			return nil, why
		}
		return x.data, ""
	case len(x.data) != xattrDstreamSize:
		return nil, fmt.Sprintf("its resource fork's data stream record of %d bytes (record at container offset %#x)", len(x.data), x.at)
	}
	id, size := le.Uint64(x.data), le.Uint64(x.data[8:])
	if why := decmpfs.ForkOverLimit(size); why != "" {
		return nil, why
	}
	exts := v.recs.extents[id]
	if at, why := v.badExtent(exts); why != "" {
		return nil, fmt.Sprintf("its resource fork: %s (record at container offset %#x)", why, at)
	}
	fork := make([]byte, size)
	if _, err := (&fileReader{c: v.c, n: &node{name: xattrRsrc, size: size, exts: exts}}).ReadAt(fork, 0); err != nil && size > 0 {
		return nil, fmt.Sprintf("its resource fork: %v", err)
	}
	return fork, ""
}

// TotalSize returns the sum of the sizes of the volume's files, a file
// reached by several paths counted once per path; a sum past the
// largest uint64 is that (it must not wrap round to a small one).
func (v *Volume) TotalSize() uint64 {
	var t uint64
	for _, n := range v.paths {
		if !n.dir {
			if n.size > math.MaxUint64-t {
				return math.MaxUint64
			}
			t += n.size
		}
	}
	return t
}
