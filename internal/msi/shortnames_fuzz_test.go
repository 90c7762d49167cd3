package msi

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
)

// FuzzShortFileNames reads hostile Property, CustomAction, File and
// Directory tables, which decide whether Windows Installer installs under
// the short names of "short|long" values (SHORTFILENAMES): no panic, and
// every file's path, short or long, a relative path inside the install
// tree, as FuzzTables asks of the long names alone.
func FuzzShortFileNames(f *testing.F) {
	tables := append(sampleTables(), BuildTable{Name: "Property", Columns: []Column{{"Property", s72}, {"Value", l255}}, Rows: [][]any{{"SHORTFILENAMES", "1"}, {"ProductName", "Acme"}}})
	tables[5].Rows = append(tables[5].Rows, []any{"Short", 51, " SHORTFILENAMES ", "[ProductName]"})
	tables[1].Rows = append(tables[1].Rows, []any{"Up", "Main", "..|x.dll", 1, nil, nil, nil, 3}, []any{"Sub", "Docs", `a\b|c`, 1, nil, nil, nil, 4})
	tables[3].Rows = append(tables[3].Rows, []any{"UP", "DOCS", "..|up:.."})
	good := Build(tables, nil)
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
	f.Add(get("_StringPool"), get("_StringData"), get("_Columns"), get("Property"), get("CustomAction"), get("File"), get("Directory"))
	f.Fuzz(func(t *testing.T, pool, data, cols, prop, ca, file, dir []byte) {
		root := &cfb.Node{CLSID: CLSID}
		streams := map[string][]byte{"_StringPool": pool, "_StringData": data, "_Columns": cols, "Property": prop, "CustomAction": ca,
			"File": file, "Directory": dir, "Component": get("Component"), "Media": get("Media"), "_Tables": get("_Tables")}
		for _, name := range slices.Sorted(maps.Keys(streams)) { // one layout per input
			root.Children = append(root.Children, &cfb.Node{Name: EncodeName(name, true), Data: streams[name]})
		}
		b := cfb.Build(root)
		c, err := cfb.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(c)
		if err != nil {
			return
		}
		d.ShortFileNames()
		paths, _ := d.FilePaths()
		for k, p := range paths {
			if p != k && (strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") || strings.Contains("/"+p+"/", "/./")) {
				t.Fatalf("path %q for %q", p, k)
			}
		}
	})
}
