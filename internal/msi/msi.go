// Package msi reads the tables of a Windows Installer database (an .msi,
// .msm or .msp: an OLE compound file, read with internal/cfb) far enough to
// find the code it carries: the cabinets the Media table names and that are
// embedded as streams, the names the File table gives the files in them
// (resolved through Component and Directory to the folder they install to),
// and the streams of binary columns (the Binary table's custom-action
// DLLs and scripts, the Icon table's executables). Streams no table refers
// to are listed too. internal/container turns these into the entries
// verify and sbom walk, with their report paths.
//
// The database format is undocumented; this follows what Wine's msi.dll
// and msitools read: stream names packed two characters to a code unit
// from a 64-letter alphabet (table streams prefixed with U+4840), a string
// pool (_StringPool: code page, then a length and reference count per
// string; _StringData: the strings' bytes in order), the schema in
// _Columns, and table streams stored column by column, integers biased by
// 0x8000 (2 bytes) or 0x80000000 (4 bytes), zero meaning null, strings as
// 2- or 3-byte string pool indexes.
//
// Not read: the values of other tables (Property values, which custom
// actions of types 53 and 54 run as scripts, among them); custom actions
// whose script is their Target text (types 37 and 38) are listed by
// [Database.InlineScripts], not checked. Root storages (nested databases,
// embedded transforms) are listed with their class ([Database.Storages]);
// a nested database is read with [OpenStorage], and the custom actions
// that install one (type 7) are listed by [Database.NestedInstalls].
//
// Every count and size read from the file is checked before it is used:
// strings, tables and cells have caps, and a table whose stream is not a
// whole number of rows is refused. No module read MSI tables: the relic
// module reads only the compound file, which internal/cfb does here.
package msi

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/cfb"
	"golang.org/x/text/encoding/charmap"
)

// Limits on what a database may make this package allocate.
const (
	// MaxStringData caps _StringData; MaxStrings the strings in the pool.
	MaxStringData = 64 << 20
	MaxStrings    = 1 << 22
	// MaxTableBytes caps one table's stream; MaxCells the cells of all
	// tables read.
	MaxTableBytes = 64 << 20
	MaxCells      = 1 << 22
	// MaxColumns caps a table's columns (Windows Installer allows 32).
	MaxColumns = 32
)

// Column type bits (Wine's MSITYPE_…).
const (
	typeValid     = 0x0100
	typeString    = 0x0800
	typeNullable  = 0x1000
	typeKey       = 0x2000
	typeTemporary = 0x4000
)

// ErrNotMSI is returned when the file is a compound file with no string
// pool: not a Windows Installer database.
var ErrNotMSI = errors.New("msi: not a Windows Installer database")

// FormatError reports a database whose tables are broken.
type FormatError struct {
	// Stream is the (decoded) name of the stream at fault.
	Stream string
	// Offset is where in the stream, or -1.
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("msi: stream %q: %s at offset %d", e.Stream, e.Reason, e.Offset)
	}
	return fmt.Sprintf("msi: stream %q: %s", e.Stream, e.Reason)
}

// Column is one column of a table's schema.
type Column struct {
	Name string
	// Type is the column's type bits as _Columns stores them.
	Type uint16
}

// String reports a string column; Binary a stream column.
func (c Column) String() bool { return c.Type&typeString != 0 && !c.Binary() }

// Binary reports a column holding streams.
func (c Column) Binary() bool { return c.Type&^typeNullable == typeString|typeValid }

// Key reports a primary key column.
func (c Column) Key() bool { return c.Type&typeKey != 0 }

func (c Column) temporary() bool { return c.Type&typeTemporary != 0 }

// Cell is one value: a string, an integer, or null.
type Cell struct {
	Null bool
	S    string
	N    int64
}

// Text returns the value as a stream name part: the string, or the integer
// in decimal.
func (c Cell) Text(col Column) string {
	if col.String() || col.Binary() {
		return c.S
	}
	return strconv.FormatInt(c.N, 10)
}

// Table is a table read from the database.
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]Cell
}

// Col returns the index of the named column, or -1.
func (t *Table) Col(name string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
}

// Stream is a stream at the root of the database.
type Stream struct {
	// Name is the decoded name; Raw the entry as stored.
	Name  string
	Entry *cfb.Entry
	// Table reports a table's stream (name prefixed with U+4840).
	Table bool
}

