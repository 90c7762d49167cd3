package apfs

import (
	"fmt"
	"io/fs"
	"path"
	"sort"

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
	// Compressed stores Data zlib-compressed inline in the file's
	// com.apple.decmpfs attribute (type 3, UF_COMPRESSED), without a data
	// stream; when Data is nil, a type 4 attribute whose data would be in
	// the resource fork (absent), which a reader does not decode.
	Compressed bool
	// CompressType, with Compressed, stores Data as that
	// com.apple.decmpfs compression type (decmpfs.Encode): 3, 7 and 11
	// inline in the attribute, 4, 8 and 12 in a com.apple.ResourceFork
	// attribute (inline up to 3804 bytes, else in a data stream), unless
	// Xattrs sets one.
	CompressType uint32
	// HardLink, when set, makes the entry another directory record of
	// the file at that path (which must be in Files).
	HardLink string
	// Xattrs are the entry's extended attributes, by name, stored
	// inline (at most 3804 bytes each).
	Xattrs map[string][]byte
}

// BuildSpec says what volume to build.
type BuildSpec struct {
	// Files maps slash-separated paths to entries; parent folders are
	// made as needed.
	Files map[string]BuildFile
	// Name is the volume's name; empty means "Untitled".
	Name string
	// CaseSensitive makes a case-sensitive (normalization-insensitive)
	// volume; the default is case-insensitive, as macOS makes them.
	CaseSensitive bool
	// LeafRecords, when set, bounds the records of one file-system tree
	// node, so that a few files make index nodes.
	LeafRecords int

	// More are the container's volumes after this one (their own More
	// is not read).
	More []BuildSpec

	// edit, when set, changes the file-system tree's records (sorted,
	// and sorted again after) before they are written: tests make
	// hostile volumes with it.
	edit func([]rec) []rec
}

// rec is a B-tree record.
type rec struct{ k, v []byte }

const (
	buildBS     = 4096
	buildXid    = 2
	buildVolOid = 1026
	buildFirst  = 1028 // first virtual oid of the file-system tree's nodes
	firstInode  = 16
)

// Build returns an APFS container (4096-byte blocks) holding one
// unencrypted volume with s.Files, then one per s.More: block 0's
// superblock, a checkpoint descriptor area of a checkpoint map and the
// superblock, the container object map (one leaf), then per volume its
// superblock, its object map (one leaf), its file-system tree and its
// files' data, one extent each. It is for fixtures: what it does not
// need (space manager, reaper, extent reference tree, snapshots) is
// absent.
func Build(s BuildSpec) ([]byte, error) {
	const volStart = 5
	specs := append([]BuildSpec{s}, s.More...)
	if len(specs) > maxFileSystems {
		return nil, fmt.Errorf("apfs: %d volumes, more than %d", len(specs), maxFileSystems)
	}
	img := make([]byte, volStart*buildBS)
	var comap []rec
	for i, vs := range specs {
		start := uint64(len(img) / buildBS)
		vol, err := vs.volume(start, buildVolOid+uint64(i))
		if err != nil {
			return nil, err
		}
		img = append(img, vol...)
		comap = append(comap, omapRec(buildVolOid+uint64(i), start))
	}
	total := uint64(len(img) / buildBS)
	blk := func(i uint64) []byte { return img[i*buildBS : (i+1)*buildBS] }
	writeOmap(blk(3), blk(4), 3, comap)
	writeNXSB(blk(0), total, len(specs))
	writeNXSB(blk(2), total, len(specs))
	cpm := blk(1)
	le.PutUint64(cpm[8:], 1)
	le.PutUint64(cpm[16:], buildXid)
	le.PutUint32(cpm[24:], objPhysical|typeCheckpoint)
	le.PutUint32(cpm[32:], 1) // CHECKPOINT_MAP_LAST
	for i := range uint64(volStart) {
		seal(blk(i))
	}
	return img, nil
}

