package main

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing/attest"
)

func init() {
	register("attest", "sign an in-toto verification summary of a shipgate JSON report (DSSE envelope)", runAttest)
}

// runAttest is `shipgate attest`.
func runAttest(e *env) int {
	fs := newFlags(e)
	var (
		keyPath     = fs.String("key", "", "PEM private key (ECDSA P-256/P-384/P-521, Ed25519, RSA ≥ 2048; may be encrypted)")
		reportPath  = fs.String("report", "", "shipgate JSON report (shipgate verify --format json)")
		out         = fs.String("o", "", "write the envelope to this file instead of standard output")
		passwordEnv = fs.String("password-env", "SHIPGATE_KEY_PASSWORD", "environment variable holding the password of an encrypted key")
		rsaPSS      = fs.Bool("rsa-pss", false, "sign with RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys; cosign cannot verify PSS)")
		hashName    = fs.String("hash", "sha256", "digest for RSA and ECDSA: sha256 (cosign's), sha384 or sha512")
		resourceURI = fs.String("resource-uri", "", "resourceUri of the summary (default: the report's input path)")
		policyURI   = fs.String("policy-uri", "", "policy URI of the summary (default: the report's policy path)")
		reportURI   = fs.String("report-uri", "", "where the full report is published, recorded beside its digest")
		at          = fs.String("time", "", "timeVerified, RFC 3339 (default: $SOURCE_DATE_EPOCH, else now; \"none\" omits it)")
		noKeyID     = fs.Bool("no-keyid", false, "leave the signature's keyid empty")
	)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate attest --key KEY.pem --report REPORT.json [-o FILE] [--password-env VAR] [--rsa-pss] [--hash sha256|sha384|sha512]")
		fmt.Fprintln(w, "                       [--resource-uri URI] [--policy-uri URI] [--report-uri URI] [--time RFC3339|none] [--no-keyid]")
		fmt.Fprintln(w, "\nWrites a DSSE envelope (payloadType application/vnd.in-toto+json) holding an in-toto v1 Statement")
		fmt.Fprintln(w, "with a SLSA Verification Summary v1 predicate; check it with shipgate verify-attestation or")
		fmt.Fprintln(w, "cosign verify-blob-attestation --key PUB --signature ENVELOPE --type https://slsa.dev/verification_summary/v1.")
		fmt.Fprintln(w, "exit status: 0 the envelope was written, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if code := noArgs(e, args); code != exitPass {
		return code
	}
	if *keyPath == "" {
		return fail(e, usageError{"attest: --key is required"})
	}
	if *reportPath == "" {
		return fail(e, usageError{"attest: --report is required"})
	}
	h, err := attestHash(*hashName)
	if err != nil {
		return fail(e, err)
	}
	when, err := attestTime(*at)
	if err != nil {
		return fail(e, err)
	}
	reportJSON, err := os.ReadFile(*reportPath)
	if err != nil {
		return fail(e, err)
	}
	envelope, err := attestSign(reportJSON, *keyPath, *passwordEnv, attest.KeyOptions{RSAPSS: *rsaPSS, Hash: h}, attest.SignOptions{
		Statement: attest.StatementOptions{Time: when, ResourceURI: *resourceURI, PolicyURI: *policyURI, ReportURI: *reportURI},
		NoKeyID:   *noKeyID,
	})
	if errors.Is(err, attest.ErrReport) {
		err = fmt.Errorf("%s: %w", *reportPath, err)
	}
	if err != nil {
		// Key errors name the key file already.
		return fail(e, err)
	}
	if *out == "" || *out == "-" {
		if _, err := e.stdout.Write(envelope); err != nil {
			return fail(e, err)
		}
		return exitPass
	}
	if err := os.WriteFile(*out, envelope, 0o644); err != nil {
		return fail(e, err)
	}
	return exitPass
}

// attestSign signs a shipgate JSON report with the PEM private key at keyPath
// (decrypted with the password in $passwordEnv when encrypted) and returns the
// DSSE envelope. It is what `shipgate attest` does once its flags are read, and
// what a verb that has just rendered a JSON report calls to attest it in the
// same run: the statement records the SHA-256 of exactly reportJSON, so
// those bytes are the report to publish beside the envelope.
func attestSign(reportJSON []byte, keyPath, passwordEnv string, keyOpts attest.KeyOptions, opts attest.SignOptions) ([]byte, error) {
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	var password []byte
	if passwordEnv != "" {
		if v, ok := os.LookupEnv(passwordEnv); ok {
			password = []byte(v)
		}
	}
	signer, err := attest.ParseSigner(keyPEM, password, keyOpts)
	if err != nil {
		if password == nil && errors.Is(err, attest.ErrKey) && strings.Contains(err.Error(), "encrypted") {
			return nil, fmt.Errorf("%s: %w (set the password in $%s)", keyPath, err, passwordEnv)
		}
		return nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	return attest.Sign(reportJSON, signer, opts)
}

// attestHash maps a --hash value to a crypto.Hash.
func attestHash(name string) (crypto.Hash, error) {
	switch strings.ToLower(name) {
	case "sha256", "":
		return crypto.SHA256, nil
	case "sha384":
		return crypto.SHA384, nil
	case "sha512":
		return crypto.SHA512, nil
	}
	return 0, usageError{"--hash must be sha256, sha384 or sha512, not " + strconv.Quote(name)}
}

// attestTime resolves the timeVerified of `shipgate attest`: the --time flag
// (RFC 3339, or "none" for no time), else SOURCE_DATE_EPOCH (reproducible
// builds' convention), else now, truncated to the second.
func attestTime(flagValue string) (time.Time, error) {
	switch {
	case flagValue == "none":
		return time.Time{}, nil
	case flagValue != "":
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return time.Time{}, usageError{"--time: " + err.Error()}
		}
		return t.UTC(), nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, usageError{"SOURCE_DATE_EPOCH is not a number of seconds: " + strconv.Quote(s)}
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Now().UTC().Truncate(time.Second), nil
}
