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

// SameFinding reports whether a and b are one finding reported twice: the
// same rule, severity, path, message, commit and offset (the signature
// index aside, which the report does not show).
func SameFinding(a, b signing.Finding) bool {
	if a.Rule != b.Rule || a.Severity != b.Severity || a.Path != b.Path || a.Message != b.Message || a.Commit != b.Commit {
		return false
	}
	if (a.Offset == nil) != (b.Offset == nil) {
		return false
	}
	return a.Offset == nil || *a.Offset == *b.Offset
}

// CompactFindings drops each finding of the sorted fs that repeats the one
// before it ([SameFinding]), in place, and returns the shortened slice.
func CompactFindings(fs []signing.Finding) []signing.Finding {
	return slices.CompactFunc(fs, SameFinding)
}
