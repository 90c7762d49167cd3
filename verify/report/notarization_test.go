package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestNotarizationWritten: each notarization status prints a "notarized"
// line that never claims more than was checked, and the JSON report holding
// the facts validates against the published schema.
func TestNotarizationWritten(t *testing.T) {
	h := strings.Repeat("ab", 10)
	for _, c := range []struct {
		n    signing.Notarization
		want string
	}{
		{signing.Notarization{Status: signing.NotarizationNotStapled, CDHashes: []string{h}}, "notarized  not stapled"},
		{signing.Notarization{Status: signing.NotarizationStapledUnverified, Location: "Contents/CodeResources", TicketSize: 3000, TicketSHA256: strings.Repeat("c", 64), TicketSigner: "Software Ticket Signing", CDHashes: []string{h}, Matched: []string{h}},
			"notarized  stapled, unverified (ticket in Contents/CodeResources names cdhash " + h + "; Apple's signature on it is not verified)"},
		{signing.Notarization{Status: signing.NotarizationStapledUnverified, Location: "ticket slot at 0x10", CDHashes: []string{h}}, "stapled, unverified, for other code"},
		{signing.Notarization{Status: signing.NotarizationMalformed, Location: "package trailer at 0x20", Detail: "magic \"xxxx\", want \"s8ch\""}, "malformed ticket in package trailer at 0x20"},
	} {
		t.Run(string(c.n.Status), func(t *testing.T) {
			n := c.n
			r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: "v1.2.3"}, Files: []verify.File{{Path: "a.dmg", Kind: verify.KindDMG, SHA256: verify.Digest{0xaa}, Signatures: []signing.Signature{{
				Format: signing.FormatAppleCodesign, Status: signing.StatusValid, Notarization: &n,
			}}}}}
			r.Finalize(verify.FailOnError)
			if b := write(t, r, FormatText, Options{Verbose: true}); !bytes.Contains(b, []byte(c.want)) {
				t.Errorf("want %q in:\n%s", c.want, b)
			}
			b := write(t, r, FormatJSON, Options{})
			if !bytes.Contains(b, []byte(`"notarization"`)) {
				t.Fatalf("notarization not written:\n%s", b)
			}
			validate(t, compileSchema(t, "report.schema.json", JSONSchema), b)
		})
	}
}
