package apfs

import (
	"fmt"
	"io"
	"sort"
)

// Limits on what a hostile container can make the reader do.
const (
	minBlockSize = 4096
	maxBlockSize = 65536
	// maxDescBlocks bounds the checkpoint descriptor area searched.
	maxDescBlocks = 1 << 16
	// maxFileSystems is NX_MAX_FILE_SYSTEMS.
	maxFileSystems = 100
	// DefaultMaxRecords bounds the B-tree records read (object maps and
	// the file-system tree together).
	DefaultMaxRecords = 1 << 20
)

// Container superblock fields (nx_superblock_t) used.
const (
	nxMagic            = "NXSB"
	nxIncompatVersion2 = 0x2
	nxIncompatFusion   = 0x100
	nxKnownIncompat    = 0x1 | nxIncompatVersion2 | nxIncompatFusion
	nxCryptoSW         = 0x4
	nxFSOids           = 184
	// nxSize is the size of nx_superblock_t (its last field,
	// nx_mkb_locker, at 0x570).
	nxSize = 0x580
)

// container is an opened APFS container at its latest valid checkpoint.
type container struct {
	r          io.ReaderAt
	size       int64
	blockSize  int
	blockCount uint64
	super      []byte // the checkpoint's superblock
	xid        uint64
	omap       map[uint64]omapVal // the container object map, latest per oid
	reads      int
	maxReads   int
	records    int
	maxRecords int
	fsOids     []uint64
	// owned marks the blocks a structure read owns (see space.go).
	owned []byte
	// slack holds the unused bytes of owned objects that are not zero,
	// by block (see slack.go).
	slack map[uint64][]Run
	// scratch is a block's buffer for tailZero.
	scratch []byte
	// free marks the blocks the space manager's bitmaps mark free, nil
	// when unknown (see spacemap.go).
	free []byte
}

// openContainer reads block 0, then the checkpoint descriptor area for
// the superblock of the latest checkpoint whose blocks all check out (as
// macOS mounts it), and the container object map.
func openContainer(r io.ReaderAt, size int64, maxRecords int) (*container, error) {
	var b0 [objHeaderSize + 16]byte
	if n, _ := r.ReadAt(b0[:], 0); n < len(b0) || string(b0[32:36]) != nxMagic {
		return nil, ErrNotAPFS
	}
	bs := le.Uint32(b0[36:])
	if bs < minBlockSize || bs > maxBlockSize || bs&(bs-1) != 0 {
		return nil, &FormatError{Offset: 36, Reason: fmt.Sprintf("block size %d is not a power of two from %d to %d", bs, minBlockSize, maxBlockSize)}
	}
	c := &container{r: r, size: size, blockSize: int(bs), maxRecords: maxRecords}
	c.blockCount = min(le.Uint64(b0[40:]), uint64(size)/uint64(bs))
	c.maxReads = int(min(c.blockCount, 1<<24)) + maxDescBlocks + 16
	sb, err := c.readObject(0, typeNXSuperblock, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("block 0: %w", err)
	}
	c.slackOf(0, sb.b, []span{{0, nxSize}})
	if le.Uint64(sb.b[40:]) != c.blockCount {
		return nil, &FormatError{Offset: 40, Reason: fmt.Sprintf("the container declares %d blocks of %d bytes, more than the %d bytes it is given", le.Uint64(sb.b[40:]), bs, size)}
	}
	if err := c.checkpoint(sb.b); err != nil {
		return nil, err
	}
	s := c.super
	if inc := le.Uint64(s[64:]); inc&^uint64(nxKnownIncompat) != 0 || inc&nxIncompatFusion != 0 {
		return nil, &UnsupportedError{Feature: fmt.Sprintf("container incompatible features %#x (fusion or unknown)", inc)}
	}
	if le.Uint32(s[36:]) != bs {
		return nil, &FormatError{Offset: int64(c.xpAddr()) * int64(bs), Reason: "the checkpoint's superblock declares another block size"}
	}
	c.ownContainer(s)
	c.omap, err = c.readOmap(le.Uint64(s[160:]), c.xid)
	if err != nil {
		return nil, fmt.Errorf("container object map: %w", err)
	}
	// Every slot of nx_fs_oid, whatever nx_max_file_systems says: a
	// volume past it is one macOS may mount all the same.
	for i := range maxFileSystems {
		if oid := le.Uint64(s[nxFSOids+8*int(i):]); oid != 0 {
			c.fsOids = append(c.fsOids, oid)
		}
	}
	return c, nil
}

// xpAddr is where the checkpoint's superblock was found (for errors).
func (c *container) xpAddr() uint64 { return le.Uint64(c.super[8:]) }

