package apfs

import (
	"bytes"
	"fmt"
	"sort"
)

// Run is a run of bytes of the container.
type Run struct {
	Offset int64
	Size   int64
	// Free says the space manager's bitmaps mark the run's blocks free
	// (data left behind); otherwise they are allocated, or the container
	// has no space manager whose bitmaps read, or the bytes lie past its
	// last block.
	Free bool
	// Slack says the run lies inside a block a structure owns: bytes it
	// leaves unused (a B-tree node's free space, an object's tail past
	// its structure) or records nothing reads (see Volume.Unreferenced).
	Slack bool
}

// maxRuns bounds Volume.Unreferenced; UnreferencedBytes counts them all.
const maxRuns = 1024

// Container superblock fields (nx_superblock_t) of the checkpoint data
// area, and object subtypes of the trees the reader only marks.
const (
	nxDataBlocks      = 108 // nx_xp_data_blocks
	nxDataBase        = 120 // nx_xp_data_base
	typeSpaceman      = 0x05
	typeExtentRef     = 0x0f
	typeSnapMeta      = 0x10
	typeOmapSnapshots = 0x13
)

// own marks n blocks from addr as owned by a structure; blocks past the
// container are ignored (what reads them reports them).
func (c *container) own(addr, n uint64) {
	if c.owned == nil {
		c.owned = make([]byte, (c.blockCount+7)/8)
	}
	if addr >= c.blockCount {
		return
	}
	n = min(n, c.blockCount-addr)
	for b := addr; b < addr+n; b++ {
		c.owned[b/8] |= 1 << (b % 8)
	}
}

// disown unmarks block b, owned by a structure that turned out not to
// read, and forgets its unused bytes.
func (c *container) disown(b uint64) {
	if c.owned != nil && b < c.blockCount {
		c.owned[b/8] &^= 1 << (b % 8)
	}
	delete(c.slack, b)
}

func (c *container) isOwned(b uint64) bool {
	return c.owned != nil && c.owned[b/8]&(1<<(b%8)) != 0
}

// ownContainer marks block 0 as owned. The checkpoint areas are not
// owned whole: their base and size are the superblock's say, so an
// area over most of the container would hide anything. In them only
// the blocks of the checkpoint read are owned (ownCheckpoint,
// ownEphemeral); the rest, earlier checkpoints included, is listed when
// not zero.
func (c *container) ownContainer(s []byte) {
	c.own(0, 1)
}

// ownCheckpoint marks the checkpoint map blocks and the superblock of
// the checkpoint whose superblock is s, in the descriptor area of n
// blocks at base.
func (c *container) ownCheckpoint(s []byte, base, n uint64) {
	idx, ln := uint64(le.Uint32(s[136:])), uint64(le.Uint32(s[140:]))
	for i := range ln {
		c.own(base+(idx+i)%n, 1)
	}
}

// ownEphemeral marks the blocks of the ephemeral object b of type typ
// at addr, in the checkpoint data area: a space manager's first block
// and what it reaches (ownSpaceman); a reaper's or reap list's first
// block. The bytes past their structures are listed when not zero. The rest of a larger object (its
// checksum, which its writer computes, says nothing of its bytes) and
// objects of other types (any number of which a checkpoint map can
// list) are not owned.
func (c *container) ownEphemeral(typ uint32, addr uint64, b []byte) {
	bs := uint64(c.blockSize)
	switch typ {
	case typeSpaceman:
		c.own(addr, 1)
		c.slackOf(addr, b[:bs], spacemanSpans(b[:bs]))
		c.ownSpaceman(addr, b)
	case typeReaper:
		c.own(addr, 1)
		c.slackOf(addr, b[:bs], []span{{0, reaperSize + int(min(le.Uint32(b[reaperBufSize:]), uint32(bs)))}})
	case typeReapList:
		c.own(addr, 1)
		c.slackOf(addr, b[:bs], []span{{0, reapListSize + reapEntrySize*int(min(le.Uint32(b[reapListMax:]), uint32(bs)))}})
	}
}

// The reaper's objects (nx_reaper_phys_t, nx_reap_list_phys_t) and the
// fields that size them.
const (
	typeReaper    = 0x11
	typeReapList  = 0x12
	reaperSize    = 112 // nx_reaper_phys_t without its state buffer
	reaperBufSize = 108 // nr_state_buffer_size
	reapListSize  = 64  // nx_reap_list_phys_t without its entries
	reapListMax   = 44  // nrl_max
	reapEntrySize = 40  // nx_reap_list_entry_t
)

