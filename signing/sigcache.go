package signing

import (
	"crypto/sha256"
	"crypto/x509"

	"github.com/shipgate/shipgate/internal/memo"
)

// maxSigCache bounds the signature checks a trust store remembers: a
// release whose files carry thousands of distinct certificates checks the
// ones past it every time.
const maxSigCache = 4096

// sigCache remembers, for a trust store's lifetime, the outcome of
// checking a certificate's signature with an issuer's key, by the two
// certificates' bytes (of which checkSignedBy's outcome is a function):
// the files of a release are mostly signed through the same chains, and
// each would otherwise pay the same RSA checks again.
type sigCache struct {
	m memo.Bounded[[2][sha256.Size]byte, sigResult]
}

// newSigCache returns an empty sigCache holding at most maxSigCache
// outcomes.
func newSigCache() *sigCache {
	return &sigCache{m: memo.Bounded[[2][sha256.Size]byte, sigResult]{Max: maxSigCache}}
}

// checkSignedBy is the package's checkSignedBy, remembered; a nil cache
// remembers nothing.
func (s *sigCache) checkSignedBy(c, p *x509.Certificate) (weak string, err error) {
	if s == nil {
		return checkSignedBy(c, p)
	}
	key := [2][sha256.Size]byte{sha256.Sum256(c.Raw), sha256.Sum256(p.Raw)}
	if r, ok := s.m.Get(key); ok {
		return r.weak, r.err
	}
	weak, err = checkSignedBy(c, p)
	s.m.Put(key, sigResult{weak, err})
	return weak, err
}