// Database is an opened Windows Installer database.
type Database struct {
	cf         *cfb.File
	strs       []string
	strRefSize int
	// Tables are the tables read, by name: those this package uses
	// (Media, File, Component, Directory) and those with a binary column.
	// Schema holds the columns of every table _Columns describes.
	Tables map[string]*Table
	Schema map[string][]Column
	// Streams are the root streams, in name order; Storages the root
	// storages (nested databases, embedded transforms), in name order.
	Streams  []*Stream
	Storages []*Storage
	// CLSID is the class of the storage the database was read from (the
	// root's for a file): [CLSID] for a database or merge module,
	// [PatchCLSID], [TransformCLSID].
	CLSID  [16]byte
	byName map[string]*Stream
	cells  int
}

// Open reads the string pool, the schema and every table of the compound
// file cf.
func Open(cf *cfb.File) (*Database, error) { return OpenStorage(cf, cf.Root()) }

// OpenStorage reads the database whose streams are the children of the
// storage st of cf: the root, or a nested database (a storage a type 7
// custom action installs). Its limits are those of [Open], for this
// database alone: the streams of nested databases are disjoint parts of
// the one file, so that together they cannot hold more than it does.
func OpenStorage(cf *cfb.File, st *cfb.Entry) (*Database, error) {
	d := &Database{cf: cf, Tables: map[string]*Table{}, byName: map[string]*Stream{}, CLSID: st.CLSID}
	for _, e := range cf.Children(st) {
		if e.Type == cfb.TypeStorage {
			d.Storages = append(d.Storages, &Storage{Name: DecodeName(e.Name), Entry: e})
			continue
		}
		if e.Type != cfb.TypeStream {
			continue
		}
		name := DecodeName(e.Name)
		s := &Stream{Name: name, Entry: e}
		if strings.HasPrefix(name, "\u4840") {
			s.Table, s.Name = true, strings.TrimPrefix(name, "\u4840")
			name = "\u4840" + s.Name
		}
		d.Streams = append(d.Streams, s)
		// Two stored names can decode to one (a name's characters
		// packed, or written out): Windows Installer opens the packed
		// one, EncodeName's.
		if prev := d.byName[name]; prev == nil || e.Name == EncodeName(s.Name, s.Table) {
			d.byName[name] = s
		}
	}
	slices.SortFunc(d.Streams, func(a, b *Stream) int {
		if a.Table != b.Table {
			if a.Table {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Entry.Name, b.Entry.Name))
	})
	// Two stored names can decode to one: the stored ones order them.
	slices.SortFunc(d.Storages, func(a, b *Storage) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Entry.Name, b.Entry.Name))
	})
	if err := d.readStrings(); err != nil {
		return nil, err
	}
	if err := d.readSchema(); err != nil {
		return nil, err
	}
	return d, nil
}

// Shadowed reports whether s is a stream whose stored name decodes to the
// name of another, which Windows Installer opens by that name instead (its
// stored name is the packed one, [EncodeName]'s): a table or stream that
// no table lookup reads.
func (d *Database) Shadowed(s *Stream) bool {
	name := s.Name
	if s.Table {
		name = "\u4840" + name
	}
	return d.byName[name] != s
}

// Stream returns the root stream of the (decoded) name, not a table's.
func (d *Database) Stream(name string) *Stream {
	if s := d.byName[name]; s != nil && !s.Table {
		return s
	}
	return nil
}

// ReaderAt returns a stream's bytes.
func (d *Database) ReaderAt(s *Stream) io.ReaderAt { return d.cf.ReaderAt(s.Entry) }

func (d *Database) table(name string) *Stream { return d.byName["\u4840"+name] }

func (d *Database) readStream(s *Stream, limit int64) ([]byte, error) {
	b, err := d.cf.ReadAll(s.Entry, limit)
	if err != nil {
		return nil, &FormatError{Stream: s.Name, Offset: -1, Reason: err.Error()}
	}
	return b, nil
}

