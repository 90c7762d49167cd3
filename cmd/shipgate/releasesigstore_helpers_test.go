package main

// The tests in the releasesigstore files are verify's with the real
// Sigstore verifier, signing/sigstore.Verifier, over the bundles committed
// in signing/sigstore/testdata: policies that pass and fail on identity,
// issuer, key, timestamps and tampering, in folders, zips and through
// symbolic links. They are here, in a test binary that links both packages
// anyway, rather than in verify, so that verify's test binary does not link
// sigstore-go and the gRPC, OpenTelemetry, Rekor and TUF packages it brings
// (go list -test -deps ./verify: 715 packages with them, 385 without), and
// no test binary is added for them. verify's own tests ask a stub.

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify"
)

// sigstore.Verifier is the implementation the shipgate command sets.
var _ verify.SigstoreVerifier = sigstore.Verifier{}

// checkTime is the fixed time the tests verify at, as in verify's tests.
var checkTime = testpki.Epoch.Add(24 * time.Hour)

// emptyTrust is a trust store with no roots: the releases here hold no
// native code, and the run stays hermetic (no system roots are read).
func emptyTrust(t testing.TB) *signing.TrustStore {
	t.Helper()
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// The Sigstore fixtures are signing/sigstore's committed bundles, made with
// sigstore-go's virtual Sigstore by that package's TestSigstoreFixtures
// (-update-sigstore): artifact.txt, a keyless bundle for release@example.com
// (issuer https://accounts.example.com), a keyed bundle and its public key,
// and the trusted root of the virtual deployment.
func sigstoreTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "signing", "sigstore", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const sigstoreKeylessPolicy = `rules:
  - match: ["dist/**"]
    sigstore:
      trustedRoot: sigstore/trusted_root.json
      certificateIdentity: release@example.com
      certificateOidcIssuer: https://accounts.example.com
`

// sigstoreCase writes a policy (with the trusted root and keyed public key
// beside it, under sigstore/) and a release directory, and verifies it with
// the real Sigstore verifier.
func sigstoreCase(t *testing.T, policy string, files map[string][]byte, input func(dir string) string) *verify.Report {
	t.Helper()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                []byte(policy),
		"conf/sigstore/trusted_root.json": sigstoreTestdata(t, "trusted_root.json"),
		"conf/sigstore/keyed.pub.pem":     sigstoreTestdata(t, "keyed.pub.pem"),
	})
	dir := filepath.Join(base, "release")
	writeTree(t, dir, files)
	pol, err := verify.LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in := dir
	if input != nil {
		in = input(dir)
	}
	r, err := verify.Release(context.Background(), verify.Options{Policy: pol, Trust: emptyTrust(t), Sigstore: sigstore.Verifier{}, Time: checkTime}, in)
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	return r
}

// findingsOf lists "path: message" of r's findings under rule.
func findingsOf(r *verify.Report, rule signing.Rule) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Path+": "+f.Message)
		}
	}
	return out
}

// writeTree writes files (report path -> bytes) under dir.
func writeTree(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// symlinkTree writes the links (path, target) under dir, or skips the test
// where symbolic links cannot be made.
func symlinkTree(t *testing.T, dir string, links [][2]string) {
	t.Helper()
	for _, l := range links {
		p := filepath.Join(dir, filepath.FromSlash(l[0]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l[1], p); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
}

// zipEntry is one entry for makeZip.
type zipEntry struct {
	name  string
	data  []byte
	store bool
	mode  os.FileMode
}

// makeZip makes a zip of entries, deflated unless stored.
func makeZip(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: testpki.Epoch}
		if e.store {
			h.Method = zip.Store
		}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeReleaseFile writes b to name, making its directory, and returns name.
func writeReleaseFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}
