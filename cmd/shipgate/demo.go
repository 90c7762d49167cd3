package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/demo"
	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("demo", "build two releases of a fictional Electron app, the second trojanized like 3CX's, and gate both", runDemo)
}

// runDemo is `shipgate demo`: the main job on generated demo releases.
func runDemo(e *env) int {
	fs := newFlags(e)
	keep := fs.String("keep", "", "leave the releases, blocklists and policy.yaml in this directory (created if missing)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate demo [--keep DIR]")
		fmt.Fprintln(w, "\nBuilds acme-desktop 1.4.0 (clean) and 1.4.1 (trojanized as 3CX's releases were), gates both")
		fmt.Fprintln(w, "with the demo policy, and signs a verification attestation for 1.4.0. No network.")
		fmt.Fprintln(w, "exit status: 0 1.4.0 passed and 1.4.1 failed, as they should; 1 otherwise; 2 the run failed")
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
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "shipgate-demo-")
		if err != nil {
			return fail(e, err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fail(e, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			return fail(e, usageError{fmt.Sprintf("demo: --keep directory %s is not empty", dir)})
		}
	}
	m, err := demo.Build(dir)
	if err != nil {
		return fail(e, fmt.Errorf("demo: %w", err))
	}
	out := e.stdout
	color := isTerminal(out)
	fmt.Fprintf(out, "shipgate demo: two releases of %q, gated with the demo policy\n", demo.AppName)
	fmt.Fprintln(out, "  1.4.0 is clean. 1.4.1 is trojanized the way 3CX's releases were in March 2023:")
	fmt.Fprintln(out, "  - ffmpeg.dll: new code, same version resource, now signed by the vendor inside the compromise window")
	fmt.Fprintln(out, "  - d3dcompiler_47.dll: a genuine signature with an encrypted payload stuffed inside its WIN_CERTIFICATE")
	fmt.Fprintln(out, "  - libffmpeg.dylib: changed after it was signed with the vendor's Developer ID, in the .app and inside the signed .pkg")
	fmt.Fprintln(out, "  - the trojanized libraries are on the vendor's IoC list, the signing certificate on its blocklist")
	fmt.Fprintln(out)

	reports, err := demoVerify(e, m, color)
	if err != nil {
		return fail(e, err)
	}
	if err := demoDiff(e, m, color); err != nil {
		return fail(e, err)
	}
	// The clean release passed: prove it to the next pipeline stage.
	keptIn := "" // where the releases stay, if anywhere
	if *keep != "" {
		keptIn = dir
	}
	if err := demoAttest(e, m, reports[0], keptIn); err != nil {
		return fail(e, err)
	}

	fmt.Fprintf(out, "verdicts: %s %s, %s %s\n", filepath.Base(m.Clean), verdict(reports[0]), filepath.Base(m.Trojan), verdict(reports[1]))
	if keptIn != "" {
		demoHints(out, m, keptIn)
	}
	if !reports[0].Summary.Passed || reports[1].Summary.Passed {
		fmt.Fprintln(e.stderr, "shipgate: demo: unexpected verdicts: 1.4.0 should pass and 1.4.1 should fail")
		return exitFail
	}
	return exitPass
}

// demoCommand is how the demo's hints run shipgate: from a checkout, as
// README.md does.
const demoCommand = "go run ./cmd/shipgate"

// demoHints suggests what to run on the releases kept in dir.
func demoHints(out io.Writer, m *demo.Material, dir string) {
	fmt.Fprintf(out, "kept in %s; try:\n", dir)
	fmt.Fprintf(out, "  %s verify --policy %s %s\n", demoCommand, m.Policy, m.Trojan)
	fmt.Fprintf(out, "  %s verify-attestation --any-subject --pub %s %s\n", demoCommand, m.AttestPub, demoEnvelope(m, dir))
}

// demoEnvelope is where a kept demo writes the clean release's attestation.
func demoEnvelope(m *demo.Material, dir string) string {
	return filepath.Join(dir, filepath.Base(m.Clean)+".intoto.json")
}

