package hfsplus

import (
	"encoding/binary"
	"fmt"
)

// noteRsrc inventories the resource fork of n, a file record reached as
// p: a non-empty one is an Extra unless it holds the file's compressed
// data (the file is then in Volume.Skipped, as not decoded). A record
// reached by several hard links is inventoried once.
func (v *Volume) noteRsrc(p string, n *node) {
	if n.dir || (n.rsrc.size == 0 && n.rsrc.blocks == 0) || v.rsrcOf[n.id] {
		return
	}
	v.rsrcOf[n.id] = true
	if n.flags&ufCompressed != 0 && rsrcCompressed(v.decmpfs[n.id]) {
		return
	}
	e := Extra{Kind: ExtraResourceFork, Path: p, Size: int64(min(n.rsrc.size, 1<<62)), Offset: -1,
		Detail: fmt.Sprintf("catalog ID %d, %d allocation blocks", n.id, n.rsrc.blocks)}
	if x := n.rsrc.extents[0]; x.count > 0 {
		e.Offset = int64(x.start) * int64(v.BlockSize)
	}
	if n.flags&ufCompressed != 0 {
		e.Detail += "; the file is compressed, but its com.apple.decmpfs attribute does not keep its data in the resource fork"
	}
	v.extra(e)
}

// rsrcCompressed reports whether a com.apple.decmpfs attribute keeps the
// file's compressed data in its resource fork: types 4 (zlib), 8 (LZVN),
// 10 (uncompressed), 12 (LZFSE) and 14 (LZBITMAP).
func rsrcCompressed(a []byte) bool {
	if len(a) < 16 || string(a[:4]) != "fpmc" {
		return false
	}
	switch binary.LittleEndian.Uint32(a[4:]) {
	case 4, 8, 10, 12, 14:
		return true
	}
	return false
}
