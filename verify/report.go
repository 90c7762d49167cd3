package verify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// SchemaVersion is the version of the JSON report this package writes.
const SchemaVersion = 1

// Kind is a file's kind as identified by its magic bytes.
type Kind string

const (
	// KindPE is a Windows Portable Executable (MZ header and a PE signature).
	KindPE Kind = "pe"
	// KindMachO is a thin Mach-O file (32- or 64-bit, either byte order).
	KindMachO Kind = "macho"
	// KindMachOUniversal is a universal ("fat") Mach-O file.
	KindMachOUniversal Kind = "macho-universal"
	// KindAsar is an Electron asar archive.
	KindAsar Kind = "asar"
	// KindOther is any other file.
	KindOther Kind = "other"
)

// Native reports whether files of kind k carry code signatures.
func (k Kind) Native() bool { return k == KindPE || k == KindMachO || k == KindMachOUniversal }

// Report is the outcome of a run, in the shape of the JSON report (schema
// version 1; verify/report/schema/report.schema.json). Producers other than
// [Release] (release diff, git audit) fill the sections they have, call
// [Report.Finalize], and write it with package verify/report.
type Report struct {
	// SchemaVersion is [SchemaVersion].
	SchemaVersion int `json:"schemaVersion"`
	// Tool names the producer.
	Tool Tool `json:"tool"`
	// Files lists every file checked, sorted by path.
	Files []File `json:"files"`
	// Findings lists every finding, sorted by path, then rule.
	Findings []signing.Finding `json:"findings"`
	// Summary counts files and findings and gives the verdict.
	Summary Summary `json:"summary"`
	// Diff is a release diff (shipgate diff); nil otherwise.
	Diff any `json:"diff,omitempty"`
	// Commits is a git history audit (shipgate git-audit); nil otherwise.
	Commits any `json:"commits,omitempty"`
}

// Tool names the program that made a report.
type Tool struct {
	// Name is the program's name, "shipgate" for the CLI.
	Name string `json:"name"`
	// Version is the program's version: a module version, "0.0.0-" and a VCS
	// revision, or empty when the build recorded neither.
	Version string `json:"version"`
}

// File is one file of a release.
type File struct {
	// Path is relative to the input, "/"-separated.
	Path string `json:"path"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// SHA256 is the SHA-256 of the whole file, lowercase hex.
	SHA256 string `json:"sha256"`
	// Kind is the file's kind.
	Kind Kind `json:"kind"`
	// Signatures are the file's signatures in index order; empty for files
	// that carry none.
	Signatures []signing.Signature `json:"signatures,omitempty"`
}

// Signed reports whether f carries at least one signature.
func (f *File) Signed() bool {
	for _, s := range f.Signatures {
		if s.Status != signing.StatusUnsigned {
			return true
		}
	}
	return false
}

// Summary counts a report's files and findings.
type Summary struct {
	// Files is the number of files checked.
	Files int `json:"files"`
	// Signed is the number of files carrying at least one signature.
	Signed int `json:"signed"`
	// Errors and Warnings count findings by severity.
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	// Passed reports whether no finding reached the failOn threshold.
	Passed bool `json:"passed"`
}

// FailOn is the lowest finding severity that fails the gate.
type FailOn string

const (
	// FailOnError fails the gate on any error finding (the default).
	FailOnError FailOn = "error"
	// FailOnWarning fails the gate on any warning or error finding.
	FailOnWarning FailOn = "warning"
	// FailOnNote fails the gate on any finding at all.
	FailOnNote FailOn = "note"
	// FailOnNever never fails the gate on findings.
	FailOnNever FailOn = "never"
)

// ParseFailOn returns the FailOn named s; the empty string means FailOnError.
func ParseFailOn(s string) (FailOn, error) {
	switch FailOn(s) {
	case "":
		return FailOnError, nil
	case FailOnError, FailOnWarning, FailOnNote, FailOnNever:
		return FailOn(s), nil
	}
	return "", fmt.Errorf("verify: unknown failOn %q (want error, warning, note or never)", s)
}

// Fails reports whether a finding of severity s fails the gate.
func (f FailOn) Fails(s signing.Severity) bool {
	switch f {
	case FailOnNever:
		return false
	case FailOnNote:
		return true
	case FailOnWarning:
		return s >= signing.SeverityWarning
	}
	return s >= signing.SeverityError
}

// Finalize sorts r's files and findings into report order, makes empty lists
// non-nil (so JSON shows []) and recomputes the summary with threshold
// failOn (empty means FailOnError). It sets SchemaVersion when zero.
func (r *Report) Finalize(failOn FailOn) {
	if r.SchemaVersion == 0 {
		r.SchemaVersion = SchemaVersion
	}
	if r.Files == nil {
		r.Files = []File{}
	}
	if r.Findings == nil {
		r.Findings = []signing.Finding{}
	}
	// The two sorts run at once. Neither needs to be stable: files and
	// findings that compare equal print the same.
	done := make(chan struct{})
	go func() {
		slices.SortFunc(r.Files, func(a, b File) int {
			if c := strings.Compare(a.Path, b.Path); c != 0 {
				return c
			}
			return strings.Compare(a.SHA256, b.SHA256)
		})
		close(done)
	}()
	SortFindings(r.Findings)
	<-done
	s := Summary{Files: len(r.Files), Passed: true}
	for i := range r.Files {
		if r.Files[i].Signed() {
			s.Signed++
		}
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case signing.SeverityError:
			s.Errors++
		case signing.SeverityWarning:
			s.Warnings++
		}
		if failOn.Fails(f.Severity) {
			s.Passed = false
		}
	}
	r.Summary = s
}

// SortFindings sorts findings into report order: by path, rule, commit,
// offset (none first), then message.
func SortFindings(fs []signing.Finding) {
	slices.SortFunc(fs, compareFindings)
}

func compareFindings(a, b signing.Finding) int {
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
