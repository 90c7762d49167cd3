package hfsplus

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/shipgate/shipgate/internal/decmpfs"
	"github.com/shipgate/shipgate/internal/volfs"
)

// BuildFile is a file, folder or symbolic link to put in a built volume.
type BuildFile struct {
	Data []byte
	// Mode holds the permission bits; zero means 0644 (0755 for folders).
	// A type of fs.ModeNamedPipe, fs.ModeSocket or fs.ModeDevice (with
	// fs.ModeCharDevice or not) makes a special file of that kind, with
	// no data.
	Mode fs.FileMode
	// Link, when set, makes the entry a symbolic link to Link.
	Link string
	// Dir makes the entry a folder.
	Dir bool
	// Compressed stores the file with HFS+ transparent compression
	// (UF_COMPRESSED, an empty data fork): Data zlib-compressed inline in
	// its com.apple.decmpfs attribute (type 3), or, when Data is nil, a
	// type 4 attribute whose data would be in the resource fork (left
	// empty), which a reader does not decode.
	Compressed bool
	// CompressType, with Compressed, stores Data as that
	// com.apple.decmpfs compression type (decmpfs.Encode): 3, 7 and 11
	// inline in the attribute, 4, 8 and 12 in the resource fork (Rsrc,
	// unless set, is then the encoded fork).
	CompressType uint32
	// HardLink, when set, makes the entry a file hard link, as macOS
	// stores one: its data is the file "iNodeN" of the private data
	// folder, N its catalog ID.
	HardLink bool
	// Rsrc is the file's resource fork, stored in its own extent.
	Rsrc []byte
	// Xattrs are the entry's extended attributes, by name: inline
	// attribute records, or fork data attributes in their own extent for
	// values over 2048 bytes.
	Xattrs map[string][]byte
}

// BuildSpec says what volume to build.
type BuildSpec struct {
	// Files maps slash-separated paths to entries; parent folders are
	// made as needed.
	Files map[string]BuildFile
	// Name is the volume's name; empty means "Untitled".
	Name string
	// NodeSize is the B-tree node size; zero means 4096. Small nodes
	// force several leaf nodes and index nodes.
	NodeSize int
	// Fragment stores files (data and resource forks) of more than eight
	// blocks in one-block extents with gaps between them, so their
	// extents continue in the extents overflow file.
	Fragment bool
	// Time is every date of the volume; zero means 2024-01-01.
	Time time.Time
	// Hidden is written to blocks after the files' that the allocation
	// bitmap marks used but that nothing references.
	Hidden []byte
	// FreeData is written to blocks after those that the bitmap marks
	// free.
	FreeData []byte
}

// Build returns an HFS+ volume (case-insensitive, as hdiutil makes for
// disk images) holding s.Files, with 4096-byte allocation blocks, an
// allocation bitmap, a catalog B-tree and an extents overflow B-tree, and
// the alternate volume header. It is for fixtures: names are ordered by
// ASCII case folding, which is HFS+'s order for ASCII names.
func Build(s BuildSpec) ([]byte, error) {
	files := make(map[string]BuildFile, len(s.Files))
	for p, f := range s.Files {
		if f.Compressed && f.CompressType != 0 && f.Rsrc == nil {
			_, f.Rsrc = decmpfs.Encode(f.CompressType, f.Data)
		}
		files[p] = f
	}
	s.Files = files
	b := newVolBuilder(s)
	if err := b.addFiles(); err != nil {
		return nil, err
	}
	b.assignIDs()
	b.catalogRecords()
	b.attributeRecords()
	b.plan()
	b.placeFiles()
	b.placeExtras()
	b.fillForks()
	free := b.writeBitmap()
	if err := b.writeTrees(); err != nil {
		return nil, err
	}
	b.writeHeader(free)
	return b.img, nil
}

// buildBlock is the allocation block size of built volumes.
const buildBlock = 4096

