package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/provenance"
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
		prov       = fs.Bool("provenance", false, "require the bundle to hold SLSA provenance (v1 or v0.2) with FILE as a subject; implied by the flags below")
		req        provenance.Requirements
		predTypes  listFlag
	)
	fs.StringVar(&req.SourceRepository, "source-repository", "", "provenance: expected source repository (github.com/OWNER/REPO)")
	fs.StringVar(&req.SourceRef, "source-ref", "", "provenance: expected source ref (refs/tags/v1.4.0)")
	fs.StringVar(&req.SourceRefRegexp, "source-ref-regexp", "", "provenance: source ref, as a regular expression matching the whole value")
	fs.StringVar(&req.BuilderID, "builder-id", "", "provenance: expected builder ID")
	fs.StringVar(&req.BuilderIDRegexp, "builder-id-regexp", "", "provenance: builder ID, as a regular expression matching the whole value")
	fs.StringVar(&req.BuildType, "build-type", "", "provenance: expected build type URI")
	fs.Var(&predTypes, "predicate-type", "provenance: accepted predicate type (repeatable; default SLSA v1 and v0.2)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify-blob --bundle F.sigstore.json --trusted-root trusted_root.json")
		fmt.Fprintln(w, "                            ((--certificate-identity ID | --certificate-identity-regexp RE)")
		fmt.Fprintln(w, "                             (--certificate-oidc-issuer ISS | --certificate-oidc-issuer-regexp RE) | --key PUB.pem)")
		fmt.Fprintln(w, "                            [--provenance] [--source-repository R] [--source-ref REF | --source-ref-regexp RE]")
		fmt.Fprintln(w, "                            [--builder-id ID | --builder-id-regexp RE] [--build-type URI] [--predicate-type URI]...")
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
	req.PredicateTypes = predTypes
	wantProv := *prov || len(predTypes) > 0 || req.SourceRepository != "" || req.SourceRef != "" || req.SourceRefRegexp != "" ||
		req.BuilderID != "" || req.BuilderIDRegexp != "" || req.BuildType != ""
	if err := req.Validate(); wantProv && err != nil {
		return fail(e, usageError{"verify-blob: " + err.Error()})
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

	h := sha256.New()
	res, err := sigstore.VerifyBlob(bundleJSON, io.TeeReader(artifact, h), opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: %v\n", args[0], err)
		return exitFail
	}
	var p *provenance.Provenance
	if wantProv {
		if len(res.Statement) == 0 {
			fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: the bundle verifies but signs the file itself, not a SLSA provenance statement\n", args[0])
			return exitFail
		}
		// VerifyBlob read the artifact to its end.
		if p, err = provenance.Parse(res.Statement); err == nil {
			err = p.Check(req, hex.EncodeToString(h.Sum(nil)))
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "shipgate: verify-blob: %s: the bundle verifies, but: %v\n", args[0], err)
			return exitFail
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		out := struct {
			*attest.BlobResult
			Provenance *provenance.Provenance `json:"provenance,omitempty"`
		}{res, p}
		if err := enc.Encode(out); err != nil {
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
	if p != nil {
		fmt.Fprintf(w, "  provenance: builder %s\n", p.BuilderID)
		fmt.Fprintf(w, "              build type %s\n", p.BuildType)
		if p.SourceRepository != "" {
			fmt.Fprintf(w, "              source %s %s %s\n", p.SourceRepository, p.SourceRef, p.SourceDigest)
		}
	}
	return exitPass
}
