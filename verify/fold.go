package verify

import (
	"slices"

	"github.com/shipgate/shipgate/internal/foldname"
)

// foldName returns the key under which APFS finds the archive path name
// (foldname.Key).
var foldName = foldname.Key

// newFoldSet returns the set that finds an archive's entries that are one
// entry once extracted on any of the file systems foldname models.
func newFoldSet() *foldname.Set { return foldname.NewSet(foldname.All) }

// foldFilter is what the first pass over a large zip archive keeps of its
// names for the name-collision check: foldname.Hashes of each entry, a
// folder's marked in the low bit. Folder hashes repeat for every entry of
// a folder; one equal to the previous entry's at the same place is left
// out.
type foldFilter struct {
	hs   []uint64
	last []uint64 // the previous entry's folder hashes
	cur  []uint64
}

// newFoldFilter returns a foldFilter for an archive of n entries (a count
// of records read, not one an archive claims): room for a hash per entry
// and a quarter more for folders and names of several keys, so that a
// large archive's slice is not copied as it grows.
func newFoldFilter(n int) foldFilter {
	return foldFilter{hs: make([]uint64, 0, n+n/4+16)}
}

// add records the hashes of the entry name, a folder if dir.
func (ff *foldFilter) add(name string, dir bool) {
	ff.cur = ff.cur[:0]
	foldname.Hashes(zipNameSeed, name, func(h uint64, folder bool) {
		h &^= 1
		if folder || dir {
			h |= 1
		}
		if folder {
			n := len(ff.cur)
			ff.cur = append(ff.cur, h)
			if n < len(ff.last) && ff.last[n] == h {
				return
			}
		}
		ff.hs = append(ff.hs, h)
	})
	ff.last, ff.cur = ff.cur, ff.last
}

// colliding returns the hashes (low bit clear) that two files have, or a
// file and a folder: those of the entries a foldname.Set must see.
// foldFilter's slice is sorted in place and dropped.
func (ff *foldFilter) colliding() map[uint64]bool {
	hs := ff.hs
	ff.hs, ff.last, ff.cur = nil, nil, nil
	slices.Sort(hs)
	out := map[uint64]bool{}
	for i := 0; i < len(hs); {
		j, files, dirs := i, 0, 0
		for ; j < len(hs) && hs[j]>>1 == hs[i]>>1; j++ {
			if hs[j]&1 == 0 {
				files++
			} else {
				dirs++
			}
		}
		if files > 1 || files > 0 && dirs > 0 {
			out[hs[i]&^1] = true
		}
		i = j
	}
	return out
}

// foldHit reports whether any of name's hashes is in colliding.
func foldHit(colliding map[uint64]bool, name string) bool {
	hit := false
	foldname.Hashes(zipNameSeed, name, func(h uint64, _ bool) {
		if colliding[h&^1] {
			hit = true
		}
	})
	return hit
}
