package codesign

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// drPKI is the fixture PKI plus the intermediates DRMaker tells apart: a
// WWDR CA (marker 6.2.1), a CA carrying both WWDR and Developer ID
// markers, Apple's code-signing CA, and a third-party CA of its own
// organization.
type drPKI struct {
	*machofile.PKI
	wwdr, both, appleCS, plain *testpki.Cert
}

func newDRPKI() *drPKI {
	p := machofile.NewPKI()
	return &drPKI{
		PKI: p,
		wwdr: p.Root.Issue(testpki.Spec{CommonName: "shipgate Test Apple Worldwide Developer Relations Certification Authority", Organization: "shipgate test",
			CA: true, KeyN: 26, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}}),
		both: p.Root.Issue(testpki.Spec{CommonName: "shipgate Test WWDR and Developer ID CA", Organization: "shipgate test",
			CA: true, KeyN: 27, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(6), testpki.AppleCAMarker(1)}}),
		appleCS: p.Root.Issue(testpki.Spec{CommonName: "Apple Code Signing Certification Authority", Organization: "Apple Inc.", CA: true, KeyN: 28}),
		plain:   p.Root.Issue(testpki.Spec{CommonName: "Example Corp Code Signing CA", Organization: "Example Corp", CA: true, KeyN: 29}),
	}
}

// drLeaf mints a leaf under ca; org and cn may be empty.
func drLeaf(ca *testpki.Cert, cn, org string, n int, exts ...pkix.Extension) *testpki.Cert {
	return ca.Issue(testpki.Spec{CommonName: cn, Organization: org, OrganizationalUnit: machofile.TeamID, KeyN: n, ExtraExtensions: exts})
}

// signDR signs a thin Mach-O without a designated requirement with leaf
// (under chain) and verifies it trusting the fixture root, which stands
// in for Apple's when apple is set.
func signDR(t *testing.T, p *drPKI, id string, leaf *testpki.Cert, chain []*testpki.Cert, apple bool) *Result {
	t.Helper()
	signer := p.Signer()
	signer.Leaf, signer.Chain = leaf, chain
	spec := p.DeveloperIDSpec(id)
	spec.CMS = signer.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 11}), spec)
	if err != nil {
		t.Fatal(err)
	}
	root := p.Root.Cert
	return verifyBytes(t, b, Options{Trust: testTrust(t), Time: checkTime, appleRoot: func(c *x509.Certificate) bool {
		return apple && bytes.Equal(c.Raw, root.Raw)
	}})
}

func sha1Hex(c *testpki.Cert) string {
	h := sha1.Sum(c.Cert.Raw)
	return hex.EncodeToString(h[:])
}

