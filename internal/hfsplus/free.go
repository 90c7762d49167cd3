package hfsplus

import "fmt"

// freeScan finds the free blocks, referenced by no structure, that hold
// bytes other than zero: a payload there is read by nothing that
// verifies the volume, yet travels with the image.
type freeScan struct {
	v     *Volume
	zs    *zeroScan
	found runs
	at    int64  // the first byte other than zero
	last  uint64 // the last block found
	err   error
	from  uint64 // the first block not checked, on err
}

// scan checks the free blocks [a, b).
func (f *freeScan) scan(a, b uint64) {
	if f.err != nil {
		return
	}
	bs := int64(f.v.BlockSize)
	if err := f.zs.scan(int64(a)*bs, int64(b)*bs, bs, func(at int64) { f.hit(uint64(at/bs), at) }); err != nil {
		f.err, f.from = err, a
	}
}

// hit records block blk, whose first byte other than zero is at.
func (f *freeScan) hit(blk uint64, at int64) {
	switch {
	case f.found.blocks == 0:
		f.at = at
	case blk == f.last+1:
		f.found.blocks++
		if k := len(f.found.first) - 1; f.found.first[k].end == blk {
			f.found.first[k].end++
		}
		f.last = blk
		return
	}
	f.found.add(blk, blk+1)
	f.last = blk
}

// report adds what the scan found to the volume's extras and problems.
func (f *freeScan) report() {
	v := f.v
	bs := uint64(v.BlockSize)
	if f.found.blocks > 0 {
		v.extra(Extra{Kind: ExtraFreeData, Size: int64(f.found.blocks * bs), Offset: f.at,
			Detail: fmt.Sprintf("%d allocation blocks of %d bytes marked free hold bytes other than zero: blocks %s", f.found.blocks, bs, f.found)})
	}
	if f.err != nil {
		v.problem("", int64(f.from*bs), "the free blocks from block %d on were not checked for data: %v", f.from, f.err)
	}
}
