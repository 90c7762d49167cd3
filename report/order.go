package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// CompareFindings is the one finding order of every report: by path, rule,
// commit, offset (none first), message, then severity (highest first). It
// returns a negative number when a sorts before b, zero when they print the
// same, and a positive number otherwise.
func CompareFindings(a, b signing.Finding) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Rule), string(b.Rule)); c != 0 {
		return c
	}
	if c := strings.Compare(a.Commit, b.Commit); c != 0 {
		return c
	}
	ao, bo := int64(-1), int64(-1)
	if a.Offset != nil {
		ao = *a.Offset
	}
	if b.Offset != nil {
		bo = *b.Offset
	}
	if c := cmp.Compare(ao, bo); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	return cmp.Compare(b.Severity, a.Severity)
}

// SortFindings sorts fs in the order of [CompareFindings]. Findings that
// compare equal differ at most in their signature index, which the report
// does not show, so the sort need not be stable.
func SortFindings(fs []signing.Finding) {
	slices.SortFunc(fs, CompareFindings)
}