// TestImplicitDesignatedForms: each of DRMaker's forms is derived for a
// signature without a designated requirement, exactly as codesign -d -r-
// prints it; the signature satisfies it (or, where DRMaker names what the
// signature lacks, does not), and a signature by another signer of the
// same kind (other CN, other team, other CA) fails it.
func TestImplicitDesignatedForms(t *testing.T) {
	t.Parallel()
	p := newDRPKI()
	m, team := testpki.AppleLeafMarker, machofile.TeamID
	dev := drLeaf(p.wwdr, "Apple Development: Alice Example ("+team+")", "Example Corp", 40, m(2), m(12))
	mas := drLeaf(p.wwdr, "3rd Party Mac Developer Application: Example Corp ("+team+")", "Example Corp", 41, m(7))
	sameOrg := drLeaf(p.plain, "Example Corp Release Signing", "Example Corp", 42)
	noOrg := drLeaf(p.plain, "Release Signing", "", 43)
	otherTeam := p.CA.Issue(testpki.Spec{CommonName: "Developer ID Application: Other Corp (OTHER12345)", OrganizationalUnit: "OTHER12345",
		KeyN: 44, ExtraExtensions: machofile.DeveloperIDLeafExtensions()})
	// The same subject as p.plain with another key (testpki has 8 RSA keys).
	otherPlain := p.Root.Issue(testpki.Spec{CommonName: "Example Corp Code Signing CA", Organization: "Example Corp", CA: true, KeyN: 30})
	sat, unsat := signing.RequirementSatisfied, signing.RequirementUnsatisfied
	type signer struct {
		leaf  *testpki.Cert
		chain []*testpki.Cert
	}
	for _, tc := range []struct {
		name  string
		id    string
		own   signer
		apple bool
		want  string
		res   signing.RequirementResult
		other signer // signed by someone else: fails the derived requirement
	}{
		{"apple-development", "com.example.dev", signer{dev, []*testpki.Cert{p.wwdr}}, true,
			`identifier "com.example.dev" and anchor apple generic and certificate leaf[subject.CN] = "Apple Development: Alice Example (TEAM123456)" and certificate 1[field.1.2.840.113635.100.6.2.1] /* exists */`,
			sat, signer{drLeaf(p.wwdr, "Apple Development: Mallory Example ("+team+")", "Example Corp", 46, m(2), m(12)), []*testpki.Cert{p.wwdr}}},
		{"mac-app-store", "com.example.mas", signer{mas, []*testpki.Cert{p.wwdr}}, true,
			`identifier "com.example.mas" and anchor apple generic and certificate leaf[subject.CN] = "3rd Party Mac Developer Application: Example Corp (TEAM123456)" and certificate 1[field.1.2.840.113635.100.6.2.1] /* exists */`,
			sat, signer{dev, []*testpki.Cert{p.wwdr}}},
		{"wwdr-marker-wins", "com.example.both", signer{drLeaf(p.both, "Apple Development: Alice Example ("+team+")", "Example Corp", 47, m(13)), []*testpki.Cert{p.both}}, true,
			`identifier "com.example.both" and anchor apple generic and certificate leaf[subject.CN] = "Apple Development: Alice Example (TEAM123456)" and certificate 1[field.1.2.840.113635.100.6.2.1] /* exists */`,
			sat, signer{mas, []*testpki.Cert{p.wwdr}}},
		{"developer-id", "com.example.devid", signer{p.Leaf, []*testpki.Cert{p.CA}}, true,
			`identifier "com.example.devid" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = TEAM123456`,
			sat, signer{otherTeam, []*testpki.Cert{p.CA}}},
		{"developer-id-leaf-without-marker", "com.example.devid", signer{drLeaf(p.CA, "Developer ID Application: Example Corp ("+team+")", "Example Corp", 48), []*testpki.Cert{p.CA}}, true,
			`identifier "com.example.devid" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = TEAM123456`,
			unsat, signer{otherTeam, []*testpki.Cert{p.CA}}},
		{"apple-own", "com.apple.tool", signer{drLeaf(p.appleCS, "Software Signing", "Apple Inc.", 49), []*testpki.Cert{p.appleCS}}, true,
			`identifier "com.apple.tool" and anchor apple`,
			sat, signer{sameOrg, []*testpki.Cert{p.plain}}},
		{"apple-two-certificates", "com.example.two", signer{drLeaf(p.Root, "Developer ID Application: Example Corp ("+team+")", "Example Corp", 50, m(13)), nil}, true,
			`identifier "com.example.two" and anchor apple`,
			unsat, signer{sameOrg, []*testpki.Cert{p.plain}}},
		{"non-apple-organization-ca", "com.example.corp", signer{sameOrg, []*testpki.Cert{p.plain}}, false,
			`identifier "com.example.corp" and certificate 1 = H"` + sha1Hex(p.plain) + `"`,
			sat, signer{drLeaf(otherPlain, "Example Corp Release Signing", "Example Corp", 51), []*testpki.Cert{otherPlain}}},
		{"non-apple-leaf-without-organization", "com.example.corp", signer{noOrg, []*testpki.Cert{p.plain}}, false,
			`identifier "com.example.corp" and certificate leaf = H"` + sha1Hex(noOrg) + `"`,
			sat, signer{drLeaf(p.plain, "Release Signing", "", 52), []*testpki.Cert{p.plain}}},
		{"non-apple-organization-differs", "com.example.tool", signer{p.Leaf, []*testpki.Cert{p.CA}}, false,
			`identifier "com.example.tool" and certificate leaf = H"` + sha1Hex(p.Leaf) + `"`,
			sat, signer{otherTeam, []*testpki.Cert{p.CA}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := signDR(t, p, tc.id, tc.own.leaf, tc.own.chain, tc.apple)
			d := r.Signatures[0].DesignatedRequirement
			if d == nil || !d.Implicit || d.Text != tc.want || d.Result != tc.res {
				t.Fatalf("designated requirement %+v, want %s %q\n%s", d, tc.res, tc.want, dump(r))
			}
			req, err := CompileRequirement(d.Text)
			if err != nil || req.String() != d.Text {
				t.Fatalf("the derived text does not compile back to itself: %v %q", err, req)
			}
			if res, _ := r.Slices[0].Satisfies(req); res != tc.res {
				t.Errorf("own signature against the compiled text: %s", res)
			}
			o := signDR(t, p, tc.id, tc.other.leaf, tc.other.chain, tc.apple)
			if res, why := o.Slices[0].Satisfies(req); res != unsat {
				t.Errorf("another signer against %s: %s %v", d.Text, res, why)
			}
		})
	}
}

