package verify

import (
	"archive/zip"
	"strings"
)

// zipRec is what the checks of a whole zip archive need of one entry:
// its name, where its data starts (-1 when its local header cannot be
// read) and its sizes.
type zipRec struct {
	name         string
	off          int64
	comp, uncomp uint64
	dir          bool // a directory by its attributes
	// bundle says the entry is named Info.plist, which may make its
	// folder an Apple bundle.
	bundle bool
}

// zipRecords returns the records of zr's entries, in order.
func zipRecords(zr *zip.Reader, size int64) []zipRec {
	recs := make([]zipRec, len(zr.File))
	for i, zf := range zr.File {
		recs[i] = zipRecord(zf)
	}
	return recs
}

func zipRecord(zf *zip.File) zipRec {
	off, err := zf.DataOffset()
	if err != nil {
		off = -1
	}
	n := strings.TrimSuffix(zf.Name, "/")
	return zipRec{name: zf.Name, off: off, comp: zf.CompressedSize64, uncomp: zf.UncompressedSize64, dir: zf.Mode().IsDir(),
		bundle: n == "Info.plist" || strings.HasSuffix(n, "/Info.plist")}
}
