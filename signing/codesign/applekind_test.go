package codesign

import (
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// signedBy signs a thin Mach-O with leaf (issued by ca, itself issued by
// the fixture root) and verifies it trusting the fixture root.
func signedBy(t *testing.T, leaf, ca *testpki.Cert) *Result {
	t.Helper()
	p := machofile.NewPKI()
	signer := p.Signer()
	signer.Leaf, signer.Chain = leaf, []*testpki.Cert{ca}
	spec := p.DeveloperIDSpec("com.example.kind")
	spec.CMS = signer.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 7}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime})
}

// TestAppleKinds signs the same code with a leaf of each kind and checks
// the kind reported, the status and the findings: development and App
// Store submission certificates are warned about
// (codesign/not-distribution-certificate), Developer ID is not, and a leaf
// whose markers contradict each other or its issuer is of kind unknown.
func TestAppleKinds(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	wwdr := p.Root.Issue(testpki.Spec{CommonName: "shipgate Test Apple Worldwide Developer Relations Certification Authority", CA: true, KeyN: 26,
		ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}})
	team := machofile.TeamID
	leaf := func(ca *testpki.Cert, cn string, n int, exts ...pkix.Extension) *testpki.Cert {
		return ca.Issue(testpki.Spec{CommonName: cn + ": Example Corp (" + team + ")", OrganizationalUnit: team, KeyN: n, ExtraExtensions: exts,
			ExtraNames: []pkix.AttributeTypeAndValue{testpki.UID(team)}})
	}
	m := testpki.AppleLeafMarker
	for _, tc := range []struct {
		name    string
		leaf    *testpki.Cert
		ca      *testpki.Cert
		kind    signing.AppleCertKind
		rules   string
		devIDOK string // "ok", "fail" or "" (check not run)
	}{
		{"developer-id-application", p.Leaf, p.CA, signing.AppleKindDeveloperIDApplication, "", "ok"},
		{"apple-development", leaf(wwdr, "Apple Development", 40, m(2), m(12)), wwdr, signing.AppleKindDevelopment, string(RuleNotDistributionCertificate), ""},
		{"apple-distribution", leaf(wwdr, "Apple Distribution", 41, m(4), m(7)), wwdr, signing.AppleKindDistribution, string(RuleNotDistributionCertificate), ""},
		{"developer-id-and-development-markers", leaf(p.CA, "Developer ID Application", 42, m(13), m(12)), p.CA, signing.AppleKindUnknown, "", "fail"},
		{"developer-id-under-wwdr", leaf(wwdr, "Developer ID Application", 43, m(13)), wwdr, signing.AppleKindUnknown, string(RuleUntrustedChain), "fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signedBy(t, tc.leaf, tc.ca)
			sig := r.Signatures[0]
			if sig.Signer == nil || sig.Signer.AppleKind != tc.kind || sig.Chain[0].AppleKind != tc.kind {
				t.Fatalf("kind %+v, want %q\n%s", sig.Signer, tc.kind, dump(r))
			}
			if got := strings.Join(rulesOf(r), " "); got != tc.rules {
				t.Errorf("rules %q, want %q\n%s", got, tc.rules, dump(r))
			}
			want := signing.StatusValid
			if tc.rules == string(RuleUntrustedChain) {
				want = signing.StatusUntrusted
			}
			if r.Status() != want {
				t.Errorf("status %s, want %s", r.Status(), want)
			}
			got := ""
			for _, c := range sig.Checks {
				if c.Name == CheckDeveloperID {
					got = map[bool]string{true: "ok", false: "fail"}[c.OK]
				}
			}
			if got != tc.devIDOK {
				t.Errorf("developer-id check %q, want %q", got, tc.devIDOK)
			}
			for _, f := range r.Findings {
				if f.Rule == RuleNotDistributionCertificate && (f.Severity != signing.SeverityWarning || !strings.Contains(f.Message, string(tc.kind))) {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
}
