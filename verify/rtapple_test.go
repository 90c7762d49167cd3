package verify

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// TestAppleTrustExcludesMicrosoftRoots: Apple code signatures are anchored
// by Apple's embedded roots and the policy's own roots only. Microsoft
// Identity Verification Root Certificate Authority 2020 anchors the
// certificates Azure Trusted Signing issues to any validated customer: had
// it anchored Apple chains, a Mach-O signed with such a Windows
// certificate would be "valid" under `require: valid`, which no Mac
// accepts.
func TestAppleTrustExcludesMicrosoftRoots(t *testing.T) {
	t.Parallel()
	for name, pol := range map[string]*Policy{
		"default":         {},
		"no system roots": {Trust: Trust{System: new(false)}},
	} {
		t.Run(name, func(t *testing.T) {
			trust, apple, err := pol.trustStores([]string{})
			if err != nil {
				t.Fatal(err)
			}
			names := func(ts *signing.TrustStore) map[string]bool {
				m := map[string]bool{}
				for _, s := range ts.Sources() {
					m[string(s.Kind)+"/"+s.Name] = true
				}
				return m
			}
			if got := names(trust); !got["embedded/microsoft"] || !got["embedded/apple"] {
				t.Errorf("Authenticode trust sources %v", got)
			}
			got := names(apple)
			if got["embedded/microsoft"] || got["system/"] || !got["embedded/apple"] {
				t.Errorf("Apple trust sources %v, want Apple's embedded roots alone", got)
			}
			for _, s := range apple.Sources() {
				if s.Kind == signing.TrustSystem {
					t.Errorf("Apple trust has a system source %+v", s)
				}
			}
		})
	}
}

// policyRequirementPasses runs a policy whose only rule is requirement req
// over file, and reports whether it passes (no
// policy/requirement-not-satisfied).
func policyRequirementPasses(t *testing.T, req string, file []byte) bool {
	t.Helper()
	f := getFixtures(t)
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"MacOS/*\"]\n    require: none\n    requirement: '" + req + "'\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": file})
	r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir)
	return !has(rulesFor(r, "MacOS/app"), "error "+string(RuleRequirementNotSatisfied))
}

// TestRequirementUnknownIsNeverSatisfied: a term shipgate cannot decide
// offline (notarization, an Info.plist a lone Mach-O lacks) stays
// undecided through !, and an or with a false side; only a side that
// decides the whole (false and …, true or …) decides it.
func TestRequirementUnknownIsNeverSatisfied(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	team := `certificate leaf[subject.OU] = ` + machofile.TeamID
	for _, tc := range []struct {
		name, req string
		pass      bool
	}{
		{"not over unknown", `! notarized`, false},
		{"not over not over unknown", `! ! notarized`, false},
		{"unknown or false", `notarized or identifier "com.evil"`, false},
		{"false or unknown", `identifier "com.evil" or notarized`, false},
		{"unknown and true", `notarized and ` + team, false},
		{"info outside its bundle", `info[CFBundleIdentifier] = "com.example.app"`, false},
		{"not info outside its bundle", `! info[CFBundleIdentifier] = "com.evil"`, false},
		{"trust settings", `anchor trusted`, false},
		{"named anchor", `anchor apple Something`, false},
		{"false or legacy list", `certificate leaf[subject.OU] = nobody or legacy`, false},
		// Decided by the known side, on any Mac:
		{"true or unknown", team + ` or notarized`, true},
		{"not (false and unknown)", `! (identifier "com.evil" and notarized)`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := policyRequirementPasses(t, tc.req, f.machoValid); got != tc.pass {
				t.Errorf("%s: pass=%t, want %t", tc.req, got, tc.pass)
			}
		})
	}
}

