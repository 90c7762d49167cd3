package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackJSONCICommand: a JSON or SARIF report printed to a CI log
// (shipgate verify --format json with no -o) quoted file names and
// signer names as they came, and the runners read commands anywhere in a
// line: "a##[debug]b.exe" hid the line of its path on GitHub, and a file
// named "##vso[task.setvariable variable=gatePassed]true" set a variable
// for an Azure pipeline's later steps. Each "##" is written "#\u0023": the
// same JSON, no command.
func TestAttackJSONCICommand(t *testing.T) {
	names := []string{"a##[debug]b.exe", "##vso[task.setvariable variable=gatePassed]true", "###[x].dll"}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	for _, p := range names {
		r.Files = append(r.Files, verify.File{Path: p, Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("a", 64)),
			Signatures: []signing.Signature{{Format: signing.FormatAuthenticode, Status: signing.StatusUntrusted,
				Signer: &signing.Identity{Subject: "CN=##[group]Acme", Issuer: "CN=CA", SHA1: strings.Repeat("ab", 20), SHA256: strings.Repeat("cd", 32)}}}})
		r.Findings = append(r.Findings, signing.Finding{Rule: "policy/untrusted", Severity: signing.SeverityWarning, Path: p, Message: "untrusted " + p, Signature: -1})
	}
	r.Finalize("")
	for _, f := range []Format{FormatJSON, FormatSARIF} {
		b := write(t, r, f, Options{})
		if bytes.Contains(b, []byte("##")) {
			t.Errorf("%s: holds \"##\":\n%s", f, b)
		}
		var back struct {
			Files []struct{ Path string }
		}
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == FormatJSON && (len(back.Files) != len(names) || back.Files[0].Path != "###[x].dll") {
			t.Errorf("%s: paths read back %+v", f, back.Files)
		}
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), write(t, r, FormatJSON, Options{}))
}
