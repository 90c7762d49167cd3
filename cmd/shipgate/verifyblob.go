package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/provenance"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("verify-blob", "verify a Sigstore bundle over a file, offline (keyless or keyed)", runVerifyBlob)
}

// verifyBlobFlags are the flags of `shipgate verify-blob`.
type verifyBlobFlags struct {
	bundlePath, rootPath, san, sanRE, issuer, issuerRE, keyPath, format *string
	signedTS                                                            *int
	ignoreTlog, ignoreSCT, prov                                         *bool
	req                                                                 provenance.Requirements
	predTypes                                                           listFlag
}

// runVerifyBlob is `shipgate verify-blob`: parse the flags, verify the
// bundle over FILE (and, when asked, the provenance it holds), and print
// the result.
func runVerifyBlob(e *env) int {
	fs, fl := newVerifyBlobFlags(e)
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	wantProv, err := fl.check(args)
	if err != nil {
		return fail(e, err)
	}
	opts, err := fl.options()
	if err != nil {
		return fail(e, err)
	}
	bundleJSON, err := attestReadInput(e, *fl.bundlePath, attest.MaxBundleSize)
	if err != nil {
		return fail(e, err)
	}
	if opts.TrustedRoot, err = attestReadInput(e, *fl.rootPath, attest.MaxBundleSize); err != nil {
		return fail(e, err)
	}
	res, p, code, ok := verifyBlobFile(e, args[0], bundleJSON, opts, wantProv, fl.req)
	if !ok {
		return code
	}
	if *fl.format == "json" {
		return writeBlobJSON(e, res, p)
	}
	writeBlobText(e.stdout, args[0], res, p)
	return exitPass
}

