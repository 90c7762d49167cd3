package signing_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// appleCAs mints the intermediates Apple developer certificates hang from.
func appleCAs() (root, devID, wwdr, codeSigning, plain *testpki.Cert) {
	root = testpki.NewRoot(testpki.Spec{CommonName: "kind test root", KeyN: 20})
	devID = root.Issue(testpki.Spec{CommonName: "Developer ID Certification Authority", CA: true, KeyN: 21, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(6)}})
	wwdr = root.Issue(testpki.Spec{CommonName: "Apple Worldwide Developer Relations Certification Authority", CA: true, KeyN: 22, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}})
	codeSigning = root.Issue(testpki.Spec{CommonName: "Apple Code Signing Certification Authority", CA: true, KeyN: 23})
	plain = root.Issue(testpki.Spec{CommonName: "Some CA", CA: true, KeyN: 24})
	return
}

func TestClassifyApple(t *testing.T) {
	t.Parallel()
	root, devID, wwdr, codeSigning, plain := appleCAs()
	marker := testpki.AppleLeafMarker
	garbage := func(e pkix.Extension) pkix.Extension { e.Value = []byte{0x0c, 0x01, 'x'}; return e }
	garbageCA := root.Issue(testpki.Spec{CommonName: "Developer ID Certification Authority", CA: true, KeyN: 25, ExtraExtensions: []pkix.Extension{garbage(testpki.AppleCAMarker(6))}})
	date := pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 33}, Value: []byte{0x17, 0x0d, '1', '9', '0', '2', '0', '1', '0', '0', '0', '0', '0', '0', 'Z'}}
	tests := []struct {
		name   string
		exts   []pkix.Extension
		noEKU  bool
		issuer *testpki.Cert
		want   signing.AppleCertKind
		claims []signing.AppleCertKind
	}{
		{name: "developer-id-application", exts: []pkix.Extension{marker(13), date}, issuer: devID, want: signing.AppleKindDeveloperIDApplication},
		{name: "developer-id-installer", exts: []pkix.Extension{marker(14), date, testpki.AppleEKU(13)}, noEKU: true, issuer: devID, want: signing.AppleKindDeveloperIDInstaller},
		{name: "developer-id-installer-by-eku-only", exts: []pkix.Extension{testpki.AppleEKU(13)}, noEKU: true, issuer: devID, want: signing.AppleKindDeveloperIDInstaller},
		{name: "apple-development", exts: []pkix.Extension{marker(2), marker(12)}, issuer: wwdr, want: signing.AppleKindDevelopment},
		{name: "mac-developer", exts: []pkix.Extension{marker(12)}, issuer: wwdr, want: signing.AppleKindDevelopment},
		{name: "iphone-developer", exts: []pkix.Extension{marker(2)}, issuer: wwdr, want: signing.AppleKindDevelopment},
		{name: "apple-distribution", exts: []pkix.Extension{marker(4), marker(7)}, issuer: wwdr, want: signing.AppleKindDistribution},
		{name: "3rd-party-mac-developer-application", exts: []pkix.Extension{marker(7)}, issuer: wwdr, want: signing.AppleKindDistribution},
		{name: "3rd-party-mac-developer-installer", exts: []pkix.Extension{marker(8), testpki.AppleEKU(9)}, noEKU: true, issuer: wwdr, want: signing.AppleKindMacInstallerDistribution},
		{name: "mac-app-store", exts: []pkix.Extension{marker(9)}, issuer: wwdr, want: signing.AppleKindMacAppStore},
		{name: "mac-app-store-installer", exts: []pkix.Extension{marker(10)}, issuer: plain, want: signing.AppleKindMacAppStore},
		{name: "apple-software", exts: []pkix.Extension{{Id: signing.OIDAppleSoftwareSigning, Critical: true, Value: []byte{5, 0}}}, issuer: codeSigning, want: signing.AppleKindSoftware},
		{name: "apple-signing-legacy", exts: []pkix.Extension{marker(1)}, issuer: codeSigning, want: signing.AppleKindSoftware},
		{name: "not-apple", issuer: plain, want: signing.AppleKindNone},
		// Attacks and oddities: each must come out unknown, never the
		// kind a policy might require.
		{name: "two-kinds", exts: []pkix.Extension{marker(13), marker(12)}, issuer: devID, want: signing.AppleKindUnknown,
			claims: []signing.AppleCertKind{signing.AppleKindDevelopment, signing.AppleKindDeveloperIDApplication}},
		{name: "developer-id-under-wwdr", exts: []pkix.Extension{marker(13)}, issuer: wwdr, want: signing.AppleKindUnknown},
		{name: "developer-id-under-plain-ca", exts: []pkix.Extension{marker(13)}, issuer: plain, want: signing.AppleKindUnknown},
		{name: "developer-id-no-issuer", exts: []pkix.Extension{marker(13)}, want: signing.AppleKindUnknown},
		{name: "development-under-developer-id-ca", exts: []pkix.Extension{marker(12)}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "garbage-marker-value", exts: []pkix.Extension{garbage(marker(13))}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "unlisted-marker", exts: []pkix.Extension{marker(16)}, issuer: wwdr, want: signing.AppleKindUnknown},
		{name: "qualifier-only", exts: []pkix.Extension{date}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "software-signing-wrong-ca", exts: []pkix.Extension{marker(1)}, issuer: plain, want: signing.AppleKindUnknown},
		{name: "issuer-garbage-marker", exts: []pkix.Extension{marker(13)}, issuer: garbageCA, want: signing.AppleKindUnknown},
		{name: "longer-arc-marker", exts: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13, 1}, Value: []byte{5, 0}}}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "ca-marker-on-leaf", exts: []pkix.Extension{testpki.AppleCAMarker(6)}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "non-critical-marker", exts: []pkix.Extension{{Id: signing.OIDAppleDeveloperIDApplication, Value: []byte{5, 0}}}, issuer: devID, want: signing.AppleKindDeveloperIDApplication},
		{name: "marker-with-trailing-bytes", exts: []pkix.Extension{{Id: signing.OIDAppleDeveloperIDApplication, Critical: true, Value: []byte{5, 0, 0}}}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "marker-empty-value", exts: []pkix.Extension{{Id: signing.OIDAppleDeveloperIDApplication, Critical: true, Value: []byte{}}}, issuer: devID, want: signing.AppleKindUnknown},
		{name: "installer-eku-and-app-marker", exts: []pkix.Extension{marker(13), testpki.AppleEKU(13)}, noEKU: true, issuer: devID, want: signing.AppleKindUnknown},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := tt.issuer
			if parent == nil {
				parent = plain
			}
			leaf := parent.Issue(testpki.Spec{CommonName: "leaf " + tt.name, KeyN: 30 + i%8, NoEKU: tt.noEKU, ExtraExtensions: tt.exts})
			var issuer *x509.Certificate
			if tt.issuer != nil {
				issuer = tt.issuer.Cert
			}
			got := signing.ExplainApple(leaf.Cert, issuer)
			if got.Kind != tt.want {
				t.Fatalf("kind %q, want %q (problem %q)", got.Kind, tt.want, got.Problem)
			}
			if (got.Kind == signing.AppleKindUnknown) != (got.Problem != "") {
				t.Errorf("problem %q with kind %q", got.Problem, got.Kind)
			}
			if tt.claims != nil && strings.Join(kindStrings(got.Claims), ",") != strings.Join(kindStrings(tt.claims), ",") {
				t.Errorf("claims %v, want %v", got.Claims, tt.claims)
			}
			if signing.ClassifyApple(leaf.Cert, issuer) != got.Kind {
				t.Error("ClassifyApple disagrees with ExplainApple")
			}
		})
	}
}

