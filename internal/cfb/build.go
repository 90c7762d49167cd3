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
	const ss = 512
	le := binary.LittleEndian
	// Flatten the tree: entry 0 is the root.
	type ent struct {
		n                  *Node
		typ                uint8
		left, right, child uint32
		start              uint32
		size               uint32
	}
	ents := []*ent{{n: root, typ: TypeRoot, left: noStream, right: noStream, child: noStream}}
	var add func(parent *ent)
	add = func(parent *ent) {
		kids := slices.Clone(parent.n.Children)
		slices.SortFunc(kids, func(a, b *Node) int { return compareNames(a.Name, b.Name) })
		// A right-leaning list is a valid (if unbalanced) search tree.
		var prev *ent
		for _, k := range kids {
			e := &ent{n: k, typ: TypeStream, left: noStream, right: noStream, child: noStream}
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
	// Mini stream and big streams.
	var mini []byte
	var minifat []uint32
	var bigs []*ent
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
	secs := func(n int) int { return (n + ss - 1) / ss }
	dirSecs := secs(len(ents) * 128)
	miniFATSecs := secs(len(minifat) * 4)
	miniSecs := secs(len(mini))
	dataSecs := dirSecs + miniFATSecs + miniSecs
	for _, e := range bigs {
		dataSecs += secs(len(e.n.Data))
	}
	// The header lists 109 FAT sectors; each DIFAT sector lists 127 more.
	const perDIFAT = ss/4 - 1
	fatSecs, difatSecs := 1, 0
	for {
		difatSecs = max(0, (fatSecs-109+perDIFAT-1)/perDIFAT)
		if (fatSecs+difatSecs+dataSecs+ss/4-1)/(ss/4) <= fatSecs {
			break
		}
		fatSecs++
	}
	total := fatSecs + difatSecs + dataSecs
	fat := make([]uint32, fatSecs*ss/4)
	for i := range fat {
		fat[i] = freeSect
	}
	next := 0
	alloc := func(n int) uint32 {
		if n == 0 {
			return endOfChain
		}
		start := next
		for i := 0; i < n; i++ {
			fat[next] = uint32(next + 1)
			if i == n-1 {
				fat[next] = endOfChain
			}
			next++
		}
		return uint32(start)
	}
	for i := 0; i < fatSecs; i++ {
		fat[next] = fatSect
		next++
	}
	difatStart := uint32(endOfChain)
	if difatSecs > 0 {
		difatStart = uint32(next)
	}
	for i := 0; i < difatSecs; i++ {
		fat[next] = difSect
		next++
	}
	dirStart := alloc(dirSecs)
	miniFATStart := alloc(miniFATSecs)
	ents[0].start = alloc(miniSecs)
	ents[0].size = uint32(len(mini))
	for _, e := range bigs {
		e.start = alloc(secs(len(e.n.Data)))
	}
	out := make([]byte, ss+total*ss)
	sec := func(s uint32) []byte { return out[ss+int(s)*ss:] }
	// Header.
	h := out[:ss]
	copy(h, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
	le.PutUint16(h[24:], 0x3e)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xfffe)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], uint32(fatSecs))
	le.PutUint32(h[48:], dirStart)
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], miniFATStart)
	le.PutUint32(h[64:], uint32(miniFATSecs))
	le.PutUint32(h[68:], difatStart)
	le.PutUint32(h[72:], uint32(difatSecs))
	for i := 0; i < 109; i++ {
		v := uint32(freeSect)
		if i < fatSecs {
			v = uint32(i)
		}
		le.PutUint32(h[76+4*i:], v)
	}
	for i, v := range fat {
		le.PutUint32(out[ss+4*i:], v)
	}
	for k := range difatSecs {
		d := sec(difatStart + uint32(k))
		for i := range perDIFAT {
			v := uint32(freeSect)
			if f := 109 + k*perDIFAT + i; f < fatSecs {
				v = uint32(f)
			}
			le.PutUint32(d[4*i:], v)
		}
		nextDIFAT := uint32(endOfChain)
		if k+1 < difatSecs {
			nextDIFAT = difatStart + uint32(k+1)
		}
		le.PutUint32(d[4*perDIFAT:], nextDIFAT)
	}
	// Directory.
	d := sec(dirStart)
	for i := range dirSecs * ss / 128 {
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
	if miniFATSecs > 0 {
		m := sec(miniFATStart)
		for i := range miniFATSecs * ss / 4 {
			v := uint32(freeSect)
			if i < len(minifat) {
				v = minifat[i]
			}
			le.PutUint32(m[4*i:], v)
		}
	}
	if miniSecs > 0 {
		copy(sec(ents[0].start), mini)
	}
	for _, e := range bigs {
		copy(sec(e.start), e.n.Data)
	}
	return out
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
