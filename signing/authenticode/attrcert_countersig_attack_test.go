package authenticode

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackAttributeCertificateBesideForgedCountersignature: the
// attribute certificate tolerated beside a legacy countersignature must not
// be bought by adding one: unsigned attributes are covered by no
// signature, so anyone can add a countersignature attribute to a
// vendor-signed file, then an attribute certificate carrying ~900 bytes:
// one that did not even parse bought it, and the file stayed valid with two
// warnings about the 2 bytes of the attribute. The countersignature must now
// verify with a certificate on a verified chain (the legitimate case stays
// valid: TestAttackAttributeCertificateInSignature).
func TestAttackAttributeCertificateBesideForgedCountersignature(t *testing.T) {
	p := fixtures.NewPKI()
	trust := fixtureTrust(t)
	for _, tc := range []struct {
		name  string
		stamp *pefile.Stamp
		value []byte
	}{
		{name: "empty sequence, no timestamp", value: []byte{0x30, 0x00}},
		{name: "empty sequence, RFC 3161 timestamp", stamp: &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -1, 0)}, value: []byte{0x30, 0x00}},
		{name: "null, no timestamp", value: []byte{0x05, 0x00}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := verifyWithAttrCert(t, p, trust, tc.stamp, []testpki.Attr{{Type: cms.OIDAttrCounterSign, Values: [][]byte{tc.value}}})
			if res.Status != signing.StatusInvalid || !hasRule(res, RuleUnusedCertificate) {
				t.Errorf("status %s, want invalid with %s; findings %+v", res.Status, RuleUnusedCertificate, res.Findings)
			}
		})
	}
}
