package hfsplus

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
)

// BuildFile is a file, folder or symbolic link to put in a built volume.
type BuildFile struct {
	Data []byte
	// Mode holds the permission bits; zero means 0644 (0755 for folders).
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
	const bs = 4096
	ns := s.NodeSize
	if ns == 0 {
		ns = 4096
	}
	t := s.Time
	if t.IsZero() {
		t = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date := uint32(t.Unix() + 2082844800)
	name := s.Name
	if name == "" {
		name = "Untitled"
	}
	type entry struct {
		path   string
		id     uint32
		parent uint32
		name   string
		f      BuildFile
		kids   int
		exts   []extent
		blocks uint32
	}
	entries := map[string]*entry{".": {path: ".", id: rootFolderID, parent: rootParentID, name: name, f: BuildFile{Dir: true}}}
	var add func(p string, f BuildFile) error
	add = func(p string, f BuildFile) error {
		if e := entries[p]; e != nil {
			if !e.f.Dir || !f.Dir {
				return fmt.Errorf("hfsplus: %q given twice", p)
			}
			return nil
		}
		dir := path.Dir(p)
		if entries[dir] == nil {
			if err := add(dir, BuildFile{Dir: true}); err != nil {
				return err
			}
		}
		if !entries[dir].f.Dir {
			return fmt.Errorf("hfsplus: %q is under a file", p)
		}
		entries[p] = &entry{path: p, name: path.Base(p), f: f}
		entries[dir].kids++
		return nil
	}
	paths := make([]string, 0, len(s.Files))
	for p := range s.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var links []string
	for _, p := range paths {
		if !fs.ValidPath(p) || p == "." {
			return nil, fmt.Errorf("hfsplus: invalid path %q", p)
		}
		f := s.Files[p]
		if f.HardLink {
			// The data goes to the private folder's inode file.
			if err := add(privateData+"/"+strings.ReplaceAll(p, "/", "_")+".inode", BuildFile{Data: f.Data, Mode: f.Mode}); err != nil {
				return nil, err
			}
			links = append(links, p)
			f = BuildFile{HardLink: true, Mode: f.Mode}
		}
		if err := add(p, f); err != nil {
			return nil, err
		}
	}
	all := make([]*entry, 0, len(entries))
	for _, e := range entries {
		all = append(all, e)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].path < all[j].path })
	next := uint32(16)
	files, folders := 0, 0
	for _, e := range all {
		if e.id == 0 {
			e.id = next
			next++
			if e.f.Dir {
				folders++
			} else {
				files++
			}
		}
	}
	for _, e := range all {
		if e.path != "." {
			e.parent = entries[path.Dir(e.path)].id
		}
	}
	inodeOf := map[*entry]uint32{}
	for _, p := range links {
		in := entries[privateData+"/"+strings.ReplaceAll(p, "/", "_")+".inode"]
		in.name = fmt.Sprintf("iNode%d", in.id)
		inodeOf[entries[p]] = in.id
	}
	// Catalog records, sorted by key.
	type rec struct {
		parent uint32
		name   []uint16
		data   []byte
	}
	be := binary.BigEndian
	var recs []rec
	fileData := map[*entry][]byte{}
	for _, e := range all {
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
		perm := uint16(e.f.Mode.Perm())
		if e.f.Dir {
			be.PutUint16(thread, recFolderThread)
			body = make([]byte, 88)
			be.PutUint16(body, recFolder)
			be.PutUint32(body[4:], uint32(e.kids))
			be.PutUint32(body[8:], e.id)
			if perm == 0 {
				perm = 0o755
			}
			be.PutUint16(body[32+10:], sIFDIR|perm)
		} else {
			be.PutUint16(thread, recFileThread)
			body = make([]byte, 248)
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
			if e.f.Compressed {
				body[32+9] = ufCompressed
				data = nil
			}
			if n, ok := inodeOf[e]; ok {
				be.PutUint32(body[48:], typeHardlink)
				be.PutUint32(body[52:], creatHFS)
				be.PutUint32(body[32+12:], n)
				data = nil
			}
			be.PutUint16(body[32+10:], mode|perm)
			fileData[e] = data
		}
		for i := 12; i < 32; i += 4 {
			be.PutUint32(body[i:], date)
		}
		be.PutUint32(body[32+4:], 80) // group admin
		recs = append(recs, rec{parent: e.parent, name: u, data: body}, rec{parent: e.id, data: thread})
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
	catKey := func(r rec) []byte {
		k := make([]byte, 8+2*len(r.name))
		be.PutUint16(k, uint16(6+2*len(r.name)))
		be.PutUint32(k[2:], r.parent)
		be.PutUint16(k[6:], uint16(len(r.name)))
		for i, c := range r.name {
			be.PutUint16(k[8+2*i:], c)
		}
		return k
	}
	catRecs := make([]kv, len(recs))
	for i, r := range recs {
		catRecs[i] = kv{catKey(r), r.data}
	}

	// Allocation: block 0 holds the volume header; then the bitmap, the
	// extents file, the catalog file, the files' data, and a last block
	// for the alternate volume header.
	dataBlocks := uint32(0)
	for e, d := range fileData {
		n := uint32((len(d) + bs - 1) / bs)
		e.blocks = n
		if s.Fragment && n > 8 {
			dataBlocks += 2 * n
		} else {
			dataBlocks += n
		}
	}
	// Overflow extent records for fragmented files.
	type ovf struct {
		fork  byte // 0 data, 0xff resource
		id    uint32
		start uint32
		exts  []extent
	}
	var ovfs []ovf
	catNodes := countNodes(catRecs, ns, true)
	// Attributes, by file ID then name: compressed files'
	// com.apple.decmpfs (type 3, zlib, inline, for those with data; type
	// 4, resource fork, for the others) and the entries' Xattrs.
	var attrRecs []kv
	type forkAttr struct {
		val  []byte // the record, whose fork is filled in once placed
		data []byte
		exts []extent
	}
	var forkAttrs []*forkAttr
	for _, e := range all {
		vals := map[string][]byte{}
		for n, d := range e.f.Xattrs {
			vals[n] = d
		}
		if !e.f.Dir && e.f.Compressed {
			hdr := make([]byte, 16)
			copy(hdr, "fpmc")
			binary.LittleEndian.PutUint32(hdr[4:], 4)
			if e.f.Data != nil {
				binary.LittleEndian.PutUint32(hdr[4:], 3)
				binary.LittleEndian.PutUint64(hdr[8:], uint64(len(e.f.Data)))
				var z bytes.Buffer
				w := zlib.NewWriter(&z)
				w.Write(e.f.Data)
				w.Close()
				hdr = append(hdr, z.Bytes()...)
			}
			vals["com.apple.decmpfs"] = hdr
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
				forkAttrs = append(forkAttrs, &forkAttr{val: v, data: d})
				attrRecs = append(attrRecs, kv{k, v})
				continue
			}
			v := make([]byte, 16+len(d)+len(d)%2)
			be.PutUint32(v, 0x10)
			be.PutUint32(v[12:], uint32(len(d)))
			copy(v[16:], d)
			attrRecs = append(attrRecs, kv{k, v})
		}
	}
	blocksOf := func(n int) uint32 { return uint32((n + bs - 1) / bs) }
	extraBlocks := blocksOf(len(s.Hidden)) + blocksOf(len(s.FreeData))
	for _, e := range all {
		extraBlocks += blocksOf(len(e.f.Rsrc))
	}
	for _, a := range forkAttrs {
		extraBlocks += blocksOf(len(a.data))
	}
	attrBlocks := uint32(0)
	if len(attrRecs) > 0 {
		attrBlocks = uint32((countNodes(attrRecs, ns, true)*ns + bs - 1) / bs)
	}
	// The extents tree's size depends on the overflow records, known
	// once blocks are placed: place data after a generous extents file.
	frag := 0
	for e := range fileData {
		if s.Fragment && e.blocks > 8 {
			frag += int(e.blocks-8+7) / 8
		}
		if r := blocksOf(len(e.f.Rsrc)); s.Fragment && r > 8 {
			frag += int(r-8+7) / 8
			extraBlocks += r // the gaps
		}
	}
	extNodes := max(1, countNodes(make([]kv, frag), ns, false, 10+64)) + 1
	extBlocks := uint32((extNodes*ns + bs - 1) / bs)
	catBlocks := uint32((catNodes*ns + bs - 1) / bs)
	fixed := 1 + extBlocks + catBlocks + attrBlocks + dataBlocks + extraBlocks + 1
	bmBlocks := uint32(1)
	for (fixed+bmBlocks+7)/8 > bmBlocks*bs {
		bmBlocks++
	}
	total := fixed + bmBlocks
	img := make([]byte, int(total)*bs)
	used := make([]bool, total)
	mark := func(a, n uint32) {
		for i := a; i < a+n; i++ {
			used[i] = true
		}
	}
	mark(0, 1)
	mark(total-1, 1)
	at := uint32(1)
	bmStart := at
	mark(at, bmBlocks)
	at += bmBlocks
	extStart := at
	mark(at, extBlocks)
	at += extBlocks
	catStart := at
	mark(at, catBlocks)
	at += catBlocks
	attrStart := at
	mark(at, attrBlocks)
	at += attrBlocks
	sorted := make([]*entry, 0, len(fileData))
	for e := range fileData {
		sorted = append(sorted, e)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].id < sorted[j].id })
	for _, e := range sorted {
		d := fileData[e]
		if s.Fragment && e.blocks > 8 {
			for b := uint32(0); b < e.blocks; b++ {
				e.exts = append(e.exts, extent{at, 1})
				copy(img[int(at)*bs:], d[min(len(d), int(b)*bs):min(len(d), int(b+1)*bs)])
				mark(at, 1)
				at += 2
			}
			for k := 8; k < len(e.exts); k += 8 {
				ovfs = append(ovfs, ovf{0, e.id, uint32(k), e.exts[k:min(k+8, len(e.exts))]})
			}
			continue
		}
		if e.blocks > 0 {
			e.exts = []extent{{at, e.blocks}}
			copy(img[int(at)*bs:], d)
			mark(at, e.blocks)
			at += e.blocks
		}
	}
	// Resource forks, fork data attributes, hidden blocks (used) and
	// free data (not used).
	place := func(d []byte, used bool) []extent {
		n := blocksOf(len(d))
		if n == 0 {
			return nil
		}
		if s.Fragment && n > 8 && used {
			var exts []extent
			for b := uint32(0); b < n; b++ {
				copy(img[int(at)*bs:], d[min(len(d), int(b)*bs):min(len(d), int(b+1)*bs)])
				mark(at, 1)
				exts = append(exts, extent{at, 1})
				at += 2
			}
			return exts
		}
		copy(img[int(at)*bs:], d)
		if used {
			mark(at, n)
		}
		at += n
		return []extent{{at - n, n}}
	}
	rsrcExts := map[uint32][]extent{}
	for _, e := range all {
		if len(e.f.Rsrc) > 0 && !e.f.Dir {
			x := place(e.f.Rsrc, true)
			rsrcExts[e.id] = x
			for k := 8; k < len(x); k += 8 {
				ovfs = append(ovfs, ovf{0xff, e.id, uint32(k), x[k:min(k+8, len(x))]})
			}
		}
	}
	for _, a := range forkAttrs {
		a.exts = place(a.data, true)
	}
	place(s.Hidden, true)
	place(s.FreeData, false)
	forkBytes := func(b []byte, size uint64, blocks uint32, exts []extent) {
		be.PutUint64(b, size)
		be.PutUint32(b[12:], blocks)
		for i, x := range exts[:min(8, len(exts))] {
			be.PutUint32(b[16+8*i:], x.start)
			be.PutUint32(b[20+8*i:], x.count)
		}
	}
	for _, e := range sorted {
		for i := range catRecs {
			r := catRecs[i]
			if len(r.val) == 248 && be.Uint32(r.val[8:]) == e.id {
				forkBytes(r.val[88:], uint64(len(fileData[e])), e.blocks, e.exts)
				if x := rsrcExts[e.id]; x != nil {
					forkBytes(r.val[168:], uint64(len(e.f.Rsrc)), blocksOf(len(e.f.Rsrc)), x)
				}
			}
		}
	}
	for _, a := range forkAttrs {
		forkBytes(a.val[8:], uint64(len(a.data)), a.exts[0].count, a.exts)
	}
	// Bitmap.
	free := uint32(0)
	for i, u := range used {
		if u {
			img[int(bmStart)*bs+i/8] |= 0x80 >> (i % 8)
		} else {
			free++
		}
	}
	// B-trees.
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
	cat := buildTree(catRecs, ns, int(catBlocks)*bs/ns, 516, 0xCF, 6)
	ext := buildTree(extRecs, ns, int(extBlocks)*bs/ns, 10, 0, 2)
	if len(cat) > int(catBlocks)*bs || len(ext) > int(extBlocks)*bs {
		return nil, fmt.Errorf("hfsplus: B-tree larger than planned")
	}
	copy(img[int(catStart)*bs:], cat)
	if attrBlocks > 0 {
		attr := buildTree(attrRecs, ns, int(attrBlocks)*bs/ns, 266, 0, 6)
		copy(img[int(attrStart)*bs:], attr)
	}
	copy(img[int(extStart)*bs:], ext)
	// Volume header.
	h := make([]byte, 512)
	be.PutUint16(h, SigHFSPlus)
	be.PutUint16(h[2:], 4)
	be.PutUint32(h[4:], 1<<8) // unmounted cleanly
	be.PutUint32(h[8:], 0x31302e30)
	for i := 16; i < 32; i += 4 {
		be.PutUint32(h[i:], date)
	}
	be.PutUint32(h[32:], uint32(files))
	be.PutUint32(h[36:], uint32(folders))
	be.PutUint32(h[40:], bs)
	be.PutUint32(h[44:], total)
	be.PutUint32(h[48:], free)
	be.PutUint32(h[52:], at)
	be.PutUint32(h[56:], 65536)
	be.PutUint32(h[60:], 65536)
	be.PutUint32(h[64:], next)
	be.PutUint32(h[68:], 1)
	be.PutUint64(h[72:], 1)
	forkBytes(h[112:], uint64(bmBlocks)*bs, bmBlocks, []extent{{bmStart, bmBlocks}})
	forkBytes(h[192:], uint64(extBlocks)*bs, extBlocks, []extent{{extStart, extBlocks}})
	forkBytes(h[272:], uint64(catBlocks)*bs, catBlocks, []extent{{catStart, catBlocks}})
	if attrBlocks > 0 {
		forkBytes(h[352:], uint64(attrBlocks)*bs, attrBlocks, []extent{{attrStart, attrBlocks}})
	}
	copy(img[1024:], h)
	copy(img[len(img)-1024:], h)
	return img, nil
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
