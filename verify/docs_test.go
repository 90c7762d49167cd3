package verify

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPolicyDoc keeps docs/policy.md in step with the code: its JSON Schema
// is PolicySchema, and its YAML examples are valid policies.
func TestPolicyDoc(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if !strings.Contains(doc, "```json\n"+strings.TrimRight(string(PolicySchema), "\n")+"\n```") {
		t.Errorf("docs/policy.md does not hold verify/policy.schema.json verbatim")
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) == 0 {
		t.Fatal("no yaml example in docs/policy.md")
	}
	for _, m := range blocks {
		p, err := ParsePolicy([]byte(m[1]))
		if err != nil {
			t.Errorf("example does not parse: %v\n%s", err, m[1])
			continue
		}
		if len(p.Rules) > 1 && len(p.Rules[1].Signers) > 0 && p.Rules[1].Signers[0].Issuer != `CN=DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1,O=DigiCert\, Inc.,C=US` {
			t.Errorf("issuer escaping: %q", p.Rules[1].Signers[0].Issuer)
		}
	}
}
