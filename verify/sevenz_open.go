package verify

import (
	"bytes"
	"io"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// is7z reports whether hdr, a file's first bytes, starts a 7-Zip archive.
func is7z(hdr []byte) bool { return bytes.HasPrefix(hdr, []byte(sevenz.Signature)) }

// open7z checks the files of the 7-Zip archive the file is (electron-builder's
// app-64.7z inside its NSIS installer), one after the other, under the
// archive's path, as internal/container walks them, within the same
// nesting and expansion limits as zip archives. It reports whether the
// archive was dealt with (opened, or reported), so that it is not reported
// again as an unchecked archive: always.
func (c *check) open7z(ra io.ReaderAt, size int64) bool {
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, release.TooDeepMessage(c.j.depth, "checked"))
		return true
	}
	c.walkContainer(container.SevenZip, ra, size)
	return true
}
