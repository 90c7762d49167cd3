package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// TestAttackFamilyGlobSilencesKnownBad checks that family globs do not
// reach the blocklist hits. "file/*: warning" reads as toning down the
// file family's layout advisories (world-writable modes, set-user-ID bits,
// insecure names), but it also turned file/known-bad into a warning, and
// a file an IoC list names (3CX's trojanized library, say) passed the gate:
// an unsigned file, or one whose signature is intact, has no
// policy/bad-signature backstop. Only an override naming the rule changes
// file/known-bad or signer/blocklisted now.
func TestAttackFamilyGlobSilencesKnownBad(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	rel := filepath.Join(dir, "release")
	payload := []byte("a trojanized helper library\n")
	writeTree(t, rel, map[string][]byte{"libffmpeg.so": payload})
	sum := sha256.Sum256(payload)
	lists := filepath.Join(dir, "lists")
	writeTree(t, lists, map[string][]byte{"hashes.txt": []byte(hex.EncodeToString(sum[:]) + "\n")})
	files := Blocklists{Files: []string{filepath.Join(lists, "hashes.txt")}}
	for _, sev := range []map[string]string{
		{"file/*": "warning"},
		{"file/*": "note"},
		{"file/*": "off"},
	} {
		pol := &Policy{Blocklists: files, Severity: sev}
		mustFail(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, "libffmpeg.so", blocklist.RuleFileKnownBad, rel)
	}
	// The exact ID still decides, and the glob still reaches the family's
	// other rules.
	pol := &Policy{Blocklists: files, Severity: map[string]string{"file/*": "off", "file/known-bad": "warning"}}
	if r := run(t, Options{Policy: pol, Trust: f.trust, Time: checkTime}, rel); !r.Summary.Passed {
		t.Errorf("file/known-bad turned down by its ID: findings %v", r.Findings)
	}
	if _, on := pol.severityFor(RuleMalformed, signing.SeverityError); on {
		t.Errorf("file/* off left file/malformed on")
	}
	if sev, _ := (&Policy{Severity: map[string]string{"signer/*": "note"}}).severityFor(blocklist.RuleSignerBlocklisted, signing.SeverityError); sev != signing.SeverityError {
		t.Errorf("signer/* note reached signer/blocklisted: %v", sev)
	}
}