// buildEntry is a file, folder or link of a volume being built.
type buildEntry struct {
	path   string
	id     uint32
	parent uint32
	name   string
	f      BuildFile
	kids   int
	exts   []extent
	blocks uint32
}

// catRec is a catalog record of a volume being built, before its key is
// encoded.
type catRec struct {
	parent uint32
	name   []uint16
	data   []byte
}

// ovfRec is an extents overflow record for a fragmented fork.
type ovfRec struct {
	fork  byte // 0 data, 0xff resource
	id    uint32
	start uint32
	exts  []extent
}

// forkAttr is a fork data attribute of a volume being built.
type forkAttr struct {
	val  []byte // the record, whose fork is filled in once placed
	data []byte
	exts []extent
}

// volBuilder holds a volume being built by Build, step by step.
type volBuilder struct {
	s    BuildSpec
	ns   int
	date uint32

	entries map[string]*buildEntry
	links   []string
	all     []*buildEntry // by path
	inodeOf map[*buildEntry]uint32
	next    uint32
	files   int
	folders int

	catRecs   []kv
	fileData  map[*buildEntry][]byte
	attrRecs  []kv
	forkAttrs []*forkAttr
	ovfs      []ovfRec
	rsrcExts  map[uint32][]extent
	sorted    []*buildEntry // entries with data forks, by ID

	dataBlocks, extraBlocks, attrBlocks, extBlocks, catBlocks, bmBlocks, total uint32
	bmStart, extStart, catStart, attrStart                                     uint32

	img  []byte
	used []bool
	at   uint32 // the next block to place data at
}

// newVolBuilder applies s's defaults and makes the root folder.
func newVolBuilder(s BuildSpec) *volBuilder {
	ns := s.NodeSize
	if ns == 0 {
		ns = 4096
	}
	t := s.Time
	if t.IsZero() {
		t = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	name := s.Name
	if name == "" {
		name = "Untitled"
	}
	return &volBuilder{
		s:       s,
		ns:      ns,
		date:    uint32(t.Unix() + 2082844800),
		entries: map[string]*buildEntry{".": {path: ".", id: rootFolderID, parent: rootParentID, name: name, f: BuildFile{Dir: true}}},
	}
}

// add makes the entry p, and its parent folders as needed.
func (b *volBuilder) add(p string, f BuildFile) error {
	if e := b.entries[p]; e != nil {
		if !e.f.Dir || !f.Dir {
			return fmt.Errorf("hfsplus: %q given twice", p)
		}
		return nil
	}
	dir := path.Dir(p)
	if b.entries[dir] == nil {
		if err := b.add(dir, BuildFile{Dir: true}); err != nil {
			return err
		}
	}
	if !b.entries[dir].f.Dir {
		return fmt.Errorf("hfsplus: %q is under a file", p)
	}
	b.entries[p] = &buildEntry{path: p, name: path.Base(p), f: f}
	b.entries[dir].kids++
	return nil
}

// inodePath is where the data of the hard link p goes, in the private
// data folder.
func inodePath(p string) string {
	return privateData + "/" + strings.ReplaceAll(p, "/", "_") + ".inode"
}

// addFiles makes the entries of s.Files, in path order.
func (b *volBuilder) addFiles() error {
	paths := make([]string, 0, len(b.s.Files))
	for p := range b.s.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !fs.ValidPath(p) || p == "." {
			return fmt.Errorf("hfsplus: invalid path %q", p)
		}
		f := b.s.Files[p]
		if f.HardLink {
			// The data goes to the private folder's inode file.
			if err := b.add(inodePath(p), BuildFile{Data: f.Data, Mode: f.Mode}); err != nil {
				return err
			}
			b.links = append(b.links, p)
			f = BuildFile{HardLink: true, Mode: f.Mode}
		}
		if err := b.add(p, f); err != nil {
			return err
		}
	}
	return nil
}

