package git

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrObjectHashMismatch is wrapped by the error for an object whose content
// does not hash to the id it was read by: an object file (loose, or an
// entry a pack index points to) replaced in the audited repository, which
// would show the audit other content than the commit its id pins (in a
// signed tag, or a build of that id from another copy). The audit refuses
// to go on.
var ErrObjectHashMismatch = errors.New("object content does not hash to its id")

// checkObjectHash checks that an object of type typ and content b has id h.
func checkObjectHash(h plumbing.Hash, typ plumbing.ObjectType, b []byte) error {
	d := newObjectHasher(typ, int64(len(b)))
	d.Write(b)
	return d.check(h)
}

// objectChecker is checkObjectHash for a reader that checks many objects,
// one goroutine at a time: one hasher and one scratch buffer serve them all,
// where checkObjectHash allocates a hasher, its header and the digest for
// each. The zero value is ready to use.
type objectChecker struct {
	d   hash.Hash
	buf []byte
}

// check is checkObjectHash(h, typ, b).
func (c *objectChecker) check(h plumbing.Hash, typ plumbing.ObjectType, b []byte) error {
	if c.d == nil {
		c.d, c.buf = sha1.New(), make([]byte, 0, 64)
	}
	c.d.Reset()
	hdr := append(c.buf[:0], typ.String()...)
	hdr = append(hdr, ' ')
	hdr = strconv.AppendInt(hdr, int64(len(b)), 10)
	hdr = append(hdr, 0)
	c.d.Write(hdr)
	c.d.Write(b)
	c.buf = c.d.Sum(hdr[:0])
	if plumbing.Hash(c.buf) != h {
		var got plumbing.Hash
		copy(got[:], c.buf)
		return fmt.Errorf("git: object %s: %w: its content hashes to %s", h, ErrObjectHashMismatch, got)
	}
	return nil
}

// objectHasher computes an object's id from its content, written to it.
type objectHasher struct{ hash.Hash }

// newObjectHasher returns an objectHasher for an object of type typ and
// size bytes.
func newObjectHasher(typ plumbing.ObjectType, size int64) objectHasher {
	d := sha1.New()
	d.Write(typ.Bytes())
	d.Write([]byte{' '})
	d.Write(strconv.AppendInt(nil, size, 10))
	d.Write([]byte{0})
	return objectHasher{d}
}

// check returns an error wrapping ErrObjectHashMismatch unless the content
// written hashes to h.
func (d objectHasher) check(h plumbing.Hash) error {
	var got plumbing.Hash
	d.Sum(got[:0])
	if got != h {
		return fmt.Errorf("git: object %s: %w: its content hashes to %s", h, ErrObjectHashMismatch, got)
	}
	return nil
}
