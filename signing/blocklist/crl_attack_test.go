package blocklist

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// invalidityDate encodes the CRL entry extension invalidityDate
// (2.5.29.24) at t.
func invalidityDate(t *testing.T, at time.Time) pkix.Extension {
	t.Helper()
	v, err := asn1.MarshalWithParams(at.UTC(), "generalized")
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 24}, Value: v}
}

// TestAttackCRLInvalidityDateEarlierThanRevocation checks that a CRL entry
// whose invalidityDate precedes its revocation date blocks signatures
// timestamped in between: RFC 5280 §5.3.2 makes the invalidity date the
// moment the key is known or suspected to be compromised (or the
// certificate otherwise invalid), which a CA gives when it revokes a
// certificate whose key was used by someone else before anyone noticed, as
// with the 3CX builds signed by the vendor's own pipeline. The revocation
// date alone let those builds pass as made before the revocation.
func TestAttackCRLInvalidityDateEarlierThanRevocation(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Revoked Signer", big.NewInt(0x3c3c))
	revokedAt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	invalidFrom := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	der := makeCRL(t, pki.root, []x509.RevocationListEntry{{
		SerialNumber: big.NewInt(0x3c3c), RevocationTime: revokedAt, ReasonCode: int(ReasonSuperseded),
		ExtraExtensions: []pkix.Extension{invalidityDate(t, invalidFrom)},
	}, {
		// An invalidity date after the revocation date changes nothing.
		SerialNumber: big.NewInt(0x3c3d), RevocationTime: revokedAt, ReasonCode: int(ReasonSuperseded),
		ExtraExtensions: []pkix.Extension{invalidityDate(t, revokedAt.AddDate(0, 1, 0))},
	}}, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	now := time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	l, err := Parse(bytes.NewReader(der), "root.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	chain := []signing.Identity{signing.NewIdentity(pki.leaf.Cert), signing.NewIdentity(pki.root.Cert)}
	between := invalidFrom.AddDate(0, 1, 0)
	hits := l.MatchChain(chain, between, true, PolicyStrict)
	if len(hits) != 1 {
		t.Fatalf("signature timestamped %s, after the invalidity date %s and before the revocation date %s, not blocked",
			between, invalidFrom, revokedAt)
	}
	if f := hits[0].Finding(); !strings.Contains(f.Message, "invalidity date 2024-03-01T00:00:00Z") {
		t.Errorf("finding does not name the invalidity date: %s", f.Message)
	}
	if hits := l.MatchChain(chain, invalidFrom.AddDate(0, 0, -1), true, PolicyStrict); len(hits) != 0 {
		t.Errorf("signature timestamped before the invalidity date blocked: %v", hits)
	}
	if hits := l.MatchChain(chain, now, false, PolicyStrict); len(hits) != 1 {
		t.Errorf("untimestamped signature not blocked: %v", hits)
	}
	// Windows judges by the revocation date alone, and so does policy windows.
	if hits := l.MatchChain(chain, between, true, PolicyWindows); len(hits) != 0 {
		t.Errorf("policy windows blocked before the revocation date: %v", hits)
	}
	if e := l.Entries()[0]; e.InvalidAt == nil || !e.InvalidAt.Equal(invalidFrom) || !e.RevokedAt.Equal(revokedAt) {
		t.Errorf("entry %+v", e)
	}
	if e := l.Entries()[1]; e.InvalidAt != nil {
		t.Errorf("an invalidity date after the revocation date was kept: %+v", e)
	}
}

// TestCRLBadInvalidityDate checks that an invalidityDate that does not
// parse fails the load rather than being ignored.
func TestCRLBadInvalidityDate(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t, "Revoked Signer", big.NewInt(0x3c3c))
	der := makeCRL(t, pki.root, []x509.RevocationListEntry{{
		SerialNumber: big.NewInt(0x3c3c), RevocationTime: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 24}, Value: []byte{0x04, 0x01, 0x00}}},
	}}, time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	_, err := Parse(bytes.NewReader(der), "root.crl", LoadOptions{CRLIssuer: pki.root.Cert, Now: time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)})
	if err == nil || !strings.Contains(err.Error(), "invalidityDate") {
		t.Fatalf("err %v", err)
	}
}
