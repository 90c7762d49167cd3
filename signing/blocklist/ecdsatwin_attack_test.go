package blocklist

import (
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// malleate returns cert with its ECDSA signature's s replaced by n−s, the
// other value that verifies: a certificate anyone can make from a public
// one, with the same TBSCertificate and issuer signature, and another
// thumbprint.
func malleate(t *testing.T, cert *x509.Certificate, curve elliptic.Curve) *x509.Certificate {
	t.Helper()
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(cert.Signature, &sig); err != nil {
		t.Fatal(err)
	}
	sig.S = new(big.Int).Sub(curve.Params().N, sig.S)
	sigDER, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	tbs, alg := certParts(t, cert.Raw)
	return joinCert(t, tbs, alg, sigDER, "twin")
}

// TestAttackECDSAMalleatedThumbprint checks that a thumbprint entry
// (cert-sha1, cert-sha256) still blocks a certificate whose issuer signed
// it with ECDSA once its signature is malleated: (r, n−s) verifies as
// (r, s) does, so anyone can turn a revoked certificate into a twin with
// the same TBSCertificate, the same chain and another thumbprint, and
// sign with the revoked key unblocked. Thumbprint lookups also try each
// twin's.
func TestAttackECDSAMalleatedThumbprint(t *testing.T) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "ECDSA Root", KeyKind: testpki.ECDSA, KeyN: 5})
	leaf := root.Issue(testpki.Spec{CommonName: "Revoked ECDSA Signer", KeyKind: testpki.ECDSA, KeyN: 6})
	twin := malleate(t, leaf.Cert, elliptic.P256())
	if err := twin.CheckSignatureFrom(root.Cert); err != nil {
		t.Fatalf("twin does not verify: %v", err)
	}
	orig, tw := signing.NewIdentity(leaf.Cert), signing.NewIdentity(twin)
	if orig.SHA256 == tw.SHA256 || orig.TBS.SHA256 != tw.TBS.SHA256 {
		t.Fatal("twin should differ in thumbprint only")
	}
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	if r := ts.VerifyChain(twin, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning}); !r.Trusted {
		t.Fatalf("twin's chain is not trusted (%s): the attack needs it trusted", r.Problem)
	}
	for _, tc := range []struct {
		name       string
		listed, by signing.Identity
	}{{"original listed", orig, tw}, {"twin listed", tw, orig}} {
		for _, e := range []Entry{{Kind: KindCertSHA256, Value: tc.listed.SHA256}, {Kind: KindCertSHA1, Value: tc.listed.SHA1}} {
			l := New()
			if err := l.Add(e); err != nil {
				t.Fatal(err)
			}
			if hits := l.MatchChain([]signing.Identity{tc.by, signing.NewIdentity(root.Cert)}, testpki.Epoch, false, PolicyAny); len(hits) != 1 {
				t.Errorf("%s, %s: %d hits, want 1", tc.name, e.Kind, len(hits))
			}
		}
	}
	// Another certificate of the same issuer is not matched.
	other := signing.NewIdentity(root.Issue(testpki.Spec{CommonName: "Other ECDSA Signer", KeyKind: testpki.ECDSA, KeyN: 7}).Cert)
	l := New()
	if err := l.Add(Entry{Kind: KindCertSHA256, Value: orig.SHA256}); err != nil {
		t.Fatal(err)
	}
	if hits := l.MatchChain([]signing.Identity{other}, testpki.Epoch, false, PolicyAny); len(hits) != 0 {
		t.Errorf("another certificate matched: %v", hits)
	}
}
