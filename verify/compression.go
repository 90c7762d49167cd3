package verify

import (
	"archive/zip"
	"compress/bzip2"
	"io"
)

// zipMethodBzip2 is the zip compression method of bzip2 (APPNOTE 4.4.5).
const zipMethodBzip2 = 12

// A zip entry compressed with bzip2, which 7-Zip (7z a -tzip -mm=BZip2)
// and WinZip write, is read as archive/zip reads a deflated one: the
// reader stops at the entry's declared size and checks its CRC, so the
// zip-bomb bounds on declared sizes hold. Without it every such entry
// failed as unreadable.
func init() {
	zip.RegisterDecompressor(zipMethodBzip2, func(r io.Reader) io.ReadCloser {
		return io.NopCloser(bzip2.NewReader(r))
	})
}
