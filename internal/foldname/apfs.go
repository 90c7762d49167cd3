package foldname

import (
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// apfsKey returns name's key on APFS (see APFS).
func apfsKey(name string) string {
	// A Caser may keep state: one per call, as callers run in parallel.
	return norm.NFD.String(cases.Fold().String(norm.NFD.String(name)))
}
