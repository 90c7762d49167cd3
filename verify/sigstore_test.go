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
	"github.com/shipgate/shipgate/signing/attest"
	"github.com/shipgate/shipgate/signing/sigstore"
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

// sigstoreCase writes a policy (with the trusted root and keyed public key
// beside it, under sigstore/) and a release directory, and verifies it.
func sigstoreCase(t *testing.T, policy string, files map[string][]byte, input func(dir string) string) *Report {
	t.Helper()
	base := t.TempDir()
	writeTree(t, base, map[string][]byte{
		"conf/policy.yaml":                []byte(policy),
		"conf/sigstore/trusted_root.json": sigstoreTestdata(t, "trusted_root.json"),
		"conf/sigstore/keyed.pub.pem":     sigstoreTestdata(t, "keyed.pub.pem"),
	})
	dir := filepath.Join(base, "release")
	writeTree(t, dir, files)
	pol, err := LoadPolicy(filepath.Join(base, "conf", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	in := dir
	if input != nil {
		in = input(dir)
	}
	return run(t, Options{Policy: pol, Sigstore: sigstore.Verifier{}}, in)
}

func findingsOf(r *Report, rule signing.Rule) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Path+": "+f.Message)
		}
	}
	return out
}

func TestSigstorePolicy(t *testing.T) {
	t.Parallel()
	artifact := sigstoreTestdata(t, "artifact.txt")
	keyless := sigstoreTestdata(t, "keyless.sigstore.json")
	keyed := sigstoreTestdata(t, "keyed.sigstore.json")
	tampered := append(bytes.Clone(artifact), '!')

	cases := []struct {
		name    string
		policy  string
		files   map[string][]byte
		input   func(dir string) string
		missing []string // paths with policy/sigstore-missing
		invalid []string // paths with policy/sigstore-invalid
		detail  string   // in the invalid message
	}{
		{
			name:   "keyless bundle verifies",
			policy: sigstoreKeylessPolicy,
			files: map[string][]byte{
				"dist/libffmpeg.tar.gz":               artifact,
				"dist/libffmpeg.tar.gz.sigstore.json": keyless,
				"README.txt":                          []byte("not matched"),
			},
		},
		{
			name:    "bundle missing",
			policy:  sigstoreKeylessPolicy,
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/other.tar.gz.sigstore.json": keyless},
			missing: []string{"dist/libffmpeg.tar.gz", "dist/other.tar.gz.sigstore.json"},
		},
		{
			name:    "tampered artifact",
			policy:  sigstoreKeylessPolicy,
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": tampered, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "does not match digest",
		},
		{
			name:    "wrong identity",
			policy:  strings.Replace(sigstoreKeylessPolicy, "release@example.com", "mallory@example.com", 1),
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "identity mismatch: the bundle verifies, but its certificate is not mallory@example.com",
		},
		{
			name:    "wrong issuer",
			policy:  strings.Replace(sigstoreKeylessPolicy, "https://accounts.example.com", "https://token.actions.githubusercontent.com", 1),
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "identity mismatch",
		},
		{
			name: "regexp identity is anchored",
			policy: strings.Replace(sigstoreKeylessPolicy, "certificateIdentity: release@example.com",
				`certificateIdentityRegexp: 'release@example'`, 1),
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "identity mismatch",
		},
		{
			name: "regexp identity",
			policy: strings.Replace(sigstoreKeylessPolicy, "certificateIdentity: release@example.com",
				`certificateIdentityRegexp: '[a-z]+@example\.com'`, 1),
			files: map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
		},
		{
			name:    "bundle is not JSON",
			policy:  sigstoreKeylessPolicy,
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": []byte("not a bundle")},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "parsing bundle",
		},
		{
			name:    "keyless bundle for a key",
			policy:  "rules:\n  - match: [\"dist/*\"]\n    sigstore: {trustedRoot: sigstore/trusted_root.json, key: sigstore/keyed.pub.pem}\n",
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
		},
		{
			name:   "keyed bundle verifies",
			policy: "rules:\n  - match: [\"dist/*\"]\n    sigstore: {trustedRoot: sigstore/trusted_root.json, key: sigstore/keyed.pub.pem}\n",
			files:  map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyed},
		},
		{
			name:    "keyed bundle, tampered artifact",
			policy:  "rules:\n  - match: [\"dist/*\"]\n    sigstore: {trustedRoot: sigstore/trusted_root.json, key: sigstore/keyed.pub.pem}\n",
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": tampered, "dist/libffmpeg.tar.gz.sigstore.json": keyed},
			invalid: []string{"dist/libffmpeg.tar.gz"},
		},
		{
			name:    "signed timestamps required",
			policy:  sigstoreKeylessPolicy + "      signedTimestamps: 2\n",
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact, "dist/libffmpeg.tar.gz.sigstore.json": keyless},
			invalid: []string{"dist/libffmpeg.tar.gz"},
			detail:  "timestamp",
		},
		{
			name:   "in a zip",
			policy: strings.Replace(sigstoreKeylessPolicy, `"dist/**"`, `"**/*.gz"`, 1),
			files: map[string][]byte{"release.zip": makeZip(t, []zipEntry{
				{name: "dist/libffmpeg.tar.gz", data: artifact},
				{name: "dist/libffmpeg.tar.gz.sigstore.json", data: keyless, store: true},
				{name: "dist/other.tar.gz", data: artifact, store: true},
			})},
			input:   func(dir string) string { return filepath.Join(dir, "release.zip") },
			missing: []string{"dist/other.tar.gz"},
		},
		{
			name:   "single file input finds its bundle beside it",
			policy: strings.Replace(sigstoreKeylessPolicy, `"dist/**"`, `"*.gz"`, 1),
			files: map[string][]byte{
				"dist/libffmpeg.tar.gz":               artifact,
				"dist/libffmpeg.tar.gz.sigstore.json": keyless,
			},
			input: func(dir string) string { return filepath.Join(dir, "dist", "libffmpeg.tar.gz") },
		},
		{
			name:    "a later rule without sigstore does not reset it",
			policy:  sigstoreKeylessPolicy + "  - match: [\"dist/**\"]\n    require: none\n",
			files:   map[string][]byte{"dist/libffmpeg.tar.gz": artifact},
			missing: []string{"dist/libffmpeg.tar.gz"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sigstoreCase(t, c.policy, c.files, c.input)
			check := func(rule signing.Rule, want []string) {
				got := findingsOf(r, rule)
				if len(got) != len(want) {
					t.Fatalf("%s findings = %q, want on %q", rule, got, want)
				}
				for i := range want {
					if !strings.HasPrefix(got[i], want[i]+": ") {
						t.Errorf("%s finding %q, want one on %s", rule, got[i], want[i])
					}
				}
			}
			check(ruleSigstoreMissing, c.missing)
			check(ruleSigstoreInvalid, c.invalid)
			for _, f := range findingsOf(r, ruleSigstoreInvalid) {
				if !strings.Contains(f, c.detail) {
					t.Errorf("finding %q does not say %q", f, c.detail)
				}
			}
			if want := len(c.missing)+len(c.invalid) == 0; r.Summary.Passed != want {
				t.Errorf("passed = %v, want %v; findings %+v", r.Summary.Passed, want, r.Findings)
			}
		})
	}
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
			_, err := Release(context.Background(), Options{Policy: pol, Sigstore: sigstore.Verifier{}}, filepath.Join(dir, "release"))
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

