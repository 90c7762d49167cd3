package hfsplus

import (
	"fmt"

	"github.com/shipgate/shipgate/internal/decmpfs"
)

// noteRsrc inventories the resource fork of n, a file record reached as
// p: a non-empty one is an Extra unless it holds the file's compressed
// data (decoded as its data, or the file is in Volume.Skipped). A record
// reached by several hard links is inventoried once.
func (v *Volume) noteRsrc(p string, n *node) {
	if n.dir || (n.rsrc.size == 0 && n.rsrc.blocks == 0) || v.rsrcOf[n.id] {
		return
	}
	v.rsrcOf[n.id] = true
	if n.flags&ufCompressed != 0 && decmpfs.InFork(v.decmpfs[n.id]) {
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
