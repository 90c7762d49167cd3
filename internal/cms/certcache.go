package cms

import (
	"bytes"
	"crypto/x509"

	"github.com/shipgate/shipgate/internal/memo"
)

// maxCertCache bounds the parsed certificates remembered; certificates met
// after it is full are parsed every time.
const maxCertCache = 1024

// maxCachedCert is the longest certificate remembered: a hostile signature
// cannot fill the cache with megabytes.
const maxCachedCert = 16 << 10

// parsedCerts remembers, for the process's lifetime, the certificates the
// SignedData of every file carries: a release's files are signed through
// the same chains (leaf, intermediates, the timestamp authority's), and each
// parsed the same DER again.
var parsedCerts = certCache{m: memo.Bounded[string, *x509.Certificate]{Max: maxCertCache}}

// certCache maps a certificate's whole DER (the complete input of
// x509.ParseCertificate, compared byte for byte, not by a digest) to the
// certificate parsed from a private copy of it. Only certificates that
// parse are remembered: a bad one is parsed, and reported, every time.
type certCache struct {
	m memo.Bounded[string, *x509.Certificate]
}

// parse returns x509.ParseCertificate(der), remembered. Each call returns a
// certificate of its own (a shallow copy: callers tell the certificates of a
// SignedData apart by pointer, and nothing here writes to a parsed
// certificate's slices), whose Raw is the cache's copy of der, not der: a
// caller's buffer may be reused.
func (cc *certCache) parse(der []byte) (*x509.Certificate, error) {
	if len(der) > maxCachedCert {
		return x509.ParseCertificate(der)
	}
	c, ok := cc.m.Get(string(der))
	if !ok {
		var err error
		if c, err = x509.ParseCertificate(bytes.Clone(der)); err != nil {
			return nil, err
		}
		cc.m.Put(string(der), c)
	}
	cp := *c
	return &cp, nil
}