// inDataArea reports whether the n blocks at addr lie in the contiguous
// checkpoint data area of the container superblock s.
func inDataArea(s []byte, addr, n uint64) bool {
	base, blocks := le.Uint64(s[nxDataBase:]), uint64(le.Uint32(s[nxDataBlocks:]))
	return blocks&0x80000000 == 0 && addr >= base && addr-base < blocks && n <= blocks-(addr-base)
}

// ownSpaceman marks what the space manager sm at block addr reaches
// that the reader reads: the pool's bitmap blocks (spaceman_phys_t's
// sm_ip_bm_base, sm_ip_bm_block_count) with no bit set past the pool's
// sm_ip_block_count blocks, a pool no larger than the bitmaps of the
// container's chunks and its chunk-info blocks need; the chunk-info
// blocks, chunk-info address blocks and allocation bitmaps it reaches
// (readFree); and, when they read, the blocks of sm its chunk-info
// address array runs into. The pool is not owned whole: its base and
// size are the space manager's say, and a hostile one could claim any
// blocks.
func (c *container) ownSpaceman(addr uint64, sm []byte) {
	if len(sm) < 184 {
		return
	}
	bs := uint64(c.blockSize)
	bits := bs * 8
	chunks := (c.blockCount + bits - 1) / bits
	ip := le.Uint64(sm[152:])
	n, base := uint64(le.Uint32(sm[164:])), le.Uint64(sm[168:])
	if ip <= maxPoolBitmaps*(chunks+uint64(le.Uint32(sm[smCIBCount:]))+uint64(le.Uint32(sm[smCABCount:]))+1) && n <= maxPoolBitmaps*max(1, (ip+bits-1)/bits) {
		for i := range n {
			if bm, err := c.readBlock(base + i); err == nil && bitsClear(bm, ip) {
				c.own(base+i, 1)
			}
		}
	}
	if !c.readFree(sm) {
		return
	}
	if end := spacemanEnd(sm); end > bs {
		last := (end - 1) / bs
		c.own(addr+1, last)
		c.slackOf(addr+last, sm[last*bs:(last+1)*bs], []span{{0, int(end - last*bs)}})
	}
}

// spaceman_phys_t's size and the offsets and lengths of its arrays.
const (
	smSize           = 0x9d8 // through sm_datazone
	smIPBMSizeBlocks = 160   // sm_ip_bm_size_in_blocks
	smIPBMBlocks     = 164   // sm_ip_bm_block_count
	smIPBMXidOffset  = 324   // sm_ip_bm_xid_offset, then the bitmap and free-next offsets
	smTier2AddrOff   = 48 + 48 + 32
	smTier2CIBCount  = 48 + 48 + 16
	smTier2CABCount  = 48 + 48 + 20
)

// spacemanSpans returns the bytes of the space manager's first block sm
// its structure and arrays use: spaceman_phys_t, the pool bitmaps' xids,
// offsets and free list, and both devices' chunk-info address arrays
// (up to the block's end).
func spacemanSpans(sm []byte) []span {
	u32 := func(at int) int { return int(le.Uint32(sm[at:])) }
	addrs := func(cib, cab int) int { return 8 * max(u32(cib), u32(cab)) }
	return []span{
		{0, smSize},
		{u32(smIPBMXidOffset), u32(smIPBMXidOffset) + 8*u32(smIPBMBlocks)},
		{u32(smIPBMXidOffset + 4), u32(smIPBMXidOffset+4) + 2*u32(smIPBMSizeBlocks)},
		{u32(smIPBMXidOffset + 8), u32(smIPBMXidOffset+8) + 2*u32(smIPBMBlocks)},
		{u32(smAddrOffset), u32(smAddrOffset) + addrs(smCIBCount, smCABCount)},
		{u32(smTier2AddrOff), u32(smTier2AddrOff) + addrs(smTier2CIBCount, smTier2CABCount)},
	}
}

// maxPoolBitmaps bounds the copies of the internal pool's bitmap owned
// (sm_ip_bm_tx_multiplier, 16 in the containers macOS makes).
const maxPoolBitmaps = 16

// spacemanEnd returns the end of the space manager sm's main device's
// chunk-info address array (in sm, as readFree checks).
func spacemanEnd(sm []byte) uint64 {
	n := uint64(le.Uint32(sm[smCIBCount:]))
	if cab := uint64(le.Uint32(sm[smCABCount:])); cab > 0 {
		n = cab
	}
	return uint64(le.Uint32(sm[smAddrOffset:])) + 8*n
}

