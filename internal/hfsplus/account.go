package hfsplus

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strings"
)

// span is a run of allocation blocks [start, end).
type span struct{ start, end uint64 }

// Volume attributes and journal info block flags (TN1150).
const (
	volJournaled = 1 << 13 // kHFSVolumeJournaledBit
	jiInFS       = 1       // kJIJournalInFSMask
)

// bitmapChunk is how much of the allocation bitmap is read at a time.
const bitmapChunk = 64 << 10

// ref is a run of blocks a structure references; who indexes the
// owners account keeps.
type ref struct {
	span
	who int32
}

// owner is what references blocks: a fixed structure (what), a file's
// fork or a fork data attribute.
type owner struct {
	what string
	n    *node
	rsrc bool
	a    *attr
}

// name says what o is, for a finding.
func (v *Volume) name(o owner) string {
	switch {
	case o.n != nil:
		f := "data"
		if o.rsrc {
			f = "resource"
		}
		if p, ok := v.pathOf[o.n.id]; ok {
			return fmt.Sprintf("the %s fork of %q", f, p)
		}
		return fmt.Sprintf("the %s fork of catalog ID %d", f, o.n.id)
	case o.a != nil:
		if p, ok := v.pathOf[o.a.id]; ok {
			return fmt.Sprintf("extended attribute %q of %q", o.a.name, p)
		}
		return fmt.Sprintf("extended attribute %q of catalog ID %d", o.a.name, o.a.id)
	}
	return o.what
}

// Fixed structures that reference blocks.
const (
	ownJournalInfo = "the journal info block"
	ownJournal     = "the journal"
)

// journalFile reports whether a and b are the journal (or its info
// block), located by the volume header, and the file of the root folder
// that macOS keeps for it (".journal", ".journal_info_block"): the two
// reference the same blocks on every journaled volume.
func journalFile(a, b owner) bool {
	if b.what != "" {
		a, b = b, a
	}
	if b.n == nil || b.rsrc || b.n.parent != rootFolderID {
		return false
	}
	return (a.what == ownJournal && b.n.name == ".journal") || (a.what == ownJournalInfo && b.n.name == ".journal_info_block")
}

// account reports the blocks the allocation bitmap marks used that no
// structure references (ExtraUnreferenced), the blocks of a file's fork
// past its logical size (ExtraForkSlack), a non-empty startup file,
// blocks referenced twice or referenced but marked free
// (ExtraAllocation), and free blocks that hold bytes other than zero
// (ExtraFreeData). It reads the bitmap in chunks of 64 KiB and keeps
// the referenced extents, one per fork extent, sorted; free blocks are
// read through zs, which skips what the reader knows to be zeros.
func (v *Volume) account(all []*node, overflow, rsrcOverflow map[uint32][]extentRec, zs *zeroScan) {
	bs := uint64(v.BlockSize)
	nblocks := uint64(v.Blocks)
	// Most files have one fork of one extent.
	rl := &refList{
		nblocks: nblocks,
		refs:    make([]ref, 0, len(all)+len(v.attrs)+16),
		owners:  make([]owner, 0, len(all)+len(v.attrs)+16),
		who:     -1,
	}
	// The reserved area and volume header, and the alternate volume
	// header with the last 512 bytes.
	rl.own(owner{what: "the volume header"})
	rl.add(0, (1536+bs-1)/bs)
	rl.own(owner{what: "the alternate volume header"})
	if total := nblocks * bs; total >= 1024 {
		rl.add((total-1024)/bs, nblocks)
	}
	bitmap, bitmapExts := v.refSpecialFiles(rl)
	v.refJournal(rl)
	v.refFileForks(rl, all, overflow, rsrcOverflow)
	// Fork data attributes (each reported unless tolerated).
	for _, a := range v.attrs {
		if a.typ != attrFork {
			continue
		}
		rl.own(owner{a: a})
		for _, x := range append(a.fork.extents[:], a.more...) {
			rl.add(uint64(x.start), uint64(x.start)+uint64(x.count))
		}
	}
	slices.SortFunc(rl.refs, func(a, b ref) int { return cmp.Compare(a.start, b.start) })
	merged := v.overlaps(rl.refs, rl.owners)
	if bitmap == nil {
		return
	}
	v.accountBitmap(bitmap, bitmapExts, merged, zs)
}

