package signing

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
)

// AppleCertKind names the role Apple gave a signing certificate, read from
// the marker extensions and extended key usages Apple puts on the
// certificates it issues. The zero value means the certificate carries no
// Apple marker at all (a Windows or enterprise certificate).
//
// A kind is a claim made by whoever issued the certificate: it says
// "Developer ID" only as far as the chain reaches a root the caller trusts,
// and Apple's own roots are the only ones that make it Apple's word.
type AppleCertKind string

// Apple certificate kinds, as reports and policies spell them. The marker
// OIDs are Apple's: SecPolicyCreateAppleExternalDeveloper and
// SecPolicyCreateAppleSoftwareSigning in Security's SecPolicyPriv.h name
// the leaf and intermediate markers and EKUs of each developer certificate,
// and rcodesign (apple-codesign's certificate.rs) lists which markers each
// certificate profile carries.
const (
	// AppleKindNone is a certificate without any Apple marker.
	AppleKindNone AppleCertKind = ""
	// AppleKindDeveloperIDApplication signs code distributed outside the
	// Mac App Store: leaf marker 1.2.840.113635.100.6.1.13 ("Developer ID
	// Application"), issued by a CA with marker 1.2.840.113635.100.6.2.6
	// (Developer ID Certification Authority).
	AppleKindDeveloperIDApplication AppleCertKind = "developer-id-application"
	// AppleKindDeveloperIDInstaller signs installer packages distributed
	// outside the Mac App Store: leaf marker 1.2.840.113635.100.6.1.14 or
	// the Developer ID Installer EKU 1.2.840.113635.100.4.13, issued by the
	// Developer ID CA (1.2.840.113635.100.6.2.6).
	AppleKindDeveloperIDInstaller AppleCertKind = "developer-id-installer"
	// AppleKindDevelopment signs development builds that run only on the
	// devices of a provisioning profile ("Apple Development", formerly "Mac
	// Developer" and "iPhone Developer"): leaf marker
	// 1.2.840.113635.100.6.1.12 or 1.2.840.113635.100.6.1.2, issued by a
	// CA with the Worldwide Developer Relations marker
	// 1.2.840.113635.100.6.2.1.
	AppleKindDevelopment AppleCertKind = "apple-development"
	// AppleKindDistribution signs apps for submission to an App Store
	// ("Apple Distribution", formerly "3rd Party Mac Developer Application"
	// and "iPhone Distribution"): leaf marker 1.2.840.113635.100.6.1.7 or
	// 1.2.840.113635.100.6.1.4, issued by a WWDR CA
	// (1.2.840.113635.100.6.2.1). Gatekeeper does not run such code
	// outside the store.
	AppleKindDistribution AppleCertKind = "apple-distribution"
	// AppleKindMacInstallerDistribution signs installer packages for
	// submission to the Mac App Store ("3rd Party Mac Developer
	// Installer", "Mac Installer Distribution"): leaf marker
	// 1.2.840.113635.100.6.1.8 or the EKU 1.2.840.113635.100.4.9, issued
	// by a WWDR CA (1.2.840.113635.100.6.2.1). The installer refuses such
	// packages outside the store.
	AppleKindMacInstallerDistribution AppleCertKind = "mac-installer-distribution"
	// AppleKindMacAppStore is Apple's signature on what the Mac App Store
	// distributes: leaf marker 1.2.840.113635.100.6.1.9 ("Mac App Store
	// Code Signing", the marker of Xcode's Mac App Store designated
	// requirement) or 1.2.840.113635.100.6.1.10 ("Mac App Store Installer
	// Signing"). No intermediate marker is documented for it.
	AppleKindMacAppStore AppleCertKind = "mac-app-store"
	// AppleKindSoftware is Apple's own software signing (the "Software
	// Signing" leaf of macOS binaries): leaf marker 1.2.840.113635.100.6.22
	// (or the older "Apple Signing" 1.2.840.113635.100.6.1.1), issued by
	// the CA named "Apple Code Signing Certification Authority", as
	// SecPolicyCreateAppleSoftwareSigning requires.
	AppleKindSoftware AppleCertKind = "apple-software"
	// AppleKindUnknown is a certificate carrying Apple markers that name
	// no kind above, name two kinds at once, carry a value other than the
	// DER NULL Apple writes, or whose issuer lacks the marker its kind
	// requires.
	AppleKindUnknown AppleCertKind = "unknown"
)

