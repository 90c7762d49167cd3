package msi

import (
	"bytes"
	"errors"
	"github.com/shipgate/shipgate/internal/wixlfix"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
)

func open(t testing.TB, b []byte) *Database {
	t.Helper()
	cf, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(cf)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Column types as WiX writes them.
const (
	s72  = 0x2d48 // key string
	S72  = 0x1d48 // nullable string
	l255 = 0x0fff // localizable string
	i2   = 0x0502
	I2   = 0x1502
	i4   = 0x0104
	key2 = 0x2502
	bin  = 0x1900
)

// sampleTables are the tables of a small installer: a cabinet of two files
// in nested folders, a custom-action DLL and an icon.
func sampleTables() []BuildTable {
	return []BuildTable{
		{Name: "Media", Columns: []Column{{"DiskId", key2}, {"LastSequence", i4}, {"DiskPrompt", S72}, {"Cabinet", S72}, {"VolumeLabel", S72}, {"Source", S72}},
			Rows: [][]any{{1, 2, nil, "#app.cab", nil, nil}, {2, 3, nil, "#gone.cab", nil, nil}, {3, 4, nil, "external.cab", nil, nil}}},
		{Name: "File", Columns: []Column{{"File", s72}, {"Component_", s72}, {"FileName", l255}, {"FileSize", i4}, {"Version", S72}, {"Language", S72}, {"Attributes", I2}, {"Sequence", i4}},
			Rows: [][]any{{"AppDll", "Main", "APP~1.DLL|app.dll", 10, nil, nil, 512, 1}, {"Readme", "Docs", "readme.txt", 5, nil, nil, nil, 2}}},
		{Name: "Component", Columns: []Column{{"Component", s72}, {"ComponentId", S72}, {"Directory_", s72}, {"Attributes", i2}, {"Condition", S72}, {"KeyPath", S72}},
			Rows: [][]any{{"Main", nil, "INSTALLDIR", 0, nil, "AppDll"}, {"Docs", nil, "DOCS", 0, nil, "Readme"}}},
		{Name: "Directory", Columns: []Column{{"Directory", s72}, {"Directory_Parent", S72}, {"DefaultDir", l255}},
			Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"ProgramFilesFolder", "TARGETDIR", "."}, {"INSTALLDIR", "ProgramFilesFolder", "ACME~1|Acme App"}, {"DOCS", "INSTALLDIR", "docs:src"}}},
		{Name: "Binary", Columns: []Column{{"Name", s72}, {"Data", bin}},
			Rows: [][]any{{"CustomDll", "x"}, {"Missing", "x"}}},
		{Name: "CustomAction", Columns: []Column{{"Action", s72}, {"Type", i2}, {"Source", S72}, {"Target", S72}},
			Rows: [][]any{{"RunDll", 1, "CustomDll", "Entry"}, {"Inline", 38 | 0x400, nil, "MsgBox 1"}, {"JS", 37, nil, "x()"}}},
	}
}

// TestNamesRoundTrip packs and unpacks stream names, and decodes names
// msitools' wixl wrote (see TestWixl).
func TestNamesRoundTrip(t *testing.T) {
	for _, n := range []string{"_StringPool", "Binary.CustomDll", "app.cab", "a-b c.cab", "x", "", "Ünï.cab"} {
		for _, tbl := range []bool{false, true} {
			enc := EncodeName(n, tbl)
			want := n
			if tbl {
				want = "\u4840" + n
			}
			if got := DecodeName(enc); got != want {
				t.Errorf("DecodeName(EncodeName(%q, %v)) = %q", n, tbl, got)
			}
		}
	}
	if got := len([]rune(EncodeName("Binary.CustomDll", false))); got != 8 {
		t.Errorf("Binary.CustomDll packs to %d code units, want 8", got)
	}
}

