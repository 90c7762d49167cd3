package codesign

import (
	"crypto/sha1"
	"crypto/sha256"
	"maps"
	"strings"
	"testing"
	"testing/fstest"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackWeakResourceEnvelope: a bundle whose seal Gatekeeper rejects
// passed. Security's strict validation, which Gatekeeper applies to the
// apps it assesses, refuses a version 1 resource envelope
// (errSecCSWeakResourceEnvelope, "obsolete resource envelope"; it was a
// warning) and resource rules without the catch-all "^.*" set to true or
// with an omit rule codesign does not write (errSecCSWeakResourceRules;
// the omitted files were a warning each, and a rule set to false, which
// omits too, was taken as including); and any validation refuses a
// "files2" without "rules2" (errSecCSResourcesInvalid), which shipgate
// filled with codesign's default rules. Each is an error now; codesign's
// own rules give none.
func TestAttackWeakResourceEnvelope(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	res := []byte("a resource\n")
	s1, s2 := sha1.Sum(res), sha256.Sum256(res)
	entry := map[string]any{"hash": s1[:], "hash2": s2[:]}
	with := func(k string, v any) map[string]any {
		r := maps.Clone(machofile.Rules2)
		r[k] = v
		return r
	}
	for _, c := range []struct {
		name string
		doc  map[string]any
		rule signing.Rule // the error expected; "" for none
		in   string       // in its message
	}{
		{"codesign's rules", map[string]any{"files2": map[string]any{"Resources/data.txt": entry}, "rules2": machofile.Rules2}, "", ""},
		{"version 1 only", map[string]any{"files": map[string]any{"Resources/data.txt": s1[:]}, "rules": map[string]any{"^Resources/": true}}, RuleWeakResourceEnvelope, "version 1"},
		{"custom omit rule", map[string]any{"files2": map[string]any{}, "rules2": with("^Resources/", map[string]any{"omit": true, "weight": 20.0})}, RuleWeakResourceEnvelope, `"^Resources/"`},
		{"rule set to false", map[string]any{"files2": map[string]any{}, "rules2": with("^Resources/", false)}, RuleWeakResourceEnvelope, `"^Resources/"`},
		{"catch-all not true", map[string]any{"files2": map[string]any{"Resources/data.txt": entry}, "rules2": with("^.*", map[string]any{})}, RuleWeakResourceEnvelope, "catch-all"},
		{"files2 without rules2", map[string]any{"files2": map[string]any{"Resources/data.txt": entry}}, RuleMalformed, "errSecCSResourcesInvalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			seal, err := plist.MarshalIndent(c.doc, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			info := machofile.InfoPlist("Example", "com.example.app")
			spec := p.DeveloperIDSpec("com.example.app")
			spec.InfoPlist, spec.CodeResources = info, seal
			exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 87, CodeSize: 6000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			app := "Example.app/Contents/"
			m := fstest.MapFS{
				app + "Info.plist":                   {Data: info},
				app + "MacOS/Example":                {Data: exe, Mode: 0o755},
				app + "Resources/data.txt":           {Data: res},
				app + "_CodeSignature/CodeResources": {Data: seal},
			}
			r, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			var errs []signing.Finding
			for _, f := range r.Findings {
				if f.Severity == signing.SeverityError && f.Path == app+"_CodeSignature/CodeResources" {
					errs = append(errs, f)
				}
			}
			if c.rule == "" {
				if len(errs) != 0 || r.Status() != signing.StatusValid {
					t.Fatalf("status %s, errors %+v\n%s", r.Status(), errs, dumpBundle(r))
				}
				return
			}
			if r.Status() == signing.StatusValid || len(errs) != 1 || errs[0].Rule != c.rule || !strings.Contains(errs[0].Message, c.in) {
				t.Fatalf("status %s, errors on CodeResources %+v, want one %s naming %s\n%s", r.Status(), errs, c.rule, c.in, dumpBundle(r))
			}
		})
	}
}