// assignIDs numbers the entries in path order, links each to its parent,
// and names the hard links' inode files.
func (b *volBuilder) assignIDs() {
	b.all = make([]*buildEntry, 0, len(b.entries))
	for _, e := range b.entries {
		b.all = append(b.all, e)
	}
	all := b.all
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })
	b.next = 16
	for _, e := range all {
		if e.id == 0 {
			e.id = b.next
			b.next++
			if e.f.Dir {
				b.folders++
			} else {
				b.files++
			}
		}
	}
	for _, e := range all {
		if e.path != "." {
			e.parent = b.entries[path.Dir(e.path)].id
		}
	}
	b.inodeOf = map[*buildEntry]uint32{}
	for _, p := range b.links {
		in := b.entries[inodePath(p)]
		in.name = fmt.Sprintf("iNode%d", in.id)
		b.inodeOf[b.entries[p]] = in.id
	}
}

// catalogRecords makes the catalog's records, sorted by key, and notes
// each file's data fork.
func (b *volBuilder) catalogRecords() {
	be := binary.BigEndian
	var recs []catRec
	b.fileData = map[*buildEntry][]byte{}
	for _, e := range b.all {
		u := utf16.Encode([]rune(e.name))
		// A thread record: type, reserved, parent ID, then the name's
		// length and its UTF-16 code units (TN1150).
		thread := make([]byte, 10+2*len(u))
		be.PutUint32(thread[4:], e.parent)
		be.PutUint16(thread[8:], uint16(len(u)))
		for i, c := range u {
			be.PutUint16(thread[10+2*i:], c)
		}
		var body []byte
		if e.f.Dir {
			be.PutUint16(thread, recFolderThread)
			body = folderRecord(e)
		} else {
			be.PutUint16(thread, recFileThread)
			body = b.fileRecord(e)
		}
		for i := 12; i < 32; i += 4 {
			be.PutUint32(body[i:], b.date)
		}
		be.PutUint32(body[32+4:], 80) // group admin
		recs = append(recs, catRec{parent: e.parent, name: u, data: body}, catRec{parent: e.id, data: thread})
	}
	fold := func(u []uint16) string {
		return strings.ToLower(string(utf16.Decode(u)))
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].parent != recs[j].parent {
			return recs[i].parent < recs[j].parent
		}
		return fold(recs[i].name) < fold(recs[j].name)
	})
	b.catRecs = make([]kv, len(recs))
	for i, r := range recs {
		b.catRecs[i] = kv{catKey(r), r.data}
	}
}

// catKey is r's catalog key, with its length field.
func catKey(r catRec) []byte {
	be := binary.BigEndian
	k := make([]byte, 8+2*len(r.name))
	be.PutUint16(k, uint16(6+2*len(r.name)))
	be.PutUint32(k[2:], r.parent)
	be.PutUint16(k[6:], uint16(len(r.name)))
	for i, c := range r.name {
		be.PutUint16(k[8+2*i:], c)
	}
	return k
}

// folderRecord is the folder e's catalog record, but for its dates and
// group.
func folderRecord(e *buildEntry) []byte {
	be := binary.BigEndian
	perm := uint16(e.f.Mode.Perm())
	body := make([]byte, 88)
	be.PutUint16(body, recFolder)
	be.PutUint32(body[4:], uint32(e.kids))
	be.PutUint32(body[8:], e.id)
	if perm == 0 {
		perm = 0o755
	}
	be.PutUint16(body[32+10:], sIFDIR|perm)
	return body
}

