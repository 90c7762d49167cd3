package verify

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// Vulnerabilities configures the matching of a release's inventory against
// known vulnerabilities.
type Vulnerabilities struct {
	// OSV are directories of OSV records: JSON files, or the per-ecosystem
	// zip exports OSV publishes. LoadPolicy resolves them relative to the
	// policy file. Empty turns matching off.
	OSV []string `yaml:"osv" json:"osv"`
	// VEX are OpenVEX documents; a not_affected or fixed statement turns a
	// match into a note carrying its justification.
	VEX []string `yaml:"vex" json:"vex"`
}

// VulnerabilityScanner matches a release against vulnerability records.
// Package sbom/vuln implements it; verify does not link an inventory or
// an OSV reader unless a caller passes one.
type VulnerabilityScanner interface {
	// Scan returns the findings for the release at path (a directory, zip,
	// tarball or asar, as Release takes it), matched against the OSV
	// records under osvDirs with the OpenVEX statements of vexFiles.
	// Finding paths are relative to path. An error means the records,
	// the statements or the release could not be read.
	Scan(ctx context.Context, path string, osvDirs, vexFiles []string) ([]signing.Finding, error)
}

// VulnerabilityScannerAt is a VulnerabilityScanner that ranks OpenVEX
// statements at a given evaluation time, as of which Release judges the
// release ([Options.Time]): a statement dated after it does not outrank
// one that is not. Release calls ScanAt instead of Scan when the scanner
// has it, and refuses a scanner without it when Options.Time is set and
// the policy names OpenVEX files. sbom/vuln.Scanner implements it.
type VulnerabilityScannerAt interface {
	VulnerabilityScanner
	// ScanAt is Scan with the statements ranked at at; zero means the
	// scanner's own default (now, for sbom/vuln.Scanner).
	ScanAt(ctx context.Context, path string, osvDirs, vexFiles []string, at time.Time) ([]signing.Finding, error)
}

// scan runs the scanner on one input, at Options.Time when it can take it.
func (e *engine) scan(p string, osvDirs, vexFiles []string) ([]signing.Finding, error) {
	if s, ok := e.opts.Vulnerabilities.(VulnerabilityScannerAt); ok {
		return s.ScanAt(e.ctx, p, osvDirs, vexFiles, e.opts.Time)
	}
	return e.opts.Vulnerabilities.Scan(e.ctx, p, osvDirs, vexFiles)
}

// scanVulnerabilities starts matching every input against the policy's
// OSV records while the walk runs, and returns a function that waits for
// the matches and adds their findings.
func (e *engine) scanVulnerabilities(inputs []input) func() error {
	v := e.pol.Vulnerabilities
	if len(v.OSV) == 0 {
		return func() error { return nil }
	}
	type result struct {
		finds []signing.Finding
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var out []signing.Finding
		for _, in := range inputs {
			finds, err := e.scan(in.path, v.OSV, v.VEX)
			if err != nil {
				done <- result{err: fmt.Errorf("verify: vulnerabilities of %s: %w", in.path, err)}
				return
			}
			for _, f := range finds {
				switch {
				case in.prefix == "":
				case f.Path == "":
					f.Path = in.prefix
				default:
					f.Path = path.Join(in.prefix, f.Path)
				}
				out = append(out, f)
			}
		}
		done <- result{finds: out}
	}()
	return func() error {
		r := <-done
		if r.err != nil {
			return r.err
		}
		e.addFindings(r.finds...)
		return nil
	}
}
