package hfsplus

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"sort"
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

// account reports the blocks the allocation bitmap marks used that no
// structure references (ExtraUnreferenced), the blocks of a file's fork
// past its logical size (ExtraForkSlack) and a non-empty startup file.
// It reads the bitmap in chunks of 64 KiB and keeps the referenced
// extents, one per fork extent, sorted.
func (v *Volume) account(all []*node, overflow, rsrcOverflow map[uint32][]extentRec) {
	be := binary.BigEndian
	h := v.header[:]
	bs := uint64(v.BlockSize)
	nblocks := uint64(v.Blocks)
	var refs []span
	ref := func(start, end uint64) {
		end = min(end, nblocks)
		if start < end {
			refs = append(refs, span{start, end})
		}
	}
	// The reserved area and volume header, and the alternate volume
	// header with the last 512 bytes.
	ref(0, (1536+bs-1)/bs)
	if total := nblocks * bs; total >= 1024 {
		ref((total-1024)/bs, nblocks)
	}
	// The special files: the allocation, extents, catalog, attributes and
	// startup files.
	var bitmap *forkReader
	for _, at := range []int{112, 192, 272, 352, 432} {
		f := readFork(h[at:])
		for _, x := range f.extents {
			ref(uint64(x.start), uint64(x.start)+uint64(x.count))
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
			}
		}
	}
	// The journal info block and the journal it locates.
	if be.Uint32(h[4:])&volJournaled != 0 {
		if jib := uint64(be.Uint32(h[12:])); jib != 0 && jib < nblocks {
			ref(jib, jib+1)
			var b [52]byte
			if n, _ := v.r.ReadAt(b[:], int64(jib*bs)); n == len(b) && be.Uint32(b[:])&jiInFS != 0 {
				off, size := be.Uint64(b[36:]), be.Uint64(b[44:])
				if off < nblocks*bs && size <= nblocks*bs-off {
					ref(off/bs, (off+size+bs-1)/bs)
				}
			}
		}
	}
	// Every catalog file record's forks, up to their logical sizes; the
	// blocks past that are reported.
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
			need := (f.size + bs - 1) / bs
			slack, first := uint64(0), int64(-1)
			for _, x := range exts {
				s, e := uint64(x.start), uint64(x.start)+uint64(x.count)
				// The whole extent is the fork's: past its end, it is
				// reported as slack, not as unreferenced too.
				ref(s, e)
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
	// Fork data attributes (each reported unless tolerated).
	for _, a := range v.attrs {
		if a.typ != attrFork {
			continue
		}
		for _, x := range append(a.fork.extents[:], a.more...) {
			ref(uint64(x.start), uint64(x.start)+uint64(x.count))
		}
	}
	if bitmap == nil {
		return
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].start < refs[j].start })
	merged := refs[:0]
	for _, r := range refs {
		if k := len(merged) - 1; k >= 0 && r.start <= merged[k].end {
			merged[k].end = max(merged[k].end, r.end)
			continue
		}
		merged = append(merged, r)
	}
	u, err := unreferenced(bitmap, nblocks, merged)
	if err != nil {
		v.problem("", 1024+112, "reading the allocation file: %v; allocated blocks were not accounted for", err)
		return
	}
	if u.blocks > 0 {
		var runs []string
		for _, r := range u.first {
			runs = append(runs, fmt.Sprintf("%d–%d", r.start, r.end-1))
		}
		more := ""
		if u.runs > len(u.first) {
			more = fmt.Sprintf(", … (%d runs)", u.runs)
		}
		v.extra(Extra{Kind: ExtraUnreferenced, Size: int64(u.blocks * bs), Offset: int64(u.first[0].start * bs),
			Detail: fmt.Sprintf("%d allocation blocks of %d bytes: blocks %s%s", u.blocks, bs, strings.Join(runs, ", "), more)})
	}
}

// unused is what unreferenced found.
type unused struct {
	blocks uint64
	runs   int
	first  []span // the first few runs
}

// unreferenced streams the allocation bitmap of nblocks blocks and
// returns the used blocks outside refs (sorted, disjoint).
func unreferenced(bitmap io.ReaderAt, nblocks uint64, refs []span) (unused, error) {
	var u unused
	ri := 0
	// gap records the used run [a, b) minus refs.
	gap := func(a, b uint64) {
		for a < b {
			for ri < len(refs) && refs[ri].end <= a {
				ri++
			}
			e := b
			if ri < len(refs) && refs[ri].start < b {
				e = max(a, refs[ri].start)
			}
			if e > a {
				u.blocks += e - a
				u.runs++
				if len(u.first) < 5 {
					u.first = append(u.first, span{a, e})
				}
			}
			if ri == len(refs) || refs[ri].start >= b {
				return
			}
			a = refs[ri].end
		}
	}
	buf := make([]byte, bitmapChunk)
	be := binary.BigEndian
	run := int64(-1) // start of the current used run
	// The bitmap's first bit (the most significant of its first byte) is
	// block 0: a big-endian word holds 64 blocks, and a run's ends are
	// found by counting leading zeros.
	for base := uint64(0); base < nblocks; base += 8 * bitmapChunk {
		n := min(uint64(bitmapChunk), (nblocks-base+7)/8)
		if k, err := bitmap.ReadAt(buf[:n], int64(base/8)); uint64(k) < n {
			return u, fmt.Errorf("bitmap byte %d: %w", base/8+uint64(k), orEOF(err))
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
					continue
				}
				// Shifting brought zeros in at the right: inverted, they
				// are ones past the word's last bit.
				lz := bits.LeadingZeros64(^rest)
				if lz >= 64-j {
					break
				}
				j += lz
				gap(uint64(run), min(blk0+uint64(j), nblocks))
				run = -1
			}
		}
	}
	if run >= 0 {
		gap(uint64(run), nblocks)
	}
	return u, nil
}