// fileRecord is the file e's catalog record, but for its dates, group and
// forks, and notes its data fork's content.
func (b *volBuilder) fileRecord(e *buildEntry) []byte {
	be := binary.BigEndian
	perm := uint16(e.f.Mode.Perm()) | volfs.BSDSpecial(e.f.Mode)
	body := make([]byte, 248)
	be.PutUint16(body, recFile)
	be.PutUint16(body[2:], 0x0002) // thread exists
	be.PutUint32(body[8:], e.id)
	data := e.f.Data
	mode := uint16(sIFREG)
	if perm == 0 {
		perm = 0o644
	}
	if e.f.Link != "" {
		data = []byte(e.f.Link)
		mode, perm = sIFLNK, 0o755
		be.PutUint32(body[48:], typeSymlink)
		be.PutUint32(body[52:], 0x72686170) // 'rhap'
	}
	if t := specialType(e.f.Mode); t != 0 {
		mode, data = t, nil
	}
	if e.f.Compressed {
		body[32+9] = ufCompressed
		data = nil
	}
	if n, ok := b.inodeOf[e]; ok {
		be.PutUint32(body[48:], typeHardlink)
		be.PutUint32(body[52:], creatHFS)
		be.PutUint32(body[32+12:], n)
		data = nil
	}
	be.PutUint16(body[32+10:], mode|perm)
	b.fileData[e] = data
	return body
}

