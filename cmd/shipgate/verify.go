package main

import (
	"flag"
	"fmt"

	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("verify", "verify the signatures of a release and gate it on a policy", runVerify)
}

// runVerify is `shipgate verify`.
func runVerify(e *env) int {
	fs := flag.NewFlagSet("shipgate verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var (
		policyFile = fs.String("policy", "", "policy file (YAML, see docs/policy.md)")
		revocation = fs.String("revocation-policy", "", "which signing time counts against a blocklisted certificate: strict, windows or any (overrides the policy)")
		format     = fs.String("format", "text", "output format: text, json or sarif")
		out        = fs.String("o", "", "write the report to this file instead of standard output")
		failOn     = fs.String("fail-on", "", "lowest finding severity that fails the gate: error, warning, note or never (default: the policy's, else error)")
		blocklists listFlag
		roots      listFlag
	)
	fs.Var(&blocklists, "blocklist", "blocklist or IoC list to match (repeatable)")
	fs.Var(&roots, "roots", "PEM file of extra trusted roots (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: shipgate verify [--policy F] [--blocklist F]... [--roots PEM]... [--revocation-policy windows|strict|any] [--format text|json|sarif] [-o FILE] [--fail-on error|warning|never] PATH...")
		fmt.Fprintln(e.stderr, "\nPATH may be a file, a directory, a macOS .app bundle, a .zip archive or an app.asar.")
		fmt.Fprintln(e.stderr, "exit status: 0 the gate passed, 1 it failed, 2 the run failed")
		fmt.Fprintln(e.stderr, "\nflags:")
		fs.PrintDefaults()
	}
	// Flags may follow the paths: parse again after each path ("--" ends
	// the flags).
	var paths []string
	for args := e.args; ; {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return exitPass
			}
			return exitError
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			paths = append(paths, rest...)
			break
		}
		paths, args = append(paths, rest[0]), rest[1:]
	}
	if len(paths) == 0 {
		return fail(e, usageError{"verify: no PATH given"})
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	var threshold verify.FailOn
	if *failOn != "" {
		if threshold, err = verify.ParseFailOn(*failOn); err != nil {
			return fail(e, usageError{err.Error()})
		}
	}
	pol := &verify.Policy{}
	if *policyFile != "" {
		if pol, err = verify.LoadPolicy(*policyFile); err != nil {
			return fail(e, err)
		}
	}
	pol.Trust.Roots = append(pol.Trust.Roots, roots...)
	pol.Blocklists.Files = append(pol.Blocklists.Files, blocklists...)
	if *revocation != "" {
		pol.Trust.RevocationPolicy = *revocation
	}
	if err := pol.Validate(); err != nil {
		return fail(e, usageError{err.Error()})
	}
	opts := verify.Options{Policy: pol, FailOn: threshold, ToolVersion: version()}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		opts.Progress = progress.update
	}
	r, err := verify.Release(e.ctx, opts, paths...)
	progress.done()
	if err != nil {
		return fail(e, err)
	}
	if err := writeReport(e, r, f, *out); err != nil {
		return fail(e, fmt.Errorf("writing the report: %w", err))
	}
	return exitFor(r)
}
