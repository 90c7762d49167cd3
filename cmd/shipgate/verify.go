package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	model "github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/sbom/vuln"
	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

// releaseKinds says what verify (and so diff and sbom) opens as a release;
// README.md's synopsis section says the same (TestREADMESynopsis).
const releaseKinds = "PATH may be a file, a directory, a macOS .app bundle, an app.asar, or an archive or installer, read in place: .zip, tarball (.tar, .tar.gz, .tar.xz, .tar.zst), .msi, .cab, .pkg, .dmg, .7z, NSIS, IExpress or Squirrel setup."

func init() {
	register("verify", "verify the signatures of a release and gate it on a policy", runVerify)
}

// verifyFlags are the flags of `shipgate verify`.
type verifyFlags struct {
	policyFile, revocation, format, out, failOn, attestKey, attestOut *string
	noSystem                                                          *bool
	verbose                                                           bool
	blocklists, roots, osv, vex, catalogs                             listFlag
}

// runVerify is `shipgate verify`: parse the flags, run verify.Release, write
// the report and, with --attest-key, its attestation.
func runVerify(e *env) int {
	fs, fl := newVerifyFlags(e)
	paths, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	format, threshold, err := fl.check(paths)
	if err != nil {
		return fail(e, err)
	}
	pol, err := fl.policy()
	if err != nil {
		return fail(e, err)
	}
	opts := verify.Options{Policy: pol, FailOn: threshold, ToolVersion: version(), Sigstore: sigstore.Verifier{}, Vulnerabilities: &vuln.Scanner{}, Catalogs: fl.catalogs}
	progress := newProgressLine(e.stderr)
	if progress != nil {
		opts.Progress = progress.update
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(verifyGCPercent)
	}
	r, err := verify.Release(e.ctx, opts, paths...)
	progress.done()
	if err != nil {
		return fail(e, err)
	}
	if ov := fl.overrides(); len(ov) > 0 {
		if r.Policy == nil {
			r.Policy = &model.Policy{Source: model.PolicyBuiltin}
		}
		r.Policy.Overrides = ov
	}
	if err := fl.write(e, r, format); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// verifyGCPercent is the garbage collector's target (GOGC) for a verify
// run, unless $GOGC sets one. Most of what such a run keeps is its report,
// which grows to the end and lives until the process exits, while the
// checks make short-lived garbage; at Go's default of 100 the heap grows to
// twice the report between collections. At 50, verifying a zip of a
// million entries peaks at 242 MB of RSS instead of 310-319, for 2% of
// the CPU time spent collecting instead of 1% (issue #13).
const verifyGCPercent = 50

// newVerifyFlags declares the flags of `shipgate verify`.
func newVerifyFlags(e *env) (*flag.FlagSet, *verifyFlags) {
	fs := newFlags(e)
	fl := &verifyFlags{
		policyFile: fs.String("policy", "", "policy file (YAML, see docs/policy.md)"),
		revocation: fs.String("revocation-policy", "", "which signing time counts against a blocklisted certificate: strict, windows or any (overrides the policy)"),
		format:     fs.String("format", "text", "output format: text, json, sarif or markdown"),
		out:        fs.String("o", "", "write the report to this file instead of standard output"),
		failOn:     fs.String("fail-on", "", "lowest finding severity that fails the gate: error, warning, note or never (default: the policy's, else error)"),
		attestKey:  fs.String("attest-key", "", "also sign an in-toto verification summary of the JSON report with this PEM private key, as shipgate attest does (password of an encrypted key in $SHIPGATE_KEY_PASSWORD)"),
		attestOut:  fs.String("attest-out", "", "write the DSSE envelope of --attest-key to this file (required with --attest-key)"),
		noSystem:   fs.Bool("no-system-roots", false, "trust only the embedded roots and --roots, not the operating system's (overrides the policy's trust.system)"),
	}
	fs.Var(&fl.blocklists, "blocklist", "blocklist or IoC list to match, or a directory from shipgate blocklist update (repeatable)")
	fs.Var(&fl.roots, "roots", "PEM file of extra trusted roots (repeatable)")
	fs.Var(&fl.osv, "osv", "directory of OSV records (JSON, or OSV's zip exports) to match the release's npm packages and Electron against, offline (repeatable)")
	fs.Var(&fl.vex, "vex", "OpenVEX document whose not_affected and fixed statements turn OSV matches into notes (repeatable; needs --osv or a policy's vulnerabilities.osv)")
	fs.Var(&fl.catalogs, "catalog", "Windows security catalog (.cat) whose verified members count as signed, as signtool verify /c does (repeatable)")
	fs.BoolVar(&fl.verbose, "v", false, "text format: print the signature block of every signed file, not only of files with findings")
	fs.BoolVar(&fl.verbose, "verbose", false, "same as -v")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify [--policy F] [--blocklist F]... [--roots PEM]... [--catalog F.cat]... [--no-system-roots] [--revocation-policy strict|windows|any]")
		fmt.Fprintln(w, "                       [--osv DIR]... [--vex FILE]...")
		fmt.Fprintln(w, "                       [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [-v | --verbose]")
		fmt.Fprintln(w, "                       [--attest-key KEY.pem --attest-out ENVELOPE] PATH...")
		fmt.Fprintln(w, "\n"+releaseKinds)
		fmt.Fprintln(w, "With --attest-key, the envelope records the SHA-256 of the JSON report: with --format json and -o FILE,")
		fmt.Fprintln(w, "of FILE's bytes; otherwise of the JSON report shipgate verify --format json would write.")
		fmt.Fprintln(w, "The text report starts and ends with the verdict line, then lists findings by severity and a table of")
		fmt.Fprintln(w, "signers; signature blocks are printed for files with findings or failed signatures, or for all with -v.")
		fmt.Fprintln(w, "exit status: 0 the gate passed, 1 it failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	return fs, fl
}

// check rejects bad combinations of flags before a long run, and returns
// the output format and the --fail-on threshold (empty: the policy's).
func (fl *verifyFlags) check(paths []string) (report.Format, verify.FailOn, error) {
	if len(paths) == 0 {
		return "", "", usageError{"verify: a PATH is required"}
	}
	f, err := report.ParseFormat(*fl.format)
	if err != nil {
		return "", "", usageError{err.Error()}
	}
	var threshold verify.FailOn
	if *fl.failOn != "" {
		if threshold, err = verify.ParseFailOn(*fl.failOn); err != nil {
			return "", "", usageError{err.Error()}
		}
	}
	key, attestOut, out := *fl.attestKey, *fl.attestOut, *fl.out
	switch {
	case key != "" && attestOut == "":
		return "", "", usageError{"verify: --attest-key needs --attest-out (-o is the report)"}
	case key == "" && attestOut != "":
		return "", "", usageError{"verify: --attest-out needs --attest-key"}
	case attestOut == "-" && (out == "" || out == "-"):
		return "", "", usageError{"verify: the report and the attestation cannot both go to standard output"}
	case attestOut != "" && attestOut != "-" && out != "" && filepath.Clean(attestOut) == filepath.Clean(out):
		return "", "", usageError{"verify: --attest-out and -o name the same file"}
	}
	if key != "" {
		// Fail before a long run, not after it.
		if _, err := os.Stat(key); err != nil {
			return "", "", fmt.Errorf("--attest-key: %w", err)
		}
		if _, err := attestTime(""); err != nil {
			return "", "", err
		}
	}
	return f, threshold, nil
}

// policy loads --policy (the built-in policy without it) and applies the
// flags that override it.
func (fl *verifyFlags) policy() (*verify.Policy, error) {
	pol := &verify.Policy{}
	if *fl.policyFile != "" {
		var err error
		if pol, err = verify.LoadPolicy(*fl.policyFile); err != nil {
			return nil, err
		}
	}
	pol.Trust.Roots = append(pol.Trust.Roots, fl.roots...)
	if *fl.noSystem {
		pol.Trust.System = new(false)
	}
	pol.Blocklists.Files = append(pol.Blocklists.Files, fl.blocklists...)
	pol.Vulnerabilities.OSV = append(pol.Vulnerabilities.OSV, fl.osv...)
	pol.Vulnerabilities.VEX = append(pol.Vulnerabilities.VEX, fl.vex...)
	if *fl.revocation != "" {
		pol.Trust.RevocationPolicy = *fl.revocation
	}
	if err := pol.Validate(); err != nil {
		return nil, usageError{err.Error()}
	}
	return pol, nil
}

// overrides lists, as given, the flags that change how the policy (the
// file's, or the built-in one) judges: the report and its attestation name
// them beside the policy, whose digest alone would not describe the gate
// that ran (--fail-on never passes any release).
func (fl *verifyFlags) overrides() []string {
	var ov []string
	for _, l := range []struct {
		name string
		vals []string
	}{{"--roots", fl.roots}, {"--blocklist", fl.blocklists}, {"--catalog", fl.catalogs}, {"--osv", fl.osv}, {"--vex", fl.vex}} {
		for _, v := range l.vals {
			ov = append(ov, l.name+" "+v)
		}
	}
	if *fl.noSystem {
		ov = append(ov, "--no-system-roots")
	}
	if *fl.revocation != "" {
		ov = append(ov, "--revocation-policy "+*fl.revocation)
	}
	if *fl.failOn != "" {
		ov = append(ov, "--fail-on "+*fl.failOn)
	}
	return ov
}

// write writes the report in format f and, with --attest-key, the signed
// verification summary of its JSON form.
func (fl *verifyFlags) write(e *env, r *verify.Report, f report.Format) error {
	opts := report.Options{Verbose: fl.verbose}
	if *fl.attestKey == "" {
		if err := writeReport(e, r, f, *fl.out, opts); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		return nil
	}
	// The attestation records the SHA-256 of exactly the JSON report's
	// bytes: rendered once, those bytes are also the report written when
	// the format is JSON.
	var reportJSON bytes.Buffer
	if err := report.Write(&reportJSON, r, report.FormatJSON, report.Options{}); err != nil {
		return fmt.Errorf("rendering the JSON report: %w", err)
	}
	var err error
	if f == report.FormatJSON {
		err = writeBytes(e, reportJSON.Bytes(), *fl.out)
	} else {
		err = writeReport(e, r, f, *fl.out, opts)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	// timeVerified: $SOURCE_DATE_EPOCH, else the end of the run, as
	// shipgate attest records it.
	attestAt, err := attestTime("")
	if err != nil {
		return err
	}
	envelope, err := attestSign(reportJSON.Bytes(), *fl.attestKey, "SHIPGATE_KEY_PASSWORD", attest.KeyOptions{}, attest.SignOptions{
		Statement: attest.StatementOptions{Time: attestAt},
	})
	if err != nil {
		return fmt.Errorf("attesting the report: %w", err)
	}
	if err := writeBytes(e, envelope, *fl.attestOut); err != nil {
		return fmt.Errorf("writing the attestation: %w", err)
	}
	return nil
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
