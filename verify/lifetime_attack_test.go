package verify

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// TestAttackLifetimeSigningTimestampAgainstRevocation: a leaf with
// Authenticode's lifetime-signing usage (1.3.6.1.4.1.311.10.3.13) lets no
// timestamp date its signatures, and the chain was already judged at now;
// but the blocklists still took the timestamp's time, so a certificate
// revoked (reason superseded, policy windows) after the token's time and
// before now passed, where Windows, ignoring the timestamp, refuses it. The
// timestamp is disregarded now and the revocation applies. The same
// signature by a leaf without the usage stays valid: its timestamp predates
// the revocation.
func TestAttackLifetimeSigningTimestampAgainstRevocation(t *testing.T) {
	t.Parallel()
	p := newTSAPKI(t)
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 3}, {1, 3, 6, 1, 4, 1, 311, 10, 3, 13}})
	if err != nil {
		t.Fatal(err)
	}
	lifetime := p.root.Issue(testpki.Spec{CommonName: "Vendor With Lifetime Signing", KeyN: 10,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: eku}}})
	for _, c := range []struct {
		leaf    *testpki.Cert
		revoked bool
	}{{lifetime, true}, {p.leafLong, false}} {
		img, err := pefile.Build(pefile.Spec{})
		if err != nil {
			t.Fatal(err)
		}
		st := &pefile.Stamp{TSA: p.tsa, Chain: []*testpki.Cert{p.tsaCA}, At: p.stampAt}
		b, err := pefile.SignAttach(img, pefile.SignSpec{Signer: c.leaf, Certs: []*testpki.Cert{p.root}, Stamp: st})
		if err != nil {
			t.Fatal(err)
		}
		list := blocklist.New()
		if err := list.Add(blocklist.Entry{Kind: blocklist.KindCertSHA256, Value: signing.NewIdentity(c.leaf.Cert).SHA256,
			RevokedAt: &p.signerRevoked, Reason: blocklist.ReasonSuperseded, Source: "crl"}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"app.exe": b})
		pol := &Policy{Trust: Trust{RevocationPolicy: "windows"}}
		r := run(t, Options{Trust: p.trust, Time: p.now, Blocklist: list, Policy: pol}, filepath.Join(dir, "app.exe"))
		f := fileByPath(r, "app.exe")
		if f == nil || len(f.Signatures) != 1 || f.Signatures[0].Timestamp == nil || !f.Signatures[0].Timestamp.Verified {
			t.Fatalf("%s: want one signature with a verified timestamp, got %+v", c.leaf.Cert.Subject.CommonName, f)
		}
		s := f.Signatures[0]
		if got := s.Status == signing.StatusRevoked && has(rulesFor(r, "app.exe"), "error signer/blocklisted"); got != c.revoked {
			t.Errorf("%s: revoked %v (status %s, findings %q), want %v", c.leaf.Cert.Subject.CommonName, got, s.Status, rulesFor(r, "app.exe"), c.revoked)
		}
		if c.revoked && s.Timestamp.Counts() {
			t.Errorf("%s: the timestamp counts", c.leaf.Cert.Subject.CommonName)
		}
	}
}
