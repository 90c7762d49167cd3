package report

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestTextAppleSigner: the text report shows an Apple signer's readable
// subject (UID by name), team and kind; JSON carries appleKind and
// validates against the report schema.
func TestTextAppleSigner(t *testing.T) {
	id := &signing.Identity{
		Subject: "CN=Developer ID Application: Example Corp (ABCDE12345),OU=ABCDE12345,O=Example Corp,C=US,UID=ABCDE12345",
		Issuer:  "CN=Developer ID Certification Authority,OU=G2,O=Apple Inc.,C=US", Serial: "1",
		SHA1: strings.Repeat("ab", 20), SHA256: strings.Repeat("cd", 32),
		TeamID: "ABCDE12345", AppleKind: signing.AppleKindDeveloperIDApplication,
	}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"}, Files: []verify.File{{Path: "Example.app/Contents/MacOS/Example", Kind: verify.KindMachO,
		Size: 4096, SHA256: testDigest(strings.Repeat("b", 64)),
		Signatures: []signing.Signature{{Format: signing.FormatAppleCodesign, Arch: "arm64", Status: signing.StatusValid, Signer: id, Checks: []signing.Check{}}}}}}
	r.Finalize(verify.FailOnError)
	text := string(write(t, r, FormatText, Options{Verbose: true}))
	for _, want := range []string{"UID=ABCDE12345", "team ID    ABCDE12345", "Apple kind developer-id-application"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	js := string(write(t, r, FormatJSON, Options{}))
	if !strings.Contains(js, `"appleKind": "developer-id-application"`) {
		t.Errorf("JSON lacks appleKind:\n%s", js)
	}
	validate(t, compileSchema(t, "report.schema.json", JSONSchema), []byte(js))
}