// String returns the kind as reports spell it.
func (k AppleCertKind) String() string { return string(k) }

// AppleCertKinds returns every kind a policy may require, in a fixed order
// (AppleKindNone excluded).
func AppleCertKinds() []AppleCertKind {
	return []AppleCertKind{AppleKindDeveloperIDApplication, AppleKindDeveloperIDInstaller, AppleKindDevelopment,
		AppleKindDistribution, AppleKindMacInstallerDistribution, AppleKindMacAppStore, AppleKindSoftware, AppleKindUnknown}
}

// ParseAppleCertKind returns the kind spelt s, or an error listing the
// kinds when s names none.
func ParseAppleCertKind(s string) (AppleCertKind, error) {
	k := AppleCertKind(s)
	if slices.Contains(AppleCertKinds(), k) {
		return k, nil
	}
	names := make([]string, 0, len(AppleCertKinds()))
	for _, k := range AppleCertKinds() {
		names = append(names, string(k))
	}
	return "", fmt.Errorf("unknown Apple certificate kind %q: want one of %s", s, strings.Join(names, ", "))
}

// Apple's certificate marker and extended key usage OIDs. Leaf markers sit
// under 1.2.840.113635.100.6.1 (appleCertificateExtensionCodeSigning),
// intermediate markers under 1.2.840.113635.100.6.2
// (appleCertificateExtensionIntermediateMarker), as Security's oidsbase.h
// defines the arcs.
var (
	// OIDAppleDeveloperIDApplication marks a Developer ID Application leaf.
	OIDAppleDeveloperIDApplication = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 13}
	// OIDAppleDeveloperIDInstaller marks a Developer ID Installer leaf.
	OIDAppleDeveloperIDInstaller = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 14}
	// OIDAppleDeveloperIDCA marks the Developer ID Certification Authority.
	OIDAppleDeveloperIDCA = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 6}
	// OIDAppleWWDRCA marks the Apple Worldwide Developer Relations
	// Certification Authority.
	OIDAppleWWDRCA = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 2, 1}
	// OIDAppleSoftwareSigning marks Apple's own Software Signing leaf.
	OIDAppleSoftwareSigning = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 22}
	// OIDAppleEKUDeveloperIDInstaller is the Developer ID Installer EKU.
	OIDAppleEKUDeveloperIDInstaller = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 4, 13}
	// OIDAppleEKUMacInstaller is the 3rd Party Mac Developer Installer EKU
	// (Mac App Store packages).
	OIDAppleEKUMacInstaller = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 4, 9}
)

// appleCodeSigningArc is 1.2.840.113635.100.6.1, the arc of leaf markers.
var appleCodeSigningArc = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1}

// appleLeafMarkers maps the last arc of a 1.2.840.113635.100.6.1.N leaf
// marker to the kind it names. Markers absent here that only qualify a
// certificate (.33 Developer ID Date, .32 cloud managed, .18 Developer ID
// Kernel) name no kind and are ignored; any other N makes the leaf
// unknown.
var appleLeafMarkers = map[int]AppleCertKind{
	1:  AppleKindSoftware,                 // Apple Signing (oidsbase.h APPLE_EXTENSION_APPLE_SIGNING)
	2:  AppleKindDevelopment,              // iPhone Developer
	4:  AppleKindDistribution,             // iPhone Distribution
	7:  AppleKindDistribution,             // 3rd Party Mac Developer Application / Apple Distribution
	8:  AppleKindMacInstallerDistribution, // 3rd Party Mac Developer Installer
	9:  AppleKindMacAppStore,              // Mac App Store Code Signing
	10: AppleKindMacAppStore,              // Mac App Store Installer Signing
	12: AppleKindDevelopment,              // Mac Developer / Apple Development
	13: AppleKindDeveloperIDApplication,   // Developer ID Application
	14: AppleKindDeveloperIDInstaller,     // Developer ID Installer
}