func kindStrings(ks []signing.AppleCertKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestClassifyAppleNil(t *testing.T) {
	t.Parallel()
	if k := signing.ClassifyApple(nil, nil); k != signing.AppleKindNone {
		t.Errorf("nil leaf: %q", k)
	}
}

func TestParseAppleCertKind(t *testing.T) {
	t.Parallel()
	for _, k := range signing.AppleCertKinds() {
		if got, err := signing.ParseAppleCertKind(string(k)); err != nil || got != k {
			t.Errorf("%q: %q, %v", k, got, err)
		}
	}
	for _, s := range []string{"", "Developer ID Application", "developer-id"} {
		if _, err := signing.ParseAppleCertKind(s); err == nil {
			t.Errorf("%q parsed", s)
		}
	}
}

// TestAppleMarkerExtensionsCopy keeps callers from changing the shared list.
func TestAppleMarkerExtensionsCopy(t *testing.T) {
	t.Parallel()
	a := signing.AppleMarkerExtensions()
	a[0] = asn1.ObjectIdentifier{1, 2, 3}
	if signing.AppleMarkerExtensions()[0].Equal(a[0]) {
		t.Error("AppleMarkerExtensions returns a shared slice")
	}
}

// TestClassifyAppleIssuerDidNotSign: a chain that does not verify can put
// a real Developer ID CA (or Apple Code Signing CA) above a leaf it never
// signed; the leaf is then unknown, not Developer ID, whatever the CA's
// marker and name say.
func TestClassifyAppleIssuerDidNotSign(t *testing.T) {
	t.Parallel()
	root, devID, wwdr, codeSigning, _ := appleCAs()
	other := testpki.NewRoot(testpki.Spec{CommonName: "attacker root", KeyN: 26})
	fakeDevID := other.Issue(testpki.Spec{CommonName: "Developer ID Certification Authority", CA: true, KeyN: 27, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(6)}})
	fakeCS := other.Issue(testpki.Spec{CommonName: "Apple Code Signing Certification Authority", CA: true, KeyN: 28})
	_ = root
	for _, tc := range []struct {
		name          string
		signer, named *testpki.Cert
		ext           pkix.Extension
	}{
		{"developer-id", fakeDevID, devID, testpki.AppleLeafMarker(13)},
		{"development", fakeDevID, wwdr, testpki.AppleLeafMarker(12)},
		{"apple-software", fakeCS, codeSigning, pkix.Extension{Id: signing.OIDAppleSoftwareSigning, Critical: true, Value: []byte{5, 0}}},
	} {
		leaf := tc.signer.Issue(testpki.Spec{CommonName: "leaf " + tc.name, KeyN: 31, ExtraExtensions: []pkix.Extension{tc.ext}})
		got := signing.ExplainApple(leaf.Cert, tc.named.Cert)
		if got.Kind != signing.AppleKindUnknown || !got.IssuerMismatch || !strings.Contains(got.Problem, "not signed by") {
			t.Errorf("%s: %+v", tc.name, got)
		}
		if k := signing.ClassifyApple(leaf.Cert, tc.signer.Cert); tc.name == "developer-id" && k != signing.AppleKindDeveloperIDApplication {
			t.Errorf("%s: its real signer gives %q", tc.name, k)
		}
	}
}