// refList collects the runs of blocks structures reference and who
// references them.
type refList struct {
	nblocks uint64
	refs    []ref
	owners  []owner
	who     int32 // the owner of the runs added next
}

// own makes o the owner of the runs added next.
func (rl *refList) own(o owner) {
	rl.owners = append(rl.owners, o)
	rl.who = int32(len(rl.owners) - 1)
}

// add adds the run [start, end), cut at the volume's end.
func (rl *refList) add(start, end uint64) {
	end = min(end, rl.nblocks)
	if start < end {
		rl.refs = append(rl.refs, ref{span{start, end}, rl.who})
	}
}

// refSpecialFiles adds the special files' extents (the allocation,
// extents, catalog, attributes and startup files), reports a non-empty
// startup file, and returns a reader of the allocation bitmap and its
// extents (nil when it cannot be read for every block).
func (v *Volume) refSpecialFiles(rl *refList) (*forkReader, []extent) {
	h := v.header[:]
	bs := uint64(v.BlockSize)
	nblocks := rl.nblocks
	var bitmap *forkReader
	var bitmapExts []extent
	for i, at := range []int{112, 192, 272, 352, 432} {
		f := readFork(h[at:])
		rl.own(owner{what: specialFiles[i]})
		for _, x := range f.extents {
			rl.add(uint64(x.start), uint64(x.start)+uint64(x.count))
		}
		if at == 432 && (f.size > 0 || f.blocks > 0) {
			e := Extra{Kind: ExtraStartupFile, Size: int64(min(f.size, 1<<62)), Offset: -1, Detail: fmt.Sprintf("%d allocation blocks", f.blocks)}
			if f.extents[0].count > 0 {
				e.Offset = int64(f.extents[0].start) * int64(bs)
			}
			v.extra(e)
		}
		if at == 112 {
			exts, err := v.extents(f, 0, nil)
			if err != nil || f.size*8 < nblocks {
				v.problem("", 1024+112, "the allocation file (%d bytes) cannot be read for %d blocks (%v): allocated blocks were not accounted for", f.size, nblocks, err)
			} else {
				bitmap = &forkReader{v: v, exts: exts, size: int64(f.size)}
				bitmapExts = exts
			}
		}
	}
	return bitmap, bitmapExts
}

// refJournal adds the journal info block of a journaled volume and the
// journal it locates.
func (v *Volume) refJournal(rl *refList) {
	be := binary.BigEndian
	h := v.header[:]
	bs := uint64(v.BlockSize)
	nblocks := rl.nblocks
	if be.Uint32(h[4:])&volJournaled == 0 {
		return
	}
	jib := uint64(be.Uint32(h[12:]))
	if jib == 0 || jib >= nblocks {
		return
	}
	rl.own(owner{what: ownJournalInfo})
	rl.add(jib, jib+1)
	var b [52]byte
	if n, _ := v.r.ReadAt(b[:], int64(jib*bs)); n == len(b) && be.Uint32(b[:])&jiInFS != 0 {
		off, size := be.Uint64(b[36:]), be.Uint64(b[44:])
		if off < nblocks*bs && size <= nblocks*bs-off {
			rl.own(owner{what: ownJournal})
			rl.add(off/bs, (off+size+bs-1)/bs)
		}
	}
}

// refFileForks adds every catalog file record's forks, up to their
// logical sizes; the blocks past that are reported.
func (v *Volume) refFileForks(rl *refList, all []*node, overflow, rsrcOverflow map[uint32][]extentRec) {
	bs := uint64(v.BlockSize)
	for _, n := range all {
		if n.dir {
			continue
		}
		// n.own: walk gave a hard link record its target's data fork.
		for i, f := range []fork{n.own, n.rsrc} {
			ovf := overflow
			if i == 1 {
				ovf = rsrcOverflow
			}
			exts, err := v.extents(f, n.id, ovf)
			if err != nil {
				continue // the entry is a Problem
			}
			if len(exts) > 0 {
				rl.own(owner{n: n, rsrc: i == 1})
			}
			need := (f.size + bs - 1) / bs
			slack, first := uint64(0), int64(-1)
			for _, x := range exts {
				s, e := uint64(x.start), uint64(x.start)+uint64(x.count)
				// The whole extent is the fork's: past its end, it is
				// reported as slack, not as unreferenced too.
				rl.add(s, e)
				if need >= e-s {
					need -= e - s
					continue
				}
				if first < 0 {
					first = int64((s + need) * bs)
				}
				slack += e - s - need
				need = 0
			}
			if slack > 0 {
				p, ok := v.pathOf[n.id]
				what := [2]string{"data", "resource"}[i]
				d := fmt.Sprintf("%s fork of %d bytes in %d allocation blocks, %d of them past its end", what, f.size, f.blocks, slack)
				if !ok {
					d = fmt.Sprintf("catalog ID %d, which no path reaches; %s", n.id, d)
				}
				v.extra(Extra{Kind: ExtraForkSlack, Path: p, Size: int64(slack * bs), Offset: first, Detail: d})
			}
		}
	}
}