// TestTables reads back what Build wrote: cabinets (embedded, missing,
// external), payloads of binary columns (present and missing), and file
// paths resolved through Component and Directory.
func TestTables(t *testing.T) {
	cabBytes := cab.Build([]cab.BuildFile{{Name: "AppDll", Data: []byte("MZ")}}, cab.BuildOptions{})
	d := open(t, Build(sampleTables(), map[string][]byte{"app.cab": cabBytes, "Binary.CustomDll": []byte("MZca"), "stray": []byte("?")}))
	cabs := d.Cabinets()
	if len(cabs) != 3 || cabs[0].Name != "app.cab" || cabs[0].Stream == nil || !cabs[1].Embedded || cabs[1].Stream != nil || cabs[2].Embedded {
		t.Errorf("Cabinets = %+v", cabs)
	}
	ps := d.Payloads()
	if len(ps) != 2 || ps[0].Key != "CustomDll" || ps[0].Stream == nil || ps[1].Key != "Missing" || ps[1].Stream != nil {
		t.Errorf("Payloads = %+v", ps)
	}
	paths, bad := d.FilePaths()
	if paths["AppDll"] != "Acme App/app.dll" || paths["Readme"] != "Acme App/docs/readme.txt" || len(bad) != 0 {
		t.Errorf("FilePaths = %v, bad %v", paths, bad)
	}
	if got := d.InlineScripts(); len(got) != 2 || got[0] != (InlineScript{"Inline", "VBScript", "MsgBox 1"}) || got[1].Language != "JScript" {
		t.Errorf("InlineScripts = %+v", got)
	}
	if s := d.Stream("stray"); s == nil {
		t.Error("stray stream not listed")
	}
}

// TestHostileNamesFallBack keeps a FileName or DefaultDir that is not one
// path element, and a Directory chain that loops, out of report paths:
// the file is reported under its key.
func TestHostileNamesFallBack(t *testing.T) {
	tables := sampleTables()
	tables[1].Rows[0][2] = `..\..\evil.dll`
	tables[3].Rows[3][2] = ".."
	d := open(t, Build(tables, nil))
	paths, bad := d.FilePaths()
	if paths["AppDll"] != "AppDll" || paths["Readme"] != "Readme" || !slices.Equal(bad, []string{"AppDll", "Readme"}) {
		t.Errorf("FilePaths = %v, bad %v", paths, bad)
	}
	tables = sampleTables()
	tables[3].Rows[2][1] = "DOCS" // INSTALLDIR under DOCS under INSTALLDIR
	d = open(t, Build(tables, nil))
	if paths, bad := d.FilePaths(); paths["AppDll"] != "AppDll" || len(bad) != 2 {
		t.Errorf("loop: FilePaths = %v, bad %v", paths, bad)
	}
}

// TestHostileTables refuses string ids beyond the pool, a table stream that
// is not whole rows, a pool entry running past _StringData, and schema rows
// out of order, with a FormatError naming the stream.
func TestHostileTables(t *testing.T) {
	good := Build(sampleTables(), nil)
	mutate := func(name string, f func([]byte) []byte) []byte {
		cf, _ := cfb.Open(bytes.NewReader(good), int64(len(good)))
		root := &cfb.Node{CLSID: CLSID}
		for _, e := range cf.Children(cf.Root()) {
			b, _ := cf.ReadAll(e, 1<<20)
			if DecodeName(e.Name) == "\u4840"+name {
				b = f(bytes.Clone(b))
			}
			root.Children = append(root.Children, &cfb.Node{Name: e.Name, Data: b})
		}
		return cfb.Build(root)
	}
	cases := map[string][]byte{
		"Media":       mutate("Media", func(b []byte) []byte { return b[:len(b)-1] }),
		"File":        mutate("File", func(b []byte) []byte { b[0], b[1] = 0xff, 0xff; return b }),
		"_StringPool": mutate("_StringPool", func(b []byte) []byte { b[4], b[5] = 0xff, 0xff; return b }),
		"_Columns":    mutate("_Columns", func(b []byte) []byte { b[len(b)/4*2], b[len(b)/4*2+1] = 0x09, 0x80; return b }),
	}
	for stream, b := range cases {
		cf, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Open(cf)
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Stream != stream {
			t.Errorf("%s: err = %v, want a FormatError on that stream", stream, err)
		}
	}
	// No string pool: not a database.
	b := cfb.Build(&cfb.Node{CLSID: CLSID, Children: []*cfb.Node{{Name: "x", Data: []byte("x")}}})
	cf, _ := cfb.Open(bytes.NewReader(b), int64(len(b)))
	if _, err := Open(cf); !errors.Is(err, ErrNotMSI) {
		t.Errorf("err = %v, want ErrNotMSI", err)
	}
}

