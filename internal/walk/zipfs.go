package walk

import (
	"archive/zip"
	"io/fs"
	"strings"
)

// ZipFS returns the paths of zr's entries and zr as a file system over
// them, both under the names the walkers list the entries by
// (NameZipEntry: the names extractors write). Go's reader names an entry
// by its raw header name, which is no valid path for a name in code page
// 437 (no UTF-8 flag) and not the written one for a name a Unicode Path
// extra field gives: what a walker looks up beside an entry (an Apple
// bundle's files, a Sigstore bundle, a cabinet of a set or an MSI's
// external cabinet), under the entry's listed name, is looked up here, so
// that an entry so named finds its siblings. When every name is its raw
// one (any ASCII-named archive), the file system is zr itself; else a
// reader over copies of the entries, each renamed, that opens them
// through zr's records and decompressors.
func ZipFS(zr *zip.Reader) ([]string, *zip.Reader) {
	names := make([]string, 0, len(zr.File))
	same := true
	for _, zf := range zr.File {
		n := NameZipEntry(zf)
		if !n.OK || n.Path == "" {
			same = same && !validRaw(zf.Name)
			continue
		}
		names = append(names, n.Path)
		same = same && n.Path == strings.TrimSuffix(zf.Name, "/")
	}
	if same {
		return names, zr
	}
	files := make([]*zip.File, 0, len(names))
	for _, zf := range zr.File {
		n := NameZipEntry(zf)
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
	return names, &zip.Reader{File: files}
}

// validRaw says Go's reader gives the entry named name a path in its file
// system: one the walkers do not list makes zr's own file system differ.
func validRaw(name string) bool {
	n := strings.TrimSuffix(name, "/")
	return n != "" && n != "." && fs.ValidPath(n)
}
