package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("diff", "compare two releases of an Electron app: packages, binaries, signers, fuses", runDiff)
}

func runDiff(e *env) int {
	fs := newFlags(e)
	var (
		format = fs.String("format", "text", "output format: text, json or sarif")
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
		fmt.Fprintln(w, "usage: shipgate diff [--format text|json|sarif] [-o FILE] [--fail-on error|warning|note|never] [--roots PEM]... [--no-system-roots] OLD NEW")
		fmt.Fprintln(w, "       shipgate diff --upstream electron-vX.Y.Z-PLATFORM-ARCH.zip [--shasums SHASUMS256.txt] [flags] RELEASE")
		fmt.Fprintln(w, "\nexit status: 0 the gate passed, 1 it failed, 2 the run failed")
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
		return fail(e, usageError{fmt.Sprintf("with --upstream, want one RELEASE, got %d arguments", len(args))})
	case *up == "" && len(args) != 2:
		return fail(e, usageError{fmt.Sprintf("want OLD and NEW, got %d arguments", len(args))})
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
	opts := sbom.Options{Signatures: signatures(trust, appleTrust)}
	if *up != "" {
		return runUpstream(e, *up, *sums, args[0], opts, f, threshold, *out)
	}
	oldInv, err := sbom.Open(args[0], opts)
	if err != nil {
		return fail(e, err)
	}
	newInv, err := sbom.Open(args[1], opts)
	if err != nil {
		return fail(e, err)
	}
	d := sbom.Diff(oldInv, newInv)
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: version()}}
	// The gate judges the new release: its own findings and the changes.
	r.Findings = append(append(r.Findings, newInv.Findings...), d.Findings...)
	section := &diffSection{Old: args[0], New: args[1], DiffResult: *d}
	section.Findings = nil
	r.Diff = section
	r.Finalize(threshold)
	if err := writeReport(e, r, f, *out, report.Options{}); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// runUpstream compares a release with the official Electron zip.
func runUpstream(e *env, zipPath, sumsPath, release string, opts sbom.Options, f report.Format, threshold verify.FailOn, out string) int {
	var uo sbom.UpstreamOptions
	if sumsPath != "" {
		b, err := os.ReadFile(sumsPath)
		if err != nil {
			return fail(e, err)
		}
		uo.SHASUMS = b
	}
	inv, err := sbom.Open(release, opts)
	if err != nil {
		return fail(e, err)
	}
	res, err := sbom.CompareUpstream(zipPath, inv, uo)
	if err != nil {
		return fail(e, err)
	}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: version()}}
	r.Findings = append(append(r.Findings, inv.Findings...), res.Findings...)
	section := &upstreamSection{Release: release, UpstreamResult: *res}
	section.Findings = nil
	r.Diff = section
	r.Finalize(threshold)
	if err := writeReport(e, r, f, out, report.Options{}); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// upstreamSection is the "diff" section of an upstream comparison.
type upstreamSection struct {
	Release string `json:"release"`
	sbom.UpstreamResult
}

// WriteText prints the comparison for people.
func (s *upstreamSection) WriteText(w io.Writer, color bool) error {
	fmt.Fprintf(w, "upstream %s (sha256 %s) → %s\n", report.Clean(s.Zip), s.SHA256, report.Clean(s.Release))
	fmt.Fprintf(w, "  %d runtime files compared, %d modified, %d extra, %d missing\n", s.Compared, len(s.Modified), len(s.Extra), len(s.Missing))
	for _, m := range s.Modified {
		fmt.Fprintf(w, "  modified %s (upstream %s)\n", report.Clean(m.Path), report.Clean(m.Upstream))
	}
	for _, x := range s.Extra {
		fmt.Fprintf(w, "  extra    %s\n", report.Clean(x))
	}
	for _, x := range s.Missing {
		fmt.Fprintf(w, "  missing  %s\n", report.Clean(x))
	}
	return nil
}

// signatures wires signing/authenticode and signing/codesign into the
// inventory.
// trustStores returns the stores the signature summaries of diff and sbom
// use, as verify builds them: Authenticode chains may end at the operating
// system's roots (unless noSystem), Apple code signatures only at Apple's
// embedded roots or the given ones, as macOS trusts them.
func trustStores(roots []string, noSystem bool) (pe, apple *signing.TrustStore, err error) {
	o := signing.TrustStoreOptions{PEMFiles: roots, Embedded: signing.EmbeddedAll}
	if apple, err = signing.NewTrustStore(o); err != nil || noSystem {
		return apple, apple, err
	}
	o.System = true
	pe, err = signing.NewTrustStore(o)
	return pe, apple, err
}

func signatures(trust, appleTrust *signing.TrustStore) func(io.ReaderAt, int64, string) ([]signing.Signature, error) {
	return func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error) {
		switch kind {
		case sbom.KindPE:
			res, err := authenticode.Verify(r, size, authenticode.Options{Trust: trust})
			if err != nil {
				return nil, err
			}
			return res.Signatures, nil
		case sbom.KindMachO, sbom.KindMachOUniversal:
			res, err := codesign.Verify(r, size, codesign.Options{Trust: appleTrust})
			if err != nil {
				return nil, err
			}
			return res.Signatures, nil
		}
		return nil, nil
	}
}

// diffSection is the "diff" section of the report.
type diffSection struct {
	Old string `json:"old"`
	New string `json:"new"`
	sbom.DiffResult
}

// WriteText prints the diff for people.
func (s *diffSection) WriteText(w io.Writer, color bool) error {
	p := func(format string, a ...any) {
		for i, x := range a {
			if s, ok := x.(string); ok {
				a[i] = report.Clean(s)
			}
		}
		fmt.Fprintf(w, format, a...)
	}
	p("diff %s → %s\n", s.Old, s.New)
	p("  app %s → %s, Electron %s → %s\n", dash(s.App.Old), dash(s.App.New), dash(s.Electron.Old), dash(s.Electron.New))
	for _, a := range s.Added {
		p("  + %s@%s (%s)\n", a.Name, a.Version, a.Path)
	}
	for _, a := range s.Removed {
		p("  - %s@%s (%s)\n", a.Name, a.Version, a.Path)
	}
	for _, u := range s.Updated {
		p("  ~ %s %s → %s\n", u.Name, u.Old, u.New)
	}
	for _, c := range s.ChangedSameVersion {
		p("  ! %s@%s changed without a version change\n", c.Name, c.Version)
	}
	for _, b := range s.Binaries {
		p("  %s binary %s\n", b.Change, b.Path)
	}
	for _, f := range s.Fuses {
		p("  fuse %s %s → %s in %s %s\n", f.Fuse, f.Old, f.New, f.Path, f.Arch)
	}
	var changed []string
	for _, f := range s.Files {
		changed = append(changed, f.Change+" "+report.Clean(f.Path))
	}
	if len(changed) > 0 {
		p("  files: %s\n", strings.Join(changed, ", "))
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
