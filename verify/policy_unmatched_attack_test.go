package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestAttackPolicyRuleUnmatched: a policy pins the signer of "bin/*.exe",
// written against the release folder, and the pipeline verifies the folder
// one level up (or its zip), where the path is "MyApp/bin/app.exe". The
// rule matched nothing and said nothing: a binary signed by another trusted
// certificate passed the gate without a word. A rule anchored at the root
// that requires something of its files and matches none is now reported,
// policy/rule-unmatched, naming its line: a warning by default (one policy
// may gate several artifacts), an error where the policy says so; a rule
// that only allows is not reported.
func TestAttackPolicyRuleUnmatched(t *testing.T) {
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"MyApp/bin/app.exe": f.peValid, "MyApp/readme.txt": []byte("hi")})
	other := sha256.Sum256(f.otherLeaf.Cert.Raw)
	policy := func(glob string) *Policy {
		t.Helper()
		p, err := ParsePolicy([]byte(`severity: {policy/rule-unmatched: error}
rules:
  - match: ["nothing-here/**"]
    allowUnsigned: true
  - match: ["` + glob + `"]
    signers:
      - thumbprint: ` + hex.EncodeToString(other[:]) + `
`))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r := mustFail(t, Options{Policy: policy("bin/*.exe"), Trust: f.trust, Time: checkTime}, "", RuleRuleUnmatched, dir)
	var msgs []string
	for _, x := range r.Findings {
		if x.Rule == RuleRuleUnmatched {
			msgs = append(msgs, x.Message)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "rule at line 5") || !strings.Contains(msgs[0], `"bin/*.exe"`) || !strings.Contains(msgs[0], "signers") {
		t.Errorf("policy/rule-unmatched findings %q, want one naming the rule at line 5, its glob and signers", msgs)
	}
	// By default the finding is a warning.
	def := policy("bin/*.exe")
	def.Severity = nil
	r = run(t, Options{Policy: def, Trust: f.trust, Time: checkTime}, dir)
	if got := findingsOf(r, RuleRuleUnmatched); len(got) != 1 || r.Summary.Warnings != 1 {
		t.Errorf("default policy: %s findings %q, %d warnings, want one warning", RuleRuleUnmatched, got, r.Summary.Warnings)
	}
	// The glob that fits the layout judges the file, and no rule is
	// reported unmatched: the allowance matches nothing and says nothing.
	r = mustFail(t, Options{Policy: policy("MyApp/bin/*.exe"), Trust: f.trust, Time: checkTime}, "MyApp/bin/app.exe", RuleSignerNotAllowed, dir)
	for _, x := range r.Findings {
		if x.Rule == RuleRuleUnmatched {
			t.Errorf("unexpected %s: %s", x.Rule, x.Message)
		}
	}
}
