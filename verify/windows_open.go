package verify

import (
	"bytes"
	"io"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// hasWindowsContainerMagic reports a cabinet or compound file header: a
// streamed entry that starts so is held for random access, to be verified
// and opened as MSI and CAB files are.
func hasWindowsContainerMagic(hdr []byte) bool {
	return bytes.HasPrefix(hdr, []byte("MSCF")) || bytes.HasPrefix(hdr, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
}

// openWindows checks the files a cabinet or MSI file carries, after its
// own signature was verified (while it is: walkAlongside), as
// internal/container walks them (the walker
// sbom inventories them with): a cabinet's files under its path, an MSI's
// embedded cabinets' files under setup.msi/<cabinet>/<installed path>,
// its binary-column streams (custom actions, icons) under
// setup.msi/<table>/<key>, and what its storages hold (a nested
// database's files, a level deeper) under setup.msi/<storage>/…, a nested
// database's own signature at setup.msi/<storage> (nested_signature.go). They are checked one after the other as they are
// read, as a tarball's entries are, within the same nesting and expansion
// limits as zip archives.
func (c *check) openWindows(ra io.ReaderAt, size int64) {
	c.walkWindows(ra, size, func(f signing.Finding) { c.finds = append(c.finds, f) })
}

// walkWindows is openWindows with the walk's findings given to sink.
func (c *check) walkWindows(ra io.ReaderAt, size int64, sink func(signing.Finding)) {
	if c.j.depth >= maxDepth {
		sink(finding(ruleUnreadable, signing.SeverityError, c.f.Path, release.TooDeepMessage(c.j.depth, "checked")))
		return
	}
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	k := container.CAB
	if c.f.Kind == KindMSI {
		k = container.MSI
	}
	container.Walk(c.e.ctx, k, ra, size, c.f.Path, x, container.Visitor{
		Entry: func(en container.Entry) {
			// A nested database's files lie deeper (en.Nested).
			c.entryJob(&job{path: en.Path, size: en.Size, src: en.Source, depth: c.j.depth + 1 + en.Nested, expand: x, held: c.j.held})
		},
		Finding:        sink,
		SignedDatabase: func(sd container.SignedDatabase) { c.nestedSignature(ra, size, sd) },
		Cabinet:        c.cabinets(),
		Depth:          c.j.depth,
	})
}

// entry checks one file an opened cabinet or MSI holds, now.
func (c *check) entry(p string, src release.Source, size int64, x *expansion) {
	c.entryJob(&job{path: p, size: size, src: src, depth: c.j.depth + 1, expand: x, held: c.j.held})
}

// entryJob checks the file of a container that job j, set up as entry
// sets it up, describes.
func (c *check) entryJob(j *job) {
	c.e.mu.Lock()
	if c.e.walked == nil {
		c.e.walked = map[string]int{}
	}
	c.e.walked[j.path]++
	c.e.mu.Unlock()
	if c.memHeld {
		j.held += c.f.Size
	}
	// The file may be read through the container's bytes (an MSI's
	// stream, an NSIS installer's stored block), and, when it is an
	// archive, its entries checked on other workers after this check
	// ends: the container's bytes are kept until they are, as a
	// tarball's are (TestContainerKeptOpenForZipEntries).
	if c.entries == nil {
		c.entries, _ = c.holdForEntries()
	}
	c.entries.add()
	j.onDone = c.entries.release
	c.e.process(j)
	j.finish()
}

// pathElem makes a name from an MSI table one element of a report path
// (see container.PathElem).
func pathElem(s string) string { return container.PathElem(s) }

// cabinets opens the external cabinets of an MSI, and the other cabinets
// of a cabinet's set, from beside it (sbom opens the same ones): beside a
// file on disk, of the release folder or given alone; beside an entry of a
// zip or tar archive, among the archive's entries, a compressed one read
// into memory under the memory budget (windows_open_archive.go).
func (c *check) cabinets() func(name string) (io.ReaderAt, int64, io.Closer, error) {
	if _, disk := c.j.src.(release.Disk); disk && c.j.depth == 0 {
		return container.CabinetFS(c.j.sib, c.j.sibName)
	}
	return c.archiveCabinets()
}
