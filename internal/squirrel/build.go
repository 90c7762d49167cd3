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
	strStart := off
	names := map[int]int{}
	resNames := map[[2]int]int{}
	var strs []byte
	addStr := func(s string) int {
		at := off + len(strs)
		u := utf16.Encode([]rune(s))
		strs = le.AppendUint16(strs, uint16(len(u)))
		for _, c := range u {
			strs = le.AppendUint16(strs, c)
		}
		return at
	}
	for i, t := range types {
		if t.name != "" {
			names[i] = addStr(t.name)
		}
		for j, r := range t.res {
			if r.Name != "" {
				resNames[[2]int{i, j}] = addStr(r.Name)
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
		namedRes := 0
		for _, r := range t.res {
			if r.Name != "" {
				namedRes++
			}
		}
		dir(nameDir[i], namedRes, len(t.res)-namedRes)
		for j, r := range t.res {
			k := [2]int{i, j}
			ne := nameDir[i] + 16 + 8*j
			if r.Name != "" {
				le.PutUint32(out[ne:], uint32(resNames[k])|0x80000000)
			} else {
				le.PutUint32(out[ne:], r.ID)
			}
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
	// The type and resource names lie after the data entries.
	copy(out[strStart:], strs)
	return out
}