// TestRequirementCDHashIsTheStrongestDirectory: a file signed with a
// SHA-1 primary CodeDirectory and a SHA-256 alternate satisfies a cdhash
// term with the SHA-256 directory's cdhash, the one macOS names the code
// by, and not with the weaker SHA-1 directory's.
func TestRequirementCDHashIsTheStrongestDirectory(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.HashTypes = []uint8{machofile.HashSHA1, machofile.HashSHA256}
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 9}), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := codesign.Verify(bytes.NewReader(b), int64(len(b)), codesign.Options{Trust: f.trust, Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	cds := res.Slices[0].CodeDirectories
	if len(cds) != 2 || cds[0].HashType != codesign.HashSHA1 || cds[1].HashType != codesign.HashSHA256 {
		t.Fatalf("directories %+v", cds)
	}
	if !policyRequirementPasses(t, `cdhash H"`+cds[1].CDHash+`"`, b) {
		t.Error("the SHA-256 directory's cdhash does not satisfy cdhash")
	}
	if policyRequirementPasses(t, `cdhash H"`+cds[0].CDHash+`"`, b) {
		t.Error("the SHA-1 directory's cdhash satisfies cdhash")
	}
}

// TestSignerSubjectCraftedNamesDoNotMatch: a subject is matched as the
// report prints it (UID by name) or in pkix.Name.String's raw form, and no
// certificate another party can have issued prints as the victim's in
// either: escaped commas and pluses, a UID or CN holding ",OU=…", an extra
// attribute, a second CN (of which pkix.Name keeps only the last), or the
// attribute in another RDN all print differently. A UID
// spelt as UTF8String rather than PrintableString asserts the same
// attributes and prints the same, as pkix.Name.String prints it.
func TestSignerSubjectCraftedNamesDoNotMatch(t *testing.T) {
	t.Parallel()
	ca := getFixtures(t).apple.Root
	oidUID := asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	uid := func(v any) []pkix.AttributeTypeAndValue {
		return []pkix.AttributeTypeAndValue{{Type: oidUID, Value: v}}
	}
	issue := func(n int, cn, ou string, extra []pkix.AttributeTypeAndValue) *signing.Identity {
		c := ca.Issue(testpki.Spec{CommonName: cn, Organization: "Acme", OrganizationalUnit: ou, ExtraNames: extra, KeyN: 60 + n})
		id := signing.NewIdentity(c.Cert)
		return &id
	}
	const cn = "Developer ID Application: Acme (ABCDE12345)"
	victim := issue(0, cn, "ABCDE12345", uid("ABCDE12345"))
	if !strings.Contains(victim.Subject, "UID=ABCDE12345") {
		t.Fatalf("victim subject %q", victim.Subject)
	}
	forms := []Signer{
		{Subject: victim.Subject, Issuer: victim.Issuer},
		{Subject: victim.Certificate.Subject.String(), Issuer: victim.Certificate.Issuer.String()},
	}
	for _, s := range forms {
		if !s.matches(victim) {
			t.Fatalf("%v does not match its own certificate", s)
		}
	}
	for i, tc := range []struct {
		name string
		id   *signing.Identity
		same bool
	}{
		{"uid as UTF8String", issue(1, cn, "ABCDE12345", []pkix.AttributeTypeAndValue{{Type: oidUID, Value: asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte("ABCDE12345")}}}), true},
		{"uid holding ,OU=", issue(2, cn, "EVIL000000", uid("ABCDE12345,OU=ABCDE12345")), false},
		{"cn holding ,OU=", issue(3, cn+",OU=ABCDE12345", "", uid("ABCDE12345")), false},
		{"cn holding +UID=", issue(4, cn+"+UID=ABCDE12345", "ABCDE12345", nil), false},
		{"ou holding the uid", issue(5, cn, "ABCDE12345,UID=ABCDE12345", nil), false},
		{"extra uid", issue(6, cn, "ABCDE12345", append(uid("ABCDE12345"), uid("EVIL000000")...)), false},
		{"uid with a trailing space", issue(7, cn, "ABCDE12345", uid("ABCDE12345 ")), false},
		{"raw-form text in a uid", issue(8, cn, "ABCDE12345", uid("#130a41424344453132333435")), false},
		// crypto/x509 keeps the last of two CNs: the certificate's own
		// first CN (what Apple's subject.CN reads) must not vanish.
		{"second cn naming the victim", issue(9, "", "ABCDE12345", []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Mallory"}, {Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: cn}, uid("ABCDE12345")[0]}), false},
	} {
		for j, s := range forms {
			if got := s.matches(tc.id); got != tc.same {
				t.Errorf("%s (%d): form %d %q matched=%t, want %t (subject %q)", tc.name, i, j, s.Subject, got, tc.same, tc.id.Subject)
			}
		}
	}
}

// TestTeamIDSignerMatchesAppleSignaturesOnly: a team ID is an Apple
// notion, read from a certificate's own Apple marker and OU. A Windows
// CA's code-signing certificate that carries an Apple marker and the
// victim's OU does not make an Authenticode signature match a `teamID`
// signer (nor an `appleKind` one).
func TestTeamIDSignerMatchesAppleSignaturesOnly(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	leaf := f.winRoot.Issue(testpki.Spec{CommonName: "Mallory", Organization: "Mallory", OrganizationalUnit: machofile.TeamID, KeyN: 70,
		ExtraExtensions: []pkix.Extension{{Id: signing.OIDAppleDeveloperIDApplication, Value: []byte{5, 0}}}})
	pe, err := pefile.SignAttach(f.peUnsigned, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": pe, "MacOS/app": f.machoValid})
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{TeamID: machofile.TeamID}}}}}
	r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir)
	m := fileByPath(r, "app.exe")
	if m == nil || len(m.Signatures) != 1 || m.Signatures[0].Status != signing.StatusValid || m.Signatures[0].Signer.TeamID != machofile.TeamID {
		t.Fatalf("the PE's signature is not what the test needs: %+v", m)
	}
	if !has(rulesFor(r, "app.exe"), "error "+string(ruleSignerNotAllow)) {
		t.Errorf("an Authenticode signature matched a teamID signer: %v", rulesFor(r, "app.exe"))
	}
	if has(rulesFor(r, "MacOS/app"), "error "+string(ruleSignerNotAllow)) {
		t.Errorf("the team's own Mach-O refused: %v", rulesFor(r, "MacOS/app"))
	}
}

// TestPolicyRequirementEntitlementsXMLDERMismatch: a Mach-O whose XML
// entitlements omit get-task-allow while its DER entitlements, which
// macOS grants, carry it does not pass a policy requiring the entitlement
// absent: the term is undecided, and undecided is not satisfied.
func TestPolicyRequirementEntitlementsXMLDERMismatch(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	der := []byte{0x70, 0x2d, 0x02, 0x01, 0x01, 0xb0, 0x28, 0x30, 0x26, 0x0c, 0x21}
	der = append(der, "com.apple.security.get-task-allow"...)
	der = append(der, 0x01, 0x01, 0xff)
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.DEREntitlements = der
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 8}), spec)
	if err != nil {
		t.Fatal(err)
	}
	if policyRequirementPasses(t, `entitlement["com.apple.security.get-task-allow"] absent`, b) {
		t.Error("a debuggable Mach-O (get-task-allow in its DER entitlements) passed `get-task-allow absent` on its XML entitlements")
	}
}
