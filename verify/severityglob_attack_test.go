package verify

import (
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestAttackFamilyGlobSilencesBadSignature checks that family globs do not
// reach policy/bad-signature, the error the gate reports for a broken
// signature whose own finding the policy turned down. "policy/*: note"
// and "authenticode/*: note" each read as toning down advisories, but
// together they turned both the verifier's finding and the backstop into
// notes, and a tampered PE passed. Only an override naming
// policy/bad-signature itself changes its severity now.
func TestAttackFamilyGlobSilencesBadSignature(t *testing.T) {
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"app.exe": f.peTampered})
	for _, sev := range []map[string]string{
		{"authenticode/*": "note", "policy/*": "note"},
		{"authenticode/*": "off", "policy/*": "off"},
		{"authenticode/digest-mismatch": "off", "policy/*": "warning"},
	} {
		pol := &Policy{Severity: sev}
		r := mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "app.exe", ruleBadSignature, dir)
		if s := fileByPath(r, "app.exe"); s == nil || len(s.Signatures) == 0 || s.Signatures[0].Status != signing.StatusInvalid {
			t.Errorf("%v: tampered PE not reported invalid: %+v", sev, s)
		}
	}
	// Globs still reach the family's other rules, and the exact ID still
	// turns the backstop off.
	pol := &Policy{Severity: map[string]string{"authenticode/*": "off", "policy/*": "off", "policy/bad-signature": "off"}}
	if r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, dir); !r.Summary.Passed {
		t.Errorf("backstop off by its ID: findings %v", r.Findings)
	}
	if sev, on := pol.severityFor(RuleUnsigned, signing.SeverityError); on {
		t.Errorf("policy/* off left policy/unsigned on at %v", sev)
	}
}