// TestImplicitDesignatedNonAppleRoot: when every certificate shares the
// leaf's organization the walk reaches the anchor, printed as root.
func TestImplicitDesignatedNonAppleRoot(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Example Corp Root", Organization: "Example Corp", KeyN: 30})
	ca := root.Issue(testpki.Spec{CommonName: "Example Corp CA", Organization: "Example Corp", CA: true, KeyN: 31})
	leaf := ca.Issue(testpki.Spec{CommonName: "Example Corp Signing", Organization: "Example Corp", KeyN: 32})
	ctx := &reqContext{identifier: "com.example.x", chain: []*x509.Certificate{leaf.Cert, ca.Cert, root.Cert}, chainTrusted: true,
		appleRoot: func(*x509.Certificate) bool { return false }}
	want := `identifier "com.example.x" and certificate root = H"` + sha1Hex(root) + `"`
	r := implicitDesignated(ctx)
	if r == nil || r.String() != want {
		t.Fatalf("got %v, want %s", r, want)
	}
	if res, why := r.evaluate(ctx); res != signing.RequirementSatisfied {
		t.Errorf("%s %v", res, why)
	}
	// The organization compares exactly: "example corp" is another.
	lower := root.Issue(testpki.Spec{CommonName: "Example Corp CA", Organization: "example corp", CA: true, KeyN: 33})
	ctx.chain[1] = lower.Cert
	if r := implicitDesignated(ctx); r == nil || r.String() != `identifier "com.example.x" and certificate leaf = H"`+sha1Hex(leaf)+`"` {
		t.Errorf("case-differing organization: %v", r)
	}
}

// TestImplicitDesignatedUnsettled: subjects whose derived requirement the
// Security sources do not settle (several CN, OU or O values; no CN or OU
// where the form needs one) derive none, and an identifier with quotes,
// backslashes and white space prints as codesign prints it.
func TestImplicitDesignatedUnsettled(t *testing.T) {
	t.Parallel()
	p := newDRPKI()
	apple := func(c *x509.Certificate) bool { return bytes.Equal(c.Raw, p.Root.Cert.Raw) }
	// withNames is c with its parsed subject replaced: testpki cannot mint
	// a repeated or missing CN, and DRMaker reads only the parsed subject.
	withNames := func(c *testpki.Cert, names ...pkix.AttributeTypeAndValue) *x509.Certificate {
		d := *c.Cert
		d.Subject = pkix.Name{Names: names}
		return &d
	}
	atv := func(arc int, v string) pkix.AttributeTypeAndValue {
		return pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, arc}, Value: v}
	}
	const cn, o, ou = 3, 10, 11
	dev := drLeaf(p.wwdr, "Apple Development: A", "", 60, testpki.AppleLeafMarker(12))
	for _, tc := range []struct {
		name  string
		leaf  *x509.Certificate
		ca    *testpki.Cert
		apple bool
	}{
		{"two-cn", withNames(dev, atv(cn, "Apple Development: A"), atv(cn, "Apple Development: B")), p.wwdr, true},
		{"no-cn", withNames(dev, atv(ou, machofile.TeamID)), p.wwdr, true},
		{"cn-not-a-string", withNames(dev, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: 7}), p.wwdr, true},
		{"two-ou", withNames(p.Leaf, atv(cn, "Developer ID Application: A"), atv(ou, machofile.TeamID), atv(ou, "OTHER12345")), p.CA, true},
		{"no-ou", withNames(p.Leaf, atv(cn, "Developer ID Application: A")), p.CA, true},
		{"two-o", withNames(p.Leaf, atv(o, "Example Corp"), atv(o, "Other Corp")), p.plain, false},
		{"ca-two-o", p.Leaf.Cert, p.plain, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca := tc.ca.Cert
			if tc.name == "ca-two-o" {
				ca = withNames(tc.ca, atv(o, "Example Corp"), atv(o, "Example Corp"))
			}
			ctx := &reqContext{identifier: "x", chain: []*x509.Certificate{tc.leaf, ca, p.Root.Cert}, chainTrusted: true,
				appleRoot: func(c *x509.Certificate) bool { return tc.apple && apple(c) }}
			if r := implicitDesignated(ctx); r != nil {
				t.Errorf("derived %s", r)
			}
		})
	}
	ctx := &reqContext{identifier: "a \"b\" \\c\td", chain: []*x509.Certificate{p.Leaf.Cert, p.CA.Cert, p.Root.Cert}, chainTrusted: true, appleRoot: apple}
	r := implicitDesignated(ctx)
	if r == nil {
		t.Fatal("no requirement")
	}
	back, err := CompileRequirement(r.String())
	if err != nil || back.String() != r.String() {
		t.Fatalf("%q does not compile back: %v", r, err)
	}
	if res, why := back.evaluate(ctx); res != signing.RequirementSatisfied {
		t.Errorf("%s %v", res, why)
	}
}
