package pkg

import (
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestVerifyAppleKindDeveloperIDInstaller: a Developer ID Installer
// package reports its signer's kind on every signature.
func TestVerifyAppleKindDeveloperIDInstaller(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	res := verifyBytes(t, b, machofile.SignTime)
	for _, s := range res.Signatures {
		if s.Signer.AppleKind != signing.AppleKindDeveloperIDInstaller || s.Chain[0].AppleKind != signing.AppleKindDeveloperIDInstaller {
			t.Errorf("signature %d: kind %q, chain leaf %q", s.Index, s.Signer.AppleKind, s.Chain[0].AppleKind)
		}
		if s.Chain[1].AppleKind != "" {
			t.Errorf("signature %d: the CA has kind %q", s.Index, s.Chain[1].AppleKind)
		}
	}
}

// wwdrInstaller mints a 3rd Party Mac Developer Installer leaf under a
// Worldwide Developer Relations CA of the fixture root.
func wwdrInstaller(t testing.TB) (leaf, ca *testpki.Cert) {
	p, _ := testPKI(t)
	ca = p.Root.Issue(testpki.Spec{CommonName: "shipgate Test Apple Worldwide Developer Relations Certification Authority", CA: true, KeyN: 26,
		ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}})
	leaf = ca.Issue(testpki.Spec{CommonName: "3rd Party Mac Developer Installer: Example Corp (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID,
		KeyN: 27, NoEKU: true, ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(8), testpki.AppleEKU(9)}})
	return leaf, ca
}

// TestVerifyMacAppStoreInstallerCertificate closes the hole of a Mac App
// Store installer certificate accepted on a .pkg: the installer and
// Gatekeeper refuse such packages outside the store, so a package in a
// release signed with one is an error (pkg/not-distribution-certificate),
// while the signature itself stays valid: the certificate may sign
// packages, for the store.
func TestVerifyMacAppStoreInstallerCertificate(t *testing.T) {
	t.Parallel()
	leaf, ca := wwdrInstaller(t)
	s := signedSpec(t)
	s.Signer, s.Chain, s.CMS = leaf, []*testpki.Cert{ca}, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid" || rules(res) != string(RuleNotDistributionCertificate) {
		t.Fatalf("statuses %s, findings %s", got, rules(res))
	}
	if f := res.Findings[0]; f.Severity != signing.SeverityError || !strings.Contains(f.Message, "App Store") {
		t.Errorf("finding %+v", f)
	}
	if k := res.Signatures[0].Signer.AppleKind; k != signing.AppleKindMacInstallerDistribution {
		t.Errorf("kind %q", k)
	}
}

// TestVerifyInstallerOfTwoKinds: a Developer ID Installer leaf that also
// carries the Developer ID Application marker is of no single kind and
// may not sign packages, even under the Developer ID CA.
func TestVerifyInstallerOfTwoKinds(t *testing.T) {
	t.Parallel()
	p, _ := testPKI(t)
	leaf := p.CA.Issue(testpki.Spec{CommonName: "Developer ID Installer: Two Kinds (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID,
		KeyN: 28, NoEKU: true, ExtraExtensions: append(pkgfile.InstallerLeafExtensions(), testpki.AppleLeafMarker(13))})
	s := signedSpec(t)
	s.Signer, s.CMS = leaf, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:untrusted" || rules(res) != string(RuleNotInstallerCertificate) {
		t.Fatalf("statuses %s, findings %s", got, rules(res))
	}
	if k := res.Signatures[0].Signer.AppleKind; k != signing.AppleKindUnknown {
		t.Errorf("kind %q", k)
	}
}

// TestVerifyInstallerUnderWWDR: a Developer ID Installer leaf issued by a
// CA without the Developer ID marker is refused on a trusted chain.
func TestVerifyInstallerUnderWWDR(t *testing.T) {
	t.Parallel()
	_, ca := wwdrInstaller(t)
	leaf := ca.Issue(testpki.Spec{CommonName: "Developer ID Installer: Wrong CA (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID,
		KeyN: 29, NoEKU: true, ExtraExtensions: pkgfile.InstallerLeafExtensions()})
	s := signedSpec(t)
	s.Signer, s.Chain, s.CMS = leaf, []*testpki.Cert{ca}, false
	b, _ := pkgfile.Build(s)
	res := verifyBytes(t, b, machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:untrusted" || rules(res) != string(RuleNotInstallerCertificate) {
		t.Fatalf("statuses %s, findings %s", got, rules(res))
	}
}
