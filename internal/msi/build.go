package msi

import (
	"encoding/binary"
	"slices"

	"github.com/shipgate/shipgate/internal/cfb"
)

// BuildTable is a table to write with [Build]: a column's Type is as
// _Columns stores it (e.g. 0x2d48 for a key string of 72 characters, 0x1502
// for a nullable 2-byte integer, 0x1900 for a nullable stream column). A
// row's values are strings for string and stream columns (a stream
// column's value is ignored, non-empty meaning present), integers (int)
// otherwise, nil for null.
type BuildTable struct {
	Name    string
	Columns []Column
	Rows    [][]any
}

// CLSID is the root class of a Windows Installer database.
var CLSID = [16]byte{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46}

// Build writes a database of tables and streams (by decoded name: a
// "Binary.Name" row's data, a cabinet) as a compound file, for test
// fixtures: strings are UTF-8 in code page 65001, referenced by 2-byte ids.
func Build(tables []BuildTable, streams map[string][]byte) []byte {
	return cfb.Build(BuildNode(tables, streams))
}

// BuildNode returns the compound file tree [Build] writes, to which a test
// may add streams (a signature) before writing it with [cfb.Build].
func BuildNode(tables []BuildTable, streams map[string][]byte) *cfb.Node {
	le := binary.LittleEndian
	strs := []string{""}
	ids := map[string]int{}
	refs := []int{0}
	id := func(s string) int {
		if i, ok := ids[s]; ok {
			refs[i]++
			return i
		}
		strs = append(strs, s)
		refs = append(refs, 1)
		ids[s] = len(strs) - 1
		return len(strs) - 1
	}
	root := &cfb.Node{CLSID: CLSID}
	add := func(name string, table bool, data []byte) {
		root.Children = append(root.Children, &cfb.Node{Name: EncodeName(name, table), Data: data})
	}
	colsTable := BuildTable{Name: "_Columns", Columns: []Column{
		{"Table", typeString | typeValid | typeKey | 64}, {"Number", typeValid | typeKey | 2},
		{"Name", typeString | typeValid | 64}, {"Type", typeValid | 2},
	}}
	tablesTable := BuildTable{Name: "_Tables", Columns: []Column{{"Name", typeString | typeValid | typeKey | 64}}}
	for _, t := range tables {
		tablesTable.Rows = append(tablesTable.Rows, []any{t.Name})
		for i, c := range t.Columns {
			colsTable.Rows = append(colsTable.Rows, []any{t.Name, i + 1, c.Name, int(c.Type)})
		}
	}
	write := func(t BuildTable) {
		var b []byte
		for j, c := range t.Columns {
			for _, r := range t.Rows {
				v := r[j]
				switch {
				case c.Binary():
					x := 0
					if s, _ := v.(string); s != "" {
						x = 1
					}
					b = le.AppendUint16(b, uint16(x))
				case c.String():
					x := 0
					if s, ok := v.(string); ok {
						x = id(s)
					}
					b = le.AppendUint16(b, uint16(x))
				case c.Type&0xff <= 2:
					x := 0
					if n, ok := v.(int); ok {
						x = n + 0x8000
					}
					b = le.AppendUint16(b, uint16(x))
				default:
					var x uint32
					if n, ok := v.(int); ok {
						x = uint32(int64(n) + 0x80000000)
					}
					b = le.AppendUint32(b, x)
				}
			}
		}
		add(t.Name, true, b)
	}
	for _, t := range append(slices.Clone(tables), tablesTable, colsTable) {
		write(t)
	}
	pool := le.AppendUint32(nil, 65001)
	var data []byte
	for i := 1; i < len(strs); i++ {
		pool = le.AppendUint16(pool, uint16(len(strs[i])))
		pool = le.AppendUint16(pool, uint16(refs[i]))
		data = append(data, strs[i]...)
	}
	add("_StringPool", true, pool)
	add("_StringData", true, data)
	names := make([]string, 0, len(streams))
	for n := range streams {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		add(n, false, streams[n])
	}
	return root
}
