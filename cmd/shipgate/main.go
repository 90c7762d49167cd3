// Command shipgate proves a software release is what it should be before it
// ships: it verifies Authenticode and Apple code signatures, matches every
// certificate and file against revocation blocklists and IoC lists, inventories
// and diffs releases (Electron apps in depth), audits git history, and gates on
// a policy.
//
// Usage (README.md holds the same synopsis; TestREADMESynopsis checks both
// against each verb's --help):
//
//	shipgate verify [--policy F] [--blocklist F]... [--roots PEM]... [--catalog F.cat]... [--no-system-roots] [--revocation-policy strict|windows|any]
//	                [--osv DIR]... [--vex FILE]...
//	                [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [-v | --verbose]
//	                [--attest-key KEY.pem --attest-out ENVELOPE] PATH...
//	shipgate diff [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [--roots PEM]... [--no-system-roots] OLD NEW
//	shipgate diff --upstream electron-vX.Y.Z-PLATFORM-ARCH.zip [--shasums SHASUMS256.txt] [flags] RELEASE
//	shipgate sbom [--format cyclonedx-json|spdx-json] [-o FILE] [--serial] [--roots PEM]... [--no-system-roots] PATH
//	shipgate git-audit --since REF [--repo DIR] [--until REF] [--policy F] [--protect GLOB]... [--allowed-signers F]
//	                   [--keyring F]... [--artifact PATH [--artifact-tree-path DIR]] [--backend auto|go-git|git]
//	                   [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [-v]
//	shipgate render [--format text|json|sarif|markdown] [-o FILE] [-v | --verbose] REPORT.json
//	shipgate attest --key KEY.pem --report REPORT.json [-o FILE] [--password-env VAR] [--rsa-pss] [--hash sha256|sha384|sha512]
//	                [--resource-uri URI] [--policy-uri URI] [--report-uri URI] [--time RFC3339|none] [--no-keyid]
//	shipgate verify-attestation --pub PUB.pem (--subject FILE|sha256:HEX... | --any-subject) [--allow-failed] [--rsa-pss] [--hash sha256|sha384|sha512]
//	                            [--verifier-id ID]... [--format text|json] ENVELOPE
//	shipgate verify-blob --bundle F.sigstore.json --trusted-root trusted_root.json
//	                     ((--certificate-identity ID | --certificate-identity-regexp RE)
//	                      (--certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE) | --key PUB.pem)
//	                     [--provenance] [--source-repository R] [--source-ref REF | --source-ref-regexp RE]
//	                     [--builder-id ID | --builder-id-regexp RE] [--build-type URI] [--predicate-type URI]...
//	                     [--signed-timestamps N] [--insecure-ignore-tlog] [--insecure-ignore-sct] [--format text|json] FILE
//	shipgate trusted-root [--tuf-url URL] [--tuf-root root.json] [--tuf-cache DIR] [--offline] [-o FILE]
//	shipgate blocklist update --out DIR [--source NAME=URL]... [--sources FILE] [--no-defaults] [--allow-http]
//	                          [--allow-shrink]
//	shipgate demo [--keep DIR]
//	shipgate version
//
// Flags may come before or after the arguments; -- ends the flags.
//
// Exit status: 0 the gate passed, 1 the gate failed, 2 the run itself failed.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// Exit codes of the public CLI contract.
const (
	exitPass  = 0
	exitFail  = 1
	exitError = 2
)

// env is what a subcommand may touch: its arguments and the standard streams.
type env struct {
	ctx context.Context
	// verb is the command's name, as in "shipgate verb".
	verb   string
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command runs one verb and returns the exit status.
type command struct {
	summary string
	run     func(e *env) int
}

// commands is filled by each verb's file.
var commands = map[string]command{}

func register(name, summary string, run func(e *env) int) {
	if _, dup := commands[name]; dup {
		panic("shipgate: duplicate command " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a verb; it is main without the process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitPass
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return exitPass
		}
		// shipgate help VERB is shipgate VERB --help.
		args = []string{args[1], "--help"}
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		what := "command"
		if strings.HasPrefix(args[0], "-") {
			what = "flag"
		}
		fmt.Fprintf(stderr, "shipgate: unknown %s %q\n", what, args[0])
		fmt.Fprintln(stderr, "run 'shipgate --help' for the commands")
		return exitError
	}
	e.verb, e.args = args[0], args[1:]
	return c.run(e)
}

// usage writes the top-level help.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: shipgate <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-20s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nFlags may come before or after the arguments; -- ends the flags.")
	fmt.Fprintln(w, "exit status: 0 gate passed, 1 gate failed, 2 the run failed")
	fmt.Fprintln(w, "run 'shipgate <command> --help' for a command's flags")
}