// TestWixl reads an installer msitools' wixl built: its embedded cabinet
// (written by gcab's library) is found, opened, and its file named as
// Windows Installer installs it; the Binary table's DLL is a payload.
func TestWixl(t *testing.T) {
	msi := wixlfix.Build(t, wixlfix.Spec{Version: "1.0.0",
		Files:    []wixlfix.File{{ID: "AppDll", Name: "app.dll", Data: []byte("MZ app")}},
		Binaries: []wixlfix.File{{ID: "CustomDll", Name: "ca.dll", Data: []byte("MZ ca")}},
	})
	b, _ := os.ReadFile(msi)
	d := open(t, b)
	cabs := d.Cabinets()
	if len(cabs) != 1 || cabs[0].Name != "app.cab" || cabs[0].Stream == nil {
		t.Fatalf("Cabinets = %+v", cabs)
	}
	cr, err := cab.NewReader(d.ReaderAt(cabs[0].Stream), cabs[0].Stream.Entry.Size)
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := d.FilePaths()
	if len(cr.Files) != 1 || paths[cr.Files[0].Name] != "Acme App/app.dll" {
		t.Fatalf("cabinet files %v, paths %v", cr.Files, paths)
	}
	ps := d.Payloads()
	if len(ps) != 1 || ps[0].Table != "Binary" || ps[0].Key != "CustomDll" || ps[0].Stream == nil {
		t.Fatalf("Payloads = %+v", ps)
	}
	got, _ := d.cf.ReadAll(ps[0].Stream.Entry, 100)
	if string(got) != "MZ ca" {
		t.Errorf("Binary.CustomDll = %q", got)
	}
	for _, s := range d.Streams {
		if !s.Table && !strings.Contains("app.cab Binary.CustomDll \x05SummaryInformation", s.Name) {
			t.Errorf("unexpected stream %q", s.Name)
		}
	}
}

// FuzzOpen must never panic on a compound file's tables.
func FuzzOpen(f *testing.F) {
	f.Add(Build(sampleTables(), map[string][]byte{"app.cab": []byte("MSCF")}))
	f.Add(Build(nil, nil))
	f.Add(cfb.Build(BuildInstaller(Installer{Files: map[string][]byte{"a": []byte("a")},
		Storages:       map[string]*cfb.Node{"n": BuildInstaller(Installer{Files: map[string][]byte{"b": []byte("b")}}), "t": {CLSID: TransformCLSID, Storage: true}},
		NestedInstalls: map[string]string{"Run": "n", "Gone": "gone"}})))
	f.Fuzz(func(t *testing.T, b []byte) {
		cf, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		d, err := Open(cf)
		if err != nil {
			return
		}
		d.Cabinets()
		d.Payloads()
		d.FilePaths()
		d.NestedInstalls()
		for _, st := range d.Storages {
			st.Class()
			if sub, err := OpenStorage(cf, st.Entry); err == nil {
				sub.Cabinets()
				sub.NestedInstalls()
			}
		}
	})
}