// attributeRecords makes the attributes records, by file ID then name:
// compressed files' com.apple.decmpfs (type 3, zlib, inline, for those
// with data; type 4, resource fork, for the others) and the entries'
// Xattrs.
func (b *volBuilder) attributeRecords() {
	be := binary.BigEndian
	for _, e := range b.all {
		vals := map[string][]byte{}
		for n, d := range e.f.Xattrs {
			vals[n] = d
		}
		if !e.f.Dir && e.f.Compressed {
			if e.f.CompressType != 0 {
				vals["com.apple.decmpfs"], _ = decmpfs.Encode(e.f.CompressType, e.f.Data)
			} else {
				vals["com.apple.decmpfs"] = decmpfsAttr(e.f.Data)
			}
		}
		names := make([]string, 0, len(vals))
		for n := range vals {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, an := range names {
			d := vals[an]
			name := utf16.Encode([]rune(an))
			k := make([]byte, 14+2*len(name))
			be.PutUint16(k, uint16(12+2*len(name)))
			be.PutUint32(k[4:], e.id)
			be.PutUint16(k[12:], uint16(len(name)))
			for i, c := range name {
				be.PutUint16(k[14+2*i:], c)
			}
			if len(d) > 2048 {
				v := make([]byte, 88)
				be.PutUint32(v, 0x20)
				b.forkAttrs = append(b.forkAttrs, &forkAttr{val: v, data: d})
				b.attrRecs = append(b.attrRecs, kv{k, v})
				continue
			}
			v := make([]byte, 16+len(d)+len(d)%2)
			be.PutUint32(v, 0x10)
			be.PutUint32(v[12:], uint32(len(d)))
			copy(v[16:], d)
			b.attrRecs = append(b.attrRecs, kv{k, v})
		}
	}
}

// decmpfsAttr is the com.apple.decmpfs value for a compressed file:
// type 3 with data zlib-compressed inline (decmpfs.Encode), or a type 4
// header declaring no bytes when data is nil.
func decmpfsAttr(data []byte) []byte {
	if data == nil {
		hdr := make([]byte, 16)
		copy(hdr, "fpmc")
		binary.LittleEndian.PutUint32(hdr[4:], 4)
		return hdr
	}
	a, _ := decmpfs.Encode(3, data)
	return a
}

// blocksOf is how many allocation blocks n bytes take.
func blocksOf(n int) uint32 { return uint32((n + buildBlock - 1) / buildBlock) }

// plan sizes every part of the volume. Block 0 holds the volume header;
// then come the bitmap, the extents file, the catalog file, the
// attributes file, the files' data, and a last block for the alternate
// volume header.
func (b *volBuilder) plan() {
	const bs = buildBlock
	s, ns := b.s, b.ns
	for e, d := range b.fileData {
		n := uint32((len(d) + bs - 1) / bs)
		e.blocks = n
		if s.Fragment && n > 8 {
			b.dataBlocks += 2 * n
		} else {
			b.dataBlocks += n
		}
	}
	catNodes := countNodes(b.catRecs, ns, true)
	b.extraBlocks = blocksOf(len(s.Hidden)) + blocksOf(len(s.FreeData))
	for _, e := range b.all {
		b.extraBlocks += blocksOf(len(e.f.Rsrc))
	}
	for _, a := range b.forkAttrs {
		b.extraBlocks += blocksOf(len(a.data))
	}
	if len(b.attrRecs) > 0 {
		b.attrBlocks = uint32((countNodes(b.attrRecs, ns, true)*ns + bs - 1) / bs)
	}
	// The extents tree's size depends on the overflow records, known
	// once blocks are placed: place data after a generous extents file.
	frag := 0
	for e := range b.fileData {
		if s.Fragment && e.blocks > 8 {
			frag += int(e.blocks-8+7) / 8
		}
		if r := blocksOf(len(e.f.Rsrc)); s.Fragment && r > 8 {
			frag += int(r-8+7) / 8
			b.extraBlocks += r // the gaps
		}
	}
	extNodes := max(1, countNodes(make([]kv, frag), ns, false, 10+64)) + 1
	b.extBlocks = uint32((extNodes*ns + bs - 1) / bs)
	b.catBlocks = uint32((catNodes*ns + bs - 1) / bs)
	fixed := 1 + b.extBlocks + b.catBlocks + b.attrBlocks + b.dataBlocks + b.extraBlocks + 1
	b.bmBlocks = 1
	for (fixed+b.bmBlocks+7)/8 > b.bmBlocks*bs {
		b.bmBlocks++
	}
	b.total = fixed + b.bmBlocks
	b.img = make([]byte, int(b.total)*bs)
	b.used = make([]bool, b.total)
	b.mark(0, 1)
	b.mark(b.total-1, 1)
	b.at = 1
	b.bmStart = b.reserve(b.bmBlocks)
	b.extStart = b.reserve(b.extBlocks)
	b.catStart = b.reserve(b.catBlocks)
	b.attrStart = b.reserve(b.attrBlocks)
}

// mark marks n blocks from a used.
func (b *volBuilder) mark(a, n uint32) {
	for i := a; i < a+n; i++ {
		b.used[i] = true
	}
}

// reserve marks the next n blocks used and returns the first.
func (b *volBuilder) reserve(n uint32) uint32 {
	a := b.at
	b.mark(a, n)
	b.at += n
	return a
}

// placeFiles writes the files' data forks, in ID order.
func (b *volBuilder) placeFiles() {
	const bs = buildBlock
	b.sorted = make([]*buildEntry, 0, len(b.fileData))
	for e := range b.fileData {
		b.sorted = append(b.sorted, e)
	}
	sorted := b.sorted
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].id < sorted[j].id })
	for _, e := range sorted {
		d := b.fileData[e]
		if b.s.Fragment && e.blocks > 8 {
			for k := uint32(0); k < e.blocks; k++ {
				e.exts = append(e.exts, extent{b.at, 1})
				copy(b.img[int(b.at)*bs:], d[min(len(d), int(k)*bs):min(len(d), int(k+1)*bs)])
				b.mark(b.at, 1)
				b.at += 2
			}
			for k := 8; k < len(e.exts); k += 8 {
				b.ovfs = append(b.ovfs, ovfRec{0, e.id, uint32(k), e.exts[k:min(k+8, len(e.exts))]})
			}
			continue
		}
		if e.blocks > 0 {
			e.exts = []extent{{b.at, e.blocks}}
			copy(b.img[int(b.at)*bs:], d)
			b.mark(b.at, e.blocks)
			b.at += e.blocks
		}
	}
}

// place writes d at the next blocks, marked used or not, fragmented as
// files are, and returns its extents.
func (b *volBuilder) place(d []byte, used bool) []extent {
	const bs = buildBlock
	n := blocksOf(len(d))
	if n == 0 {
		return nil
	}
	if b.s.Fragment && n > 8 && used {
		var exts []extent
		for k := uint32(0); k < n; k++ {
			copy(b.img[int(b.at)*bs:], d[min(len(d), int(k)*bs):min(len(d), int(k+1)*bs)])
			b.mark(b.at, 1)
			exts = append(exts, extent{b.at, 1})
			b.at += 2
		}
		return exts
	}
	copy(b.img[int(b.at)*bs:], d)
	if used {
		b.mark(b.at, n)
	}
	b.at += n
	return []extent{{b.at - n, n}}
}

