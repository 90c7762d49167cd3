package verify

import (
	"fmt"
	"hash"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// SchemaVersion is the version of the JSON report this package writes.
const SchemaVersion = report.SchemaVersion

// Kind is a file's kind as identified by its magic bytes; see [report.Kind].
type Kind = report.Kind

// File kinds, as package report defines them.
const (
	KindPE             = report.KindPE
	KindMachO          = report.KindMachO
	KindMachOUniversal = report.KindMachOUniversal
	KindAsar           = report.KindAsar
	KindOther          = report.KindOther
)

// Report is the outcome of a run; see [report.Report]. Producers other than
// [Release] (sbom.DiffReleases, git's audit) fill the sections they have and
// call [report.Report.Finalize].
type Report = report.Report

// Tool names the program that made a report; see [report.Tool].
type Tool = report.Tool

// File is one file of a release; see [report.File].
type File = report.File

// Digest is a file's SHA-256; see [report.Digest].
type Digest = report.Digest

// digestSum returns the sum of h, a SHA-256, or the zero Digest for nil.
func digestSum(h hash.Hash) Digest {
	var d Digest
	if h != nil {
		h.Sum(d[:0])
	}
	return d
}

// hexDigest parses a SHA-256 in lowercase hex, or gives the zero Digest
// for anything else.
func hexDigest(s string) Digest {
	d, _ := report.ParseDigest(s)
	return d
}

// Summary counts a report's files and findings; see [report.Summary].
type Summary = report.Summary

// FailOn is the lowest finding severity that fails the gate; see
// [report.FailOn].
type FailOn = report.FailOn

// Thresholds of the gate, as package report defines them.
const (
	FailOnError   = report.FailOnError
	FailOnWarning = report.FailOnWarning
	FailOnNote    = report.FailOnNote
	FailOnNever   = report.FailOnNever
)

// ParseFailOn returns the FailOn named s; the empty string means FailOnError.
func ParseFailOn(s string) (FailOn, error) {
	f, err := report.ParseFailOn(s)
	if err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	return f, nil
}

// SortFindings sorts findings into report order, [report.CompareFindings].
func SortFindings(fs []signing.Finding) { report.SortFindings(fs) }
