package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/sigstore"
	"github.com/shipgate/shipgate/verify"
)

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
			check(verify.RuleSigstoreMissing, c.missing)
			check(verify.RuleSigstoreInvalid, c.invalid)
			for _, f := range findingsOf(r, verify.RuleSigstoreInvalid) {
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
	pol, err := verify.LoadPolicy(filepath.Join(base, "policy.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	opts := verify.Options{Policy: pol, Trust: emptyTrust(b), Time: checkTime, Workers: 1, Sigstore: sigstore.Verifier{}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := verify.Release(context.Background(), opts, filepath.Join(base, "release"))
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
	got := findingsOf(r, verify.RuleSigstoreMissing)
	if r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/payload.sigstore.json: ") {
		t.Errorf("passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
}
