package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("verify", "verify the signatures of a release and gate it on a policy", runVerify)
}

// runVerify is `shipgate verify`.
func runVerify(e *env) int {
	fs := newFlags(e)
	var (
		policyFile = fs.String("policy", "", "policy file (YAML, see docs/policy.md)")
		revocation = fs.String("revocation-policy", "", "which signing time counts against a blocklisted certificate: strict, windows or any (overrides the policy)")
		format     = fs.String("format", "text", "output format: text, json or sarif")
		out        = fs.String("o", "", "write the report to this file instead of standard output")
		failOn     = fs.String("fail-on", "", "lowest finding severity that fails the gate: error, warning, note or never (default: the policy's, else error)")
		attestKey  = fs.String("attest-key", "", "also sign an in-toto verification summary of the JSON report with this PEM private key, as shipgate attest does (password of an encrypted key in $SHIPGATE_KEY_PASSWORD)")
		attestOut  = fs.String("attest-out", "", "write the DSSE envelope of --attest-key to this file (required with --attest-key)")
		noSystem   = fs.Bool("no-system-roots", false, "trust only the embedded roots and --roots, not the operating system's (overrides the policy's trust.system)")
		verbose    bool
		blocklists listFlag
		roots      listFlag
	)
	fs.Var(&blocklists, "blocklist", "blocklist or IoC list to match (repeatable)")
	fs.Var(&roots, "roots", "PEM file of extra trusted roots (repeatable)")
	fs.BoolVar(&verbose, "v", false, "text format: print the signature block of every signed file, not only of files with findings")
	fs.BoolVar(&verbose, "verbose", false, "same as -v")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify [--policy F] [--blocklist F]... [--roots PEM]... [--no-system-roots] [--revocation-policy strict|windows|any]")
		fmt.Fprintln(w, "                       [--format text|json|sarif] [-o FILE] [--fail-on error|warning|note|never] [-v | --verbose]")
		fmt.Fprintln(w, "                       [--attest-key KEY.pem --attest-out ENVELOPE] PATH...")
		fmt.Fprintln(w, "\nPATH may be a file, a directory, a macOS .app bundle, a .zip archive or an app.asar.")
		fmt.Fprintln(w, "With --attest-key, the envelope records the SHA-256 of the JSON report: with --format json and -o FILE,")
		fmt.Fprintln(w, "of FILE's bytes; otherwise of the JSON report shipgate verify --format json would write.")
		fmt.Fprintln(w, "The text report starts and ends with the verdict line, then lists findings by severity and a table of")
		fmt.Fprintln(w, "signers; signature blocks are printed for files with findings or failed signatures, or for all with -v.")
		fmt.Fprintln(w, "exit status: 0 the gate passed, 1 it failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	paths, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		return fail(e, usageError{"verify: a PATH is required"})
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
	switch {
	case *attestKey != "" && *attestOut == "":
		return fail(e, usageError{"verify: --attest-key needs --attest-out (-o is the report)"})
	case *attestKey == "" && *attestOut != "":
		return fail(e, usageError{"verify: --attest-out needs --attest-key"})
	case *attestOut == "-" && (*out == "" || *out == "-"):
		return fail(e, usageError{"verify: the report and the attestation cannot both go to standard output"})
	case *attestOut != "" && *attestOut != "-" && *out != "" && filepath.Clean(*attestOut) == filepath.Clean(*out):
		return fail(e, usageError{"verify: --attest-out and -o name the same file"})
	}
	if *attestKey != "" {
		// Fail before a long run, not after it.
		if _, err := os.Stat(*attestKey); err != nil {
			return fail(e, fmt.Errorf("--attest-key: %w", err))
		}
		if _, err := attestTime(""); err != nil {
			return fail(e, err)
		}
	}
	pol := &verify.Policy{}
	if *policyFile != "" {
		if pol, err = verify.LoadPolicy(*policyFile); err != nil {
			return fail(e, err)
		}
	}
	pol.Trust.Roots = append(pol.Trust.Roots, roots...)
	if *noSystem {
		pol.Trust.System = new(false)
	}
	pol.Blocklists.Files = append(pol.Blocklists.Files, blocklists...)
	if *revocation != "" {
		pol.Trust.RevocationPolicy = *revocation
	}
	if err := pol.Validate(); err != nil {
		return fail(e, usageError{err.Error()})
	}
	opts := verify.Options{Policy: pol, FailOn: threshold, ToolVersion: version(), Sigstore: sigstore.Verifier{}}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		opts.Progress = progress.update
	}
	r, err := verify.Release(e.ctx, opts, paths...)
	progress.done()
	if err != nil {
		return fail(e, err)
	}
	if *attestKey == "" {
		if err := writeReport(e, r, f, *out, report.Options{Verbose: verbose}); err != nil {
			return fail(e, fmt.Errorf("writing the report: %w", err))
		}
		return exitFor(r)
	}
	// The attestation records the SHA-256 of exactly the JSON report's
	// bytes: rendered once, those bytes are also the report written when
	// the format is JSON.
	var reportJSON bytes.Buffer
	if err := report.Write(&reportJSON, r, report.FormatJSON, report.Options{}); err != nil {
		return fail(e, fmt.Errorf("rendering the JSON report: %w", err))
	}
	if f == report.FormatJSON {
		err = writeBytes(e, reportJSON.Bytes(), *out)
	} else {
		err = writeReport(e, r, f, *out, report.Options{Verbose: verbose})
	}
	if err != nil {
		return fail(e, fmt.Errorf("writing the report: %w", err))
	}
	// timeVerified: $SOURCE_DATE_EPOCH, else the end of the run, as
	// shipgate attest records it.
	attestAt, err := attestTime("")
	if err != nil {
		return fail(e, err)
	}
	envelope, err := attestSign(reportJSON.Bytes(), *attestKey, "SHIPGATE_KEY_PASSWORD", attest.KeyOptions{}, attest.SignOptions{
		Statement: attest.StatementOptions{Time: attestAt},
	})
	if err != nil {
		return fail(e, fmt.Errorf("attesting the report: %w", err))
	}
	if err := writeBytes(e, envelope, *attestOut); err != nil {
		return fail(e, fmt.Errorf("writing the attestation: %w", err))
	}
	return exitFor(r)
}

// writeBytes writes b to the file out, or to standard output when out is
// empty or "-".
func writeBytes(e *env, b []byte, out string) error {
	if out == "" || out == "-" {
		_, err := e.stdout.Write(b)
		return err
	}
	return os.WriteFile(out, b, 0o666)
}
