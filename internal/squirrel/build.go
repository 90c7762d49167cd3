package squirrel

import (
	"encoding/binary"
	"sort"
	"unicode/utf16"
)

// BuildResource is a resource of a section BuildResources makes: of type
// Type (a name) or TypeID, named ID, in language 0x409.
type BuildResource struct {
	Type   string
	TypeID uint32
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
	le := binary.LittleEndian
	type typ struct {
		name string
		id   uint32
		res  []BuildResource
	}
	var types []*typ
	for _, r := range rs {
		var t *typ
		for _, x := range types {
			if x.name == r.Type && (r.Type != "" || x.id == r.TypeID) {
				t = x
			}
		}
		if t == nil {
			t = &typ{name: r.Type, id: r.TypeID}
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
		sort.Slice(t.res, func(i, j int) bool { return t.res[i].ID < t.res[j].ID })
	}
	dirLen := func(k int) int { return 16 + 8*k }
	// Offsets: the root, the name directories, the language directories,
	// the data entries, the type names, the data.
	off := dirLen(len(types))
	nameDir := make([]int, len(types))
	for i, t := range types {
		nameDir[i] = off
		off += dirLen(len(t.res))
	}
	langDir := map[[2]int]int{}
	for i, t := range types {
		for j := range t.res {
			langDir[[2]int{i, j}] = off
			off += dirLen(1)
		}
	}
	entry := map[[2]int]int{}
	for i, t := range types {
		for j := range t.res {
			entry[[2]int{i, j}] = off
			off += 16
		}
	}
	names := map[int]int{}
	var strs []byte
	for i, t := range types {
		if t.name != "" {
			names[i] = off + len(strs)
			u := utf16.Encode([]rune(t.name))
			strs = le.AppendUint16(strs, uint16(len(u)))
			for _, c := range u {
				strs = le.AppendUint16(strs, c)
			}
		}
	}
	off += len(strs)
	off += (8 - off%8) % 8
	out := make([]byte, off)
	dir := func(at, named, ids int) {
		le.PutUint16(out[at+12:], uint16(named))
		le.PutUint16(out[at+14:], uint16(ids))
	}
	named := 0
	for _, t := range types {
		if t.name != "" {
			named++
		}
	}
	dir(0, named, len(types)-named)
	for i, t := range types {
		e := 16 + 8*i
		if t.name != "" {
			le.PutUint32(out[e:], uint32(names[i])|0x80000000)
		} else {
			le.PutUint32(out[e:], t.id)
		}
		le.PutUint32(out[e+4:], uint32(nameDir[i])|0x80000000)
		dir(nameDir[i], 0, len(t.res))
		for j, r := range t.res {
			k := [2]int{i, j}
			ne := nameDir[i] + 16 + 8*j
			le.PutUint32(out[ne:], r.ID)
			le.PutUint32(out[ne+4:], uint32(langDir[k])|0x80000000)
			dir(langDir[k], 0, 1)
			le.PutUint32(out[langDir[k]+16:], 0x409)
			le.PutUint32(out[langDir[k]+20:], uint32(entry[k]))
			le.PutUint32(out[entry[k]:], va+uint32(len(out)))
			le.PutUint32(out[entry[k]+4:], uint32(len(r.Data)))
			out = append(out, r.Data...)
			for len(out)%8 != 0 {
				out = append(out, 0)
			}
		}
	}
	// The type names lie after the data entries.
	if len(strs) > 0 {
		first := -1
		for _, o := range names {
			if first < 0 || o < first {
				first = o
			}
		}
		copy(out[first:], strs)
	}
	return out
}
