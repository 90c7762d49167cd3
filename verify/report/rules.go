package report

import "github.com/shipgate/shipgate/signing"

// Rule IDs the report writers add, documented in docs/rules/report.md.
const (
	// RuleReportTruncated: a SARIF log left findings out to stay within
	// GitHub code scanning's limit of results per run.
	RuleReportTruncated signing.Rule = "policy/report-truncated"
)
