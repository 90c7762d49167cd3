package apfs

import (
	"bytes"
	"fmt"
)

// B-tree node flags (btn_flags) and tree flags (bt_flags).
const (
	btnRoot       = 0x1
	btnLeaf       = 0x2
	btnFixedKV    = 0x4
	btnHashed     = 0x8
	btnNoHeader   = 0x10
	btPhysical    = 0x10
	btreeInfoSize = 40
	nodeHeader    = 56
	// maxTreeDepth bounds a B-tree's levels.
	maxTreeDepth = 16
)

// btree walks one B-tree: an object map's (physical child addresses,
// fixed 16-byte keys and values) or a volume's file-system tree (virtual
// child oids, resolved through the volume's object map).
type btree struct {
	c       *container
	subtype uint32
	xid     uint64
	omap    map[uint64]omapVal // nil: child pointers are physical
	cmp     func(a, b []byte) int
	fixedK  int // fixed key and value sizes (object maps), 0 if variable
	fixedV  int
	seen    map[uint64]bool
	fresh   []uint64 // nodes this walk owned that no structure owned before
}

// resolve returns the physical block of the node oid.
func (t *btree) resolve(oid uint64) (uint64, error) {
	if t.omap == nil {
		return oid, nil
	}
	v, ok := t.omap[oid]
	if !ok {
		return 0, &FormatError{Offset: -1, Reason: fmt.Sprintf("B-tree node oid %d is not in the object map", oid)}
	}
	return v.paddr, nil
}

// walk calls fn for every leaf record in key order, checking on the way
// that every node is reached once, levels descend by one to leaves at
// level 0, and keys increase strictly, each child's between its index
// key and the next.
func (t *btree) walk(root uint64, fn func(k, v []byte, at int64) error) error {
	t.seen = map[uint64]bool{}
	var last []byte
	return t.node(root, true, -1, nil, nil, &last, fn)
}

func (t *btree) node(oid uint64, root bool, level int, lo, hi []byte, last *[]byte, fn func(k, v []byte, at int64) error) error {
	addr, err := t.resolve(oid)
	if err != nil {
		return err
	}
	off := int64(addr) * int64(t.c.blockSize)
	if t.seen[addr] {
		return &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree node at block %d reached twice (a cycle or a shared child)", addr)}
	}
	t.seen[addr] = true
	want := uint32(typeBtreeNode)
	if root {
		want = typeBtree
	}
	var o object
	if t.omap != nil {
		o, err = t.c.readObject(addr, want, oid, t.xid)
	} else {
		o, err = t.c.readObject(addr, want, addr, t.xid)
	}
	if err != nil {
		return err
	}
	if o.subtype != t.subtype {
		return &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree node of subtype %#x, not %#x", o.subtype, t.subtype)}
	}
	if !t.c.isOwned(addr) {
		t.fresh = append(t.fresh, addr)
	}
	t.c.own(addr, 1)
	n, err := t.parse(o, root, off)
	if err != nil {
		return err
	}
	if level >= 0 && n.level != level {
		return &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree node of level %d under one of level %d", n.level, level+1)}
	}
	for i := range n.keys {
		k, v := n.keys[i], n.vals[i]
		if (lo != nil && t.cmp(k, lo) < 0) || (hi != nil && t.cmp(k, hi) >= 0) || (*last != nil && n.level == 0 && t.cmp(k, *last) <= 0) {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree node at block %d: key %d out of order", addr, i)}
		}
		if n.level == 0 {
			*last = k
			t.c.records++
			if t.c.records > t.c.maxRecords {
				return &FormatError{Offset: off, Reason: fmt.Sprintf("more than %d B-tree records", t.c.maxRecords)}
			}
			if err := fn(k, v, off); err != nil {
				return err
			}
			continue
		}
		if len(v) != 8 {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("index value of %d bytes", len(v))}
		}
		var next []byte = hi
		if i+1 < len(n.keys) {
			next = n.keys[i+1]
			if t.cmp(next, k) <= 0 {
				return &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree index node at block %d: key %d out of order", addr, i+1)}
			}
		}
		if err := t.node(le.Uint64(v), false, n.level-1, k, next, last, fn); err != nil {
			return err
		}
	}
	return nil
}

type parsedNode struct {
	level      int
	keys, vals [][]byte
}

