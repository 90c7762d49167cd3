package verify

import (
	"archive/zip"
	"io/fs"
	"strings"

	"github.com/shipgate/shipgate/internal/walk"
)

// zipBundleFS returns the paths of zr's entries and zr as a file system
// over them, both under the names the walkers list the entries by
// (walk.NameZipEntry: the names extractors write), for its Apple bundles
// to be found and checked under the paths their files are listed at. Go's
// reader names an entry by its raw header name, which is no valid path
// for a name in code page 437 (no UTF-8 flag) and not the written one for
// a name a Unicode Path extra field gives: an app so named was found as
// no bundle and its seal never checked. When every name is its raw one
// (any ASCII-named archive), the file system is zr's own.
func zipBundleFS(zr *zip.Reader) ([]string, zipLinkFS) {
	names := make([]string, 0, len(zr.File))
	same := true
	for _, zf := range zr.File {
		n := walk.NameZipEntry(zf)
		if !n.OK || n.Path == "" {
			same = same && !validRaw(zf.Name)
			continue
		}
		names = append(names, n.Path)
		same = same && n.Path == strings.TrimSuffix(zf.Name, "/")
	}
	if same {
		return names, zipLinkFS{zr}
	}
	// A reader over copies of the entries, each renamed: its file system
	// opens them through the original's records and decompressors.
	files := make([]*zip.File, 0, len(names))
	for _, zf := range zr.File {
		n := walk.NameZipEntry(zf)
		if !n.OK || n.Path == "" {
			continue
		}
		c := *zf
		c.Name = n.Path
		if n.Dir {
			c.Name += "/"
		}
		files = append(files, &c)
	}
	return names, zipLinkFS{&zip.Reader{File: files}}
}

// validRaw says Go's reader gives the entry named name a path in its file
// system: one the walkers do not list makes zr's own file system differ.
func validRaw(name string) bool {
	n := strings.TrimSuffix(name, "/")
	return n != "" && n != "." && fs.ValidPath(n)
}
