package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackNamePinUnderForeignRoot: a signers entry with a subject and
// issuer only is met by any CA the trust store holds that issues those
// names (here a company root given in trust.roots, whose CA is named like
// Apple's Developer ID CA): the forged binary passed the pin, as the
// policy docs say it does, without a word. The entry is now reported
// (policy/signer-name-only, a warning, once per entry), naming the roots
// the allowed chains end at (two here, which it points out); an entry
// bound by root gives none.
func TestAttackNamePinUnderForeignRoot(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	corp := testpki.NewRoot(testpki.Spec{CommonName: "Corp Root CA", Organization: "Corp", KeyN: 74})
	ca := corp.Issue(testpki.Spec{CommonName: f.apple.CA.Cert.Subject.CommonName, Organization: f.apple.CA.Cert.Subject.Organization[0], CA: true, KeyN: 75, ExtraExtensions: machofile.DeveloperIDCAExtensions()})
	real := f.apple.Leaf.Cert.Subject
	leaf := ca.Issue(testpki.Spec{CommonName: real.CommonName, Organization: real.Organization[0], OrganizationalUnit: real.OrganizationalUnit[0], KeyN: 76, ExtraExtensions: machofile.DeveloperIDLeafExtensions()})
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.CMS = machofile.Signer{Leaf: leaf, Chain: []*testpki.Cert{ca}, SigningTime: machofile.SignTime}.CMS
	forged, _, err := machofile.Sign(f.machoUnsigned, spec)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{bytes.Join([][]byte{f.apple.Root.PEM(), corp.PEM()}, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	id := signing.NewIdentity(f.apple.Leaf.Cert)
	rootID, corpID := signing.NewIdentity(f.apple.Root.Cert), signing.NewIdentity(corp.Cert)
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		root  string
		want  []string // in the finding's message; nil: no finding
	}{
		{"forged beside the vendor's", map[string][]byte{"MacOS/forged": forged, "MacOS/app": f.machoValid}, "", []string{"2 file(s)", rootID.SHA256, corpID.SHA256, "different roots"}},
		{"vendor's only", map[string][]byte{"MacOS/app": f.machoValid}, "", []string{"1 file(s)", "first: MacOS/app", rootID.SHA256, "add `root:`"}},
		{"bound by root", map[string][]byte{"MacOS/app": f.machoValid}, rootID.SHA256, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{Subject: id.Subject, Issuer: id.Issuer, Root: tc.root}}}}}
			r := run(t, Options{Policy: pol, Trust: trust}, dir)
			var got []signing.Finding
			for _, x := range r.Findings {
				if x.Rule == RuleSignerNameOnly {
					got = append(got, x)
				}
			}
			if tc.want == nil {
				if len(got) != 0 {
					t.Fatalf("findings %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Severity != signing.SeverityWarning || got[0].Path != "" {
				t.Fatalf("findings %+v, want one warning about no file", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0].Message, w) {
					t.Errorf("message %q lacks %q", got[0].Message, w)
				}
			}
		})
	}
}
