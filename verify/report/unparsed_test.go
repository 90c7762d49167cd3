package report

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestSignerTableUnparsedCode: code the report calls malformed and that has
// no signature (a signed PE cut inside its headers, whose certificate table
// no verifier reached) is "(unparsed code)" in the text and Markdown signer
// tables, never "(unsigned code)"; code without that finding stays unsigned.
func TestSignerTableUnparsedCode(t *testing.T) {
	r := &verify.Report{
		Files: []verify.File{
			{Path: "cut.dll", Kind: verify.KindPE},
			{Path: "plain.dll", Kind: verify.KindPE},
			{Path: "notes.txt", Kind: verify.KindOther},
		},
		Findings: []signing.Finding{
			{Path: "cut.dll", Rule: release.RuleMalformed, Severity: signing.SeverityError, Message: "pe: section table beyond the file"},
			{Path: "notes.txt", Rule: release.RuleMalformed, Severity: signing.SeverityError, Message: "not code"},
		},
	}
	r.Finalize(verify.FailOnError)
	text := string(write(t, r, FormatText, Options{}))
	_, table, _ := strings.Cut(text, "\nsigners\n")
	table, _, _ = strings.Cut(table, "\n\n")
	want := `  (unparsed code)               1 file   1 malformed
  (unsigned code)               1 file
  (not code, no signature)      1 file`
	if table != want {
		t.Errorf("signer table:\n%s\nwant:\n%s", table, want)
	}
	md := string(write(t, r, FormatMarkdown, Options{}))
	if !strings.Contains(md, "(unparsed code)") || strings.Count(md, "(unsigned code)") != 1 {
		t.Errorf("markdown signer table does not list cut.dll as unparsed code:\n%s", md)
	}
}