// accountBitmap walks the allocation bitmap against the referenced runs
// merged: it reports the slack of the bitmap file, the used blocks
// nothing references, the referenced blocks marked free, and the free
// blocks that hold data.
func (v *Volume) accountBitmap(bitmap *forkReader, bitmapExts []extent, merged []span, zs *zeroScan) {
	bs := uint64(v.BlockSize)
	v.bitmapSlack(bitmapExts, bitmap.size, zs)
	free := freeScan{v: v, zs: zs}
	u, err := unreferenced(bitmap, uint64(v.Blocks), merged, free.scan)
	if err != nil {
		v.problem("", 1024+112, "reading the allocation file: %v; allocated blocks were not accounted for", err)
		return
	}
	if u.unused.blocks > 0 {
		v.extra(Extra{Kind: ExtraUnreferenced, Size: int64(u.unused.blocks * bs), Offset: int64(u.unused.first[0].start * bs),
			Detail: fmt.Sprintf("%d allocation blocks of %d bytes: blocks %s", u.unused.blocks, bs, u.unused)})
	}
	if u.freeRef.blocks > 0 {
		v.extra(Extra{Kind: ExtraAllocation, Size: int64(u.freeRef.blocks * bs), Offset: int64(u.freeRef.first[0].start * bs),
			Detail: fmt.Sprintf("%d allocation blocks of %d bytes are referenced but marked free in the allocation bitmap: blocks %s", u.freeRef.blocks, bs, u.freeRef)})
	}
	free.report()
}

// specialFiles names the special files of the volume header, in order.
var specialFiles = [5]string{"the allocation file", "the extents overflow file", "the catalog file", "the attributes file", "the startup file"}

// overlaps reports the blocks that two structures (or one twice)
// reference, refs sorted by start, and returns the referenced runs
// merged.
func (v *Volume) overlaps(refs []ref, owners []owner) []span {
	bs := uint64(v.BlockSize)
	merged := make([]span, 0, len(refs))
	var cur ref // the run reaching furthest so far
	for i, r := range refs {
		if i > 0 && r.start < cur.end && !journalFile(owners[cur.who], owners[r.who]) {
			e := min(r.end, cur.end)
			a, b := owners[cur.who], owners[r.who]
			p := ""
			for _, o := range []owner{a, b} {
				if o.n != nil && p == "" {
					p = v.pathOf[o.n.id]
				}
			}
			what := fmt.Sprintf("referenced by %s and by %s", v.name(a), v.name(b))
			if cur.who == r.who {
				what = fmt.Sprintf("referenced twice by %s", v.name(a))
			}
			v.extra(Extra{Kind: ExtraAllocation, Path: p, Size: int64((e - r.start) * bs), Offset: int64(r.start * bs),
				Detail: fmt.Sprintf("allocation blocks %d–%d are %s", r.start, e-1, what)})
		}
		if i == 0 || r.end > cur.end {
			cur = r
		}
		if k := len(merged) - 1; k >= 0 && r.start <= merged[k].end {
			merged[k].end = max(merged[k].end, r.end)
			continue
		}
		merged = append(merged, r.span)
	}
	return merged
}

// runs counts runs of blocks and keeps the first few.
type runs struct {
	blocks uint64
	runs   int
	first  []span
}

func (r *runs) add(a, b uint64) {
	r.blocks += b - a
	r.runs++
	if len(r.first) < 5 {
		r.first = append(r.first, span{a, b})
	}
}

