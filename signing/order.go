package signing

import (
	"cmp"
	"slices"
	"strings"
)

// CompareFindings is the one order of findings, in reports (package report)
// and in the results of the verifiers: by path, rule, commit, offset (none
// first), message, then severity (highest first). It returns a negative
// number when a sorts before b, zero when they print the same (they may
// still differ in their signature index), and a positive number otherwise.
func CompareFindings(a, b Finding) int {
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

// SortFindings sorts fs in the order of [CompareFindings], keeping the order
// in which they were found among findings that compare equal, so that a
// verifier's result does not depend on the sort.
func SortFindings(fs []Finding) { slices.SortStableFunc(fs, CompareFindings) }