// demoVerify gates both releases with the demo policy and prints their
// reports.
func demoVerify(e *env, m *demo.Material, color bool) ([2]*verify.Report, error) {
	var reports [2]*verify.Report
	pol, err := verify.LoadPolicy(m.Policy)
	if err != nil {
		return reports, err
	}
	for i, rel := range []string{m.Clean, m.Trojan} {
		r, err := verify.Release(e.ctx, verify.Options{Policy: pol, ToolVersion: version(), Sigstore: sigstore.Verifier{}}, rel)
		if err != nil {
			return reports, err
		}
		reports[i] = r
		fmt.Fprintf(e.stdout, "=== shipgate verify --policy policy.yaml %s\n", filepath.Base(rel))
		if err := report.Text(e.stdout, r, report.Options{Color: color}); err != nil {
			return reports, err
		}
		fmt.Fprintln(e.stdout)
	}
	return reports, nil
}

// demoAttest signs a verification attestation over the clean release's
// report r and verifies it as the next pipeline stage would, against the
// digest of the release's executable. A keptIn directory (the releases',
// or "") receives the envelope.
func demoAttest(e *env, m *demo.Material, r *verify.Report, keptIn string) error {
	var js bytes.Buffer
	if err := report.JSON(&js, r); err != nil {
		return err
	}
	signer, err := attest.LoadSigner(m.AttestKey, "")
	if err != nil {
		return err
	}
	env, err := attest.Sign(js.Bytes(), signer, attest.SignOptions{})
	if err != nil {
		return err
	}
	verifier, err := attest.LoadVerifier(m.AttestPub, attest.KeyOptions{})
	if err != nil {
		return err
	}
	exe := filepath.Join(m.Clean, "windows", demo.AppName+".exe")
	b, err := os.ReadFile(exe)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	v, err := attest.Verify(env, verifier, attest.VerifyOptions{Subjects: []attest.Subject{{Name: "windows/" + demo.AppName + ".exe", SHA256: hex.EncodeToString(sum[:])}}})
	if err != nil {
		return fmt.Errorf("demo: the attestation did not verify: %w", err)
	}
	out := e.stdout
	fmt.Fprintf(out, "=== attestation for %s\n", filepath.Base(m.Clean))
	fmt.Fprintf(out, "signed an in-toto statement (%s) over %d files in a DSSE envelope; verified it with key %s\n",
		v.PredicateType, len(v.Subjects), v.KeyID)
	if keptIn != "" {
		envPath := demoEnvelope(m, keptIn)
		if err := os.WriteFile(envPath, env, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "  written to %s\n", envPath)
	}
	fmt.Fprintln(out)
	return nil
}

func verdict(r *verify.Report) string {
	if r.Summary.Passed {
		return "PASS"
	}
	return fmt.Sprintf("FAIL (%d errors)", r.Summary.Errors)
}

// demoDiff shows what changed between the two Windows builds: the 3CX signal
// is ffmpeg.dll changing bytes and signer without changing its version.
func demoDiff(e *env, m *demo.Material, color bool) error {
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{m.Roots}})
	if err != nil {
		return err
	}
	opts := sbom.DiffOptions{Inventory: sbom.Options{Signatures: signatures(trust, trust)}, FailOn: verify.FailOnError, ToolVersion: version()}
	r, err := sbom.DiffReleases(e.ctx, filepath.Join(m.Clean, "windows"), filepath.Join(m.Trojan, "windows"), opts)
	if err != nil {
		return err
	}
	// The demo's releases live in a temporary directory: name them as
	// the demo does.
	d := r.Diff.ReleaseDiff
	d.Old, d.New = filepath.Base(m.Clean)+"/windows", filepath.Base(m.Trojan)+"/windows"
	fmt.Fprintf(e.stdout, "=== shipgate diff %s %s\n", d.Old, d.New)
	if err := report.Text(e.stdout, r, report.Options{Color: color}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	return nil
}