// String lists the first runs, and how many there are in all.
func (r runs) String() string {
	var out []string
	for _, s := range r.first {
		out = append(out, fmt.Sprintf("%d–%d", s.start, s.end-1))
	}
	if r.runs > len(r.first) {
		out = append(out, fmt.Sprintf("… (%d runs)", r.runs))
	}
	return strings.Join(out, ", ")
}

// bitmapRuns is what unreferenced found.
type bitmapRuns struct {
	unused  runs // used blocks outside refs
	freeRef runs // free blocks inside refs
}

// unreferenced streams the allocation bitmap of nblocks blocks and
// returns the used blocks outside refs (sorted, disjoint) and the free
// ones inside; it calls free, unless nil, with each run of free blocks
// outside refs, in order.
func unreferenced(bitmap io.ReaderAt, nblocks uint64, refs []span, free func(a, b uint64)) (bitmapRuns, error) {
	bw := bitmapWalk{refs: refs, free: free}
	buf := make([]byte, bitmapChunk)
	be := binary.BigEndian
	run := int64(-1)      // start of the current used run
	freeFrom := uint64(0) // end of the last used run
	// The bitmap's first bit (the most significant of its first byte) is
	// block 0: a big-endian word holds 64 blocks, and a run's ends are
	// found by counting leading zeros.
	for base := uint64(0); base < nblocks; base += 8 * bitmapChunk {
		n := min(uint64(bitmapChunk), (nblocks-base+7)/8)
		if k, err := bitmap.ReadAt(buf[:n], int64(base/8)); uint64(k) < n {
			return bw.u, fmt.Errorf("bitmap byte %d: %w", base/8+uint64(k), orEOF(err))
		}
	words:
		for i := uint64(0); i < n; i += 8 {
			var w uint64
			if i+8 <= n {
				w = be.Uint64(buf[i:])
			} else {
				var t [8]byte
				copy(t[:], buf[i:n])
				w = be.Uint64(t[:])
			}
			blk0 := base + 8*i
			for j := 0; j < 64; {
				rest := w << j
				if run < 0 {
					if rest == 0 {
						break
					}
					j += bits.LeadingZeros64(rest)
					if blk0+uint64(j) >= nblocks {
						break words
					}
					run = int64(blk0) + int64(j)
					if uint64(run) > freeFrom {
						bw.unset(freeFrom, uint64(run))
					}
					continue
				}
				// Shifting brought zeros in at the right: inverted, they
				// are ones past the word's last bit.
				lz := bits.LeadingZeros64(^rest)
				if lz >= 64-j {
					break
				}
				j += lz
				freeFrom = min(blk0+uint64(j), nblocks)
				bw.used(uint64(run), freeFrom)
				run = -1
			}
		}
	}
	if run >= 0 {
		bw.used(uint64(run), nblocks)
	} else if freeFrom < nblocks {
		bw.unset(freeFrom, nblocks)
	}
	return bw.u, nil
}

// bitmapWalk sorts the runs of the bitmap against the referenced runs:
// runs come in increasing order, so ri only advances.
type bitmapWalk struct {
	refs []span
	ri   int
	u    bitmapRuns
	free func(a, b uint64)
}

// used records the parts of the used run [a, b) outside refs.
func (w *bitmapWalk) used(a, b uint64) {
	for a < b {
		for w.ri < len(w.refs) && w.refs[w.ri].end <= a {
			w.ri++
		}
		if w.ri == len(w.refs) || w.refs[w.ri].start >= b {
			w.u.unused.add(a, b)
			return
		}
		r := w.refs[w.ri]
		if r.start > a {
			w.u.unused.add(a, r.start)
		}
		a = r.end
	}
}

// unset records the parts of the free run [a, b) inside refs, and
// passes the others to free.
func (w *bitmapWalk) unset(a, b uint64) {
	for a < b {
		for w.ri < len(w.refs) && w.refs[w.ri].end <= a {
			w.ri++
		}
		if w.ri == len(w.refs) || w.refs[w.ri].start >= b {
			if w.free != nil {
				w.free(a, b)
			}
			return
		}
		r := w.refs[w.ri]
		if r.start > a && w.free != nil {
			w.free(a, r.start)
		}
		e := min(r.end, b)
		w.u.freeRef.add(max(a, r.start), e)
		a = e
	}
}