// appleQualifierMarkers are leaf markers that qualify a certificate of
// another kind and name none themselves.
var appleQualifierMarkers = map[int]bool{18: true, 32: true, 33: true}

// appleCodeSigningCAName is the common name SecPolicyCreateAppleSoftwareSigning
// pins for the issuer of Apple's Software Signing leaf.
const appleCodeSigningCAName = "Apple Code Signing Certification Authority"

// derNull is the value of every Apple marker extension: an ASN.1 NULL.
var derNull = []byte{0x05, 0x00}

// AppleClassification is what [ExplainApple] found about a leaf.
type AppleClassification struct {
	// Kind is the leaf's kind: AppleKindNone without Apple markers,
	// AppleKindUnknown when the markers do not name one kind its issuer
	// confirms.
	Kind AppleCertKind
	// Claims are the kinds the leaf's own markers and EKUs name, sorted
	// and without repeats; more than one makes Kind unknown.
	Claims []AppleCertKind
	// Problem says why Kind is unknown; empty otherwise.
	Problem string
	// IssuerMismatch reports that the leaf names one kind but its issuer
	// lacks the marker that kind requires, or is not known.
	IssuerMismatch bool
}

// Claim reports whether the leaf's markers name kind k, whatever its
// issuer.
func (c AppleClassification) Claim(k AppleCertKind) bool { return slices.Contains(c.Claims, k) }

// ClassifyApple returns the kind of the leaf certificate leaf issued by
// issuer (nil when the issuer is not known). See [ExplainApple].
func ClassifyApple(leaf, issuer *x509.Certificate) AppleCertKind {
	return ExplainApple(leaf, issuer).Kind
}

// ExplainApple classifies leaf by its Apple markers
// (1.2.840.113635.100.6.1.N, 1.2.840.113635.100.6.22) and Apple installer
// EKUs, and confirms the kind with the marker its issuer must carry
// (1.2.840.113635.100.6.2.6 for Developer ID, 1.2.840.113635.100.6.2.1 for
// development and App Store certificates, the Apple Code Signing CA's name
// for Apple's own software) as Apple's designated requirements and trust
// policies do. It is strict where Apple's own checks only test that a
// marker exists: a marker whose value is not DER NULL, markers of two
// kinds, or a marker of an unlisted role make the leaf unknown, so that a
// policy requiring a kind fails closed.
//
// It checks that issuer's key signed leaf, and nothing else of the chain
// (validity, the issuer's own issuer, trust): see [TrustStore.VerifyChain].
func ExplainApple(leaf, issuer *x509.Certificate) AppleClassification {
	var c AppleClassification
	if leaf == nil {
		return c
	}
	apple := false
	claim := func(k AppleCertKind) {
		if !slices.Contains(c.Claims, k) {
			c.Claims = append(c.Claims, k)
		}
	}
	var problems []string
	for _, e := range leaf.Extensions {
		switch {
		case e.Id.Equal(OIDAppleSoftwareSigning):
			apple = true
			claim(AppleKindSoftware)
		case hasPrefix(e.Id, appleCodeSigningArc) && len(e.Id) == len(appleCodeSigningArc)+1:
			apple = true
			n := e.Id[len(e.Id)-1]
			if appleQualifierMarkers[n] {
				continue
			}
			k, ok := appleLeafMarkers[n]
			if !ok {
				problems = append(problems, fmt.Sprintf("marker %s names no macOS signing kind", e.Id))
				continue
			}
			claim(k)
		case hasPrefix(e.Id, oidAppleCertExtension):
			apple = true
			continue // other Apple extensions: a role of no code-signing kind
		default:
			continue
		}
		if !bytes.Equal(e.Value, derNull) {
			problems = append(problems, fmt.Sprintf("marker %s holds %x, not the DER NULL Apple writes", e.Id, e.Value))
		}
	}
	for _, o := range leaf.UnknownExtKeyUsage {
		switch {
		case o.Equal(OIDAppleEKUDeveloperIDInstaller):
			apple = true
			claim(AppleKindDeveloperIDInstaller)
		case o.Equal(OIDAppleEKUMacInstaller):
			apple = true
			claim(AppleKindMacInstallerDistribution)
		}
	}
	if !apple {
		return c
	}
	slices.Sort(c.Claims)
	c.Kind = AppleKindUnknown
	switch {
	case len(problems) > 0:
		c.Problem = strings.Join(problems, "; ")
	case len(c.Claims) == 0:
		c.Problem = "Apple markers name no code-signing kind"
	case len(c.Claims) > 1:
		names := make([]string, len(c.Claims))
		for i, k := range c.Claims {
			names[i] = string(k)
		}
		c.Problem = "markers of several kinds: " + strings.Join(names, ", ")
	default:
		k := c.Claims[0]
		if p := issuerProblem(k, leaf, issuer); p != "" {
			c.Problem, c.IssuerMismatch = p, true
		} else {
			c.Kind = k
		}
	}
	return c
}

