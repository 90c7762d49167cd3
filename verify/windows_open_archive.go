package verify

import (
	"io"

	"github.com/shipgate/shipgate/internal/container"
)

// archiveCabinets opens an MSI's external cabinets, or a cabinet's set,
// from among the entries of the zip or tar archive (a tarball's read again
// for it, see release.TarFS) the MSI or cabinet is
// an entry of (its siblings: an MSI in an archive with its data1.cab
// beside it, a set of cabinets zipped together), so that their files are
// checked with the MSI's installed paths and File table, or joined across
// the set, as beside a file on disk. A compressed entry is read into
// memory, taking the memory budget without waiting for it (the MSI's own
// bytes may already hold some): when the budget is short it is checked
// where it lies, as a file of its own, and a note says so. Nil for a
// file with no siblings (an entry of an MSI, an installer).
func (c *check) archiveCabinets() func(name string) (io.ReaderAt, int64, io.Closer, error) {
	sib := c.j.sib
	if sib == nil {
		sib = c.j.cabSib
	}
	if sib == nil || c.j.sibName == "" {
		return nil
	}
	e := c.e
	return container.CabinetArchiveFS(sib, c.j.sibName, func(size int64) (func(), bool) {
		if !e.budget.tryAcquire(size) {
			return nil, false
		}
		return func() { e.budget.release(size) }, true
	})
}

// tryAcquire takes n bytes of the budget when they are free now, without
// waiting for them.
func (b *budget) tryAcquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < 0 || n > b.free {
		return false
	}
	b.free -= n
	return true
}
