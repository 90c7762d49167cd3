package verify

import (
	"io"

	"github.com/shipgate/shipgate/signing"
)

// windowsAhead is the walk of an MSI's or a cabinet's files
// (walkWindows) that its verifier ran while computing the digest: the
// walk's findings wait here for openContents, which adds them where the
// walk used to run.
type windowsAhead struct {
	ran   bool
	finds []signing.Finding
}

// walkAlongside returns, for an MSI or a cabinet, the function its
// verifier runs while it computes the digest
// (authenticode.Options.Alongside), which checks the files it carries, of
// size bytes at ra, as openWindows does; nil for any other kind, or a
// file already found malformed (an archive entry shorter than its header
// says).
//
// Why: an MSI's report needs three hashes of nearly every byte that none
// can be derived from: the file's SHA-256, the Authenticode digest over
// its streams, and each installed file's SHA-256 over the cabinets'
// contents. The first two ran together, one core each, and the walk
// after them, so a stored 200 MB MSI took two SHA-256 passes of wall
// time on two cores; run together, the three take 1.5
// (BenchmarkMSIVsSHA256); a cabinet's likewise. The verifier runs it only
// once it cannot find the file malformed (nothing but an I/O error
// follows), so the files
// are checked exactly when openWindows would have checked them. The walk
// touches what openWindows touches and the verifier does not: the
// engine, the check's entries and cleanup, and its own findings, kept
// here until the walk's place in the check's order.
func (c *check) walkAlongside(ra io.ReaderAt, size int64) func() {
	if (c.f.Kind != KindMSI && c.f.Kind != KindCAB) || c.malformed {
		return nil
	}
	a := &windowsAhead{}
	c.ahead = a
	return func() {
		a.ran = true
		c.walkWindows(ra, size, func(f signing.Finding) { a.finds = append(a.finds, f) })
	}
}
