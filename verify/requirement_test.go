package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
)

// TestPolicyRequirement: a rule's Apple code requirement passes code that
// satisfies it and fails, as policy/requirement-not-satisfied, code signed
// by another team, ad-hoc and unsigned code, and requirements that cannot
// be decided offline.
func TestPolicyRequirement(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	var extra requirementFixtures
	extra.machoUntrusted, extra.machoTampered = untrustedAndTampered(t)
	for _, tc := range []struct {
		name, req string
		file      []byte
		pass      bool
	}{
		{"own team", `certificate leaf[subject.OU] = ` + machofile.TeamID + ` and identifier "com.example.app"`, f.machoValid, true},
		{"developer id markers", `certificate 1[field.1.2.840.113635.100.6.2.6] and certificate leaf[field.1.2.840.113635.100.6.1.13] exists`, f.machoValid, true},
		{"universal", `certificate leaf[subject.OU] = ` + machofile.TeamID, f.fat, true},
		{"other team", `certificate leaf[subject.OU] = "ABCDE12345"`, f.machoValid, false},
		{"test root is no Apple root", `anchor apple generic`, f.machoValid, false},
		{"undecided", `certificate leaf[subject.OU] = ` + machofile.TeamID + ` and notarized`, f.machoValid, false},
		{"adhoc", `certificate leaf[subject.OU] = ` + machofile.TeamID, f.machoAdhoc, false},
		{"adhoc by cdhash", `identifier "com.example.helper"`, f.machoAdhoc, true},
		{"unsigned", `always`, f.machoUnsigned, false},
		{"untrusted chain", `certificate leaf[subject.OU] = ` + machofile.TeamID, extra.machoUntrusted, false},
		{"tampered", `identifier "com.example.app"`, extra.machoTampered, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol, err := ParsePolicy([]byte("rules:\n  - match: [\"MacOS/*\"]\n    require: none\n    requirement: '" + tc.req + "'\n"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"MacOS/app": tc.file})
			r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir)
			got := rulesFor(r, "MacOS/app")
			failed := has(got, "error "+string(RuleRequirementNotSatisfied))
			if failed == tc.pass {
				t.Errorf("requirement %s: findings %v, want pass=%t", tc.req, r.Findings, tc.pass)
			}
			for _, x := range r.Findings {
				if x.Rule == RuleRequirementNotSatisfied && !strings.Contains(x.Message, "line 2") {
					t.Errorf("finding does not name the policy line: %s", x.Message)
				}
			}
		})
	}
}

// TestPolicyRequirementInvalid: a requirement that does not compile is a
// policy error naming its line.
func TestPolicyRequirementInvalid(t *testing.T) {
	t.Parallel()
	_, err := ParsePolicy([]byte("rules:\n  - match: [\"**\"]\n    requirement: 'anchor apple generic and'\n"))
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Line != 3 || !strings.Contains(pe.Reason, "requirement") {
		t.Fatalf("err = %v", err)
	}
}

type requirementFixtures struct{ machoUntrusted, machoTampered []byte }

// untrustedAndTampered signs a Mach-O with the fixture PKI's untrusted
// leaf (team OU TEAM123456, a root nobody trusts), and flips a code byte
// of a Developer ID one.
func untrustedAndTampered(t *testing.T) ([]byte, []byte) {
	p := machofile.NewPKI()
	thin := machofile.Build(machofile.Spec{CPU: machofile.CPUARM64, Seed: 1})
	spec := p.DeveloperIDSpec("com.example.app")
	spec.CMS = machofile.Signer{Leaf: p.Other, SigningTime: machofile.SignTime}.CMS
	untrusted, _, err := machofile.Sign(thin, spec)
	if err != nil {
		t.Fatal(err)
	}
	good, _, err := machofile.Sign(thin, p.DeveloperIDSpec("com.example.app"))
	if err != nil {
		t.Fatal(err)
	}
	good[0x400+100] ^= 1
	return untrusted, good
}
