package walktest

import (
	"io/fs"
	"testing"
)

// LinkCases returns the releases holding symbolic links that verify and
// sbom are both tested on, as zips (ZipCases) and as folders (WriteTree):
// a link to a file inside the release is no file of its own (the file it
// reaches is listed at its path), one to nothing is no finding, and none
// is followed out of it: a link whose target leaves the release, directly
// or through another link, is file/symlink-escape.
func LinkCases(t testing.TB) []TreeCase {
	link := func(name, target string) ZipEntry {
		return ZipEntry{Name: name, Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
	}
	files := []ZipEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "lib/b.txt", Data: []byte("b")}}
	with := func(more ...ZipEntry) []ZipEntry { return append(append([]ZipEntry(nil), files...), more...) }
	return []TreeCase{
		{Name: "links inside", Entries: with(link("lib/a.txt", "../a.txt"), link("c.txt", "lib/b.txt"), link("lib2", "lib")),
			Paths: []string{"a.txt", "lib/b.txt"}},
		{Name: "link out", Entries: with(link("lib/out.txt", "../../outside.txt")), Paths: []string{"a.txt", "lib/b.txt"}},
		{Name: "link to nothing", Entries: with(link("lib/gone.txt", "missing.txt")), Paths: []string{"a.txt", "lib/b.txt"}},
		{Name: "link out through a link", Entries: with(link("up", ".."), link("lib/sneaky.txt", "../up/outside.txt")), Paths: []string{"a.txt", "lib/b.txt"}},
	}
}
