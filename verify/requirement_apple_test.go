package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// requirementCase is a policy requirement applied to one file: pass says
// it holds; undecided that the finding says it cannot be decided; want is
// text the finding must hold.
type requirementCase struct {
	name, req string
	file      []byte
	pass      bool
	undecided bool
	want      string
}

// runRequirement applies tc's requirement to tc.file, named name, under a
// rule matching the name, and checks the outcome.
func runRequirement(t *testing.T, name string, tc requirementCase) {
	t.Helper()
	pol, err := ParsePolicy([]byte("rules:\n  - match: [\"" + name + "\"]\n    require: none\n    requirement: '" + tc.req + "'\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{name: tc.file})
	r := run(t, Options{Policy: pol}, dir)
	var msgs []string
	for _, f := range r.Findings {
		if f.Rule != RuleRequirementNotSatisfied {
			continue
		}
		if f.Path != name {
			t.Errorf("finding on %q, want %q: %s", f.Path, name, f.Message)
		}
		if !strings.Contains(f.Message, name) || !strings.Contains(f.Message, "line 2") {
			t.Errorf("finding names neither the file nor the policy line: %s", f.Message)
		}
		msgs = append(msgs, f.Message)
	}
	all := strings.Join(msgs, "\n")
	if len(msgs) > 1 {
		t.Errorf("requirement %s: %d findings for one file and one rule, want one:\n%s", tc.req, len(msgs), all)
	}
	switch {
	case tc.pass && len(msgs) > 0:
		t.Fatalf("requirement %s: want pass, got %s", tc.req, all)
	case !tc.pass && len(msgs) == 0:
		t.Fatalf("requirement %s: passed, want %s; findings %v", tc.req, RuleRequirementNotSatisfied, r.Findings)
	}
	if tc.undecided != strings.Contains(all, "cannot be decided offline") && !tc.pass {
		t.Errorf("undecided = %t, findings:\n%s", !tc.undecided, all)
	}
	if tc.want != "" && !strings.Contains(all, tc.want) {
		t.Errorf("findings do not say %q:\n%s", tc.want, all)
	}
}

// TestPolicyRequirementDMG: a rule's requirement is evaluated against a
// disk image's signature as against a Mach-O slice's: its CodeDirectory's
// identifier and cdhash and its signer chain.
func TestPolicyRequirementDMG(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	good := dmgfile.SignSpec(f.apple, "com.example.dmg")
	valid := dmgFixture(t, &good, nil)
	other := f.apple.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Other Corp (OTHER98765)", Organization: "Other Corp", OrganizationalUnit: "OTHER98765",
		KeyN: 21, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	otherSpec := dmgfile.SignSpec(f.apple, "com.example.dmg")
	otherSpec.TeamID = "OTHER98765"
	s := f.apple.Signer()
	s.Leaf = other
	otherSpec.CMS = s.CMS
	otherTeam := dmgFixture(t, &otherSpec, nil)
	tampered := append([]byte(nil), valid...)
	tampered[600] ^= 1
	team := machofile.TeamID
	for _, tc := range []requirementCase{
		{name: "own team and identifier", req: `identifier "com.example.dmg" and certificate leaf[subject.OU] = ` + team, file: valid, pass: true},
		{name: "developer id markers", req: `certificate 1[field.1.2.840.113635.100.6.2.6] and certificate leaf[field.1.2.840.113635.100.6.1.13] exists`, file: valid, pass: true},
		{name: "other identifier", req: `identifier "com.example.other" and certificate leaf[subject.OU] = ` + team, file: valid, want: "does not satisfy"},
		{name: "other team in the requirement", req: `certificate leaf[subject.OU] = "ABCDE12345"`, file: valid, want: "does not satisfy"},
		{name: "signed by another team", req: `identifier "com.example.dmg" and certificate leaf[subject.OU] = ` + team, file: otherTeam, want: "does not satisfy"},
		{name: "test root is no Apple root", req: `anchor apple generic`, file: valid, want: "does not satisfy"},
		{name: "undecided info", req: `certificate leaf[subject.OU] = ` + team + ` and info[CFBundleShortVersionString] = "1.4.0"`, file: valid, undecided: true, want: "Info.plist"},
		{name: "undecided notarized", req: `certificate leaf[subject.OU] = ` + team + ` and notarized`, file: valid, undecided: true, want: "notarized"},
		{name: "unsigned", req: `always`, file: dmgFixture(t, nil, nil), want: "is unsigned"},
		{name: "tampered", req: `identifier "com.example.dmg"`, file: tampered, want: "signature is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) { runRequirement(t, "Example.dmg", tc) })
	}
}

// TestPolicyRequirementPkg: a rule's requirement is evaluated against each
// of an installer package's signatures by their signer chain: certificate
// and anchor terms decide, terms about code (identifier, cdhash,
// entitlements, Info.plist) are undecided and never pass, whatever the
// operators around them.
func TestPolicyRequirementPkg(t *testing.T) {
	t.Parallel()
	s, p := pkgSpec(t)
	valid, _ := pkgfile.Build(s)
	other := s
	other.Signer = p.OtherTeam
	otherTeam, _ := pkgfile.Build(other)
	unsigned := s
	unsigned.Signer, unsigned.CMS = nil, false
	unsignedPkg, _ := pkgfile.Build(unsigned)
	team := machofile.TeamID
	installer := `certificate leaf[field.1.2.840.113635.100.6.1.14]`
	for _, tc := range []requirementCase{
		{name: "own team", req: `certificate leaf[subject.OU] = ` + team + ` and ` + installer, file: valid, pass: true},
		{name: "code term or a true certificate term", req: `identifier "com.example.pkg" or certificate leaf[subject.OU] = ` + team, file: valid, pass: true},
		{name: "other team in the requirement", req: `certificate leaf[subject.OU] = "ABCDE12345"`, file: valid, want: "do not satisfy it"},
		{name: "signed by another team", req: `certificate leaf[subject.OU] = ` + team, file: otherTeam, want: "do not satisfy it"},
		{name: "code term and a false certificate term", req: `identifier "com.example.pkg" and certificate leaf[subject.OU] = "ABCDE12345"`, file: valid, want: "do not satisfy it"},
		{name: "test root is no Apple root", req: `anchor apple generic and ` + installer, file: valid, want: "do not satisfy it"},
		{name: "undecided identifier", req: `identifier "com.example.pkg" and certificate leaf[subject.OU] = ` + team, file: valid, undecided: true, want: "has no code identifier"},
		{name: "undecided negated identifier", req: `!identifier "com.evil.pkg" and certificate leaf[subject.OU] = ` + team, file: valid, undecided: true, want: "has no code identifier"},
		{name: "undecided cdhash", req: `cdhash H"0123456789abcdef0123456789abcdef01234567"`, file: valid, undecided: true, want: "no cdhash"},
		{name: "undecided entitlement", req: `entitlement["com.apple.security.app-sandbox"] exists`, file: valid, undecided: true, want: "no entitlements"},
		{name: "undecided info", req: `info[CFBundleIdentifier] = "com.example.pkg"`, file: valid, undecided: true, want: "no Info.plist"},
		{name: "unsigned", req: `always`, file: unsignedPkg, want: "is unsigned"},
	} {
		t.Run(tc.name, func(t *testing.T) { runRequirement(t, "Example.pkg", tc) })
	}
}

// TestPolicyRequirementPkgOneFinding: a package signed twice (the RSA
// signature over the table of contents and the CMS one) that fails a
// requirement gets one finding per rule, not one per signature; it names
// the signatures that fail, and says so when they disagree.
func TestPolicyRequirementPkgOneFinding(t *testing.T) {
	t.Parallel()
	s, p := pkgSpec(t)
	valid, _ := pkgfile.Build(s)
	split := s
	split.CMSSigner = p.OtherTeam
	disagree, _ := pkgfile.Build(split)
	team := machofile.TeamID
	for _, tc := range []struct {
		name, req string
		file      []byte
		want      string
		sig       int
	}{
		{"both fail", `certificate leaf[subject.OU] = "ABCDE12345"`, valid,
			"fails the requirement", -1},
		{"both fail names both", `certificate leaf[subject.OU] = "ABCDE12345"`, valid,
			"signatures 0 (apple-pkg) and 1 (apple-pkg-cms) do not satisfy it", -1},
		{"both undecided", `identifier "com.example.pkg"`, valid,
			"signatures 0 (apple-pkg) and 1 (apple-pkg-cms) are undecided", -1},
		{"signatures disagree", `certificate leaf[subject.OU] = ` + team, disagree,
			"disagree on the requirement", 1},
		{"signatures disagree names the failing one", `certificate leaf[subject.OU] = ` + team, disagree,
			"signature 0 (apple-pkg) satisfies it, but signature 1 (apple-pkg-cms) is invalid", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol, err := ParsePolicy([]byte("rules:\n  - match: [\"Example.pkg\"]\n    require: none\n    requirement: '" + tc.req + "'\n"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"Example.pkg": tc.file})
			r := run(t, Options{Policy: pol}, dir)
			var got []signing.Finding
			for _, f := range r.Findings {
				if f.Rule == RuleRequirementNotSatisfied {
					got = append(got, f)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d %s findings, want 1: %v", len(got), RuleRequirementNotSatisfied, got)
			}
			if !strings.Contains(got[0].Message, tc.want) {
				t.Errorf("finding %q does not say %q", got[0].Message, tc.want)
			}
			if got[0].Signature != tc.sig {
				t.Errorf("finding is about signature %d, want %d", got[0].Signature, tc.sig)
			}
		})
	}
}
