package apfs

import "bytes"

// Space manager objects (spaceman_phys_t's main device, cib_phys_t,
// cab_phys_t) read for the blocks they mark free.
const (
	typeSpacemanCAB = 0x06
	typeSpacemanCIB = 0x07
	smCIBCount      = 64 // sm_dev[SD_MAIN].sm_cib_count
	smCABCount      = 68 // sm_dev[SD_MAIN].sm_cab_count
	smAddrOffset    = 80 // sm_dev[SD_MAIN].sm_addr_offset
	chunkInfoSize   = 32
)

// readFree reads the allocation bitmaps of the space manager sm (its
// main device's chunk-info blocks, through its chunk-info address
// blocks when it has any) and marks the blocks they say are free in
// c.free, reporting whether they read. Anything that does not read
// leaves c.free nil: every block is then taken as allocated.
func (c *container) readFree(sm []byte) bool {
	ncib, ncab := uint64(le.Uint32(sm[smCIBCount:])), uint64(le.Uint32(sm[smCABCount:]))
	n := ncib
	if ncab > 0 {
		n = ncab
	}
	at := uint64(le.Uint32(sm[smAddrOffset:]))
	if n == 0 || at > uint64(len(sm)) || n > (uint64(len(sm))-at)/8 {
		return false
	}
	c.free = make([]byte, (c.blockCount+7)/8)
	ok := true
	for i := range n {
		addr := le.Uint64(sm[at+8*i:])
		if ncab == 0 {
			ok = ok && c.readCIB(addr)
			continue
		}
		cab, err := c.readObject(addr, typeSpacemanCAB, addr, c.xid)
		if err != nil || uint64(le.Uint32(cab.b[36:])) > uint64(c.blockSize-40)/8 {
			ok = false
			break
		}
		c.own(addr, 1)
		cnt := uint64(le.Uint32(cab.b[36:]))
		c.slackOf(addr, cab.b, []span{{0, 40 + 8*int(cnt)}})
		for j := range cnt {
			ok = ok && c.readCIB(le.Uint64(cab.b[40+8*j:]))
		}
	}
	if !ok {
		c.free = nil
	}
	return ok
}

// readCIB marks the free blocks of the chunks chunk-info block addr
// describes: each chunk's bitmap (one block, a bit per block, set when
// allocated), or all its blocks when it has no bitmap. The chunk-info
// block and the bitmaps read are owned; a bitmap with bits set past its
// chunk's blocks (bytes the reader does not use) does not read.
func (c *container) readCIB(addr uint64) bool {
	o, err := c.readObject(addr, typeSpacemanCIB, addr, c.xid)
	if err != nil {
		return false
	}
	c.own(addr, 1)
	cnt := uint64(le.Uint32(o.b[36:]))
	if cnt > uint64(c.blockSize-40)/chunkInfoSize {
		return false
	}
	c.slackOf(addr, o.b, []span{{0, 40 + chunkInfoSize*int(cnt)}})
	perChunk := uint64(c.blockSize) * 8
	for i := range cnt {
		ci := o.b[40+chunkInfoSize*i:]
		start, blocks, bm := le.Uint64(ci[8:]), uint64(le.Uint32(ci[16:])), le.Uint64(ci[24:])
		if blocks > perChunk || start >= c.blockCount {
			return false
		}
		blocks = min(blocks, c.blockCount-start)
		var bits []byte
		if bm != 0 {
			if bits, err = c.readBlock(bm); err != nil || !bitsClear(bits, blocks) {
				return false
			}
			c.own(bm, 1)
		}
		for b := range blocks {
			if bits == nil || bits[b/8]&(1<<(b%8)) == 0 {
				c.free[(start+b)/8] |= 1 << ((start + b) % 8)
			}
		}
	}
	return true
}

// bitsClear reports whether the bits of bm from bit n on are clear.
func bitsClear(bm []byte, n uint64) bool {
	if n >= uint64(len(bm))*8 {
		return true
	}
	if n%8 != 0 && bm[n/8]>>(n%8) != 0 {
		return false
	}
	return len(bytes.Trim(bm[(n+7)/8:], "\x00")) == 0
}

// isFree reports whether the space manager marks block b free.
func (c *container) isFree(b uint64) bool {
	return c.free != nil && c.free[b/8]&(1<<(b%8)) != 0
}