// volume returns the blocks of the volume s with virtual oid oid, its
// superblock at block start of the container: the superblock, its object
// map and one-leaf tree, the file-system tree's nodes, the files' data.
func (s BuildSpec) volume(start, oid uint64) ([]byte, error) {
	recs, data, err := s.records()
	if err != nil {
		return nil, err
	}
	r := &records{hashed: true}
	sort.Slice(recs, func(i, j int) bool { return r.fsCmp(recs[i].k, recs[j].k) < 0 })
	if s.edit != nil {
		recs = s.edit(recs)
		sort.SliceStable(recs, func(i, j int) bool { return r.fsCmp(recs[i].k, recs[j].k) < 0 })
	}
	nodes := buildTree(recs, s.LeafRecords)
	if len(nodes) > (buildBS-nodeHeader-btreeInfoSize)/36 {
		return nil, fmt.Errorf("apfs: %d file-system tree nodes, more than the volume object map's one leaf holds", len(nodes))
	}
	fsStart := uint64(3)
	dataStart := fsStart + uint64(len(nodes))
	total := dataStart
	for _, d := range data {
		total += uint64((len(d.b) + buildBS - 1) / buildBS)
	}
	img := make([]byte, total*buildBS)
	blk := func(i uint64) []byte { return img[i*buildBS : (i+1)*buildBS] }
	// Files' data, then the extents pointing at it.
	at := dataStart
	phys := map[uint64]uint64{}
	for _, d := range data {
		copy(img[at*buildBS:], d.b)
		phys[d.id] = start + at
		at += uint64((len(d.b) + buildBS - 1) / buildBS)
	}
	var vomap []rec
	for i, n := range nodes {
		for j := range n.recs {
			if le.Uint64(n.recs[j].k)>>typeShift == recFileExtent && len(n.recs[j].v) == 24 && le.Uint64(n.recs[j].v[8:]) == 0 {
				if p, ok := phys[le.Uint64(n.recs[j].k)&objIDMask]; ok {
					le.PutUint64(n.recs[j].v[8:], p)
				}
			}
		}
		n.write(blk(fsStart+uint64(i)), len(recs), len(nodes))
		vomap = append(vomap, omapRec(uint64(buildFirst+i), start+fsStart+uint64(i)))
	}
	writeOmap(blk(1), blk(2), start+1, vomap)
	writeAPSB(blk(0), s, oid, start+1, len(nodes))
	for i := range dataStart {
		seal(blk(i))
	}
	return img, nil
}

// seal stores an object block's Fletcher-64 checksum.
func seal(b []byte) { le.PutUint64(b, Fletcher64(b)) }

func omapRec(oid, paddr uint64) rec {
	k, v := make([]byte, 16), make([]byte, 16)
	le.PutUint64(k, oid)
	le.PutUint64(k[8:], 1)
	le.PutUint32(v[4:], buildBS)
	le.PutUint64(v[8:], paddr)
	return rec{k, v}
}

// writeOmap writes an object map at block at (om) and its one-leaf tree
// at block at+1 (tb).
func writeOmap(om, tb []byte, at uint64, recs []rec) {
	le.PutUint64(om[8:], at)
	le.PutUint64(om[16:], buildXid)
	le.PutUint32(om[24:], objPhysical|typeOmap)
	le.PutUint32(om[40:], objPhysical|typeBtree)
	le.PutUint32(om[44:], objPhysical|typeBtree)
	le.PutUint64(om[48:], at+1)
	le.PutUint64(tb[8:], at+1)
	le.PutUint64(tb[16:], buildXid)
	le.PutUint32(tb[24:], objPhysical|typeBtree)
	le.PutUint32(tb[28:], typeOmap)
	le.PutUint16(tb[32:], btnRoot|btnLeaf|btnFixedKV)
	le.PutUint32(tb[36:], uint32(len(recs)))
	le.PutUint16(tb[42:], uint16(4*len(recs)))
	keyStart := nodeHeader + 4*len(recs)
	valEnd := buildBS - btreeInfoSize
	for i, r := range recs {
		le.PutUint16(tb[nodeHeader+4*i:], uint16(16*i))
		le.PutUint16(tb[nodeHeader+4*i+2:], uint16(16*(i+1)))
		copy(tb[keyStart+16*i:], r.k)
		copy(tb[valEnd-16*(i+1):], r.v)
	}
	info := tb[valEnd:]
	le.PutUint32(info, btPhysical)
	le.PutUint32(info[4:], buildBS)
	le.PutUint32(info[8:], 16)
	le.PutUint32(info[12:], 16)
	le.PutUint32(info[16:], 16)
	le.PutUint32(info[20:], 16)
	le.PutUint64(info[24:], uint64(len(recs)))
	le.PutUint64(info[32:], 1)
}

