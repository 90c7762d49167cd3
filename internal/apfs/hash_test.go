package apfs

import (
	"bytes"
	"io/fs"
	"testing"
)

// TestNameHashes: names with accents, in composed or decomposed form,
// and in any case, hash as their keys say on a case-insensitive and on a
// case-sensitive (normalization-insensitive) volume: nothing is left out.
func TestNameHashes(t *testing.T) {
	files := map[string]BuildFile{
		"Café.app/x": {Data: []byte("1")}, "Cafe\u0301s/ÅNGSTRÖM": {Data: []byte("2")}, "straße": {Data: []byte("3")}, "日本語": {Data: []byte("4")},
	}
	for _, cs := range []bool{false, true} {
		v := open(t, build(t, BuildSpec{Files: files, CaseSensitive: cs}))
		if len(v.Problems) > 0 {
			t.Errorf("case-sensitive %v: problems %v", cs, v.Problems)
		}
		for p := range files {
			if _, err := fs.Stat(v, p); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestAttackNameHashMismatch: a directory record whose stored name hash
// is not its name's (macOS's lookup by name, which goes by the hash,
// does not find it, while a listing shows it) is left out and reported.
// Before, hashes were not checked.
func TestAttackNameHashMismatch(t *testing.T) {
	for _, cs := range []bool{false, true} {
		files := map[string]BuildFile{"Example.app/Contents/MacOS/Example": {Data: []byte("payload")}, "README": {Data: []byte("r")}}
		b := build(t, BuildSpec{Files: files, CaseSensitive: cs, edit: func(recs []rec) []rec {
			k := recs[drecOf(recs, "Example")].k
			le.PutUint32(k[8:], le.Uint32(k[8:])^1<<10) // one bit of the hash
			return recs
		}})
		v, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !hasProblem(v, "name hash") || len(v.Problems) != 1 || v.Problems[0].Path != "Example.app/Contents/MacOS/Example" {
			t.Errorf("case-sensitive %v: problems %v", cs, v.Problems)
		}
		if _, err := fs.Stat(v, "Example.app/Contents/MacOS/Example"); err == nil {
			t.Error("the record was kept")
		}
		if _, err := fs.Stat(v, "README"); err != nil {
			t.Error(err)
		}
	}
}
