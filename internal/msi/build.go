package msi

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/shipgate/shipgate/internal/cab"
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

// Column types as WiX writes them, for fixture tables.
const (
	ColKey   = 0x2d48 // s72: a key string
	ColStr   = 0x1d48 // S72: a nullable string
	ColName  = 0x0fff // l255: a localizable file name
	ColI2Key = 0x2502 // a key 2-byte integer
	ColI4    = 0x0104 // a 4-byte integer
	ColI2    = 0x0502 // a 2-byte integer
	ColBin   = 0x1900 // a nullable stream
)

// Installer describes a fixture installer for [BuildInstaller].
type Installer struct {
	// Folder is the name of the folder under ProgramFilesFolder the files
	// install to; empty installs them to ProgramFilesFolder itself.
	Folder string
	// Files are the installed files by "/"-separated path under Folder,
	// all in one embedded MSZIP cabinet, each under its File table key
	// F1, F2… (in the order of the sorted paths).
	Files map[string][]byte
	// Rename gives a file's FileName column a value other than its base
	// name (for hostile fixtures).
	Rename map[string]string
	// Sizes gives a file's FileSize column a value other than its
	// length; Hashed are the files (by path) with an MsiFileHash row,
	// holding the MD5 of the bytes given (for hostile fixtures, not the
	// file's own).
	Sizes  map[string]int
	Hashed map[string][]byte
	// Cabinet is the cabinet's stream name; empty means "app.cab".
	Cabinet string
	// External makes the cabinet an external one: the Media row names it
	// without "#", and the database does not hold it ([Installer.CAB]
	// writes it).
	External bool
	// Module makes a merge module: a ModuleSignature table and no Media
	// table, the files' cabinet in the stream MergeModule.CABinet.
	Module bool
	// Binary are the Binary table's streams (custom actions) by key.
	Binary map[string][]byte
	// Streams are further streams by name, which no table refers to.
	Streams map[string][]byte
	// Storages are root storages by name: a nested installer's tree
	// (BuildInstaller's, whose root class is a database's), a transform,
	// anything; each node's Name is set to its key.
	Storages map[string]*cfb.Node
	// NestedInstalls are custom actions of type 7 by action name: each
	// installs the database in the storage its value names.
	NestedInstalls map[string]string
}

// CAB returns the cabinet of s's files, as [BuildInstaller] embeds it (or,
// with External, as it is to lie beside the database).
func (s Installer) CAB() []byte {
	names := slices.Sorted(maps.Keys(s.Files))
	var files []cab.BuildFile
	for i, n := range names {
		files = append(files, cab.BuildFile{Name: fmt.Sprintf("F%d", i+1), Data: s.Files[n]})
	}
	return cab.Build(files, cab.BuildOptions{Method: cab.MethodMSZIP})
}

// BuildInstaller returns the compound file tree of the installer s
// describes, laid out as msitools lays one out: a Directory row and a
// Component per folder, a File row per file, a Media row naming the
// embedded cabinet, and a Binary table when there are custom actions.
func BuildInstaller(s Installer) *cfb.Node {
	names := slices.Sorted(maps.Keys(s.Files))
	top := "ProgramFilesFolder"
	dirs := [][]any{{"TARGETDIR", nil, "SourceDir"}, {"ProgramFilesFolder", "TARGETDIR", "."}}
	if s.Folder != "" {
		top = "INSTALLDIR"
		dirs = append(dirs, []any{"INSTALLDIR", "ProgramFilesFolder", s.Folder})
	}
	dirKey := map[string]string{".": top}
	comps := [][]any{{"C_" + top, top}}
	var key func(d string) string
	key = func(d string) string {
		if k, ok := dirKey[d]; ok {
			return k
		}
		parent := key(path.Dir(d))
		k := fmt.Sprintf("D%d", len(dirKey))
		dirKey[d] = k
		dirs = append(dirs, []any{k, parent, path.Base(d)})
		comps = append(comps, []any{"C_" + k, k})
		return k
	}
	var files, hashes [][]any
	for i, n := range names {
		k := fmt.Sprintf("F%d", i+1)
		name := path.Base(n)
		if r, ok := s.Rename[n]; ok {
			name = r
		}
		size := len(s.Files[n])
		if v, ok := s.Sizes[n]; ok {
			size = v
		}
		files = append(files, []any{k, "C_" + key(path.Dir(n)), name, size, i + 1})
		if b, ok := s.Hashed[n]; ok {
			sum := md5.Sum(b)
			row := []any{k, 0}
			for j := 0; j < 16; j += 4 {
				row = append(row, int(int32(binary.LittleEndian.Uint32(sum[j:]))))
			}
			hashes = append(hashes, row)
		}
	}
	cabName := s.Cabinet
	switch {
	case s.Module:
		cabName = "MergeModule.CABinet"
	case cabName == "":
		cabName = "app.cab"
	}
	streams := map[string][]byte{}
	media := cabName
	if !s.External {
		media = "#" + cabName
		streams[cabName] = s.CAB()
	}
	var bins [][]any
	for _, k := range slices.Sorted(maps.Keys(s.Binary)) {
		bins = append(bins, []any{k, "x"})
		streams["Binary."+k] = s.Binary[k]
	}
	maps.Copy(streams, s.Streams)
	tables := []BuildTable{
		{Name: "Media", Columns: []Column{{"DiskId", ColI2Key}, {"LastSequence", ColI4}, {"Cabinet", ColStr}},
			Rows: [][]any{{1, len(names), media}}},
		{Name: "File", Columns: []Column{{"File", ColKey}, {"Component_", ColKey}, {"FileName", ColName}, {"FileSize", ColI4}, {"Sequence", ColI4}},
			Rows: files},
		{Name: "Component", Columns: []Column{{"Component", ColKey}, {"Directory_", ColKey}}, Rows: comps},
		{Name: "Directory", Columns: []Column{{"Directory", ColKey}, {"Directory_Parent", ColStr}, {"DefaultDir", ColName}}, Rows: dirs},
	}
	if s.Module {
		tables[0] = BuildTable{Name: "ModuleSignature", Columns: []Column{{"ModuleID", ColKey}, {"Language", ColI2Key}, {"Version", ColStr}},
			Rows: [][]any{{"Acme.11111111_2222_3333_4444_555555555555", 1033, "1.0.0"}}}
	}
	if len(hashes) > 0 {
		tables = append(tables, BuildTable{Name: "MsiFileHash", Columns: []Column{{"File_", ColKey}, {"Options", ColI2}, {"HashPart1", ColI4}, {"HashPart2", ColI4}, {"HashPart3", ColI4}, {"HashPart4", ColI4}}, Rows: hashes})
	}
	if len(bins) > 0 {
		tables = append(tables, BuildTable{Name: "Binary", Columns: []Column{{"Name", ColKey}, {"Data", ColBin}}, Rows: bins})
	}
	if len(s.NestedInstalls) > 0 {
		var cas [][]any
		for _, a := range slices.Sorted(maps.Keys(s.NestedInstalls)) {
			cas = append(cas, []any{a, 7, s.NestedInstalls[a], "ADDLOCAL=ALL"})
		}
		tables = append(tables, BuildTable{Name: "CustomAction", Columns: []Column{{"Action", ColKey}, {"Type", ColI2}, {"Source", ColStr}, {"Target", ColStr}}, Rows: cas})
	}
	root := BuildNode(tables, streams)
	for _, n := range slices.Sorted(maps.Keys(s.Storages)) {
		st := s.Storages[n]
		st.Name, st.Storage = n, true
		root.Children = append(root.Children, st)
	}
	return root
}
