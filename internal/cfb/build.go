package cfb

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf16"
)

// Node is a storage or stream to write with [Build].
type Node struct {
	// Name is the entry's name (at most 31 UTF-16 code units).
	Name string
	// Data is a stream's content; a Node with Children, or Storage set, is
	// a storage.
	Data     []byte
	Children []*Node
	Storage  bool
	// CLSID is a storage's class identifier.
	CLSID [16]byte
}

func (n *Node) isStorage() bool { return n.Storage || len(n.Children) > 0 }

// Build writes a version 3 compound file (512-byte sectors) holding root's
// children, for test fixtures: streams under 4096 bytes go to the mini
// stream, directory trees are kept in compound-file name order, and every
// unused byte is zero; past 109 FAT sectors (about 7 MB) the FAT is listed
// in DIFAT sectors.
func Build(root *Node) []byte {
	ents := flatten(root)
	mini, minifat, bigs := packStreams(ents)
	l := buildLayout{
		dirSecs:     buildSecs(len(ents) * 128),
		miniFATSecs: buildSecs(len(minifat) * 4),
		miniSecs:    buildSecs(len(mini)),
	}
	dataSecs := l.dirSecs + l.miniFATSecs + l.miniSecs
	for _, e := range bigs {
		dataSecs += buildSecs(len(e.n.Data))
	}
	l.sizeFAT(dataSecs)
	l.allocate(ents, bigs, len(mini))
	out := make([]byte, buildSS+(l.fatSecs+l.difatSecs+dataSecs)*buildSS)
	l.writeHeader(out[:buildSS])
	for i, v := range l.fat {
		binary.LittleEndian.PutUint32(out[buildSS+4*i:], v)
	}
	l.writeDIFAT(out)
	l.writeDirectory(buildSector(out, l.dirStart), ents)
	if l.miniFATSecs > 0 {
		m := buildSector(out, l.miniFATStart)
		for i := range l.miniFATSecs * buildSS / 4 {
			v := uint32(freeSect)
			if i < len(minifat) {
				v = minifat[i]
			}
			binary.LittleEndian.PutUint32(m[4*i:], v)
		}
	}
	if l.miniSecs > 0 {
		copy(buildSector(out, ents[0].start), mini)
	}
	for _, e := range bigs {
		copy(buildSector(out, e.start), e.n.Data)
	}
	return out
}

// buildSS is the sector size Build writes.
const buildSS = 512

// buildSecs returns the sectors n bytes take.
func buildSecs(n int) int { return (n + buildSS - 1) / buildSS }

// buildSector returns Build's output from sector s on.
func buildSector(out []byte, s uint32) []byte { return out[buildSS+int(s)*buildSS:] }

// buildEntry is a directory entry Build writes.
type buildEntry struct {
	n                  *Node
	typ                uint8
	left, right, child uint32
	start              uint32
	size               uint32
}

// flatten lists root's tree as directory entries, entry 0 the root; each
// storage's children are a right-leaning list in name order, which is a
// valid (if unbalanced) search tree.
func flatten(root *Node) []*buildEntry {
	ents := []*buildEntry{{n: root, typ: TypeRoot, left: noStream, right: noStream, child: noStream}}
	var add func(parent *buildEntry)
	add = func(parent *buildEntry) {
		kids := slices.Clone(parent.n.Children)
		slices.SortFunc(kids, func(a, b *Node) int { return compareNames(a.Name, b.Name) })
		var prev *buildEntry
		for _, k := range kids {
			e := &buildEntry{n: k, typ: TypeStream, left: noStream, right: noStream, child: noStream}
			if k.isStorage() {
				e.typ = TypeStorage
			}
			idx := uint32(len(ents))
			ents = append(ents, e)
			if prev == nil {
				parent.child = idx
			} else {
				prev.right = idx
			}
			prev = e
			if e.typ == TypeStorage {
				add(e)
			}
		}
	}
	add(ents[0])
	return ents
}

// packStreams sets each stream's size, puts the small ones in the mini
// stream (returned with its mini FAT), and returns the big ones, which get
// sectors of their own.
func packStreams(ents []*buildEntry) (mini []byte, minifat []uint32, bigs []*buildEntry) {
	for _, e := range ents[1:] {
		if e.typ != TypeStream {
			continue
		}
		e.size = uint32(len(e.n.Data))
		switch {
		case len(e.n.Data) == 0:
			e.start = endOfChain
		case len(e.n.Data) < 4096:
			e.start = uint32(len(mini) / 64)
			n := (len(e.n.Data) + 63) / 64
			for i := 0; i < n; i++ {
				next := uint32(len(minifat) + 1)
				if i == n-1 {
					next = endOfChain
				}
				minifat = append(minifat, next)
			}
			mini = append(mini, e.n.Data...)
			mini = append(mini, make([]byte, n*64-len(e.n.Data))...)
		default:
			bigs = append(bigs, e)
		}
	}
	return mini, minifat, bigs
}

// buildLayout is where Build puts the tables and streams: the FAT and DIFAT
// sectors first, then the directory, the mini FAT, the mini stream and the
// big streams.
type buildLayout struct {
	dirSecs, miniFATSecs, miniSecs int
	fatSecs, difatSecs             int
	fat                            []uint32
	next                           int // the next sector to allocate
	difatStart, dirStart           uint32
	miniFATStart                   uint32
}