// readStrings reads the string pool.
func (d *Database) readStrings() error {
	ps, ds := d.table("_StringPool"), d.table("_StringData")
	if ps == nil || ds == nil {
		return ErrNotMSI
	}
	if ps.Entry.Size > 4*(MaxStrings+1) {
		return &FormatError{Stream: "_StringPool", Offset: -1, Reason: fmt.Sprintf("%d bytes exceed the %d strings allowed", ps.Entry.Size, MaxStrings)}
	}
	pool, err := d.readStream(ps, 4*(MaxStrings+1))
	if err != nil {
		return err
	}
	data, err := d.readStream(ds, MaxStringData)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	d.strRefSize = 2
	cp := uint32(0)
	if len(pool) >= 4 {
		cp = le.Uint32(pool)
		if cp&0x80000000 != 0 {
			d.strRefSize = 3
		}
		cp &^= 0x80000000
	}
	count := len(pool) / 4
	d.strs = make([]string, 1, count)
	off := 0
	for i := 1; i < count; {
		n, refs := int(le.Uint16(pool[4*i:])), le.Uint16(pool[4*i+2:])
		if n == 0 && refs == 0 {
			d.strs = append(d.strs, "")
			i++
			continue
		}
		if n == 0 {
			// A string over 64 KiB: this entry's count holds the high
			// word of the length, the next entry the low word.
			if i+1 >= count {
				return &FormatError{Stream: "_StringPool", Offset: int64(4 * i), Reason: "long string entry cut short"}
			}
			n = int(refs)<<16 | int(le.Uint16(pool[4*(i+1):]))
			i += 2
		} else {
			i++
		}
		if n > len(data)-off {
			return &FormatError{Stream: "_StringPool", Offset: int64(4 * (i - 1)), Reason: fmt.Sprintf("string %d of %d bytes runs past _StringData's %d", len(d.strs), n, len(data))}
		}
		d.strs = append(d.strs, decodeString(data[off:off+n], cp))
		off += n
	}
	return nil
}

// decodeString returns a string pool entry as UTF-8: as it is when it is
// UTF-8 (code page 65001, or ASCII), else read as Windows-1252, the code
// page of most databases that name one.
func decodeString(b []byte, cp uint32) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// str returns string id, checking it.
func (d *Database) str(id uint32, table string, off int64) (string, error) {
	if int(id) >= len(d.strs) {
		return "", &FormatError{Stream: table, Offset: off, Reason: fmt.Sprintf("string id %d beyond the pool's %d strings", id, len(d.strs))}
	}
	return d.strs[id], nil
}

// readSchema reads _Columns, then every table it describes.
func (d *Database) readSchema() error {
	cols := &Table{Name: "_Columns", Columns: []Column{
		{"Table", typeString | typeValid | typeKey | 64}, {"Number", typeValid | typeKey | 2},
		{"Name", typeString | typeValid | 64}, {"Type", typeValid | 2},
	}}
	if s := d.table("_Columns"); s != nil {
		if err := d.readTable(cols, s); err != nil {
			return err
		}
	}
	schema := map[string][]Column{}
	var order []string
	for _, r := range cols.Rows {
		if r[0].Null || r[2].Null || r[1].Null || r[3].Null {
			return &FormatError{Stream: "_Columns", Offset: -1, Reason: "a column with a null table, number, name or type"}
		}
		t := r[0].S
		if _, ok := schema[t]; !ok {
			order = append(order, t)
		}
		if int(r[1].N) != len(schema[t])+1 {
			return &FormatError{Stream: "_Columns", Offset: -1, Reason: fmt.Sprintf("table %q: column %q is number %d, want %d", t, r[2].S, r[1].N, len(schema[t])+1)}
		}
		if len(schema[t]) >= MaxColumns {
			return &FormatError{Stream: "_Columns", Offset: -1, Reason: fmt.Sprintf("table %q has more than %d columns", t, MaxColumns)}
		}
		schema[t] = append(schema[t], Column{Name: r[2].S, Type: uint16(r[3].N)})
	}
	d.Schema = schema
	for _, name := range order {
		if !readTables[name] && !slices.ContainsFunc(schema[name], Column.Binary) {
			continue // not needed: its cells would only cost memory
		}
		t := &Table{Name: name, Columns: schema[name]}
		if s := d.table(name); s != nil {
			if err := d.readTable(t, s); err != nil {
				return err
			}
		}
		d.Tables[name] = t
	}
	return nil
}

// readTables are the tables read besides those with a binary column (the
// last four for the ways a database sets SHORTFILENAMES as it runs: see
// [Database.ShortFileNames]).
var readTables = map[string]bool{"Media": true, "File": true, "Component": true, "Directory": true, "CustomAction": true, "MsiFileHash": true, "Property": true,
	"AppSearch": true, "Upgrade": true, "Control": true, "ControlEvent": true}

// width returns a column's bytes in a row.
func (d *Database) width(c Column) int {
	switch {
	case c.temporary():
		return 0
	case c.Binary():
		return 2
	case c.String():
		return d.strRefSize
	case c.Type&0xff <= 2:
		return 2
	}
	return 4
}

