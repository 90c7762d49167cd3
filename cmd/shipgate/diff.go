package main

import (
	"fmt"
	"io"
	"os"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("diff", "compare two releases of any kind verify opens: files, packages, binaries, signers, fuses", runDiff)
}

func runDiff(e *env) int {
	fs := newFlags(e)
	var (
		format = fs.String("format", "text", "output format: text, json, sarif or markdown")
		out    = fs.String("o", "", "write the report to this file instead of stdout")
		failOn = fs.String("fail-on", "error", "lowest finding severity that fails the gate: error, warning, note or never")
		up     = fs.String("upstream", "", "compare RELEASE's runtime with this official electron-vX.Y.Z-<platform>-<arch>.zip instead of diffing two releases")
		sums   = fs.String("shasums", "", "with --upstream: the SHASUMS256.txt the zip must match")
		roots  listFlag
	)
	noSystem := fs.Bool("no-system-roots", false, "trust only the embedded roots and --roots, not the operating system's")
	fs.Var(&roots, "roots", "PEM file of extra trusted roots (repeatable); the embedded Microsoft and Apple roots are always trusted")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate diff [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [--roots PEM]... [--no-system-roots] OLD NEW")
		fmt.Fprintln(w, "       shipgate diff --upstream electron-vX.Y.Z-PLATFORM-ARCH.zip [--shasums SHASUMS256.txt] [flags] RELEASE")
		fmt.Fprintln(w, "\nOLD, NEW and RELEASE are releases of any kind verify opens (see shipgate verify --help);")
		fmt.Fprintln(w, "Electron facts (fuses, asar, runtime version) are compared when present.")
		fmt.Fprintln(w, "exit status: 0 the gate passed, 1 it failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	switch {
	case *sums != "" && *up == "":
		return fail(e, usageError{"--shasums needs --upstream"})
	case *up != "" && len(args) != 1:
		return fail(e, usageError{fmt.Sprintf("with --upstream, want one RELEASE, %s", gotArgs(args))})
	case *up == "" && len(args) != 2:
		return fail(e, usageError{fmt.Sprintf("want OLD and NEW, %s", gotArgs(args))})
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	threshold, err := verify.ParseFailOn(*failOn)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	trust, appleTrust, err := trustStores(roots, *noSystem)
	if err != nil {
		return fail(e, err)
	}
	opts := sbom.DiffOptions{Inventory: sbom.Options{Signatures: signatures(trust, appleTrust)}, FailOn: threshold, ToolVersion: version()}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		opts.Inventory.Progress = progress.inventory
	}
	var r *verify.Report
	if *up != "" {
		if *sums != "" {
			if opts.Upstream.SHASUMS, err = os.ReadFile(*sums); err != nil {
				return fail(e, err)
			}
		}
		r, err = sbom.DiffUpstream(e.ctx, *up, args[0], opts)
	} else {
		r, err = sbom.DiffReleases(e.ctx, args[0], args[1], opts)
	}
	progress.done()
	if err != nil {
		return fail(e, err)
	}
	if err := writeReport(e, r, f, *out, report.Options{}); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// trustStores returns the stores the signature summaries of diff and sbom
// use, as verify builds them: Authenticode chains may end at the operating
// system's roots (unless noSystem) and the embedded Microsoft and Apple
// roots, Apple code signatures only at Apple's embedded roots or the given
// ones, as macOS trusts them.
func trustStores(roots []string, noSystem bool) (pe, apple *signing.TrustStore, err error) {
	o := signing.TrustStoreOptions{PEMFiles: roots, Embedded: signing.EmbeddedAll, System: !noSystem}
	if apple, err = signing.NewTrustStore(o.ForApple()); err != nil {
		return nil, nil, err
	}
	pe, err = signing.NewTrustStore(o)
	return pe, apple, err
}

// signatures wires signing/authenticode and signing/codesign into the
// inventory, as verify.InventorySignatures does for any pipeline.
func signatures(trust, appleTrust *signing.TrustStore) func(io.ReaderAt, int64, string) ([]signing.Signature, error) {
	return verify.InventorySignatures(authenticode.Options{Trust: trust}, codesign.Options{Trust: appleTrust})
}
