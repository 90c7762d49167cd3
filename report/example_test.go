package report_test

import (
	"fmt"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// A producer fills the sections it has, then Finalize sorts them into
// report order and judges them at the gate's threshold.
func ExampleReport_Finalize() {
	r := &report.Report{
		Tool:   report.Tool{Name: "shipgate", Version: "v1.0.0"},
		Input:  &report.Input{Path: "dist", Kind: report.InputDirectory},
		Policy: &report.Policy{Source: report.PolicyBuiltin},
		Files: []report.File{
			{Path: "ffmpeg.dll", Kind: report.KindPE},
			{Path: "Acme.exe", Kind: report.KindPE, Signatures: []signing.Signature{{Status: signing.StatusValid}}},
		},
		Findings: []signing.Finding{
			{Rule: "policy/unsigned", Severity: signing.SeverityWarning, Path: "ffmpeg.dll", Message: "unsigned"},
		},
	}
	r.Finalize(report.FailOnWarning)
	fmt.Println(r.Files[0].Path, r.Summary.Files, r.Summary.Signed, r.Summary.Warnings, r.Summary.Passed)
	// Output: Acme.exe 2 1 1 false
}