// perDIFAT is how many FAT sectors a DIFAT sector lists (the header lists
// 109).
const perDIFAT = buildSS/4 - 1

// sizeFAT finds the fewest FAT sectors (and the DIFAT sectors that list
// them) that map themselves and dataSecs more sectors.
func (l *buildLayout) sizeFAT(dataSecs int) {
	l.fatSecs, l.difatSecs = 1, 0
	for {
		l.difatSecs = max(0, (l.fatSecs-109+perDIFAT-1)/perDIFAT)
		if (l.fatSecs+l.difatSecs+dataSecs+buildSS/4-1)/(buildSS/4) <= l.fatSecs {
			break
		}
		l.fatSecs++
	}
}

// alloc chains the next n sectors in the FAT and returns the first.
func (l *buildLayout) alloc(n int) uint32 {
	if n == 0 {
		return endOfChain
	}
	start := l.next
	for i := 0; i < n; i++ {
		l.fat[l.next] = uint32(l.next + 1)
		if i == n-1 {
			l.fat[l.next] = endOfChain
		}
		l.next++
	}
	return uint32(start)
}

// allocate fills the FAT and sets the tables' and streams' start sectors.
func (l *buildLayout) allocate(ents, bigs []*buildEntry, miniSize int) {
	l.fat = make([]uint32, l.fatSecs*buildSS/4)
	for i := range l.fat {
		l.fat[i] = freeSect
	}
	for i := 0; i < l.fatSecs; i++ {
		l.fat[l.next] = fatSect
		l.next++
	}
	l.difatStart = uint32(endOfChain)
	if l.difatSecs > 0 {
		l.difatStart = uint32(l.next)
	}
	for i := 0; i < l.difatSecs; i++ {
		l.fat[l.next] = difSect
		l.next++
	}
	l.dirStart = l.alloc(l.dirSecs)
	l.miniFATStart = l.alloc(l.miniFATSecs)
	ents[0].start = l.alloc(l.miniSecs)
	ents[0].size = uint32(miniSize)
	for _, e := range bigs {
		e.start = l.alloc(buildSecs(len(e.n.Data)))
	}
}

// writeHeader writes the header, with the first 109 FAT sectors' numbers.
func (l *buildLayout) writeHeader(h []byte) {
	le := binary.LittleEndian
	copy(h, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
	le.PutUint16(h[24:], 0x3e)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xfffe)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], uint32(l.fatSecs))
	le.PutUint32(h[48:], l.dirStart)
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], l.miniFATStart)
	le.PutUint32(h[64:], uint32(l.miniFATSecs))
	le.PutUint32(h[68:], l.difatStart)
	le.PutUint32(h[72:], uint32(l.difatSecs))
	for i := 0; i < 109; i++ {
		v := uint32(freeSect)
		if i < l.fatSecs {
			v = uint32(i)
		}
		le.PutUint32(h[76+4*i:], v)
	}
}

// writeDIFAT writes the DIFAT sectors, which list the FAT sectors past the
// first 109.
func (l *buildLayout) writeDIFAT(out []byte) {
	le := binary.LittleEndian
	for k := range l.difatSecs {
		d := buildSector(out, l.difatStart+uint32(k))
		for i := range perDIFAT {
			v := uint32(freeSect)
			if f := 109 + k*perDIFAT + i; f < l.fatSecs {
				v = uint32(f)
			}
			le.PutUint32(d[4*i:], v)
		}
		nextDIFAT := uint32(endOfChain)
		if k+1 < l.difatSecs {
			nextDIFAT = l.difatStart + uint32(k+1)
		}
		le.PutUint32(d[4*perDIFAT:], nextDIFAT)
	}
}

// writeDirectory writes the directory entries into d, and unused entries
// after them to the end of the directory's last sector.
func (l *buildLayout) writeDirectory(d []byte, ents []*buildEntry) {
	le := binary.LittleEndian
	for i := range l.dirSecs * buildSS / 128 {
		r := d[128*i : 128*i+128]
		if i >= len(ents) {
			le.PutUint32(r[68:], noStream)
			le.PutUint32(r[72:], noStream)
			le.PutUint32(r[76:], noStream)
			continue
		}
		e := ents[i]
		name := utf16.Encode([]rune(e.n.Name))
		if e.typ == TypeRoot {
			name = utf16.Encode([]rune("Root Entry"))
		}
		for k, c := range name {
			le.PutUint16(r[2*k:], c)
		}
		le.PutUint16(r[64:], uint16(2*len(name)+2))
		r[66] = e.typ
		r[67] = 1 // black
		le.PutUint32(r[68:], e.left)
		le.PutUint32(r[72:], e.right)
		le.PutUint32(r[76:], e.child)
		if e.typ != TypeStream {
			copy(r[80:96], e.n.CLSID[:])
		}
		if e.typ != TypeStorage {
			le.PutUint32(r[116:], e.start)
			le.PutUint32(r[120:], e.size)
		}
	}
}

// compareNames orders directory entries as [MS-CFB] 2.6.4 does: shorter
// names first, then by upper-cased UTF-16 code units.
func compareNames(a, b string) int {
	ua, ub := utf16.Encode([]rune(strings.ToUpper(a))), utf16.Encode([]rune(strings.ToUpper(b)))
	if len(ua) != len(ub) {
		return len(ua) - len(ub)
	}
	return slices.Compare(ua, ub)
}
