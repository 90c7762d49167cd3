package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/sigstore"
)

func init() {
	register("verify-blob", "verify a Sigstore bundle over a file, offline (keyless or keyed)", runVerifyBlob)
}

// runVerifyBlob is `shipgate verify-blob`.
func runVerifyBlob(e *env) int {
	fs := newFlags(e)
	var (
		bundlePath = fs.String("bundle", "", "Sigstore bundle (*.sigstore.json)")
		rootPath   = fs.String("trusted-root", "", "Sigstore trusted_root.json (Fulcio CAs, Rekor logs, CT logs, TSAs)")
		san        = fs.String("certificate-identity", "", "expected certificate subject alternative name (exact)")
		sanRE      = fs.String("certificate-identity-regexp", "", "expected certificate SAN, as a regular expression matching the whole value")
		issuer     = fs.String("certificate-oidc-issuer", "", "expected OIDC issuer (exact)")
		issuerRE   = fs.String("certificate-oidc-issuer-regexp", "", "expected OIDC issuer, as a regular expression matching the whole value")
		keyPath    = fs.String("key", "", "PEM public key of a keyed bundle (replaces the identity flags)")
		signedTS   = fs.Int("signed-timestamps", 0, "number of RFC 3161 timestamps that must verify")
		ignoreTlog = fs.Bool("insecure-ignore-tlog", false, "do not require a transparency log entry")
		ignoreSCT  = fs.Bool("insecure-ignore-sct", false, "do not require an embedded SCT even if the trusted root lists CT logs")
		format     = fs.String("format", "text", "output format: text or json")
	)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify-blob --bundle F.sigstore.json --trusted-root trusted_root.json")
		fmt.Fprintln(w, "                            ((--certificate-identity ID | --certificate-identity-regexp RE)")
		fmt.Fprintln(w, "                             (--certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE) | --key PUB.pem)")
		fmt.Fprintln(w, "                            [--signed-timestamps N] [--insecure-ignore-tlog] [--insecure-ignore-sct] [--format text|json] FILE")
		fmt.Fprintln(w, "\nVerifies offline: transparency log inclusion and signed timestamps come from the bundle.")
		fmt.Fprintln(w, "exit status: 0 verified, 1 verification failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) != 1 {
		return fail(e, usageError{"verify-blob: exactly one FILE is required"})
	}
	if *bundlePath == "" {
		return fail(e, usageError{"verify-blob: --bundle is required"})
	}
	if *rootPath == "" {
		return fail(e, usageError{"verify-blob: --trusted-root is required"})
	}
	if *format != "text" && *format != "json" {
		return fail(e, usageError{"verify-blob: --format must be text or json"})
	}
	if *signedTS < 0 {
		return fail(e, usageError{"verify-blob: --signed-timestamps must not be negative"})
	}
	opts := attest.BlobOptions{
		Identity:           attest.Identity{SAN: *san, SANRegexp: *sanRE, Issuer: *issuer, IssuerRegexp: *issuerRE},
		SignedTimestamps:   *signedTS,
		InsecureIgnoreTlog: *ignoreTlog,
		InsecureIgnoreSCT:  *ignoreSCT,
	}
	if *keyPath != "" {
		if *san != "" || *sanRE != "" || *issuer != "" || *issuerRE != "" {
			return fail(e, usageError{"verify-blob: --key and the certificate identity flags exclude each other"})
		}
		b, err := os.ReadFile(*keyPath)
		if err != nil {
			return fail(e, err)
		}
		if opts.Key, err = attest.ParsePublicKey(b); err != nil {
			return fail(e, fmt.Errorf("%s: %w", *keyPath, err))
		}
	} else if (*san == "") == (*sanRE == "") || (*issuer == "") == (*issuerRE == "") {
		return fail(e, usageError{"verify-blob: give one of --certificate-identity(-regexp) and one of --certificate-oidc-issuer(-regexp), or --key"})
	}
	bundleJSON, err := attestReadInput(e, *bundlePath, attest.MaxBundleSize)
	if err != nil {
		return fail(e, err)
	}
	if opts.TrustedRoot, err = attestReadInput(e, *rootPath, attest.MaxBundleSize); err != nil {
		return fail(e, err)
	}
	artifact, err := os.Open(args[0])
	if err != nil {
		return fail(e, err)
	}
	defer artifact.Close()

	res, err := sigstore.VerifyBlob(bundleJSON, artifact, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: %v\n", args[0], err)
		return exitFail
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fail(e, err)
		}
		return exitPass
	}
	w := e.stdout
	fmt.Fprintf(w, "verified: %s\n", args[0])
	if res.KeyID != "" {
		fmt.Fprintf(w, "  signer:  key %s\n", res.KeyID)
	} else {
		fmt.Fprintf(w, "  signer:  %s (issuer %s)\n", res.SAN, res.Issuer)
	}
	fmt.Fprintf(w, "  bundle:  %s\n", res.MediaType)
	for _, ts := range res.Timestamps {
		fmt.Fprintf(w, "  time:    %s (%s %s)\n", ts.Time.Format(time.RFC3339), ts.Kind, ts.URI)
	}
	if res.PredicateType != "" {
		fmt.Fprintf(w, "  statement predicate: %s, %d subjects\n", res.PredicateType, len(res.Subjects))
	}
	return exitPass
}
