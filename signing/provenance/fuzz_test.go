package provenance

import "testing"

// FuzzParse feeds statements to Parse and checks a parsed one: no panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(npmV1))
	f.Add([]byte(generatorV02))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			return
		}
		if p.PredicateType != PredicateV1 && p.PredicateType != PredicateV02 {
			t.Fatalf("parsed predicate type %q", p.PredicateType)
		}
		p.Check(Requirements{SourceRepository: "github.com/acme/app", SourceRefRegexp: "refs/tags/.*"}, artifact)
	})
}