// sigstore.Verifier is the implementation the shipgate command sets.
var _ SigstoreVerifier = sigstore.Verifier{}

// stubSigstore records what verify asks a SigstoreVerifier and answers err.
type stubSigstore struct {
	calls []attest.BlobOptions
	err   error
}

func (s *stubSigstore) VerifyBundle(ctx context.Context, bundle []byte, artifact io.Reader, opts attest.BlobOptions) (*attest.BlobResult, error) {
	s.calls = append(s.calls, opts)
	if s.err != nil {
		return nil, s.err
	}
	return &attest.BlobResult{}, nil
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
	want := attest.Identity{SAN: "release@example.com", Issuer: "https://accounts.example.com"}
	if !bytes.Equal(got.TrustedRoot, root) || got.Identity != want || got.Key != nil || !bytes.Equal(got.ArtifactSHA256, sum[:]) ||
		got.SignedTimestamps != 2 || !got.InsecureIgnoreSCT || got.InsecureIgnoreTlog {
		t.Errorf("request = %+v", got)
	}
	if f := findingsOf(r, ruleSigstoreInvalid); len(f) != 0 {
		t.Errorf("verified bundle reported: %v", f)
	}

	stub = &stubSigstore{err: fmt.Errorf("%w: SAN is mallory@example.com", attest.ErrIdentity)}
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

// BenchmarkSigstoreBundle measures the cost of a sigstore rule per file: a
// release of one artifact with its keyless bundle, verified offline.
func BenchmarkSigstoreBundle(b *testing.B) {
	base := b.TempDir()
	writeTree(b, base, map[string][]byte{
		"policy.yaml":                                 []byte(sigstoreKeylessPolicy),
		"sigstore/trusted_root.json":                  sigstoreTestdata(b, "trusted_root.json"),
		"release/dist/libffmpeg.tar.gz":               sigstoreTestdata(b, "artifact.txt"),
		"release/dist/libffmpeg.tar.gz.sigstore.json": sigstoreTestdata(b, "keyless.sigstore.json"),
	})
	pol, err := LoadPolicy(filepath.Join(base, "policy.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Policy: pol, Trust: getFixtures(b).trust, Time: checkTime, Workers: 1, Sigstore: sigstore.Verifier{}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Release(context.Background(), opts, filepath.Join(base, "release"))
		if err != nil || !r.Summary.Passed {
			b.Fatalf("%v %+v", err, r.Findings)
		}
	}
}

// Any file named *.sigstore.json escaped a rule requiring Sigstore bundles:
// only a bundle beside its artifact is exempt, not a file named like the
// bundle of nothing.
func TestAttackSigstoreBundleNameExempt(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"dist/libffmpeg.tar.gz":               sigstoreTestdata(t, "artifact.txt"),
		"dist/libffmpeg.tar.gz.sigstore.json": sigstoreTestdata(t, "keyless.sigstore.json"),
	}
	if r := sigstoreCase(t, sigstoreKeylessPolicy, files, nil); !r.Summary.Passed {
		t.Fatalf("artifact and bundle fail: %v", r.Findings)
	}
	files["dist/payload.sigstore.json"] = []byte("#!/bin/sh\n")
	r := sigstoreCase(t, sigstoreKeylessPolicy, files, nil)
	got := findingsOf(r, ruleSigstoreMissing)
	if r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/payload.sigstore.json: ") {
		t.Errorf("passed %v, %s findings %q", r.Summary.Passed, ruleSigstoreMissing, got)
	}
}