// placeExtras writes the resource forks, fork data attributes, hidden
// blocks (used) and free data (not used).
func (b *volBuilder) placeExtras() {
	b.rsrcExts = map[uint32][]extent{}
	for _, e := range b.all {
		if len(e.f.Rsrc) > 0 && !e.f.Dir {
			x := b.place(e.f.Rsrc, true)
			b.rsrcExts[e.id] = x
			for k := 8; k < len(x); k += 8 {
				b.ovfs = append(b.ovfs, ovfRec{0xff, e.id, uint32(k), x[k:min(k+8, len(x))]})
			}
		}
	}
	for _, a := range b.forkAttrs {
		a.exts = b.place(a.data, true)
	}
	b.place(b.s.Hidden, true)
	b.place(b.s.FreeData, false)
}

// putFork writes a fork data structure: its size, block count and first
// eight extents.
func putFork(b []byte, size uint64, blocks uint32, exts []extent) {
	be := binary.BigEndian
	be.PutUint64(b, size)
	be.PutUint32(b[12:], blocks)
	for i, x := range exts[:min(8, len(exts))] {
		be.PutUint32(b[16+8*i:], x.start)
		be.PutUint32(b[20+8*i:], x.count)
	}
}

// fillForks writes the placed forks into the file records and fork data
// attributes.
func (b *volBuilder) fillForks() {
	be := binary.BigEndian
	for _, e := range b.sorted {
		for i := range b.catRecs {
			r := b.catRecs[i]
			if len(r.val) == 248 && be.Uint32(r.val[8:]) == e.id {
				putFork(r.val[88:], uint64(len(b.fileData[e])), e.blocks, e.exts)
				if x := b.rsrcExts[e.id]; x != nil {
					putFork(r.val[168:], uint64(len(e.f.Rsrc)), blocksOf(len(e.f.Rsrc)), x)
				}
			}
		}
	}
	for _, a := range b.forkAttrs {
		putFork(a.val[8:], uint64(len(a.data)), a.exts[0].count, a.exts)
	}
}

// writeBitmap writes the allocation bitmap and returns the free block
// count.
func (b *volBuilder) writeBitmap() uint32 {
	free := uint32(0)
	for i, u := range b.used {
		if u {
			b.img[int(b.bmStart)*buildBlock+i/8] |= 0x80 >> (i % 8)
		} else {
			free++
		}
	}
	return free
}

// writeTrees writes the catalog, extents overflow and attributes
// B-trees.
func (b *volBuilder) writeTrees() error {
	const bs = buildBlock
	be := binary.BigEndian
	ns, ovfs := b.ns, b.ovfs
	// Extent keys order by file ID, fork type, then start block.
	sort.SliceStable(ovfs, func(i, j int) bool {
		if ovfs[i].id != ovfs[j].id {
			return ovfs[i].id < ovfs[j].id
		}
		return ovfs[i].fork < ovfs[j].fork
	})
	extRecs := make([]kv, len(ovfs))
	for i, o := range ovfs {
		k := make([]byte, 12)
		be.PutUint16(k, 10)
		k[2] = o.fork
		be.PutUint32(k[4:], o.id)
		be.PutUint32(k[8:], o.start)
		v := make([]byte, 64)
		for j, x := range o.exts {
			be.PutUint32(v[8*j:], x.start)
			be.PutUint32(v[8*j+4:], x.count)
		}
		extRecs[i] = kv{k, v}
	}
	cat := buildTree(b.catRecs, ns, int(b.catBlocks)*bs/ns, 516, 0xCF, 6)
	ext := buildTree(extRecs, ns, int(b.extBlocks)*bs/ns, 10, 0, 2)
	if len(cat) > int(b.catBlocks)*bs || len(ext) > int(b.extBlocks)*bs {
		return fmt.Errorf("hfsplus: B-tree larger than planned")
	}
	copy(b.img[int(b.catStart)*bs:], cat)
	if b.attrBlocks > 0 {
		attr := buildTree(b.attrRecs, ns, int(b.attrBlocks)*bs/ns, 266, 0, 6)
		copy(b.img[int(b.attrStart)*bs:], attr)
	}
	copy(b.img[int(b.extStart)*bs:], ext)
	return nil
}

