package verify

import (
	"hash/maphash"
	"io"

	"github.com/shipgate/shipgate/internal/release"
)

// zipLocalHeaders returns, by entry index, why an entry's local file
// header disagrees with its central directory record on its name or data
// (release.ZipLocalHeaders, which sbom shares), the central names compared
// by their hashes. A Unicode Path field the local header shares with the
// central record, or one the central record alone has, is no
// disagreement: zipEntries reports it once, from the central record.
func zipLocalHeaders(recs []zipRec, ra io.ReaderAt, size int64) map[int]release.ZipLocalProblem {
	entry := func(i int) release.ZipLocalEntry {
		return release.ZipLocalEntry{DataOffset: recs[i].off, Compressed: recs[i].comp, Method: recs[i].method, Host: recs[i].host, ExternalAttrs: recs[i].ext}
	}
	return release.ZipLocalHeaders(len(recs), entry, ra, size, func(i int, local []byte, up string) bool {
		if maphash.Bytes(zipNameSeed, local) != recs[i].name {
			return false
		}
		return up == "" || recs[i].hasUp && zipNameHash(up) == recs[i].up
	})
}
