package walktest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TreeCase is a release of files, given both as a zip archive and as a
// folder, and the paths of the files a walker lists in it, sorted.
type TreeCase struct {
	Name    string
	Entries []ZipEntry
	Paths   []string
}

// AsarCases returns the releases holding an asar archive with unpacked
// files that verify and sbom are both tested on, as zips (ZipCases) and
// as folders (WriteTree): the asar of an Electron application
// (resources/app.asar) and a loose one. Each asar holds a.js packed, b.js
// unpacked, inner.asar (holding c.js) packed and lib/u.asar (holding e.js)
// unpacked. A walker lists the asar itself, its packed files and the asar
// packed in it (and that asar's file) at their paths in it, and its
// unpacked files (and the asar among them, and its file) at their paths on
// disk, where a user finds them; an unpacked file that differs from the
// integrity the header records is asar/integrity-mismatch there, one that
// is missing file/unreadable.
func AsarCases(t testing.TB) []TreeCase {
	var out []TreeCase
	for _, at := range []string{"resources/app.asar", "plugins/extra.asar"} {
		paths := []string{at, at + ".unpacked/b.js", at + ".unpacked/lib/u.asar", at + ".unpacked/lib/u.asar/e.js", at + "/a.js", at + "/inner.asar", at + "/inner.asar/c.js"}
		out = append(out,
			TreeCase{Name: at + " with unpacked files and asars inside", Entries: asarEntries(t, at, nil), Paths: paths},
			TreeCase{Name: at + " with an unpacked file changed and one missing", Entries: asarEntries(t, at, func(f map[string][]byte) {
				f["b.js"] = []byte("B")
				delete(f, "lib/u.asar")
			}), Paths: []string{at, at + ".unpacked/b.js", at + "/a.js", at + "/inner.asar", at + "/inner.asar/c.js"}},
		)
	}
	return out
}

// asarEntries returns the entries of a release holding the asar of
// AsarCases at path at and its unpacked folder; change, when set, edits
// the unpacked files (by path in the archive) first.
func asarEntries(t testing.TB, at string, change func(map[string][]byte)) []ZipEntry {
	inner, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "c.js", Data: []byte("c")}})
	u, _ := electronfix.PackAsar([]electronfix.AsarFile{{Path: "e.js", Data: []byte("e")}})
	arc, unpacked := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "a.js", Data: []byte("a")},
		{Path: "b.js", Data: []byte("b"), Unpacked: true},
		{Path: "inner.asar", Data: inner},
		{Path: "lib/u.asar", Data: u, Unpacked: true},
	})
	if change != nil {
		change(unpacked)
	}
	entries := []ZipEntry{{Name: at, Data: arc}}
	for _, p := range []string{"b.js", "lib/u.asar"} {
		if b, ok := unpacked[p]; ok {
			entries = append(entries, ZipEntry{Name: at + ".unpacked/" + p, Data: b})
		}
	}
	return entries
}

// WriteTree writes the regular files and symbolic links (a link's Data
// its target) of entries under dir; it skips the test where links cannot
// be made.
func WriteTree(t testing.TB, dir string, entries []ZipEntry) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(dir, filepath.FromSlash(e.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if e.Mode&fs.ModeSymlink != 0 {
			if err := os.Symlink(string(e.Data), p); err != nil {
				t.Skipf("symbolic link %s: %v", e.Name, err)
			}
			continue
		}
		if err := os.WriteFile(p, e.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