// appleSigs remembers the issuer signature checks of [ExplainApple], which
// has no trust store to keep them in: every Mach-O of a release classifies
// the same leaf under the same CA, and would otherwise pay one RSA check
// for it each. Keyed, like every [sigCache], by both certificates' bytes.
var appleSigs = newSigCache()

// issuerProblem says why issuer cannot issue leaf, of kind k; empty when
// it can. An issuer whose key did not sign the leaf is none: a chain that
// does not verify may name a real Developer ID CA above a leaf it never
// signed.
func issuerProblem(k AppleCertKind, leaf, issuer *x509.Certificate) string {
	var want asn1.ObjectIdentifier
	switch k {
	case AppleKindDeveloperIDApplication, AppleKindDeveloperIDInstaller:
		want = OIDAppleDeveloperIDCA
	case AppleKindDevelopment, AppleKindDistribution, AppleKindMacInstallerDistribution:
		want = OIDAppleWWDRCA
	case AppleKindSoftware:
		if issuer == nil || issuer.Subject.CommonName != appleCodeSigningCAName {
			return fmt.Sprintf("%s leaf not issued by the %s", k, appleCodeSigningCAName)
		}
		if _, err := appleSigs.checkSignedBy(leaf, issuer); err != nil {
			return fmt.Sprintf("%s leaf not signed by the %s its chain names: %v", k, appleCodeSigningCAName, err)
		}
		return ""
	default:
		return ""
	}
	if issuer == nil {
		return fmt.Sprintf("%s leaf whose issuer was not found", k)
	}
	if _, err := appleSigs.checkSignedBy(leaf, issuer); err != nil {
		return fmt.Sprintf("%s leaf not signed by the CA its chain names (%q): %v", k, FormatName(issuer.Subject), err)
	}
	for _, e := range issuer.Extensions {
		if e.Id.Equal(want) {
			if !bytes.Equal(e.Value, derNull) {
				return fmt.Sprintf("%s leaf issued by a CA whose marker %s holds %x, not the DER NULL Apple writes", k, want, e.Value)
			}
			return ""
		}
	}
	return fmt.Sprintf("%s leaf issued by a CA without the marker %s", k, want)
}

// appleMarkerOIDs are the Apple marker extensions the classifier
// interprets, which Apple marks critical.
var appleMarkerOIDs = func() []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, arc := range []int{1, 2} {
		for n := 1; n <= 64; n++ {
			out = append(out, asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, arc, n})
		}
	}
	return append(out, OIDAppleSoftwareSigning)
}()

// AppleMarkerExtensions returns Apple's certificate marker extension OIDs
// (1.2.840.113635.100.6.1.N on leaves, 1.2.840.113635.100.6.2.N on
// intermediates for N up to 64, and 1.2.840.113635.100.6.22), which Apple
// marks critical. They say what a certificate is for, carry no constraint
// crypto/x509 could enforce, and are interpreted by [ExplainApple]: Apple
// verifiers pass them as [ChainOptions.AllowCriticalExtensions]. The
// returned slice is a copy.
func AppleMarkerExtensions() []asn1.ObjectIdentifier { return slices.Clone(appleMarkerOIDs) }
