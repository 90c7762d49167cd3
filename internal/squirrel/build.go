package squirrel

import (
	"encoding/binary"
	"sort"
	"unicode/utf16"
)

// BuildResource is a resource of a section BuildResources makes: of type
// Type (a name) or TypeID, named Name or, when Name is empty, ID, in
// language 0x409.
type BuildResource struct {
	Type   string
	TypeID uint32
	Name   string
	ID     uint32
	Data   []byte
}

// BuildResources returns the contents of a resource section placed at
// virtual address va holding rs, laid out as resource compilers do (PE
// format, "The .rsrc Section"): a type directory whose named entries come
// first, sorted, then its ID entries in ascending order, each holding a
// name directory, each name a language directory of one data entry; then
// the type names, then the data. For tests and fuzzing.
func BuildResources(va uint32, rs []BuildResource) []byte {
	types := groupResources(rs)
	l := layOutResources(types)
	out := make([]byte, l.size)
	named := 0
	for _, t := range types {
		if t.name != "" {
			named++
		}
	}
	putDirCounts(out, 0, named, len(types)-named)
	for i, t := range types {
		e := 16 + 8*i
		if t.name != "" {
			binary.LittleEndian.PutUint32(out[e:], uint32(l.names[i])|0x80000000)
		} else {
			binary.LittleEndian.PutUint32(out[e:], t.id)
		}
		binary.LittleEndian.PutUint32(out[e+4:], uint32(l.nameDir[i])|0x80000000)
		out = l.writeType(out, va, i, t)
	}
	// The type and resource names lie after the data entries.
	copy(out[l.strStart:], l.strs)
	return out
}

// resType is one resource type and its resources, for BuildResources.
type resType struct {
	name string
	id   uint32
	res  []BuildResource
}

// groupResources groups rs by type, named types first (sorted by name),
// then by ID; each type's resources in the same order.
func groupResources(rs []BuildResource) []*resType {
	var types []*resType
	for _, r := range rs {
		var t *resType
		for _, x := range types {
			if x.name == r.Type && (r.Type != "" || x.id == r.TypeID) {
				t = x
			}
		}
		if t == nil {
			t = &resType{name: r.Type, id: r.TypeID}
			types = append(types, t)
		}
		t.res = append(t.res, r)
	}
	sort.Slice(types, func(i, j int) bool {
		a, b := types[i], types[j]
		if (a.name != "") != (b.name != "") {
			return a.name != ""
		}
		if a.name != "" {
			return a.name < b.name
		}
		return a.id < b.id
	})
	for _, t := range types {
		sort.Slice(t.res, func(i, j int) bool {
			a, b := t.res[i], t.res[j]
			if (a.Name != "") != (b.Name != "") {
				return a.Name != ""
			}
			if a.Name != "" {
				return a.Name < b.Name
			}
			return a.ID < b.ID
		})
	}
	return types
}

// resLayout is where BuildResources puts each directory, data entry and
// name; keys [2]int are (type, resource) indices.
type resLayout struct {
	nameDir        []int // each type's name directory
	langDir, entry map[[2]int]int
	strStart       int
	names          map[int]int    // each named type's name
	resNames       map[[2]int]int // each named resource's name
	strs           []byte         // the names
	size           int            // up to the data, 8-byte aligned
}

func resDirLen(k int) int { return 16 + 8*k }

// layOutResources places the root, the name directories, the language
// directories, the data entries and the type names, in that order.
func layOutResources(types []*resType) *resLayout {
	l := &resLayout{nameDir: make([]int, len(types)), langDir: map[[2]int]int{}, entry: map[[2]int]int{}, names: map[int]int{}, resNames: map[[2]int]int{}}
	off := resDirLen(len(types))
	for i, t := range types {
		l.nameDir[i] = off
		off += resDirLen(len(t.res))
	}
	for i, t := range types {
		for j := range t.res {
			l.langDir[[2]int{i, j}] = off
			off += resDirLen(1)
		}
	}
	for i, t := range types {
		for j := range t.res {
			l.entry[[2]int{i, j}] = off
			off += 16
		}
	}
	l.strStart = off
	addStr := func(s string) int {
		at := off + len(l.strs)
		u := utf16.Encode([]rune(s))
		l.strs = binary.LittleEndian.AppendUint16(l.strs, uint16(len(u)))
		for _, c := range u {
			l.strs = binary.LittleEndian.AppendUint16(l.strs, c)
		}
		return at
	}
	for i, t := range types {
		if t.name != "" {
			l.names[i] = addStr(t.name)
		}
		for j, r := range t.res {
			if r.Name != "" {
				l.resNames[[2]int{i, j}] = addStr(r.Name)
			}
		}
	}
	off += len(l.strs)
	off += (8 - off%8) % 8
	l.size = off
	return l
}

// putDirCounts sets the named and ID entry counts of the directory at at.
func putDirCounts(out []byte, at, named, ids int) {
	binary.LittleEndian.PutUint16(out[at+12:], uint16(named))
	binary.LittleEndian.PutUint16(out[at+14:], uint16(ids))
}

// writeType writes type i's name directory, its resources' language
// directories and data entries, and appends their data (8-byte aligned) to
// out, which it returns.
func (l *resLayout) writeType(out []byte, va uint32, i int, t *resType) []byte {
	le := binary.LittleEndian
	namedRes := 0
	for _, r := range t.res {
		if r.Name != "" {
			namedRes++
		}
	}
	putDirCounts(out, l.nameDir[i], namedRes, len(t.res)-namedRes)
	for j, r := range t.res {
		k := [2]int{i, j}
		ne := l.nameDir[i] + 16 + 8*j
		if r.Name != "" {
			le.PutUint32(out[ne:], uint32(l.resNames[k])|0x80000000)
		} else {
			le.PutUint32(out[ne:], r.ID)
		}
		le.PutUint32(out[ne+4:], uint32(l.langDir[k])|0x80000000)
		putDirCounts(out, l.langDir[k], 0, 1)
		le.PutUint32(out[l.langDir[k]+16:], 0x409)
		le.PutUint32(out[l.langDir[k]+20:], uint32(l.entry[k]))
		le.PutUint32(out[l.entry[k]:], va+uint32(len(out)))
		le.PutUint32(out[l.entry[k]+4:], uint32(len(r.Data)))
		out = append(out, r.Data...)
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
	}
	return out
}
