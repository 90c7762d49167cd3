package squirrel

import (
	"encoding/binary"
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
// virtual address va holding rs, one type directory per resource, for
// tests and fuzzing.
func BuildResources(va uint32, rs []BuildResource) []byte {
	le := binary.LittleEndian
	n := len(rs)
	// Root, then per resource: a name directory, a language directory and
	// a data entry; then the type names; then the data.
	dirLen := func(k int) int { return 16 + 8*k }
	typeDirs := dirLen(n)
	per := dirLen(1)*2 + 16
	names := typeDirs + per*n
	var strs []byte
	nameOff := make([]int, n)
	for i, r := range rs {
		nameOff[i] = -1
		if r.Type != "" {
			nameOff[i] = names + len(strs)
			u := utf16.Encode([]rune(r.Type))
			strs = le.AppendUint16(strs, uint16(len(u)))
			for _, c := range u {
				strs = le.AppendUint16(strs, c)
			}
		}
	}
	data := names + len(strs)
	data += (8 - data%8) % 8
	out := make([]byte, data)
	dir := func(at, named, ids int) {
		le.PutUint16(out[at+12:], uint16(named))
		le.PutUint16(out[at+14:], uint16(ids))
	}
	named := 0
	for _, r := range rs {
		if r.Type != "" {
			named++
		}
	}
	dir(0, named, n-named)
	copy(out[names:], strs)
	for i, r := range rs {
		base := typeDirs + per*i
		e := 16 + 8*i
		if nameOff[i] >= 0 {
			le.PutUint32(out[e:], uint32(nameOff[i])|0x80000000)
		} else {
			le.PutUint32(out[e:], r.TypeID)
		}
		le.PutUint32(out[e+4:], uint32(base)|0x80000000)
		dir(base, 0, 1)
		le.PutUint32(out[base+16:], r.ID)
		le.PutUint32(out[base+20:], uint32(base+dirLen(1))|0x80000000)
		lang := base + dirLen(1)
		dir(lang, 0, 1)
		le.PutUint32(out[lang+16:], 0x409)
		le.PutUint32(out[lang+20:], uint32(lang+dirLen(1)))
		de := lang + dirLen(1)
		le.PutUint32(out[de:], va+uint32(len(out)))
		le.PutUint32(out[de+4:], uint32(len(r.Data)))
		out = append(out, r.Data...)
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
	}
	return out
}