func writeNXSB(b []byte, total uint64, vols int) {
	le.PutUint64(b[8:], 1)
	le.PutUint64(b[16:], buildXid)
	le.PutUint32(b[24:], objEphemeral|typeNXSuperblock)
	copy(b[32:], nxMagic)
	le.PutUint32(b[36:], buildBS)
	le.PutUint64(b[40:], total)
	le.PutUint64(b[64:], nxIncompatVersion2)
	copy(b[72:88], "shipgate-fixture")
	le.PutUint64(b[88:], 2048)       // next oid
	le.PutUint64(b[96:], buildXid+1) // next xid
	le.PutUint32(b[104:], 2)         // descriptor blocks
	le.PutUint64(b[112:], 1)         // descriptor base
	le.PutUint64(b[120:], 0)         // data base
	le.PutUint32(b[140:], 2)         // descriptor length
	le.PutUint64(b[160:], 3)         // object map
	le.PutUint32(b[180:], maxFileSystems)
	for i := range vols {
		le.PutUint64(b[nxFSOids+8*i:], buildVolOid+uint64(i))
	}
}

func writeAPSB(b []byte, s BuildSpec, oid, omap uint64, nodes int) {
	le.PutUint64(b[8:], oid)
	le.PutUint64(b[16:], buildXid)
	le.PutUint32(b[24:], typeFS)
	copy(b[32:], apsbMagic)
	inc := uint64(incompatCaseInsens)
	if s.CaseSensitive {
		inc = incompatNormInsens
	}
	le.PutUint64(b[56:], inc)
	le.PutUint32(b[116:], objVirtual|typeBtree)
	le.PutUint32(b[120:], objPhysical|typeBtree)
	le.PutUint32(b[124:], objPhysical|typeBtree)
	le.PutUint64(b[128:], omap)
	le.PutUint64(b[136:], uint64(buildFirst+nodes-1)) // the root is written last
	le.PutUint64(b[176:], 1<<20)                      // next object id
	le.PutUint64(b[264:], fsUnencrypted)
	copy(b[272:304], "shipgate apfs.Build")
	name := s.Name
	if name == "" {
		name = "Untitled"
	}
	copy(b[704:959], name)
}

// fileData is a file's data, stored in its own extent.
type fileData struct {
	id uint64
	b  []byte
}

