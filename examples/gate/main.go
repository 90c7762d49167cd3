// Command gate is a release pipeline step built on package verify: it checks
// a release directory against a policy, writes a SARIF report for the code
// scanning dashboard, prints a one-line verdict, and exits 1 when the gate
// fails (2 when it cannot run).
//
// Usage:
//
//	gate -policy release-policy.yaml -sarif shipgate.sarif dist/
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func main() {
	os.Exit(gate(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// gate runs the step and returns the exit status.
func gate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policyFile := fs.String("policy", "", "policy file")
	sarifFile := fs.String("sarif", "shipgate.sarif", "where to write the SARIF report")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: gate -policy FILE -sarif FILE DIR")
		return 2
	}

	// The policy says what to trust and require; its paths are relative to
	// the policy file.
	pol := &verify.Policy{}
	if *policyFile != "" {
		var err error
		if pol, err = verify.LoadPolicy(*policyFile); err != nil {
			fmt.Fprintln(stderr, "gate:", err)
			return 2
		}
	}

	r, err := verify.Release(ctx, verify.Options{Policy: pol, ToolVersion: "gate-example"}, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "gate:", err)
		return 2
	}

	out, err := os.Create(*sarifFile)
	if err != nil {
		fmt.Fprintln(stderr, "gate:", err)
		return 2
	}
	if err := report.SARIF(out, r); err != nil {
		out.Close()
		fmt.Fprintln(stderr, "gate:", err)
		return 2
	}
	if err := out.Close(); err != nil {
		fmt.Fprintln(stderr, "gate:", err)
		return 2
	}

	s := r.Summary
	if !s.Passed {
		fmt.Fprintf(stdout, "release gate FAILED: %d errors, %d warnings in %d files (see %s)\n", s.Errors, s.Warnings, s.Files, *sarifFile)
		return 1
	}
	fmt.Fprintf(stdout, "release gate passed: %d files, %d signed, %d warnings\n", s.Files, s.Signed, s.Warnings)
	return 0
}
