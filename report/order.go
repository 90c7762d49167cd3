package report

import (
	"slices"

	"github.com/shipgate/shipgate/signing"
)

// CompareFindings is the one finding order of every report:
// [signing.CompareFindings], by path, rule, commit, offset (none first),
// message, then severity (highest first). It returns a negative number when
// a sorts before b, zero when they print the same, and a positive number
// otherwise.
func CompareFindings(a, b signing.Finding) int { return signing.CompareFindings(a, b) }

// SortFindings sorts fs in the order of [CompareFindings]. Findings that
// compare equal differ at most in their signature index, which the report
// does not show, so the sort need not be stable.
func SortFindings(fs []signing.Finding) {
	slices.SortFunc(fs, CompareFindings)
}