// readTable reads the rows of t from its stream: column after column.
func (d *Database) readTable(t *Table, s *Stream) error {
	b, err := d.readStream(s, MaxTableBytes)
	if err != nil {
		return err
	}
	row := 0
	for _, c := range t.Columns {
		row += d.width(c)
	}
	if row == 0 {
		return nil
	}
	if len(b)%row != 0 {
		return &FormatError{Stream: t.Name, Offset: -1, Reason: fmt.Sprintf("%d bytes are not a whole number of %d-byte rows", len(b), row)}
	}
	n := len(b) / row
	if d.cells += n * len(t.Columns); d.cells > MaxCells {
		return &FormatError{Stream: t.Name, Offset: -1, Reason: fmt.Sprintf("the tables hold more than %d cells", MaxCells)}
	}
	t.Rows = make([][]Cell, n)
	cells := make([]Cell, n*len(t.Columns))
	for i := range t.Rows {
		t.Rows[i] = cells[i*len(t.Columns) : (i+1)*len(t.Columns) : (i+1)*len(t.Columns)]
	}
	off := 0
	for j, c := range t.Columns {
		w := d.width(c)
		for i := 0; i < n; i++ {
			at := int64(off + i*w)
			var v uint32
			switch w {
			case 0:
				t.Rows[i][j].Null = true
				continue
			case 2:
				v = uint32(binary.LittleEndian.Uint16(b[at:]))
			case 3:
				v = uint32(binary.LittleEndian.Uint16(b[at:])) | uint32(b[at+2])<<16
			case 4:
				v = binary.LittleEndian.Uint32(b[at:])
			}
			cell := &t.Rows[i][j]
			switch {
			case c.Binary():
				// The cell holds a placeholder; the data is the stream
				// named by the row's keys.
				cell.Null = v == 0
			case c.String():
				cell.Null = v == 0
				if cell.S, err = d.str(v, t.Name, at); err != nil {
					return err
				}
			case v == 0:
				cell.Null = true
			case w == 2:
				cell.N = int64(v) - 0x8000
			default:
				cell.N = int64(v) - 0x80000000
			}
		}
		off += n * w
	}
	return nil
}

// KeyName returns the name of the stream a binary column of row r holds:
// the table's name and the row's key values, joined by ".".
func (t *Table) KeyName(r []Cell) string {
	parts := []string{t.Name}
	for j, c := range t.Columns {
		if c.Key() {
			parts = append(parts, r[j].Text(c))
		}
	}
	return strings.Join(parts, ".")
}

// key returns the row's key values joined by ".".
func (t *Table) key(r []Cell) string {
	return strings.TrimPrefix(t.KeyName(r), t.Name+".")
}

// Payload is a stream of a binary column: a custom action's DLL, script or
// executable (Binary), an icon (Icon), or another table's.
type Payload struct {
	// Table and Key name the row; Stream is nil when the stream is missing.
	Table, Key string
	Stream     *Stream
}

// Payloads returns the streams of the binary columns of every table, in
// table then key order, each once.
func (d *Database) Payloads() []Payload {
	var out []Payload
	for _, name := range sortedKeys(d.Tables) {
		t := d.Tables[name]
		if !slices.ContainsFunc(t.Columns, Column.Binary) {
			continue
		}
		seen := map[string]bool{}
		var rows []Payload
		for _, r := range t.Rows {
			k := t.KeyName(r)
			if seen[k] || !hasBinary(t, r) {
				continue
			}
			seen[k] = true
			rows = append(rows, Payload{Table: t.Name, Key: t.key(r), Stream: d.Stream(k)})
		}
		slices.SortFunc(rows, func(a, b Payload) int { return strings.Compare(a.Key, b.Key) })
		out = append(out, rows...)
	}
	return out
}

