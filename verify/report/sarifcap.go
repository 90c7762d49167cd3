package report

import (
	"fmt"
	"slices"

	"github.com/shipgate/shipgate/signing"
)

// MaxSARIFResults bounds the results of a SARIF run: GitHub code scanning
// rejects a whole upload whose run holds more than 25,000 results (and
// shows only the first 5,000), so a release padded with findings would
// have its errors never reach the alerts page.
const MaxSARIFResults = 25000

// sarifFindings returns the findings of a SARIF run: errors first, then
// warnings, then notes, each in report order (code scanning keeps only the
// first 5,000 results, so a release padded with thousands of warnings at
// paths sorting before its one error would have that error dropped), at
// most max of them. When there are more, the last kept is replaced by a
// policy/report-truncated finding, of the severity of the worst left out,
// that counts what was left out by severity.
func sarifFindings(all []signing.Finding, max int) []signing.Finding {
	findings := slices.Clone(all)
	slices.SortStableFunc(findings, func(a, b signing.Finding) int {
		return int(severityGroup(b.Severity)) - int(severityGroup(a.Severity))
	})
	if len(findings) <= max || max < 1 {
		return findings
	}
	dropped := findings[max-1:]
	var n [3]int
	sev := signing.SeverityNote
	for _, f := range dropped {
		switch severityGroup(f.Severity) {
		case severityGroup(signing.SeverityError):
			n[0]++
			sev = signing.SeverityError
		case severityGroup(signing.SeverityWarning):
			n[1]++
			if sev != signing.SeverityError {
				sev = signing.SeverityWarning
			}
		default:
			n[2]++
		}
	}
	note := signing.NewFinding(RuleReportTruncated, sev, fmt.Sprintf(
		"%d more findings (%d errors, %d warnings, %d notes) are left out of this SARIF log: GitHub code scanning rejects a run of more than %d results; the JSON report lists them all",
		len(dropped), n[0], n[1], n[2], MaxSARIFResults))
	return append(findings[:max-1:max-1], note)
}