// newVerifyBlobFlags declares the flags of `shipgate verify-blob`.
func newVerifyBlobFlags(e *env) (*flag.FlagSet, *verifyBlobFlags) {
	fs := newFlags(e)
	fl := &verifyBlobFlags{
		bundlePath: fs.String("bundle", "", "Sigstore bundle (*.sigstore.json)"),
		rootPath:   fs.String("trusted-root", "", "Sigstore trusted_root.json (Fulcio CAs, Rekor logs, CT logs, TSAs)"),
		san:        fs.String("certificate-identity", "", "expected certificate subject alternative name (exact)"),
		sanRE:      fs.String("certificate-identity-regexp", "", "expected certificate SAN, as a regular expression matching the whole value"),
		issuer:     fs.String("certificate-oidc-issuer", "", "expected OIDC issuer (exact)"),
		issuerRE:   fs.String("certificate-oidc-issuer-regexp", "", "expected OIDC issuer, as a regular expression matching the whole value"),
		keyPath:    fs.String("key", "", "PEM public key of a keyed bundle (replaces the identity flags)"),
		signedTS:   fs.Int("signed-timestamps", 0, "number of RFC 3161 timestamps that must verify"),
		ignoreTlog: fs.Bool("insecure-ignore-tlog", false, "do not require a transparency log entry"),
		ignoreSCT:  fs.Bool("insecure-ignore-sct", false, "do not require an embedded SCT even if the trusted root lists CT logs"),
		format:     fs.String("format", "text", "output format: text or json"),
		prov:       fs.Bool("provenance", false, "require the bundle to hold SLSA provenance (v1 or v0.2) with FILE as a subject; implied by the flags below"),
	}
	fs.StringVar(&fl.req.SourceRepository, "source-repository", "", "provenance: expected source repository (github.com/OWNER/REPO)")
	fs.StringVar(&fl.req.SourceRef, "source-ref", "", "provenance: expected source ref (refs/tags/v1.4.0)")
	fs.StringVar(&fl.req.SourceRefRegexp, "source-ref-regexp", "", "provenance: source ref, as a regular expression matching the whole value")
	fs.StringVar(&fl.req.BuilderID, "builder-id", "", "provenance: expected builder ID")
	fs.StringVar(&fl.req.BuilderIDRegexp, "builder-id-regexp", "", "provenance: builder ID, as a regular expression matching the whole value")
	fs.StringVar(&fl.req.BuildType, "build-type", "", "provenance: expected build type URI")
	fs.Var(&fl.predTypes, "predicate-type", "provenance: accepted predicate type (repeatable; default SLSA v1 and v0.2)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify-blob --bundle F.sigstore.json --trusted-root trusted_root.json")
		fmt.Fprintln(w, "                            ((--certificate-identity ID | --certificate-identity-regexp RE)")
		fmt.Fprintln(w, "                             (--certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE) | --key PUB.pem)")
		fmt.Fprintln(w, "                            [--provenance] [--source-repository R] [--source-ref REF | --source-ref-regexp RE]")
		fmt.Fprintln(w, "                            [--builder-id ID | --builder-id-regexp RE] [--build-type URI] [--predicate-type URI]...")
		fmt.Fprintln(w, "                            [--signed-timestamps N] [--insecure-ignore-tlog] [--insecure-ignore-sct] [--format text|json] FILE")
		fmt.Fprintln(w, "\nVerifies offline: transparency log inclusion and signed timestamps come from the bundle.")
		fmt.Fprintln(w, "A DSSE bundle must hold SLSA provenance or a PASSED verification summary of FILE.")
		fmt.Fprintln(w, "exit status: 0 verified, 1 verification failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	return fs, fl
}

// check rejects a bad invocation before any input is read, and reports
// whether the provenance in the bundle is to be checked: with --provenance,
// or with any of the flags that set a provenance requirement.
func (fl *verifyBlobFlags) check(args []string) (wantProv bool, err error) {
	if len(args) != 1 {
		return false, usageError{"verify-blob: exactly one FILE is required"}
	}
	if *fl.bundlePath == "" {
		return false, usageError{"verify-blob: --bundle is required"}
	}
	if *fl.rootPath == "" {
		return false, usageError{"verify-blob: --trusted-root is required"}
	}
	if *fl.format != "text" && *fl.format != "json" {
		return false, usageError{"verify-blob: --format must be text or json"}
	}
	req := &fl.req
	req.PredicateTypes = fl.predTypes
	wantProv = *fl.prov || len(fl.predTypes) > 0 || req.SourceRepository != "" || req.SourceRef != "" || req.SourceRefRegexp != "" ||
		req.BuilderID != "" || req.BuilderIDRegexp != "" || req.BuildType != ""
	if err := req.Validate(); wantProv && err != nil {
		return false, usageError{"verify-blob: " + err.Error()}
	}
	if *fl.signedTS < 0 {
		return false, usageError{"verify-blob: --signed-timestamps must not be negative"}
	}
	return wantProv, nil
}

// options returns the verification options of the flags, with the public
// key of --key read and parsed, or the certificate identity the bundle must
// name; the trusted root is left for the caller to read.
func (fl *verifyBlobFlags) options() (attest.BlobOptions, error) {
	opts := attest.BlobOptions{
		Identity:           attest.Identity{SAN: *fl.san, SANRegexp: *fl.sanRE, Issuer: *fl.issuer, IssuerRegexp: *fl.issuerRE},
		SignedTimestamps:   *fl.signedTS,
		InsecureIgnoreTlog: *fl.ignoreTlog,
		InsecureIgnoreSCT:  *fl.ignoreSCT,
	}
	if *fl.keyPath != "" {
		if *fl.san != "" || *fl.sanRE != "" || *fl.issuer != "" || *fl.issuerRE != "" {
			return opts, usageError{"verify-blob: --key and the certificate identity flags exclude each other"}
		}
		b, err := os.ReadFile(*fl.keyPath)
		if err != nil {
			return opts, err
		}
		if opts.Key, err = attest.ParsePublicKey(b); err != nil {
			return opts, fmt.Errorf("%s: %w", *fl.keyPath, err)
		}
	} else if (*fl.san == "") == (*fl.sanRE == "") || (*fl.issuer == "") == (*fl.issuerRE == "") {
		return opts, usageError{"verify-blob: give one of --certificate-identity(-regexp) and one of --certificate-oidc-issuer(-regexp), or --key"}
	}
	return opts, nil
}

// verifyBlobFile verifies the bundle over the file name and, when wantProv,
// checks that the bundle holds provenance meeting req with the file as a
// subject. It returns the result and the provenance (nil unless wantProv)
// with ok set, or, with ok unset, the exit status after the failure has
// been reported on standard error.
func verifyBlobFile(e *env, name string, bundleJSON []byte, opts attest.BlobOptions, wantProv bool, req provenance.Requirements) (res *attest.BlobResult, p *provenance.Provenance, code int, ok bool) {
	artifact, err := os.Open(name)
	if err != nil {
		return nil, nil, fail(e, err), false
	}
	defer artifact.Close()

	h := sha256.New()
	res, err = sigstore.VerifyBlob(bundleJSON, io.TeeReader(artifact, h), opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: %s\n", report.Clean(name), report.Clean(err.Error()))
		return nil, nil, exitFail, false
	}
	if !wantProv {
		// Without --provenance a DSSE bundle still has to approve the
		// file: a FAILED verification summary, or an SBOM, names it too.
		if why := res.NotASignature(nil); why != "" {
			fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: the bundle verifies, but it is not a signature on the file: %s\n", report.Clean(name), report.Clean(why))
			return nil, nil, exitFail, false
		}
		return res, nil, exitPass, true
	}
	if len(res.Statement) == 0 {
		fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: the bundle verifies but signs the file itself, not a SLSA provenance statement\n", report.Clean(name))
		return nil, nil, exitFail, false
	}
	// VerifyBlob read the artifact to its end.
	if p, err = provenance.Parse(res.Statement); err == nil {
		err = p.Check(req, hex.EncodeToString(h.Sum(nil)))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: the bundle verifies, but: %s\n", report.Clean(name), report.Clean(err.Error()))
		return nil, nil, exitFail, false
	}
	return res, p, exitPass, true
}

// writeBlobJSON writes the result of verify-blob, and the provenance
// checked if any, as indented JSON to standard output.
func writeBlobJSON(e *env, res *attest.BlobResult, p *provenance.Provenance) int {
	out := struct {
		*attest.BlobResult
		Provenance *provenance.Provenance `json:"provenance,omitempty"`
	}{res, p}
	if err := writeJSON(e, out); err != nil {
		return fail(e, err)
	}
	return exitPass
}

// writeBlobText writes the result of verify-blob over the file name, and
// the provenance checked if any, as text. What the bundle and the statement
// say passes through report.Clean: a provenance field or a certificate SAN
// with a newline or a terminal escape must not forge a line.
func writeBlobText(w io.Writer, name string, res *attest.BlobResult, p *provenance.Provenance) {
	c := report.Clean
	fmt.Fprintf(w, "verified: %s\n", c(name))
	if res.KeyID != "" {
		fmt.Fprintf(w, "  signer:  key %s\n", c(res.KeyID))
	} else {
		fmt.Fprintf(w, "  signer:  %s (issuer %s)\n", c(res.SAN), c(res.Issuer))
	}
	fmt.Fprintf(w, "  bundle:  %s\n", c(res.MediaType))
	for _, ts := range res.Timestamps {
		fmt.Fprintf(w, "  time:    %s (%s %s)\n", ts.Time.Format(time.RFC3339), c(ts.Kind), c(ts.URI))
	}
	if res.PredicateType != "" {
		fmt.Fprintf(w, "  statement predicate: %s, %d subjects\n", c(res.PredicateType), len(res.Subjects))
	}
	if p != nil {
		fmt.Fprintf(w, "  provenance: builder %s\n", c(p.BuilderID))
		fmt.Fprintf(w, "              build type %s\n", c(p.BuildType))
		if p.SourceRepository != "" {
			fmt.Fprintf(w, "              source %s %s %s\n", c(p.SourceRepository), c(p.SourceRef), c(p.SourceDigest))
		}
	}
}
