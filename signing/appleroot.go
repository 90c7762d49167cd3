package signing

import (
	"bytes"
	"crypto/x509"
	"sync"
)

var (
	appleRootsOnce sync.Once
	appleRootsDER  [][]byte
)

// IsAppleRoot reports whether c is, byte for byte, one of Apple's root CAs
// that shipgate embeds (EmbeddedApple: Apple Root CA, - G2, - G3). Only a
// chain ending at one of them makes the Apple markers and the team ID (the
// subject OU) of its leaf Apple's word: a root given with
// TrustStoreOptions.PEMFiles anchors Apple signatures too, and whoever holds
// its key can issue a "Developer ID" leaf naming any team.
func IsAppleRoot(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	appleRootsOnce.Do(func() {
		roots, err := EmbeddedCertificates(EmbeddedApple)
		if err != nil {
			return
		}
		for _, r := range roots {
			appleRootsDER = append(appleRootsDER, r.Raw)
		}
	})
	for _, r := range appleRootsDER {
		if bytes.Equal(r, c.Raw) {
			return true
		}
	}
	return false
}
