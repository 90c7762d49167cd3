package vuln

import (
	"strings"
	"testing"
)

// TestVEXFutureBehindTimezoneOffset: a statement whose wall-clock time is
// before the evaluation time (12:00 UTC) but whose offset puts it 18 hours
// after (18:00 at UTC-12 is 06:00 UTC the next day) is future-dated: it
// does not outrank the real affected statement, and is reported. One in
// the past behind a positive offset (23:00 at UTC+12, 11:00 UTC) is not.
func TestVEXFutureBehindTimezoneOffset(t *testing.T) {
	for ts, want := range map[string]string{
		"2026-12-05T18:00:00-12:00": "vuln/known-vulnerable error,vuln/vex-future-statement warning",
		"2026-12-05T23:00:00+12:00": "vuln/not-affected note",
	} {
		finds, _ := scanVEX(t, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected", "timestamp": "2026-12-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "not_affected", "justification": "inline_mitigations_already_exist", "timestamp": "`+ts+`"}]}`)
		rules := rulesOf(finds)
		if len(rules) == 2 && rules[0] > rules[1] {
			rules[0], rules[1] = rules[1], rules[0]
		}
		if got := strings.Join(rules, ","); got != want {
			t.Errorf("%s: findings %v, want %s", ts, got, want)
		}
	}
}
