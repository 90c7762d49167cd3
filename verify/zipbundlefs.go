package verify

import (
	"archive/zip"

	"github.com/shipgate/shipgate/internal/walk"
)

// zipBundleFS returns the paths of zr's entries and zr as a file system
// over them, both under the names the walkers list the entries by
// (walk.ZipFS), for its Apple bundles to be found and checked under the
// paths their files are listed at, and its entries' siblings (Sigstore
// bundles, cabinets) found under the names they are listed by.
func zipBundleFS(zr *zip.Reader) ([]string, zipLinkFS) {
	names, named := walk.ZipFS(zr)
	return names, zipLinkFS{named}
}
