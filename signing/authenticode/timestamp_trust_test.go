package authenticode

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestTimestampUntrustedAuthorityNamed checks the wording of a timestamp whose
// token verifies but whose authority chains to a root the store does not
// hold: the check and the authenticode/timestamp-invalid finding say the
// timestamp is intact and its authority's chain reaches no trusted root,
// rather than that the timestamp does not verify.
func TestTimestampUntrustedAuthorityNamed(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	tsaRoot := testpki.NewRoot(testpki.Spec{CommonName: "Untrusted TSA Root", KeyN: 16})
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tsa := tsaRoot.Issue(testpki.Spec{CommonName: "Untrusted TSA", KeyN: 17, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}})
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `timestamp intact but its authority's chain does not reach a trusted root (no issuer found for "CN=Untrusted TSA Root"`
	for _, c := range []struct {
		name   string
		legacy bool
		hash   crypto.Hash
		kind   string
	}{{"rfc3161", false, 0, "rfc3161"}, {"legacy", true, crypto.SHA1, "legacy-countersignature"}} {
		t.Run(c.name, func(t *testing.T) {
			signed, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter},
				Stamp: &pefile.Stamp{TSA: tsa, Chain: []*testpki.Cert{tsaRoot}, At: fixtures.Now.AddDate(0, -2, 0), Legacy: c.legacy, Hash: c.hash}})
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, signed, Options{Trust: trust, Time: fixtures.Now})
			// The signer's own chain is trusted at Now: a timestamp that does
			// not count changes nothing here.
			if res.Status != signing.StatusValid {
				t.Fatalf("status %s: %+v", res.Status, res.Signatures[0].Checks)
			}
			ts := res.Signatures[0].Timestamp
			if ts == nil || ts.Verified || !ts.Intact || !strings.HasPrefix(ts.Detail, want) {
				t.Fatalf("timestamp %+v", ts)
			}
			var check string
			for _, ch := range res.Signatures[0].Checks {
				if ch.Name == "timestamp" && !ch.OK {
					check = ch.Detail
				}
			}
			if !strings.HasPrefix(check, c.kind+" "+want) || strings.Contains(check, "does not verify") {
				t.Errorf("timestamp check %q", check)
			}
			var msgs []string
			for _, f := range res.Findings {
				if f.Rule == RuleTimestampInvalid {
					msgs = append(msgs, f.Message)
				}
			}
			if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "signature 0: "+c.kind+" "+want) || strings.Contains(msgs[0], "does not verify") {
				t.Errorf("findings %q", msgs)
			}
		})
	}
}