// FuzzTables feeds hostile string pools and table streams to Open inside a
// well-formed compound file, where FuzzOpen's mutations of whole files
// rarely reach: it must never panic, and what it returns must be usable.
func FuzzTables(f *testing.F) {
	good := Build(sampleTables(), nil)
	cf, err := cfb.Open(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		f.Fatal(err)
	}
	get := func(name string) []byte {
		for _, e := range cf.Children(cf.Root()) {
			if DecodeName(e.Name) == "\u4840"+name {
				b, _ := cf.ReadAll(e, 1<<20)
				return b
			}
		}
		return nil
	}
	f.Add(get("_StringPool"), get("_StringData"), get("_Columns"), get("Media"), get("File"), get("Directory"))
	f.Fuzz(func(t *testing.T, pool, data, cols, media, file, dir []byte) {
		root := &cfb.Node{CLSID: CLSID}
		for name, b := range map[string][]byte{"_StringPool": pool, "_StringData": data, "_Columns": cols, "Media": media, "File": file, "Directory": dir, "Component": get("Component"), "Binary": get("Binary")} {
			root.Children = append(root.Children, &cfb.Node{Name: EncodeName(name, true), Data: b})
		}
		root.Children = append(root.Children, &cfb.Node{Name: EncodeName("app.cab", false), Data: []byte("MSCF")})
		b := cfb.Build(root)
		c, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(c)
		if err != nil {
			return
		}
		d.Cabinets()
		d.Payloads()
		d.InlineScripts()
		paths, _ := d.FilePaths()
		for k, p := range paths {
			if p != k && (strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../")) {
				t.Fatalf("path %q for %q", p, k)
			}
		}
	})
}

// TestShortFileNames: SHORTFILENAMES, set in the Property table or by a
// type 51 custom action, makes FilePaths the short names Windows
// Installer then installs under; empty, it is not set.
func TestShortFileNames(t *testing.T) {
	property := func(v any) BuildTable {
		return BuildTable{Name: "Property", Columns: []Column{{"Property", s72}, {"Value", l255}}, Rows: [][]any{{"SHORTFILENAMES", v}}}
	}
	setBy51 := sampleTables()
	setBy51[5].Rows = append(setBy51[5].Rows, []any{"Short", 51, "SHORTFILENAMES", "1"})
	for _, c := range []struct {
		name   string
		tables []BuildTable
		short  bool
	}{
		{"unset", sampleTables(), false},
		{"property", append(sampleTables(), property("1")), true},
		{"empty property", append(sampleTables(), property(nil)), false},
		{"custom action", setBy51, true},
		{"app search", append(sampleTables(), BuildTable{Name: "AppSearch", Columns: []Column{{"Property", s72}, {"Signature_", s72}}, Rows: [][]any{{"SHORTFILENAMES", "WinVer"}}}), true},
		{"related product", append(sampleTables(), BuildTable{Name: "Upgrade", Columns: []Column{{"UpgradeCode", s72}, {"ActionProperty", s72}}, Rows: [][]any{{"{00000000-0000-0000-0000-000000000001}", "SHORTFILENAMES"}}}), true},
		{"control", append(sampleTables(), BuildTable{Name: "Control", Columns: []Column{{"Dialog_", s72}, {"Control", s72}, {"Property", s72}}, Rows: [][]any{{"Welcome", "Box", "SHORTFILENAMES"}}}), true},
		{"control event", append(sampleTables(), BuildTable{Name: "ControlEvent", Columns: []Column{{"Dialog_", s72}, {"Control_", s72}, {"Event", s72}, {"Argument", l255}}, Rows: [][]any{{"Welcome", "Next", "[SHORTFILENAMES]", "1"}}}), true},
		{"inline script", append(setBy51[:5:5], BuildTable{Name: setBy51[5].Name, Columns: setBy51[5].Columns, Rows: [][]any{{"Short", 38, nil, `Session.Property("ShortFileNames") = "1"`}}}), true},
		{"other control event", append(sampleTables(), BuildTable{Name: "ControlEvent", Columns: []Column{{"Dialog_", s72}, {"Control_", s72}, {"Event", s72}, {"Argument", l255}}, Rows: [][]any{{"Welcome", "Next", "[INSTALLDIR]", "1"}}}), false},
	} {
		d := open(t, Build(c.tables, nil))
		want := "Acme App/app.dll"
		if c.short {
			want = "ACME~1/APP~1.DLL"
		}
		if paths, _ := d.FilePaths(); d.ShortFileNames() != c.short || paths["AppDll"] != want || paths["Readme"] != path.Dir(want)+"/docs/readme.txt" {
			t.Errorf("%s: ShortFileNames %v, FilePaths %v", c.name, d.ShortFileNames(), paths)
		}
	}
}
