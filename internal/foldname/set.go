package foldname

import (
	"fmt"
	"slices"
	"strings"
)

// Systems is a set of file systems, a bit per FS.
type Systems uint8

// All holds every file system Keys models.
const All Systems = 1<<NumFS - 1

// Has reports whether s holds f.
func (s Systems) Has(f FS) bool { return s&(1<<f) != 0 }

// String names the file systems in FS order: "APFS, HFS+ and NTFS
// (Windows)", "HFS+", or "" for none.
func (s Systems) String() string {
	var names []string
	for f := FS(0); f < NumFS; f++ {
		if s.Has(f) {
			names = append(names, f.String())
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Collision is an entry added to a Set that is one with an earlier entry
// on some file systems: two files of one key (the later replaces the
// earlier when extracted), or a file and a folder of one key (the folder
// an entry's path implies or a folder entry; which one is created depends
// on the order and the file system).
type Collision struct {
	// Earlier is the earlier entry's name, and EarlierPart the part of
	// it that collides: Earlier itself, or one of its folders.
	Earlier, EarlierPart string
	// EarlierDir says EarlierPart is a folder.
	EarlierDir bool
	// Part is the part of the entry added that collides: the entry
	// itself, or one of its folders; Dir says it is a folder.
	Part string
	Dir  bool
	// On holds the file systems on which the two are one entry. A name
	// and a folder of the very same spelling collide on every file
	// system, case-sensitive ones too.
	On Systems
	// Short says the two are one by an 8.3 short name (short.go): one
	// names an element by the short name Windows may give the other's.
	Short bool
}

// Set finds the entries of an archive (paths such as "lib/x.dll") that
// are one entry on a file system once extracted: files, and folders that
// entries name or imply, under each file system's key. The zero Set is
// not usable: call NewSet.
type Set struct {
	on    Systems
	slots map[setKey]slot
	seen  map[string]bool // file names added
	// perFS says some slot is a single file system's (of a name that is
	// not plain): until then a plain name need not look there.
	perFS bool
	// shortOn says an entry used an 8.3 short name (short.go): until
	// then no two names can be one by a short name, and the entries are
	// only listed in order (pending), to be compared once one does.
	shortOn bool
	pending []pendingEntry
}

type pendingEntry struct {
	name string
	dir  bool
}

type setKey struct {
	fs  FS
	key string
}

// slot is what a Set knows of one key: the first file and the first
// folder of that key, and whether a folder was reported against the file.
type slot struct {
	file, dir       setEntry
	hasFile, hasDir bool
	dirReported     bool
}

type setEntry struct {
	name string // the entry
	n    int    // the length of the part of it of this key: name[:n]
}

func (e setEntry) part() string { return e.name[:e.n] }

// NewSet returns an empty Set comparing names on the file systems in on
// (All for an archive any system may extract; APFS|HFSPlus bits for a
// macOS installer package).
func NewSet(on Systems) *Set {
	return &Set{on: on, slots: map[setKey]slot{}, seen: map[string]bool{}}
}

// Add records the entry name, a folder if dir, and returns its collisions
// with earlier entries, ordered by the earlier entry's name then the
// parts. An exact duplicate of an earlier file name (which has a finding
// of its own) returns none, and so do two spellings of one folder, which
// extractors merge. A folder found colliding with a file is reported once,
// not again for each later entry inside it.
func (s *Set) Add(name string, dir bool) []Collision {
	if !dir {
		if s.seen[name] {
			return nil
		}
		s.seen[name] = true
	}
	var out []Collision
	note := func(c Collision) {
		for i := range out {
			if o := &out[i]; o.Earlier == c.Earlier && o.EarlierPart == c.EarlierPart && o.Part == c.Part && o.Dir == c.Dir {
				o.On |= c.On
				return
			}
		}
		out = append(out, c)
	}
	keys := KeysOf(name)
	if plain(name) {
		// One key on every file system: kept once, under anyFS.
		s.addKey(name, keys[0], dir, anyFS, note)
	} else {
		for f := FS(0); f < NumFS; f++ {
			if s.on.Has(f) {
				s.addKey(name, keys[f], dir, f, note)
			}
		}
	}
	if s.on.Has(NTFS) {
		s.addShort(name, dir, note)
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b Collision) int {
			if c := strings.Compare(a.Earlier, b.Earlier); c != 0 {
				return c
			}
			if c := strings.Compare(a.EarlierPart, b.EarlierPart); c != 0 {
				return c
			}
			return strings.Compare(a.Part, b.Part)
		})
	}
	for i := range out {
		if out[i].EarlierPart == out[i].Part {
			out[i].On = s.on // one spelling: every file system
		}
	}
	return out
}

// anyFS tags the keys of plain names, which are the same on every file
// system: a Set keeps one slot for them rather than one per system.
const anyFS = NumFS

// addKey checks the entry name (a folder if dir), whose key is k on home
// (anyFS for a plain name), and the folders its path implies, against
// the slots of earlier entries, and records them under home.
func (s *Set) addKey(name, k string, dir bool, home FS, note func(Collision)) {
	eachPart(name, k, dir, func(k string, e setEntry, dir bool) { s.check(k, e, dir, home, note) })
}

// eachPart calls fn with each folder the path name implies, then name
// itself (a folder if dir), each with its key: the prefixes of name and
// of its key k up to each "/", which match one for one.
func eachPart(name, k string, dir bool, fn func(k string, e setEntry, dir bool)) {
	ni, ki := 0, 0
	for {
		nj, kj := strings.IndexByte(name[ni:], '/'), strings.IndexByte(k[ki:], '/')
		if nj < 0 || kj < 0 {
			break
		}
		ni, ki = ni+nj, ki+kj
		fn(k[:ki], setEntry{name, ni}, true)
		ni, ki = ni+1, ki+1
	}
	fn(k, setEntry{name, len(name)}, dir)
}

// Key spaces of a Set's 8.3 short-name slots: the keys of names that use
// short names (shortKeys' alias), and those of the long names that get
// them. A name of one space collides with a name of the other only.
const (
	shortAliasFS = anyFS + 1 + iota
	shortLongFS
)

// addShort checks the entry name (a folder if dir) against the earlier
// entries' names by their 8.3 short names on NTFS (short.go), and
// records its own.
func (s *Set) addShort(name string, dir bool, note func(Collision)) {
	if !s.shortOn {
		if !hasShortAlias(name, nil) {
			s.pending = append(s.pending, pendingEntry{name, dir})
			return
		}
		// Earlier entries use no short name, so they are not one by
		// one: recording them reports nothing.
		s.shortOn = true
		for _, p := range s.pending {
			s.addShort(p.name, p.dir, func(Collision) {})
		}
		s.pending = nil
	}
	short := func(c Collision) {
		c.Short = true
		note(c)
	}
	on := Systems(1) << NTFS
	alias, hasAlias, longs := shortKeys(name)
	if hasAlias {
		eachPart(name, alias, dir, func(k string, e setEntry, dir bool) {
			s.collide(setKey{shortLongFS, k}, e, dir, on, short)
			s.record(setKey{shortAliasFS, k}, e, dir)
		})
	}
	for _, l := range longs {
		eachPart(name, l, dir, func(k string, e setEntry, dir bool) {
			s.collide(setKey{shortAliasFS, k}, e, dir, on, short)
			s.record(setKey{shortLongFS, k}, e, dir)
		})
	}
}

// record keeps e (a folder if dir) as the first file or folder of slot
// hk, unless it has one, and reports whether it did.
func (s *Set) record(hk setKey, e setEntry, dir bool) bool {
	sl := s.slots[hk]
	switch {
	case dir && !sl.hasDir:
		sl.dir, sl.hasDir = e, true
	case !dir && !sl.hasFile:
		sl.file, sl.hasFile = e, true
	default:
		return false
	}
	s.slots[hk] = sl
	return true
}

// check reports the collisions of e (a folder if dir), whose key is k on
// home, with the entries of that key: those of its own slot and, for a
// plain name, those of every file system's, or for another name those of
// the plain names. It then records e in its own slot.
func (s *Set) check(k string, e setEntry, dir bool, home FS, note func(Collision)) {
	if home == anyFS {
		for f := FS(0); f < NumFS && s.perFS; f++ {
			if s.on.Has(f) {
				s.collide(setKey{f, k}, e, dir, Systems(1)<<f, note)
			}
		}
		s.collide(setKey{anyFS, k}, e, dir, s.on, note)
	} else {
		s.collide(setKey{anyFS, k}, e, dir, Systems(1)<<home, note)
		s.collide(setKey{home, k}, e, dir, Systems(1)<<home, note)
	}
	if s.record(setKey{home, k}, e, dir) {
		s.perFS = s.perFS || home != anyFS
	}
}

// collide reports the collisions, on the systems in on, of e (a folder if
// dir) with the file and folder of slot k.
func (s *Set) collide(k setKey, e setEntry, dir bool, on Systems, note func(Collision)) {
	sl, ok := s.slots[k]
	if !ok {
		return
	}
	if dir {
		if sl.hasFile && !sl.dirReported {
			sl.dirReported = true
			s.slots[k] = sl
			note(Collision{Earlier: sl.file.name, EarlierPart: sl.file.part(), Part: e.part(), Dir: true, On: on})
		}
		return
	}
	if sl.hasFile && sl.file.name != e.name {
		note(Collision{Earlier: sl.file.name, EarlierPart: sl.file.part(), Part: e.part(), On: on})
	}
	if sl.hasDir {
		note(Collision{Earlier: sl.dir.name, EarlierPart: sl.dir.part(), EarlierDir: true, Part: e.part(), On: on})
	}
}

// Message describes c as a finding on the entry name of the archive at
// (kind names the format: "zip", "7-Zip"), naming the earlier entry first
// and the file systems on which the two are one.
func (c Collision) Message(kind, at, name string) string {
	on := "on " + c.On.String()
	if c.EarlierPart == c.Part {
		on = "on every file system"
	}
	if c.Short {
		return fmt.Sprintf("%s archive %s holds entries %q and %q: %s and %s may be one name %s, where one is the 8.3 short name Windows gives the other (the short name's number depends on the order of extraction), so extracted there the later may replace the earlier or land inside it", kind, at, c.Earlier, name, c.EarlierPart, c.Part, on)
	}
	if !c.Dir && !c.EarlierDir {
		return fmt.Sprintf("%s archive %s holds entries %q and %q, which are one file %s (names that differ only in case, Unicode normalization, characters a file system ignores, or trailing dots and spaces): extracted there, the later replaces the earlier", kind, at, c.Earlier, name, on)
	}
	what := func(part string, dir bool, entry string) string {
		switch {
		case !dir:
			return fmt.Sprintf("file %q", part)
		case part == entry:
			return fmt.Sprintf("folder %q", part)
		}
		return fmt.Sprintf("folder %q (of %q)", part, entry)
	}
	return fmt.Sprintf("%s archive %s holds entries %q and %q: %s and %s are one name %s, so extracting there fails for one of them or puts one in the other's place, as the order of extraction and the extractor decide", kind, at, c.Earlier, name, what(c.EarlierPart, c.EarlierDir, c.Earlier), what(c.Part, c.Dir, name), on)
}
