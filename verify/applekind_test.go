package verify

import (
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/pkg"
)

// wwdrCA is a Worldwide Developer Relations CA of the fixture Apple root.
func wwdrCA(t *testing.T) *testpki.Cert {
	return getFixtures(t).apple.Root.Issue(testpki.Spec{CommonName: "shipgate Test Apple Worldwide Developer Relations Certification Authority", CA: true, KeyN: 26,
		ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(1)}})
}

// developmentSigner signs as an Apple Development leaf of the fixture
// team, issued by a Worldwide Developer Relations CA of the fixture root.
func developmentSigner(t *testing.T) machofile.Signer {
	f := getFixtures(t)
	wwdr := wwdrCA(t)
	leaf := wwdr.Issue(testpki.Spec{CommonName: "Apple Development: Example Corp (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID, KeyN: 40,
		ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(2), testpki.AppleLeafMarker(12)}})
	s := f.apple.Signer()
	s.Leaf, s.Chain = leaf, []*testpki.Cert{wwdr}
	return s
}

// developmentSigned returns a Mach-O signed by developmentSigner.
func developmentSigned(t *testing.T) []byte {
	t.Helper()
	f := getFixtures(t)
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.CMS = developmentSigner(t).CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 5}), spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const appleKindPolicy = `rules:
  - match: ["**"]
    require: valid
    signers:
      - teamID: TEAM123456
        appleKind: developer-id-application
`

// TestPolicyAppleKind: a policy requiring a Developer ID Application
// certificate passes the team's Developer ID signature and refuses the
// same team's Apple Development one (policy/signer-not-allowed, naming the
// kind), which a teamID-only policy accepts with a warning.
func TestPolicyAppleKind(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol, err := ParsePolicy([]byte(appleKindPolicy))
	if err != nil {
		t.Fatal(err)
	}
	devID, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 5}), f.apple.DeveloperIDSpec("com.example.app"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": devID})
	r := run(t, Options{Policy: pol}, dir)
	if !r.Summary.Passed {
		t.Fatalf("Developer ID refused: %v", r.Findings)
	}
	m := fileByPath(r, "MacOS/app")
	b, _ := json.Marshal(m.Signatures[0].Signer)
	if !strings.Contains(string(b), `"appleKind":"developer-id-application"`) {
		t.Errorf("signer JSON %s", b)
	}

	dev := developmentSigned(t)
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": dev})
	r = mustFail(t, Options{Policy: pol}, "MacOS/app", ruleSignerNotAllow, dir)
	for _, x := range r.Findings {
		if x.Rule == ruleSignerNotAllow && !strings.Contains(x.Message, "Apple kind apple-development") {
			t.Errorf("message %q does not name the kind", x.Message)
		}
	}
	if got := rulesFor(r, "MacOS/app"); !has(got, "warning "+string(codesign.RuleNotDistributionCertificate)) {
		t.Errorf("findings %v", got)
	}

	teamOnly := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{TeamID: machofile.TeamID}}}}}
	r = run(t, Options{Policy: teamOnly}, dir)
	if !r.Summary.Passed || !has(rulesFor(r, "MacOS/app"), "warning "+string(codesign.RuleNotDistributionCertificate)) {
		t.Errorf("team-only policy: passed %v, findings %v", r.Summary.Passed, rulesFor(r, "MacOS/app"))
	}
}

