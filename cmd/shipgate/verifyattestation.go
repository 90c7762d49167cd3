package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("verify-attestation", "verify a signed shipgate attestation (DSSE envelope) and its subjects", runVerifyAttestation)
}

// runVerifyAttestation is `shipgate verify-attestation`.
func runVerifyAttestation(e *env) int {
	fs := newFlags(e)
	var (
		pubPath     = fs.String("pub", "", "PEM public key (or certificate) of the signer")
		allowFailed = fs.Bool("allow-failed", false, "accept a summary whose verificationResult is FAILED (exit 0 if all else verifies)")
		rsaPSS      = fs.Bool("rsa-pss", false, "expect RSASSA-PSS signatures (RSA keys)")
		hashName    = fs.String("hash", "sha256", "digest of RSA and ECDSA signatures: sha256, sha384 or sha512")
		format      = fs.String("format", "text", "output format: text or json")
		anySubject  = fs.Bool("any-subject", false, "accept the attestation whatever artifacts it names, and print them (instead of --subject)")
		subjects    listFlag
		verifierIDs listFlag
	)
	fs.Var(&subjects, "subject", "file, or sha256:HEX, whose SHA-256 must be a subject of the statement (repeatable; required unless --any-subject)")
	fs.Var(&verifierIDs, "verifier-id", "accept summaries by this verifier (exact predicate verifier.id, repeatable; default shipgate's), e.g. slsa-verifier's")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate verify-attestation --pub PUB.pem (--subject FILE|sha256:HEX... | --any-subject) [--allow-failed] [--rsa-pss] [--hash sha256|sha384|sha512]")
		fmt.Fprintln(w, "                                   [--verifier-id ID]... [--format text|json] ENVELOPE")
		fmt.Fprintln(w, "\nChecks the envelope's signature, payload type, statement and predicate types, that every --subject")
		fmt.Fprintln(w, "file's digest is a subject, and that the result is PASSED. ENVELOPE may be - for standard input.")
		fmt.Fprintln(w, "--subject binds the attestation to what you hold; --any-subject accepts one for any artifact and")
		fmt.Fprintln(w, "prints the subjects it names.")
		fmt.Fprintln(w, "exit status: 0 verified, 1 verification failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if len(args) != 1 {
		return fail(e, usageError{"verify-attestation: exactly one ENVELOPE is required"})
	}
	if *pubPath == "" {
		return fail(e, usageError{"verify-attestation: --pub is required"})
	}
	if len(subjects) == 0 && !*anySubject {
		return fail(e, usageError{"verify-attestation: --subject FILE (or sha256:HEX) is required, naming the artifact the attestation must be about; pass --any-subject to accept it for any artifact"})
	}
	if len(subjects) > 0 && *anySubject {
		return fail(e, usageError{"verify-attestation: --subject and --any-subject exclude each other"})
	}
	if *format != "text" && *format != "json" {
		return fail(e, usageError{"verify-attestation: --format must be text or json"})
	}
	h, err := attestHash(*hashName)
	if err != nil {
		return fail(e, err)
	}
	verifier, err := attest.LoadVerifier(*pubPath, attest.KeyOptions{RSAPSS: *rsaPSS, Hash: h})
	if err != nil {
		return fail(e, err)
	}
	envelope, err := attestReadInput(e, args[0], attest.MaxEnvelopeSize)
	if err != nil {
		return fail(e, err)
	}
	opts := attest.VerifyOptions{AllowFailed: *allowFailed, VerifierIDs: verifierIDs}
	for _, p := range subjects {
		sum, err := subjectDigest(p)
		if err != nil {
			return fail(e, err)
		}
		opts.Subjects = append(opts.Subjects, attest.Subject{SHA256: sum})
	}

	v, err := attest.Verify(envelope, verifier, opts)
	if err != nil {
		err = nameMissingSubject(err, subjects, opts.Subjects)
		fmt.Fprintf(e.stderr, "shipgate: verify-attestation: %s: %s\n", report.Clean(args[0]), report.Clean(err.Error()))
		return exitFail
	}
	if *format == "json" {
		if err := writeJSON(e, v); err != nil {
			return fail(e, err)
		}
		return exitPass
	}
	printAttestation(e.stdout, args[0], v, subjects, *anySubject)
	return exitPass
}