// parse reads a node's table of contents, checking every key and value
// lies in its area.
func (t *btree) parse(o object, root bool, off int64) (parsedNode, error) {
	b := o.b
	bad := func(f string, args ...any) (parsedNode, error) {
		return parsedNode{}, &FormatError{Offset: off, Reason: fmt.Sprintf("B-tree node at block %d: ", o.addr) + fmt.Sprintf(f, args...)}
	}
	flags, level, nkeys := le.Uint16(b[32:]), int(le.Uint16(b[34:])), int(le.Uint32(b[36:]))
	tocOff, tocLen := int(le.Uint16(b[40:])), int(le.Uint16(b[42:]))
	if flags&(btnHashed|btnNoHeader) != 0 {
		return parsedNode{}, &UnsupportedError{Feature: fmt.Sprintf("B-tree node flags %#x (hashed or headerless: a sealed volume?)", flags)}
	}
	if (flags&btnRoot != 0) != root {
		return bad("root flag %v on a node that is %sthe root", flags&btnRoot != 0, map[bool]string{true: "", false: "not "}[root])
	}
	if (flags&btnLeaf != 0) != (level == 0) || level > maxTreeDepth {
		return bad("level %d with flags %#x", level, flags)
	}
	fixed := flags&btnFixedKV != 0
	if fixed != (t.fixedK > 0) {
		return bad("fixed-size entries flag %v", fixed)
	}
	valEnd := len(b)
	if root {
		valEnd -= btreeInfoSize
		info := b[valEnd:]
		if int(le.Uint32(info[4:])) != len(b) {
			return bad("node size %d, not the block size %d", le.Uint32(info[4:]), len(b))
		}
		if fixed && (int(le.Uint32(info[8:])) != t.fixedK || int(le.Uint32(info[12:])) != t.fixedV) {
			return bad("fixed key and value sizes %d and %d", le.Uint32(info[8:]), le.Uint32(info[12:]))
		}
	}
	ent := 8
	if fixed {
		ent = 4
	}
	keyStart := nodeHeader + tocOff + tocLen
	if keyStart > valEnd || nkeys*ent > tocLen || nkeys < 1 && !(root && level == 0) {
		return bad("%d entries in a table of %d bytes at %d", nkeys, tocLen, tocOff)
	}
	n := parsedNode{level: level, keys: make([][]byte, nkeys), vals: make([][]byte, nkeys)}
	used := make([]span, 0, 2*nkeys+3)
	used = append(used, span{0, nodeHeader}, span{nodeHeader + tocOff, nodeHeader + tocOff + nkeys*ent}, span{valEnd, len(b)})
	defer func() { t.c.slackOf(o.addr, b, used) }()
	for i := range nkeys {
		e := b[nodeHeader+tocOff+i*ent:]
		var ko, kl, vo, vl int
		if fixed {
			ko, kl, vo, vl = int(le.Uint16(e)), t.fixedK, int(le.Uint16(e[2:])), t.fixedV
			if level > 0 {
				vl = 8
			}
		} else {
			ko, kl, vo, vl = int(le.Uint16(e)), int(le.Uint16(e[2:])), int(le.Uint16(e[4:])), int(le.Uint16(e[6:]))
		}
		if kl == 0 || keyStart+ko+kl > valEnd {
			return bad("key %d (%d bytes at %d) outside the key area", i, kl, ko)
		}
		if vo == 0xffff || vo < vl || valEnd-vo < keyStart {
			return bad("value %d (%d bytes at %d from the end) outside the value area", i, vl, vo)
		}
		used = append(used, span{keyStart + ko, keyStart + ko + kl}, span{valEnd - vo, valEnd - vo + vl})
		n.keys[i] = b[keyStart+ko : keyStart+ko+kl]
		n.vals[i] = b[valEnd-vo : valEnd-vo+vl]
	}
	return n, nil
}

// omapSize is the size of omap_phys_t.
const omapSize = 88

// omapVal is an object map entry's value.
type omapVal struct {
	xid   uint64
	flags uint32
	paddr uint64
}

// Object map value flags.
const (
	omapValDeleted   = 0x1
	omapValEncrypted = 0x4
	omapValNoHeader  = 0x8
)

// omapCmp orders object map keys: oid, then xid.
func omapCmp(a, b []byte) int {
	if c := cmpU64(le.Uint64(a), le.Uint64(b)); c != 0 {
		return c
	}
	return cmpU64(le.Uint64(a[8:]), le.Uint64(b[8:]))
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readOmap reads the object map omap_phys_t at physical block addr and
// returns, per oid, its latest entry not after xid.
func (c *container) readOmap(addr, xid uint64) (map[uint64]omapVal, error) {
	o, err := c.readObject(addr, typeOmap, addr, xid)
	if err != nil {
		return nil, err
	}
	// OMAP_MANUALLY_MANAGED and OMAP_CRYPTO_GENERATION say nothing of
	// how the map reads; the others are an encryption change under way.
	if fl := le.Uint32(o.b[32:]); fl&^uint32(0x1|0x10) != 0 {
		return nil, &UnsupportedError{Feature: fmt.Sprintf("object map flags %#x (encrypting, decrypting or key rolling)", fl)}
	}
	c.own(addr, 1)
	c.slackOf(addr, o.b, []span{{0, omapSize}})
	if tt := le.Uint32(o.b[40:]); tt != objPhysical|typeBtree {
		return nil, &FormatError{Offset: int64(addr) * int64(c.blockSize), Reason: fmt.Sprintf("object map tree type %#x", tt)}
	}
	t := &btree{c: c, subtype: typeOmap, xid: xid, cmp: omapCmp, fixedK: 16, fixedV: 16}
	defer c.ownTree(le.Uint64(o.b[56:]), typeOmapSnapshots)
	out := map[uint64]omapVal{}
	err = t.walk(le.Uint64(o.b[48:]), func(k, v []byte, at int64) error {
		oid, kx := le.Uint64(k), le.Uint64(k[8:])
		if kx > xid {
			return nil
		}
		ov := omapVal{xid: kx, flags: le.Uint32(v), paddr: le.Uint64(v[8:])}
		if ov.flags&(omapValEncrypted|omapValNoHeader) != 0 {
			return &UnsupportedError{Feature: fmt.Sprintf("object map entry flags %#x", ov.flags)}
		}
		if sz := le.Uint32(v[4:]); sz != uint32(c.blockSize) {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("object map entry for oid %d of %d bytes, not one block", oid, sz)}
		}
		if ov.flags&omapValDeleted != 0 {
			delete(out, oid)
			return nil
		}
		out[oid] = ov // keys ascend: the last is the latest
		return nil
	})
	return out, err
}

// bytesCmp orders byte strings.
var bytesCmp = bytes.Compare
