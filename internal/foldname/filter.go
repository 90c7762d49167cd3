package foldname

import (
	"hash/maphash"
	"slices"
)

// Filter finds, in two passes over a large archive, the few entries a Set
// needs to see, without keeping every name: the first pass (Add) keeps
// the Hashes of each entry, the second (Hit, after Done) tells the
// entries whose hashes two files share, or a file and a folder. Two names
// of equal 63-bit hashes make a false hit, which the Set then clears; a
// name is never missed. Folder hashes repeat for every entry of a folder;
// one equal to the previous entry's at the same place is left out. An
// archive with names of the shape of 8.3 short names (PROGRA~1) keeps
// their short-name keys, and those names and the long ones that may get
// them are hits.
type Filter struct {
	seed      maphash.Seed
	hs        []uint64 // folder hashes marked in the low bit
	last, cur []uint64 // the previous and this entry's folder hashes
	colliding map[uint64]bool
	// shorts holds the keys of the 8.3 short names entries use
	// (ShortAlias): the entries that use one, and those with a long
	// element of that short name, are hits.
	shorts map[string]bool
}

// NewFilter returns a Filter for an archive of n entries (a count of
// records read, not one an archive claims): room for a hash per entry and
// a quarter more for folders and names of several keys, so that a large
// archive's slice is not copied as it grows.
func NewFilter(n int) *Filter {
	return &Filter{seed: maphash.MakeSeed(), hs: make([]uint64, 0, n+n/4+16)}
}

// Add records the hashes of the entry name, a folder if dir.
func (f *Filter) Add(name string, dir bool) {
	hasShortAlias(name, func(k string) {
		if f.shorts == nil {
			f.shorts = map[string]bool{}
		}
		f.shorts[k] = true
	})
	f.cur = f.cur[:0]
	Hashes(f.seed, name, func(h uint64, folder bool) {
		h &^= 1
		if folder || dir {
			h |= 1
		}
		if folder {
			n := len(f.cur)
			f.cur = append(f.cur, h)
			if n < len(f.last) && f.last[n] == h {
				return
			}
		}
		f.hs = append(f.hs, h)
	})
	f.last, f.cur = f.cur, f.last
}

// Done ends the first pass: it sorts the hashes in place, keeps those
// that two files have, or a file and a folder, and drops the rest.
func (f *Filter) Done() {
	hs := f.hs
	f.hs, f.last, f.cur = nil, nil, nil
	slices.Sort(hs)
	f.colliding = map[uint64]bool{}
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
			f.colliding[hs[i]&^1] = true
		}
		i = j
	}
}

// Colliding reports how many hashes Done kept, and short names entries
// use: 0 when no two entries can collide.
func (f *Filter) Colliding() int { return len(f.colliding) + len(f.shorts) }

// Hit reports whether the entry name may collide with another, by its
// hashes: a Set must see it. Call it after Done.
func (f *Filter) Hit(name string) bool {
	if len(f.shorts) > 0 && (hasShortAlias(name, nil) || hasLongFor(name, f.shorts)) {
		return true
	}
	if len(f.colliding) == 0 {
		return false
	}
	hit := false
	Hashes(f.seed, name, func(h uint64, _ bool) {
		if f.colliding[h&^1] {
			hit = true
		}
	})
	return hit
}
