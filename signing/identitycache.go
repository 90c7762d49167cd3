package signing

import (
	"crypto/x509"

	"github.com/shipgate/shipgate/internal/memo"
)

// maxIdentityCache bounds the identities remembered; certificates met after
// it is full are described every time.
const maxIdentityCache = 1024

// maxCachedIdentityCert is the longest certificate whose identity is
// remembered: a hostile signature cannot fill the cache with megabytes.
const maxCachedIdentityCert = 16 << 10

// identities remembers, for the process's lifetime, the identities of the
// certificates the files of a release are signed through: each file's
// signer, chain and timestamp authority were described again, seven
// digests and two names each.
var identities = identityCache{m: memo.Bounded[string, Identity]{Max: maxIdentityCache}}

// identityCache maps a certificate's whole DER (compared byte for byte,
// not by a digest: every field of an Identity is derived from the
// certificate parsed from it) to its Identity, without the Certificate,
// which is the caller's.
type identityCache struct {
	m memo.Bounded[string, Identity]
}

// describe returns newIdentity(cert), remembered. A certificate without
// its DER (built by hand, not parsed) is described every time.
func (ic *identityCache) describe(cert *x509.Certificate) Identity {
	if len(cert.Raw) == 0 || len(cert.Raw) > maxCachedIdentityCert {
		return newIdentity(cert)
	}
	id, ok := ic.m.Get(string(cert.Raw))
	if !ok {
		id = newIdentity(cert)
		id.Certificate = nil
		ic.m.Put(string(cert.Raw), id)
	}
	id.Certificate = cert
	return id
}