// records returns the file-system tree's records for s.Files and the
// files' data.
func (s BuildSpec) records() ([]rec, []fileData, error) {
	ids := map[string]uint64{".": rootDirID}
	dirs := map[string]bool{".": true}
	var names []string
	for p, f := range s.Files {
		if !fs.ValidPath(p) || p == "." {
			return nil, nil, fmt.Errorf("apfs: bad path %q", p)
		}
		names = append(names, p)
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
		if f.Dir {
			dirs[p] = true
		}
	}
	for d := range dirs {
		if d != "." {
			names = append(names, d)
		}
	}
	sort.Strings(names)
	names = compactStrings(names)
	next := uint64(firstInode)
	for _, p := range names {
		if f, ok := s.Files[p]; ok && f.HardLink != "" {
			continue
		}
		ids[p] = next
		next++
	}
	links := map[uint64]int32{}
	for _, p := range names {
		if f := s.Files[p]; f.HardLink != "" {
			id, ok := ids[f.HardLink]
			if !ok {
				return nil, nil, fmt.Errorf("apfs: %q links to %q, which is not a file", p, f.HardLink)
			}
			ids[p] = id
		}
		links[ids[p]]++
	}
	var recs []rec
	var data []fileData
	recs = append(recs, inodeRec(rootDirID, rootDirParent, "root", sIFDIR|0o755, 0, 1, -1))
	children := map[string]int32{}
	for _, p := range names {
		children[path.Dir(p)]++
	}
	for _, p := range names {
		id, parent := ids[p], ids[path.Dir(p)]
		f := s.Files[p]
		dtype := uint16(dtReg)
		switch {
		case dirs[p]:
			dtype = dtDir
		case f.Link != "":
			dtype = dtLnk
		case specialType(f.Mode) != 0:
			dtype = specialType(f.Mode) >> 12
		}
		recs = append(recs, drecRec(parent, path.Base(p), id, dtype, !s.CaseSensitive))
		if f.HardLink != "" {
			continue
		}
		for name, b := range f.Xattrs {
			recs = append(recs, xattrRec(id, name, b))
		}
		switch {
		case dirs[p]:
			recs = append(recs, inodeRec(id, parent, path.Base(p), sIFDIR|perm(f.Mode, 0o755), 0, children[p], -1))
		case f.Link != "":
			recs = append(recs, inodeRec(id, parent, path.Base(p), sIFLNK|0o755, 0, 1, -1))
			recs = append(recs, xattrRec(id, xattrSymlink, append([]byte(f.Link), 0)))
		case specialType(f.Mode) != 0:
			recs = append(recs, inodeRec(id, parent, path.Base(p), specialType(f.Mode)|perm(f.Mode, 0o644), 0, links[id], 0))
		case f.Compressed:
			cr, cd := compressedRecords(id, parent, path.Base(p), f, links[id])
			recs = append(recs, cr...)
			data = append(data, cd...)
		default:
			recs = append(recs, inodeRec(id, parent, path.Base(p), sIFREG|perm(f.Mode, 0o644), 0, links[id], int64(len(f.Data))))
			if len(f.Data) > 0 {
				recs = append(recs, extentRec(id, 0, uint64(len(f.Data)+buildBS-1)/buildBS*buildBS))
				data = append(data, fileData{id, f.Data})
			}
		}
	}
	return recs, data, nil
}