// checkpoint finds the latest valid checkpoint from block 0's superblock
// b0: the superblock of the highest xid in the descriptor area whose
// checksum, type and checkpoint map blocks are valid.
func (c *container) checkpoint(b0 []byte) error {
	n := le.Uint32(b0[104:])
	if n&0x80000000 != 0 {
		return &UnsupportedError{Feature: "a checkpoint descriptor area that is not contiguous"}
	}
	base := le.Uint64(b0[112:])
	if n == 0 || n > maxDescBlocks || base >= c.blockCount || uint64(n) > c.blockCount-base {
		return &FormatError{Offset: 104, Reason: fmt.Sprintf("checkpoint descriptor area of %d blocks at block %d does not lie in the container", n, base)}
	}
	type cand struct {
		addr uint64
		xid  uint64
		b    []byte
	}
	var cands []cand
	for i := range uint64(n) {
		b, err := c.readBlock(base + i)
		if err != nil {
			return err
		}
		o, err := checkObject(b, base+i, int64(base+i)*int64(c.blockSize), typeNXSuperblock, 0, 0)
		if err != nil || string(b[32:36]) != nxMagic {
			continue
		}
		cands = append(cands, cand{base + i, o.xid, b})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].xid > cands[j].xid })
	for i, k := range cands {
		if !c.mapsValid(k.b, k.addr, base, uint64(n), k.xid) {
			continue
		}
		// Which of two valid checkpoints of one xid macOS mounts is not
		// ours to guess: they may point at different trees.
		for _, o := range cands[i+1:] {
			if o.xid == k.xid && c.mapsValid(o.b, o.addr, base, uint64(n), o.xid) {
				return &FormatError{Offset: int64(o.addr) * int64(c.blockSize), Reason: fmt.Sprintf("two valid checkpoints (blocks %d and %d) share the latest xid %d", k.addr, o.addr, k.xid)}
			}
		}
		if err := c.ephemeral(k.b, base, uint64(n)); err != nil {
			return fmt.Errorf("the latest checkpoint (block %d), which macOS may refuse or pass over for an earlier one: %w", k.addr, err)
		}
		c.super, c.xid = k.b, k.xid
		c.ownCheckpoint(k.b, base, uint64(n))
		c.slackOf(k.addr, k.b, []span{{0, nxSize}})
		return nil
	}
	return &FormatError{Offset: int64(base) * int64(c.blockSize), Reason: "no valid checkpoint in the descriptor area"}
}

// mapsValid reports whether the checkpoint map blocks of superblock s
// (nx_xp_desc_index, nx_xp_desc_len blocks in the ring, the superblock
// last, at at) are checkpoint maps of its xid, the last flagged last.
func (c *container) mapsValid(s []byte, at, base, n, xid uint64) bool {
	idx, ln := uint64(le.Uint32(s[136:])), uint64(le.Uint32(s[140:]))
	if idx >= n || ln < 1 || ln > n || base+(idx+ln-1)%n != at {
		return false
	}
	for i := range ln - 1 {
		addr := base + (idx+i)%n
		o, err := c.readObject(addr, typeCheckpoint, 0, 0)
		if err != nil || o.xid != xid {
			return false
		}
		last := le.Uint32(o.b[32:])&1 != 0
		if last != (i == ln-2) {
			return false
		}
	}
	return true
}

// maxEphemeralSize bounds one ephemeral object checked.
const maxEphemeralSize = 16 << 20

// ephemeral checks the ephemeral objects (the space manager, the
// reaper…) listed in the checkpoint maps of superblock s, in the
// descriptor area of n blocks at base: each checkpoint_mapping_t's
// object must check out (checksum, type, oid). When one does not, macOS
// may refuse the checkpoint or mount an earlier one, holding other
// files: not ours to guess, so the container is refused.
func (c *container) ephemeral(s []byte, base, n uint64) error {
	idx, ln := uint64(le.Uint32(s[136:])), uint64(le.Uint32(s[140:]))
	bs := uint64(c.blockSize)
	for i := range ln - 1 {
		o, err := c.readObject(base+(idx+i)%n, typeCheckpoint, 0, 0)
		if err != nil {
			return err
		}
		cnt := uint64(le.Uint32(o.b[36:]))
		if cnt > (bs-40)/40 {
			return &FormatError{Offset: int64(o.addr*bs) + 36, Reason: fmt.Sprintf("checkpoint map of %d entries", cnt)}
		}
		c.slackOf(o.addr, o.b, []span{{0, 40 + 40*int(cnt)}})
		for j := range cnt {
			e := o.b[40+40*j:]
			typ, size, oid, addr := le.Uint32(e), uint64(le.Uint32(e[8:])), le.Uint64(e[24:]), le.Uint64(e[32:])
			if typ&objNoHeader != 0 {
				continue // nothing to check
			}
			if size == 0 || size%bs != 0 || size > maxEphemeralSize || addr >= c.blockCount || size/bs > c.blockCount-addr {
				return &FormatError{Offset: int64(o.addr*bs + 40 + 40*j), Reason: fmt.Sprintf("ephemeral object %d of %d bytes at block %d", oid, size, addr)}
			}
			buf := make([]byte, 0, size)
			for b := range size / bs {
				blk, err := c.readBlock(addr + b)
				if err != nil {
					return err
				}
				buf = append(buf, blk...)
			}
			if _, err := checkObject(buf, addr, int64(addr*bs), typ&objTypeMask, oid, 0); err != nil {
				return fmt.Errorf("ephemeral object %d: %w", oid, err)
			}
			// An ephemeral object outside the data area, where macOS
			// writes none, is not owned (an attacker could wrap any
			// blocks in one), nor is a space manager there trusted
			// with its pool.
			if inDataArea(s, addr, size/bs) {
				c.ownEphemeral(typ&objTypeMask, addr, buf)
			}
		}
	}
	return nil
}
