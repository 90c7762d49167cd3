package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/attest/blob"
)

// The Sigstore fixtures are signing/sigstore's committed bundles, made with
// sigstore-go's virtual Sigstore by that package's TestSigstoreFixtures
// (-update-sigstore): artifact.txt, a keyless bundle for release@example.com
// (issuer https://accounts.example.com), a keyed bundle and its public key,
// and the trusted root of the virtual deployment.
func sigstoreTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "signing", "sigstore", "testdata", name))
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

// findingsOf lists "path: message" of r's findings under rule.
//
// The tests here ask a stub SigstoreVerifier; those that verify the
// committed bundles with the real one, signing/sigstore.Verifier, are in
// cmd/shipgate (releasesigstore_*_test.go), so that this package's test
// binary does not link sigstore-go (TestNoHeavyTestDependencies).
func findingsOf(r *Report, rule signing.Rule) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Path+": "+f.Message)
		}
	}
	return out
}

func TestSigstorePolicyLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"release/a.bin": []byte("x"), "notakey.pem": []byte("nope")})
	for _, c := range []struct {
		name string
		s    Sigstore
		want string
	}{
		{"missing trusted root", Sigstore{TrustedRoot: filepath.Join(dir, "missing.json"), CertificateIdentity: "a", CertificateOIDCIssuer: "b"}, "trusted root"},
		{"bad key", Sigstore{TrustedRoot: filepath.Join(dir, "notakey.pem"), Key: filepath.Join(dir, "notakey.pem")}, "sigstore key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := c.s
			pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Sigstore: &s}}}
			_, err := Release(context.Background(), Options{Policy: pol, Sigstore: &stubSigstore{}}, filepath.Join(dir, "release"))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			var pe *PolicyError
			if errors.As(err, &pe) {
				t.Errorf("a file that cannot be loaded is not a policy syntax error: %v", err)
			}
		})
	}
}

// TestSigstoreNoVerifier checks that a policy with sigstore rules fails the
// run when Options name no Sigstore verifier, rather than skip the check,
// and that a policy without them needs none.
func TestSigstoreNoVerifier(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                            []byte("failOn: error\n" + sigstoreKeylessPolicy),
		"conf/sigstore/trusted_root.json":             sigstoreTestdata(t, "trusted_root.json"),
		"release/dist/libffmpeg.tar.gz":               sigstoreTestdata(t, "artifact.txt"),
		"release/dist/libffmpeg.tar.gz.sigstore.json": sigstoreTestdata(t, "keyless.sigstore.json"),
	})
	pol, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Release(context.Background(), Options{Policy: pol}, filepath.Join(base, "release"))
	if err == nil || !strings.Contains(err.Error(), "no Sigstore verifier") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("sigstore rule without a verifier: report %v, err = %v; want an error naming the rule's line", r != nil, err)
	}
	code := &Policy{Rules: []Rule{{Match: []string{"**"}, Sigstore: &Sigstore{TrustedRoot: "x", Key: "y"}}}}
	if _, err := Release(context.Background(), Options{Policy: code}, filepath.Join(base, "release")); err == nil || !strings.Contains(err.Error(), "rule 1 of the policy") {
		t.Fatalf("policy built in code: err = %v", err)
	}
	if _, err := Release(context.Background(), Options{}, filepath.Join(base, "release")); err != nil {
		t.Fatalf("no sigstore rules, no verifier: %v", err)
	}
}

// stubSigstore records what verify asks a SigstoreVerifier and answers err.
type stubSigstore struct {
	calls []blob.Options
	err   error
}

func (s *stubSigstore) VerifyBundle(ctx context.Context, bundle []byte, artifact io.Reader, opts blob.Options) (*blob.Result, error) {
	s.calls = append(s.calls, opts)
	if s.err != nil {
		return nil, s.err
	}
	return &blob.Result{}, nil
}

// TestSigstoreVerifierRequest checks what verify passes through the
// SigstoreVerifier interface: the trusted root, the rule's identity and
// requirements, and the file's SHA-256; and that an identity error from the
// verifier is reported as one.
func TestSigstoreVerifierRequest(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	artifact := sigstoreTestdata(t, "artifact.txt")
	root := sigstoreTestdata(t, "trusted_root.json")
	policy := strings.Replace(sigstoreKeylessPolicy, "      certificateIdentity:", "      signedTimestamps: 2\n      insecureIgnoreSCT: true\n      certificateIdentity:", 1)
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                            []byte(policy),
		"conf/sigstore/trusted_root.json":             root,
		"release/dist/libffmpeg.tar.gz":               artifact,
		"release/dist/libffmpeg.tar.gz.sigstore.json": []byte("{}"),
	})
	pol, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stub := &stubSigstore{}
	r, err := Release(context.Background(), Options{Policy: pol, Sigstore: stub, Workers: 1}, filepath.Join(base, "release"))
	if err != nil {
		t.Fatal(err)
	}
	if len(stub.calls) != 1 {
		t.Fatalf("%d calls, want 1", len(stub.calls))
	}
	got := stub.calls[0]
	sum := sha256.Sum256(artifact)
	want := blob.Identity{SAN: "release@example.com", Issuer: "https://accounts.example.com"}
	if !bytes.Equal(got.TrustedRoot, root) || got.Identity != want || got.Key != nil || !bytes.Equal(got.ArtifactSHA256, sum[:]) ||
		got.SignedTimestamps != 2 || !got.InsecureIgnoreSCT || got.InsecureIgnoreTlog {
		t.Errorf("request = %+v", got)
	}
	if f := findingsOf(r, ruleSigstoreInvalid); len(f) != 0 {
		t.Errorf("verified bundle reported: %v", f)
	}

	stub = &stubSigstore{err: fmt.Errorf("%w: SAN is mallory@example.com", blob.ErrIdentity)}
	r, err = Release(context.Background(), Options{Policy: pol, Sigstore: stub, Workers: 1}, filepath.Join(base, "release"))
	if err != nil {
		t.Fatal(err)
	}
	if f := findingsOf(r, ruleSigstoreInvalid); len(f) != 1 || !strings.Contains(f[0], "identity mismatch") {
		t.Errorf("identity error: findings %v", f)
	}
}

// TestSigstoreReread checks the second read that bundles a digest cannot
// verify need: it must see the bytes the walk hashed.
func TestSigstoreReread(t *testing.T) {
	t.Parallel()
	data := []byte("artifact bytes")
	e := &engine{ctx: context.Background()}
	c := &check{e: e, j: &job{}, ra: bytes.NewReader(data), f: File{Size: int64(len(data)), SHA256: hexDigest("a9a3e6b4b9e5ba4c4b1b8b3f8d1f2c8b8f7e1d6c5b4a39281706f5e4d3c2b1a0")}}
	rc, err := c.reopen()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("bytes other than the hashed ones: err = %v", err)
	}
	sum := sha256.Sum256(data)
	c.f.SHA256 = sum
	lr := &lazyReader{open: c.reopen}
	defer lr.close()
	if b, err := io.ReadAll(lr); err != nil || !bytes.Equal(b, data) {
		t.Errorf("reread = %q, %v", b, err)
	}
	if _, err := (&lazyReader{}).Read(make([]byte, 1)); err == nil {
		t.Errorf("a lazy reader with nothing to open reads")
	}
}