// writeHeader writes the volume header and its alternate.
func (b *volBuilder) writeHeader(free uint32) {
	const bs = buildBlock
	be := binary.BigEndian
	h := make([]byte, 512)
	be.PutUint16(h, SigHFSPlus)
	be.PutUint16(h[2:], 4)
	be.PutUint32(h[4:], 1<<8) // unmounted cleanly
	be.PutUint32(h[8:], 0x31302e30)
	for i := 16; i < 32; i += 4 {
		be.PutUint32(h[i:], b.date)
	}
	be.PutUint32(h[32:], uint32(b.files))
	be.PutUint32(h[36:], uint32(b.folders))
	be.PutUint32(h[40:], bs)
	be.PutUint32(h[44:], b.total)
	be.PutUint32(h[48:], free)
	be.PutUint32(h[52:], b.at)
	be.PutUint32(h[56:], 65536)
	be.PutUint32(h[60:], 65536)
	be.PutUint32(h[64:], b.next)
	be.PutUint32(h[68:], 1)
	be.PutUint64(h[72:], 1)
	putFork(h[112:], uint64(b.bmBlocks)*bs, b.bmBlocks, []extent{{b.bmStart, b.bmBlocks}})
	putFork(h[192:], uint64(b.extBlocks)*bs, b.extBlocks, []extent{{b.extStart, b.extBlocks}})
	putFork(h[272:], uint64(b.catBlocks)*bs, b.catBlocks, []extent{{b.catStart, b.catBlocks}})
	if b.attrBlocks > 0 {
		putFork(h[352:], uint64(b.attrBlocks)*bs, b.attrBlocks, []extent{{b.attrStart, b.attrBlocks}})
	}
	copy(b.img[1024:], h)
	copy(b.img[len(b.img)-1024:], h)
}

// kv is a B-tree record's key (with its length field) and value.
type kv struct{ key, val []byte }

// packLeaves splits records into nodes of ns bytes.
func packLeaves(recs []kv, ns int) [][]kv {
	var nodes [][]kv
	var cur []kv
	used := 14 + 2
	for _, r := range recs {
		n := len(r.key) + len(r.val)
		if n%2 == 1 {
			n++
		}
		if len(cur) > 0 && used+n+2 > ns {
			nodes = append(nodes, cur)
			cur, used = nil, 14+2
		}
		cur = append(cur, r)
		used += n + 2
	}
	if len(cur) > 0 {
		nodes = append(nodes, cur)
	}
	return nodes
}

// countNodes returns the nodes a tree of recs needs (header included).
// For a tree of unknown records, fixed gives each record's size.
func countNodes(recs []kv, ns int, variableIndex bool, fixed ...int) int {
	if len(fixed) > 0 {
		per := (ns - 16) / (fixed[0] + 2)
		leaves := (len(recs) + per - 1) / per
		return 1 + 2*leaves + 1
	}
	total := 1
	level := packLeaves(recs, ns)
	for {
		total += len(level)
		if len(level) <= 1 {
			return total
		}
		idx := make([]kv, len(level))
		for i, n := range level {
			idx[i] = kv{n[0].key, make([]byte, 4)}
		}
		level = packLeaves(idx, ns)
	}
}