// ownTree marks the nodes of the physical B-tree at root (a volume's
// extent reference or snapshot metadata tree, an object map's snapshot
// tree) when it reads and its records are of the sizes their types have
// (recordFits): the reader does not use these trees, so one that does
// not read leaves its nodes unowned, reported, rather than the volume
// refused, and a record larger than its type, whose bytes nothing reads,
// would hide a payload.
func (c *container) ownTree(root uint64, subtype uint32) {
	if root == 0 {
		return
	}
	t := &btree{c: c, subtype: subtype, xid: c.xid, cmp: (&records{}).fsCmp}
	if subtype == typeOmapSnapshots {
		t.cmp = func(a, b []byte) int { return cmpU64(le.Uint64(a), le.Uint64(b)) }
		t.fixedK, t.fixedV = 8, 16
	}
	// Their records are not the reader's: they count against no limit
	// (the blocks read still do).
	records := c.records
	err := t.walk(root, func(k, v []byte, at int64) error {
		if !recordFits(subtype, k, v) {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("record of %d and %d bytes in a tree of subtype %#x", len(k), len(v), subtype)}
		}
		return nil
	})
	c.records = records
	if err != nil {
		for _, addr := range t.fresh {
			c.disown(addr)
		}
	}
}

// Record types (j_key_t's) of the trees ownTree reads and the sizes of
// their records: j_phys_ext_key_t and j_phys_ext_val_t (an extent
// reference tree's), j_snap_metadata_val_t without its name, and
// j_snap_name_key_t without its name.
const (
	recSnapMetadata = 1
	recExtent       = 2
	physExtValSize  = 20
	snapMetaValSize = 50
	snapNameKeySize = 10
)

// recordFits reports whether the leaf record k, v of a tree of subtype
// has the size its type has: an extent reference tree holds physical
// extents, a snapshot metadata tree snapshots' metadata and names (an
// object map's snapshot tree's entries are of fixed size).
func recordFits(subtype uint32, k, v []byte) bool {
	if subtype == typeOmapSnapshots {
		return true
	}
	if len(k) < 8 {
		return false
	}
	typ := le.Uint64(k) >> typeShift
	switch {
	case subtype == typeExtentRef:
		return typ == recExtent && len(k) == 8 && len(v) == physExtValSize
	case typ == recSnapMetadata:
		return len(k) == 8 && len(v) >= snapMetaValSize && len(v) == snapMetaValSize+int(le.Uint16(v[48:]))
	case typ == recSnapName:
		return len(k) >= snapNameKeySize && len(k) == snapNameKeySize+int(le.Uint16(k[8:])) && len(v) == 8
	}
	return false
}

// unreferenced lists the runs of blocks no structure owns that hold
// bytes other than zero, and the bytes of the partition past the
// container's last block that are not zero: data the reader does not
// verify (zeroed free space holds nothing).
func (c *container) unreferenced() (runs []Run, total int64) {
	bs := int64(c.blockSize)
	buf := make([]byte, bs)
	add := func(off, n int64, free, slack bool) {
		total += n
		if k := len(runs); k > 0 && runs[k-1].Offset+runs[k-1].Size == off && runs[k-1].Free == free && runs[k-1].Slack == slack {
			runs[k-1].Size += n
			return
		}
		if len(runs) < maxRuns {
			runs = append(runs, Run{Offset: off, Size: n, Free: free, Slack: slack})
		}
	}
	for b := range c.blockCount {
		if c.isOwned(b) {
			rs := c.slack[b]
			sort.Slice(rs, func(i, j int) bool { return rs[i].Offset < rs[j].Offset })
			for i, r := range rs {
				if i > 0 && r.Offset < rs[i-1].Offset+rs[i-1].Size {
					continue // one span listed twice
				}
				add(r.Offset, r.Size, false, true)
			}
			continue
		}
		if !c.zero(buf, int64(b)*bs) {
			add(int64(b)*bs, bs, c.isFree(b), false)
		}
	}
	for off := int64(c.blockCount) * bs; off < c.size; off += bs {
		n := min(bs, c.size-off)
		if !c.zero(buf[:n], off) {
			add(off, n, false, false)
		}
	}
	return runs, total
}

// zero reports whether the len(buf) bytes at off are zero; bytes that
// do not read are not.
func (c *container) zero(buf []byte, off int64) bool {
	n, _ := c.r.ReadAt(buf, off)
	return n == len(buf) && len(bytes.Trim(buf, "\x00")) == 0
}

// String names a run for errors and findings.
func (r Run) String() string { return fmt.Sprintf("%d bytes at %#x", r.Size, r.Offset) }