// TestPolicyAppleKindDMG: the kind of a disk image's signer comes from
// the same classifier, through package codesign.
func TestPolicyAppleKindDMG(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol, err := ParsePolicy([]byte(appleKindPolicy))
	if err != nil {
		t.Fatal(err)
	}
	good := dmgfile.SignSpec(f.apple, "com.example.dmg")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Example-1.4.0.dmg": dmgFixture(t, &good, nil)})
	r := run(t, Options{Policy: pol}, dir)
	m := fileByPath(r, "Example-1.4.0.dmg")
	if m == nil || len(m.Signatures) != 1 || m.Signatures[0].Signer == nil || m.Signatures[0].Signer.AppleKind != signing.AppleKindDeveloperIDApplication {
		t.Fatalf("file %+v", m)
	}
	if has(rulesFor(r, "Example-1.4.0.dmg"), "error "+string(ruleSignerNotAllow)) {
		t.Errorf("findings %v", rulesFor(r, "Example-1.4.0.dmg"))
	}

	dev := good
	dev.CMS = developmentSigner(t).CMS
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"Example-1.4.0.dmg": dmgFixture(t, &dev, nil)})
	r = mustFail(t, Options{Policy: pol}, "Example-1.4.0.dmg", ruleSignerNotAllow, dir)
	if m := fileByPath(r, "Example-1.4.0.dmg"); m.Signatures[0].Signer.AppleKind != signing.AppleKindDevelopment {
		t.Errorf("kind %q", m.Signatures[0].Signer.AppleKind)
	}
	if got := rulesFor(r, "Example-1.4.0.dmg"); !has(got, "warning "+string(codesign.RuleNotDistributionCertificate)) {
		t.Errorf("findings %v", got)
	}
}

// TestPkgMacAppStoreInstallerFailsGate: a package signed with a Mac App
// Store installer certificate fails the default gate
// (pkg/not-distribution-certificate), and a policy that requires
// developer-id-installer refuses it too.
func TestPkgMacAppStoreInstallerFailsGate(t *testing.T) {
	t.Parallel()
	wwdr := wwdrCA(t)
	leaf := wwdr.Issue(testpki.Spec{CommonName: "3rd Party Mac Developer Installer: Example Corp (" + machofile.TeamID + ")", OrganizationalUnit: machofile.TeamID,
		KeyN: 42, NoEKU: true, ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(8), testpki.AppleEKU(9)}})
	s, _ := pkgSpec(t)
	s.Signer, s.Chain = leaf, []*testpki.Cert{wwdr}
	b, _ := pkgfile.Build(s)
	dir := writePkg(t, b)
	r := mustFail(t, Options{}, "Example-1.4.0.pkg", pkg.RuleNotDistributionCertificate, dir)
	if m := fileByPath(r, "Example-1.4.0.pkg"); m.Signatures[0].Status != signing.StatusValid || m.Signatures[0].Signer.AppleKind != signing.AppleKindMacInstallerDistribution {
		t.Errorf("signature %+v", m.Signatures[0])
	}
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"**/*.pkg\"]\n    signers:\n      - teamID: TEAM123456\n        appleKind: developer-id-installer\n"))
	if err != nil {
		t.Fatal(err)
	}
	mustFail(t, Options{Policy: pol}, "Example-1.4.0.pkg", ruleSignerNotAllow, dir)
	good, _ := pkgSpec(t)
	b, _ = pkgfile.Build(good)
	if errs := errorRules(run(t, Options{Policy: pol}, writePkg(t, b))); len(errs) != 0 {
		t.Errorf("Developer ID Installer package under the policy: %v", errs)
	}
}

// TestPolicyAppleKindValues: an unknown kind, "unknown" itself, and a
// signer with appleKind as its only criterion are policy errors naming
// the line.
func TestPolicyAppleKindValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"misspelt", "rules:\n  - match: [\"**\"]\n    signers:\n      - teamID: T\n        appleKind: developer-id\n", 5, "unknown Apple certificate kind"},
		{"unknown", "rules:\n  - match: [\"**\"]\n    signers:\n      - teamID: T\n        appleKind: unknown\n", 5, "names no kind"},
		{"alone", "rules:\n  - match: [\"**\"]\n    signers:\n      - appleKind: developer-id-application\n", 4, "without criteria"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy([]byte(tc.yaml))
			var pe *PolicyError
			if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(pe.Reason, tc.want) {
				t.Errorf("error %v (line %d), want line %d with %q", err, lineOf(pe), tc.line, tc.want)
			}
		})
	}
	for _, k := range signing.AppleCertKinds() {
		if k == signing.AppleKindUnknown {
			continue
		}
		if _, err := ParsePolicy([]byte("rules:\n  - match: [\"**\"]\n    signers:\n      - teamID: T\n        appleKind: " + string(k) + "\n")); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}

