package report

import (
	"errors"
	"strings"
	"testing"
)

// TestAttackReadJSONUnknownVocabulary: ReadJSON, which `shipgate render`
// reads reports with, refused unknown fields but took any string where the
// schema names a vocabulary, so a report handed to render could carry a
// file kind or signature format of terminal escapes, a rule ID with a
// newline, a made-up digest algorithm: names the renderers print. Each is
// refused now, naming its place; a report verify writes still reads.
func TestAttackReadJSONUnknownVocabulary(t *testing.T) {
	const file = `{"path":"a.exe","size":1,"sha256":"` + "%SHA%" + `","kind":%KIND%,"signatures":[{"format":%FORMAT%,"index":0,"status":"valid",` +
		`"digest":{"algorithm":%ALG%,"signed":"ab","computed":"ab"},"timestamp":{"time":"2023-01-01T00:00:00Z","kind":%TS%,"verified":true},"checks":[]}]}`
	doc := func(repl ...string) string {
		f := strings.NewReplacer(append([]string{"%SHA%", strings.Repeat("a", 64)}, repl...)...).Replace(file)
		f = strings.NewReplacer("%KIND%", `"pe"`, "%FORMAT%", `"authenticode"`, "%ALG%", `"sha256"`, "%TS%", `"rfc3161"`).Replace(f)
		return `{"schemaVersion":1,"tool":{"name":"shipgate","version":"x"},"files":[` + f + `],` +
			`"findings":[{"rule":%RULE%,"severity":"error","path":"a.exe","message":"m"}],` +
			`"summary":{"files":1,"signed":1,"errors":1,"warnings":0,"passed":false}}`
	}
	ok := strings.ReplaceAll(doc(), "%RULE%", `"file/known-bad"`)
	if _, err := ReadJSON(strings.NewReader(ok)); err != nil {
		t.Fatalf("a well-formed report: %v", err)
	}
	for name, bad := range map[string]string{
		"kind":      strings.ReplaceAll(doc("%KIND%", `"pe\u001b[2K"`), "%RULE%", `"file/known-bad"`),
		"format":    strings.ReplaceAll(doc("%FORMAT%", `"authenticode\n"`), "%RULE%", `"file/known-bad"`),
		"algorithm": strings.ReplaceAll(doc("%ALG%", `"rot13"`), "%RULE%", `"file/known-bad"`),
		"timestamp": strings.ReplaceAll(doc("%TS%", `"ntp"`), "%RULE%", `"file/known-bad"`),
		"rule":      strings.ReplaceAll(doc(), "%RULE%", `"file/known-bad\nPASS"`),
	} {
		_, err := ReadJSON(strings.NewReader(bad))
		if !errors.Is(err, ErrNotReport) || !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%s: %v, want ErrNotReport naming the unknown value", name, err)
		}
	}
}