// attestReadInput reads a file, or standard input for "-", up to limit bytes
// plus one, so that the library sees (and names) an oversized input without
// the CLI loading all of it.
func attestReadInput(e *env, name string, limit int64) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(e.stdin, limit+1))
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// subjectDigest returns the lowercase hex SHA-256 a --subject names: the
// digest itself for sha256:HEX, else the file's.
func subjectDigest(s string) (string, error) {
	if d, ok := strings.CutPrefix(s, "sha256:"); ok {
		if _, err := hex.DecodeString(d); err != nil || len(d) != 64 {
			return "", usageError{fmt.Sprintf("verify-attestation: --subject %s: a digest is sha256: and 64 hex digits", s)}
		}
		return strings.ToLower(d), nil
	}
	return attestFileSHA256(s)
}

// attestFileSHA256 streams a file through SHA-256 and returns lowercase hex.
func attestFileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// nameMissingSubject prefixes err with the --subject file whose digest it
// names when it is attest.ErrSubjectMissing: the library only knows the
// digest. sums are the subjects' digests, in order, as already computed
// (the files are not hashed again).
func nameMissingSubject(err error, subjects []string, sums []attest.Subject) error {
	if errors.Is(err, attest.ErrSubjectMissing) {
		for i, p := range subjects {
			if strings.Contains(err.Error(), sums[i].SHA256) {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return err
}

// printAttestation writes the text report of the verified envelope name:
// its signer, statement, predicate and the --subject files matched, or
// with anySubject (--any-subject) every subject it names.
func printAttestation(w io.Writer, name string, v *attest.Verified, subjects []string, anySubject bool) {
	p := v.Predicate
	c := report.Clean
	fmt.Fprintf(w, "verified: %s\n", c(name))
	fmt.Fprintf(w, "  signer:    %s (signature %d)\n", c(v.KeyID), v.SignatureIndex)
	fmt.Fprintf(w, "  statement: %s\n  predicate: %s\n", c(v.StatementType), c(v.PredicateType))
	verifier2 := p.VerifierID
	if p.VerifierVersion != "" {
		verifier2 += " " + p.VerifierVersion
	}
	fmt.Fprintf(w, "  result:    %s by %s", c(p.Result), c(verifier2))
	if !p.TimeVerified.IsZero() {
		fmt.Fprintf(w, " at %s", p.TimeVerified.Format(time.RFC3339))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  resource:  %s\n", c(p.ResourceURI))
	if p.PolicySHA256 != "" {
		fmt.Fprintf(w, "  policy:    %s (sha256:%s)\n", c(p.PolicyURI), c(p.PolicySHA256))
	} else {
		fmt.Fprintf(w, "  policy:    %s\n", c(p.PolicyURI))
	}
	if len(p.PolicyOverrides) > 0 {
		fmt.Fprintf(w, "  overrides: %s\n", report.Clean(strings.Join(p.PolicyOverrides, ", ")))
	}
	if p.ReportSHA256 != "" {
		fmt.Fprintf(w, "  report:    sha256:%s %s\n", c(p.ReportSHA256), c(p.ReportURI))
	}
	fmt.Fprintf(w, "  subjects:  %d\n", len(v.Subjects))
	for i, m := range v.Matched {
		fmt.Fprintf(w, "    %s = subject %q\n", c(subjects[i]), m.Name)
	}
	if anySubject {
		fmt.Fprintln(w, "  not bound to an artifact (--any-subject); it names:")
		for _, s := range v.Subjects {
			fmt.Fprintf(w, "    sha256:%s %s\n", c(s.SHA256), c(s.Name))
		}
	}
}