func lineOf(pe *PolicyError) int {
	if pe == nil {
		return -1
	}
	return pe.Line
}

// TestSchemasListEveryAppleKind keeps the appleKind enums of the policy
// and report schemas equal to signing.AppleCertKinds.
func TestSchemasListEveryAppleKind(t *testing.T) {
	t.Parallel()
	var kinds []string
	for _, k := range signing.AppleCertKinds() {
		kinds = append(kinds, `"`+string(k)+`"`)
	}
	report := `"appleKind": {"enum": [` + strings.Join(kinds, ", ") + `]}`
	policy := `"appleKind": {"enum": [` + strings.Join(kinds[:len(kinds)-1], ", ") + `]}`
	if signing.AppleCertKinds()[len(kinds)-1] != signing.AppleKindUnknown {
		t.Fatal("AppleCertKinds no longer ends with unknown")
	}
	if !strings.Contains(string(PolicySchema), policy) {
		t.Errorf("policy schema lacks %s", policy)
	}
	b, err := os.ReadFile("report/schema/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), report) {
		t.Errorf("report schema lacks %s", report)
	}
}

// TestPolicySubjectReadable: an Apple leaf's subject is printed and
// matched with its UID by name; the raw form earlier reports printed
// matches too, and a subject naming another UID does not.
func TestPolicySubjectReadable(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	leaf := f.apple.CA.Issue(testpki.Spec{CommonName: "Developer ID Application: Example Corp (" + machofile.TeamID + ")", Organization: "Example Corp",
		OrganizationalUnit: machofile.TeamID, KeyN: 41, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
		ExtraNames: []pkix.AttributeTypeAndValue{testpki.UID(machofile.TeamID)}})
	s := f.apple.Signer()
	s.Leaf = leaf
	spec := f.apple.DeveloperIDSpec("com.example.app")
	spec.CMS = s.CMS
	b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 5}), spec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": b})
	readable := "CN=Developer ID Application: Example Corp (" + machofile.TeamID + "),OU=" + machofile.TeamID + ",O=Example Corp,UID=" + machofile.TeamID
	issuer := signing.FormatName(f.apple.CA.Cert.Subject)
	pol := func(subject string) *Policy {
		return &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{Subject: subject, Issuer: issuer}}}}}
	}
	r := run(t, Options{Policy: pol(readable)}, dir)
	if !r.Summary.Passed {
		t.Fatalf("readable subject refused: %v", r.Findings)
	}
	js, _ := json.Marshal(fileByPath(r, "MacOS/app").Signatures[0].Signer)
	if !strings.Contains(string(js), `"subject":"`+readable+`"`) {
		t.Errorf("signer JSON %s", js)
	}
	raw := leaf.Cert.Subject.String()
	if !strings.Contains(raw, "0.9.2342.19200300.100.1.1=#") {
		t.Fatalf("raw form %q", raw)
	}
	if r := run(t, Options{Policy: pol(raw)}, dir); !r.Summary.Passed {
		t.Errorf("raw subject refused: %v", r.Findings)
	}
	mustFail(t, Options{Policy: pol(strings.Replace(readable, "UID="+machofile.TeamID, "UID=OTHER98765", 1))}, "MacOS/app", ruleSignerNotAllow, dir)
}

// TestNotDistributionCertificateRaised: a policy raises the development
// certificate warning to an error and the gate fails on it.
func TestNotDistributionCertificateRaised(t *testing.T) {
	t.Parallel()
	pol, err := ParsePolicy([]byte("severity:\n  codesign/not-distribution-certificate: error\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MacOS/app": developmentSigned(t)})
	r := mustFail(t, Options{Policy: pol}, "MacOS/app", codesign.RuleNotDistributionCertificate, dir)
	if got := rulesFor(r, "MacOS/app"); !has(got, "error "+string(codesign.RuleNotDistributionCertificate)) {
		t.Errorf("findings %v", got)
	}
}
