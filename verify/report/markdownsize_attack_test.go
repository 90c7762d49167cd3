package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestAttackMarkdownLongNames: zip entry names of 60 KiB (a zip allows
// 64) made twenty findings a job summary of 1.2 MB, and GitHub refuses a
// whole summary over 1 MiB, verdict and all; thousands of files each signed
// by its own certificate did the same through the signer table. Each cell
// is cut to 512 bytes, keeping both ends, and the tables stop with a count
// before MaxMarkdownSize.
func TestAttackMarkdownLongNames(t *testing.T) {
	long := strings.Repeat(strings.Repeat("d", 200)+"/", 300)
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate"}}
	for i := range 20 {
		p := fmt.Sprintf("%sx%02d.exe", long, i)
		r.Files = append(r.Files, verify.File{Path: p, Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("a", 64))})
		r.Findings = append(r.Findings, signing.Finding{Rule: "policy/unsigned", Severity: signing.SeverityError, Path: p, Message: "unsigned " + p, Signature: -1})
	}
	for i := range 5000 {
		id := &signing.Identity{Subject: fmt.Sprintf("CN=%s %d", strings.Repeat("Signer ", 100), i), Issuer: "CN=CA"}
		r.Files = append(r.Files, verify.File{Path: fmt.Sprintf("s/%04d.dll", i), Kind: verify.KindPE, SHA256: testDigest(strings.Repeat("b", 64)),
			Signatures: []signing.Signature{{Format: signing.FormatAuthenticode, Status: signing.StatusUntrusted, Signer: id}}})
	}
	r.Finalize("")
	b := write(t, r, FormatMarkdown, Options{})
	if len(b) > MaxMarkdownSize {
		t.Errorf("Markdown is %d bytes, over %d", len(b), MaxMarkdownSize)
	}
	if !bytes.HasPrefix(b, []byte("### shipgate FAIL")) {
		t.Errorf("no verdict heading: %.200s", b)
	}
	if n := bytes.Count(b, []byte("| error |")); n != 20 {
		t.Errorf("%d error rows, want 20", n)
	}
	for i := range 20 {
		if !bytes.Contains(b, []byte(fmt.Sprintf("x%02d.exe `", i))) {
			t.Errorf("the row of x%02d.exe does not end its path", i)
		}
	}
	if !bytes.Contains(b, []byte("#### Signers")) || bytes.Count(b, []byte("more signers: see the JSON or SARIF report.")) != 1 {
		t.Errorf("the signer table is not cut with a count")
	}
}
