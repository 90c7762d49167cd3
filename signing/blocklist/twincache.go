package blocklist

import (
	"sync/atomic"

	"github.com/shipgate/shipgate/internal/memo"
	"github.com/shipgate/shipgate/signing"
)

// maxTwinCache bounds the certificates whose twin thumbprints are
// remembered; certificates met after it is full are computed every time.
const maxTwinCache = 1024

// maxCachedTwinCert is the longest certificate whose twin thumbprints are
// remembered: a hostile signature cannot fill the cache with megabytes.
const maxCachedTwinCert = 16 << 10

// twins remembers, for the process's lifetime, the twin thumbprints of the
// certificates matched against a blocklist: every file of a release is
// signed through the same chain, whose twins were re-encoded and hashed
// again, three curves and two digests each, at every match.
var twins = twinCache{m: memo.Bounded[string, twinPrints]{Max: maxTwinCache}}

// twinPrints is what twinThumbprints returns for one certificate.
type twinPrints struct{ sha1s, sha256s []string }

// twinCache maps a certificate's whole DER (compared byte for byte: the
// twins are derived from nothing else) to its twin thumbprints.
type twinCache struct {
	m memo.Bounded[string, twinPrints]
	// computed counts the calls of twinThumbprints, for tests.
	computed atomic.Int64
}

// thumbprints returns twinThumbprints(id), remembered. The slices are
// shared and must not be modified. A certificate without its DER (built by
// hand, not parsed) is computed every time.
func (tc *twinCache) thumbprints(id *signing.Identity) (sha1s, sha256s []string) {
	c := id.Certificate
	if c == nil || len(c.Raw) == 0 || len(c.Raw) > maxCachedTwinCert {
		tc.computed.Add(1)
		return twinThumbprints(id)
	}
	if p, ok := tc.m.Get(string(c.Raw)); ok {
		return p.sha1s, p.sha256s
	}
	tc.computed.Add(1)
	sha1s, sha256s = twinThumbprints(id)
	tc.m.Put(string(c.Raw), twinPrints{sha1s, sha256s})
	return sha1s, sha256s
}
