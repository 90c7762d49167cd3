package verify

import (
	"errors"
	"testing"

	"github.com/shipgate/shipgate/internal/strictyaml"
)

// A policy's values hidden behind YAML tags were decoded: a reviewer sees
// `!!binary KiovKi5kbGw=` and the rule matches **/*.dll. The loader refuses
// explicit tags, and the non-specific tag "!" (which yaml.v3 drops without
// a trace in its tree, so it passed), and directives.
func TestAttackPolicyYAMLTag(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"rules:\n  - match: [!!binary KiovKi5kbGw=]\n    require: valid\n",
		"rules:\n  - match: [\"**\"]\n    signers:\n      - subject: !!binary Q049RXZpbA==\n        issuer: CN=Root\n",
		"rules:\n  - match: [\"**\"]\n    require: !custom valid\n",
		"rules:\n  - match: [! \"**/*.dll\"]\n    require: valid\n",
		"rules:\n  - ! match: [\"**\"]\n    require: valid\n",
		"%YAML 1.1\n---\nrules:\n  - match: [\"**\"]\n    require: valid\n",
	} {
		if _, err := ParsePolicy([]byte(src)); !errors.Is(err, strictyaml.ErrTag) {
			t.Errorf("%q: err %v, want an explicit tag refused", src, err)
		}
	}
	if _, err := ParsePolicy([]byte("rules:\n  - match: [\"**/*.dll\"]\n    require: valid\n")); err != nil {
		t.Errorf("plain policy: %v", err)
	}
}