// buildTree lays out a B-tree of the sorted recs in nodes of ns bytes,
// with room for capacity nodes: the header node, leaves, then index
// levels.
func buildTree(recs []kv, ns, capacity, maxKey int, cmp byte, attrs uint32) []byte {
	be := binary.BigEndian
	type nodeT struct {
		kind   int8
		height uint8
		recs   []kv
	}
	var nodes []nodeT
	nodes = append(nodes, nodeT{kind: 1})
	leaves := packLeaves(recs, ns)
	level := make([]int, 0, len(leaves))
	for _, l := range leaves {
		level = append(level, len(nodes))
		nodes = append(nodes, nodeT{kind: -1, height: 1, recs: l})
	}
	firstLeaf, lastLeaf := 0, 0
	if len(level) > 0 {
		firstLeaf, lastLeaf = level[0], level[len(level)-1]
	}
	leafNodes := append([]int(nil), level...)
	height := uint8(1)
	for len(level) > 1 {
		height++
		idx := make([]kv, len(level))
		for i, n := range level {
			ptr := make([]byte, 4)
			be.PutUint32(ptr, uint32(n))
			idx[i] = kv{nodes[n].recs[0].key, ptr}
		}
		var next []int
		for _, g := range packLeaves(idx, ns) {
			next = append(next, len(nodes))
			nodes = append(nodes, nodeT{kind: 0, height: height, recs: g})
		}
		level = next
	}
	root := 0
	depth := 0
	if len(level) == 1 {
		root, depth = level[0], int(height)
	}
	out := make([]byte, max(capacity, len(nodes))*ns)
	for i, n := range nodes {
		b := out[i*ns : (i+1)*ns]
		b[8], b[9] = byte(n.kind), n.height
		if n.kind == -1 {
			for k, l := range leafNodes {
				if l == i {
					if k+1 < len(leafNodes) {
						be.PutUint32(b, uint32(leafNodes[k+1]))
					}
					if k > 0 {
						be.PutUint32(b[4:], uint32(leafNodes[k-1]))
					}
				}
			}
		}
		if n.kind == 1 {
			continue
		}
		be.PutUint16(b[10:], uint16(len(n.recs)))
		off := 14
		for k, r := range n.recs {
			be.PutUint16(b[ns-2*(k+1):], uint16(off))
			off += copy(b[off:], r.key)
			off += copy(b[off:], r.val)
			if off%2 == 1 {
				off++
			}
		}
		be.PutUint16(b[ns-2*(len(n.recs)+1):], uint16(off))
	}
	// Header node: descriptor, header record, user data, map.
	total := len(out) / ns
	h := out[:ns]
	be.PutUint16(h[10:], 3)
	r := h[14:]
	be.PutUint16(r, uint16(depth))
	be.PutUint32(r[2:], uint32(root))
	be.PutUint32(r[6:], uint32(len(recs)))
	be.PutUint32(r[10:], uint32(firstLeaf))
	be.PutUint32(r[14:], uint32(lastLeaf))
	be.PutUint16(r[18:], uint16(ns))
	be.PutUint16(r[20:], uint16(maxKey))
	be.PutUint32(r[22:], uint32(total))
	be.PutUint32(r[26:], uint32(total-len(nodes)))
	be.PutUint32(r[32:], uint32(ns))
	r[37] = cmp
	be.PutUint32(r[38:], attrs)
	mapOff := 14 + 106 + 128
	for i := range nodes {
		h[mapOff+i/8] |= 0x80 >> (i % 8)
	}
	be.PutUint16(h[ns-2:], 14)
	be.PutUint16(h[ns-4:], 14+106)
	be.PutUint16(h[ns-6:], uint16(mapOff))
	be.PutUint16(h[ns-8:], uint16(ns-8))
	return out
}

// specialType returns the file type bits (S_IFIFO, S_IFSOCK, S_IFCHR,
// S_IFBLK) of the special file kind m's type names, or 0.
func specialType(m fs.FileMode) uint16 {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return 0o010000
	case m&fs.ModeSocket != 0:
		return 0o140000
	case m&fs.ModeCharDevice != 0:
		return 0o020000
	case m&fs.ModeDevice != 0:
		return 0o060000
	}
	return 0
}