// compressedRecords returns the records of a transparently compressed
// file f (inode id, named name in folder parent, nlink links): its inode,
// its decmpfs attribute and, for a compression type that keeps the data in
// a resource fork, the fork (inline, or a data stream and its data when too
// large to be inline).
func compressedRecords(id, parent uint64, name string, f BuildFile, nlink int32) ([]rec, []fileData) {
	var recs []rec
	var data []fileData
	recs = append(recs, inodeRec(id, parent, name, sIFREG|perm(f.Mode, 0o644), ufCompressed, nlink, int64(len(f.Data))))
	var a []byte
	if f.CompressType == 0 {
		a = decmpfsAttr(f.Data)
	} else {
		var fork []byte
		a, fork = decmpfs.Encode(f.CompressType, f.Data)
		switch _, ok := f.Xattrs[xattrRsrc]; {
		case ok || fork == nil:
		case len(fork) <= maxInlineXattr:
			recs = append(recs, xattrRec(id, xattrRsrc, fork))
		default:
			// A data stream, with an object ID of its own.
			sid := streamIDBase + id
			recs = append(recs, streamXattrRec(id, sid, xattrRsrc, uint64(len(fork))))
			recs = append(recs, extentRec(sid, 0, uint64(len(fork)+buildBS-1)/buildBS*buildBS))
			data = append(data, fileData{sid, fork})
		}
	}
	recs = append(recs, xattrRec(id, xattrDecmpfs, a))
	return recs, data
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func perm(m fs.FileMode, def uint16) uint16 {
	if m&0o777 == 0 {
		return def
	}
	return uint16(m&0o777) | volfs.BSDSpecial(m)
}

func key(oid uint64, typ uint64) []byte {
	k := make([]byte, 8)
	le.PutUint64(k, oid|typ<<typeShift)
	return k
}

// inodeRec is an inode with a name field and, when size >= 0, a data
// stream field (a compressed file's size is its uncompressed size).
func inodeRec(id, parent uint64, name string, mode uint16, bsd uint32, nlink int32, size int64) rec {
	v := make([]byte, 92)
	le.PutUint64(v, parent)
	le.PutUint64(v[8:], id)
	for i := 16; i < 48; i += 8 {
		le.PutUint64(v[i:], 1704067200e9) // 2024-01-01
	}
	le.PutUint32(v[56:], uint32(nlink))
	le.PutUint32(v[68:], bsd)
	le.PutUint16(v[80:], mode)
	if bsd&ufCompressed != 0 {
		le.PutUint64(v[48:], 0x40000) // INODE_HAS_UNCOMPRESSED_SIZE
		le.PutUint64(v[84:], uint64(size))
		size = -1
	}
	nb := append([]byte(name), 0)
	type xf struct {
		typ byte
		b   []byte
	}
	fields := []xf{{4, nb}}
	if size >= 0 {
		ds := make([]byte, 40)
		le.PutUint64(ds, uint64(size))
		le.PutUint64(ds[8:], uint64(size+buildBS-1)/buildBS*buildBS)
		fields = append(fields, xf{inoExtDstream, ds})
	}
	hdr := make([]byte, 4+4*len(fields))
	le.PutUint16(hdr, uint16(len(fields)))
	var body []byte
	for i, f := range fields {
		hdr[4+4*i] = f.typ
		hdr[4+4*i+1] = 0x02 // XF_DO_NOT_COPY
		le.PutUint16(hdr[4+4*i+2:], uint16(len(f.b)))
		body = append(body, f.b...)
		body = append(body, make([]byte, (8-len(f.b)%8)%8)...)
	}
	le.PutUint16(hdr[2:], uint16(len(body)))
	return rec{key(id, recInode), append(append(v, hdr...), body...)}
}

func drecRec(parent uint64, name string, id uint64, dtype uint16, fold bool) rec {
	k := key(parent, recDirRec)
	k = le.AppendUint32(k, uint32(len(name)+1)&drecLenMask|nameHash(name, fold)<<10)
	k = append(append(k, name...), 0)
	v := make([]byte, 18)
	le.PutUint64(v, id)
	le.PutUint64(v[8:], 1704067200e9)
	le.PutUint16(v[16:], dtype)
	return rec{k, v}
}

func xattrRec(id uint64, name string, data []byte) rec {
	k := key(id, recXattr)
	k = le.AppendUint16(k, uint16(len(name)+1))
	k = append(append(k, name...), 0)
	v := le.AppendUint16(nil, xattrDataEmbedded|0x4)
	v = le.AppendUint16(v, uint16(len(data)))
	return rec{k, append(v, data...)}
}

// maxInlineXattr is the largest attribute value stored in its record.
const maxInlineXattr = 3804

// streamIDBase is added to a file's ID to make the object ID of its
// attribute's data stream.
const streamIDBase = 1 << 40

// streamXattrRec is the record of attribute name of file id whose size
// bytes lie in data stream sid (j_xattr_dstream_t).
func streamXattrRec(id, sid uint64, name string, size uint64) rec {
	k := key(id, recXattr)
	k = le.AppendUint16(k, uint16(len(name)+1))
	k = append(append(k, name...), 0)
	v := le.AppendUint16(nil, xattrDataStream)
	v = le.AppendUint16(v, xattrDstreamSize)
	v = le.AppendUint64(v, sid)
	v = le.AppendUint64(v, size)                             // size
	v = le.AppendUint64(v, (size+buildBS-1)/buildBS*buildBS) // alloced_size
	return rec{k, append(v, make([]byte, xattrDstreamSize-24)...)}
}

func extentRec(id, logical, length uint64) rec {
	k := le.AppendUint64(key(id, recFileExtent), logical)
	v := make([]byte, 24)
	le.PutUint64(v, length)
	return rec{k, v} // the physical block is filled in by Build
}

// decmpfsAttr is the com.apple.decmpfs value for a compressed file:
// type 3 with data zlib-compressed inline (decmpfs.Encode), or a type 4
// header declaring 4096 bytes when data is nil.
func decmpfsAttr(data []byte) []byte {
	if data == nil {
		return le.AppendUint64(le.AppendUint32([]byte("fpmc"), 4), 4096)
	}
	a, _ := decmpfs.Encode(3, data)
	return a
}

// tnode is a file-system tree node being built.
type tnode struct {
	level int
	root  bool
	oid   uint64
	recs  []rec
}

// buildTree packs recs into leaves (at most per records each, when
// set) and index nodes above them; the root is last. Nodes get the
// virtual oids buildFirst on, in order.
func buildTree(recs []rec, per int) []*tnode {
	capacity := buildBS - nodeHeader - btreeInfoSize
	pack := func(rs []rec, level int) []*tnode {
		var out []*tnode
		cur := &tnode{level: level}
		used := 0
		for _, r := range rs {
			sz := 8 + (len(r.k)+7)&^7 + (len(r.v)+7)&^7
			if len(cur.recs) > 0 && (used+sz > capacity || (per > 0 && len(cur.recs) >= per)) {
				out = append(out, cur)
				cur, used = &tnode{level: level}, 0
			}
			cur.recs = append(cur.recs, r)
			used += sz
		}
		return append(out, cur)
	}
	var all []*tnode
	level := pack(recs, 0)
	for {
		all = append(all, level...)
		if len(level) == 1 {
			break
		}
		var idx []rec
		for i, n := range level {
			n.oid = uint64(buildFirst + len(all) - len(level) + i)
			v := le.AppendUint64(nil, n.oid)
			idx = append(idx, rec{n.recs[0].k, v})
		}
		level = pack(idx, level[0].level+1)
	}
	all[len(all)-1].root = true
	for i, n := range all {
		n.oid = uint64(buildFirst + i)
	}
	return all
}

// write serializes the node (variable-size entries, keys and values
// 8-byte aligned) into b.
func (n *tnode) write(b []byte, keys, nodes int) {
	le.PutUint64(b[8:], n.oid)
	le.PutUint64(b[16:], buildXid)
	typ := uint32(typeBtreeNode)
	flags := uint16(0)
	if n.root {
		typ, flags = typeBtree, btnRoot
	}
	if n.level == 0 {
		flags |= btnLeaf
	}
	le.PutUint32(b[24:], typ)
	le.PutUint32(b[28:], typeFSTree)
	le.PutUint16(b[32:], flags)
	le.PutUint16(b[34:], uint16(n.level))
	le.PutUint32(b[36:], uint32(len(n.recs)))
	le.PutUint16(b[42:], uint16(8*len(n.recs)))
	keyStart := nodeHeader + 8*len(n.recs)
	valEnd := len(b)
	if n.root {
		valEnd -= btreeInfoSize
	}
	ko, vo := 0, 0
	for i, r := range n.recs {
		e := b[nodeHeader+8*i:]
		vo += (len(r.v) + 7) &^ 7
		le.PutUint16(e, uint16(ko))
		le.PutUint16(e[2:], uint16(len(r.k)))
		le.PutUint16(e[4:], uint16(vo))
		le.PutUint16(e[6:], uint16(len(r.v)))
		copy(b[keyStart+ko:], r.k)
		copy(b[valEnd-vo:], r.v)
		ko += (len(r.k) + 7) &^ 7
	}
	le.PutUint16(b[44:], uint16(ko))
	le.PutUint16(b[46:], uint16(valEnd-vo-keyStart-ko))
	if n.root {
		info := b[valEnd:]
		le.PutUint32(info[4:], buildBS)
		le.PutUint32(info[16:], 1024)
		le.PutUint32(info[20:], 1024)
		le.PutUint64(info[24:], uint64(keys))
		le.PutUint64(info[32:], uint64(nodes))
	}
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