func hasBinary(t *Table, r []Cell) bool {
	for j, c := range t.Columns {
		if c.Binary() && !r[j].Null {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Cabinet is a cabinet the Media table names.
type Cabinet struct {
	// DiskID is the Media row's key; Name the Cabinet column without a
	// leading "#".
	DiskID int64
	Name   string
	// Embedded reports a "#name": the cabinet is the stream Name in the
	// database, Stream (nil when there is no such stream). Otherwise it is
	// a file beside the database.
	Embedded bool
	Stream   *Stream
}

// Cabinets returns the Media table's cabinets in DiskId order.
func (d *Database) Cabinets() []Cabinet {
	t := d.Tables["Media"]
	if t == nil {
		return nil
	}
	id, cab := t.Col("DiskId"), t.Col("Cabinet")
	if id < 0 || cab < 0 {
		return nil
	}
	var out []Cabinet
	for _, r := range t.Rows {
		if r[cab].Null || r[cab].S == "" {
			continue
		}
		c := Cabinet{DiskID: r[id].N, Name: r[cab].S}
		if strings.HasPrefix(c.Name, "#") {
			c.Embedded, c.Name = true, c.Name[1:]
			c.Stream = d.Stream(c.Name)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Cabinet) int { return int(a.DiskID - b.DiskID) })
	return out
}

// maxDirDepth bounds the Directory chain followed for one file.
const maxDirDepth = 64

// FilePaths maps the File table's keys (the names of files in the
// database's cabinets) to the paths they install to: the Directory table's
// target folder names (the long ones, or the short ones when the database
// sets SHORTFILENAMES: see [Database.ShortFileNames]) from below the root
// down, then the file's long (or short) name. Folders named "." add nothing, nor does the root
// (TARGETDIR, "SourceDir"). A name that is not a plain file or folder name
// (empty, "." or "..", holding "/", "\\" or ":") makes the path of that
// file fall back to its key, as does a Directory chain that loops or runs
// deeper than 64 folders; those keys are in bad.
func (d *Database) FilePaths() (paths map[string]string, bad []string) {
	paths = map[string]string{}
	short := d.ShortFileNames()
	ft := d.Tables["File"]
	if ft == nil {
		return paths, nil
	}
	fk, fc, fn := ft.Col("File"), ft.Col("Component_"), ft.Col("FileName")
	if fk < 0 || fn < 0 {
		return paths, nil
	}
	compDir := map[string]string{}
	if ct := d.Tables["Component"]; ct != nil {
		k, dc := ct.Col("Component"), ct.Col("Directory_")
		if k >= 0 && dc >= 0 {
			for _, r := range ct.Rows {
				compDir[r[k].S] = r[dc].S
			}
		}
	}
	type dir struct{ parent, name string }
	dirs := map[string]dir{}
	if dt := d.Tables["Directory"]; dt != nil {
		k, p, dd := dt.Col("Directory"), dt.Col("Directory_Parent"), dt.Col("DefaultDir")
		if k >= 0 && p >= 0 && dd >= 0 {
			for _, r := range dt.Rows {
				dirs[r[k].S] = dir{parent: r[p].S, name: r[dd].S}
			}
		}
	}
	dirPath := func(key string) (string, bool) {
		var els []string
		for n := 0; key != ""; n++ {
			dr, ok := dirs[key]
			if !ok || n > maxDirDepth {
				return "", false
			}
			if dr.parent == "" || dr.parent == key {
				break // the root
			}
			name := fileName(targetPart(dr.name), short)
			if name != "." {
				if !plainName(name) {
					return "", false
				}
				els = append(els, name)
			}
			key = dr.parent
		}
		slices.Reverse(els)
		return path.Join(els...), true
	}
	for _, r := range ft.Rows {
		key := r[fk].S
		name := fileName(r[fn].S, short)
		p := key
		ok := plainName(name)
		if ok {
			p = name
			if fc >= 0 {
				if dk, found := compDir[r[fc].S]; found {
					dp, good := dirPath(dk)
					ok = good
					p = path.Join(dp, name)
				}
			}
		}
		if !ok {
			p = key
			bad = append(bad, key)
		}
		paths[key] = p
	}
	slices.Sort(bad)
	return paths, bad
}

// targetPart returns the target folder of a DefaultDir value
// ("target:source").
func targetPart(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i]
	}
	return s
}

// plainName reports a file or folder name that is one path element.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\:\x00")
}

// SystemStream reports the streams of the database itself, referenced by
// no table: summary information, signatures, the table catalog.
func SystemStream(name string) bool {
	switch name {
	case "\x05SummaryInformation", "\x05DocumentSummaryInformation", "\x05DigitalSignature", "\x05MsiDigitalSignatureEx":
		return true
	}
	return false
}

// InlineScript is a custom action whose JScript or VBScript is the text of
// its Target column.
type InlineScript struct {
	Action string
	// Language is "JScript" or "VBScript".
	Language string
	// Text is the script.
	Text string
}

// InlineScripts returns the custom actions of types 37 (JScript) and 38
// (VBScript), with any option bits, in action order.
func (d *Database) InlineScripts() []InlineScript {
	t := d.Tables["CustomAction"]
	if t == nil {
		return nil
	}
	a, ty, tg := t.Col("Action"), t.Col("Type"), t.Col("Target")
	if a < 0 || ty < 0 || tg < 0 {
		return nil
	}
	var out []InlineScript
	for _, r := range t.Rows {
		var lang string
		switch r[ty].N & 0x3f {
		case 37:
			lang = "JScript"
		case 38:
			lang = "VBScript"
		default:
			continue
		}
		out = append(out, InlineScript{Action: r[a].S, Language: lang, Text: r[tg].S})
	}
	slices.SortFunc(out, func(x, y InlineScript) int { return strings.Compare(x.Action, y.Action) })
	return out
}
