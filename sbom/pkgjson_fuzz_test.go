package sbom

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// FuzzPkgJSON reads hostile package.json and package-lock.json files as
// the inventory does (parsePkgJSON): no panic; an error only for what is
// no JSON object; the fields of a wrong type named, sorted; and the fields
// it read, written back as JSON, read the same (the lockfile's packages
// by path with their versions, which the lockfile check compares).
func FuzzPkgJSON(f *testing.F) {
	f.Add([]byte(`{"lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},"node_modules/a":{"version":"1.0.1"},"node_modules/a/node_modules/@s/b":{"version":"2.0.0"},"node_modules/broken":{}}}`))
	f.Add([]byte("\xef\xbb\xbf" + `{"name":"m","version":"1.0.0","scripts":{"postinstall":"node x.js"},"gypfile":true,"dependencies":{"a":"^1"},"optionalDependencies":{"b":"*"},"license":{"type":"MIT"},"productName":"M"}`))
	f.Add([]byte(`{"name":1,"version":[1],"scripts":["x"],"packages":{"node_modules/a":{"version":2}},"version":"2.0.0","packages":null}`))
	f.Add([]byte(`{"packages":{"node_modules/\u0061":{"version":"1"},"node_modules/a":{"version":"2"}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pj, bad, err := parsePkgJSON(raw)
		if err != nil {
			if pj.Name != "" || pj.Packages != nil || bad != nil {
				t.Fatalf("error %v with fields read: %+v %v", err, pj, bad)
			}
			return
		}
		if !json.Valid(bytes.TrimPrefix(raw, utf8BOM)) {
			t.Fatal("text that is no JSON read")
		}
		if !slices.IsSorted(bad) {
			t.Fatalf("bad fields %q unsorted", bad)
		}
		back, err := json.Marshal(map[string]any{"name": pj.Name, "version": pj.Version, "productName": pj.ProductName, "gypfile": pj.Gypfile, "packages": pj.Packages})
		if err != nil {
			t.Fatal(err)
		}
		again, bad, err := parsePkgJSON(back)
		if err != nil || len(bad) != 0 || again.Name != pj.Name || again.Version != pj.Version || again.ProductName != pj.ProductName ||
			again.Gypfile != pj.Gypfile || !reflect.DeepEqual(again.Packages, pj.Packages) {
			t.Fatalf("%s read back as %+v, %q, %v; was %+v", back, again, bad, err, pj)
		}
	})
}
