package sigstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing/attest"
)

var updateSigstore = flag.Bool("update-sigstore", false, "regenerate testdata from a fresh virtual Sigstore")

var keylessID = attest.Identity{SAN: fixtureSAN, Issuer: fixtureIssuer}

func TestVerifyBlobKeyless(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("upstream artifact v1.2.3\n")
	good := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer})

	res, err := VerifyBlob(good, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
	if err != nil {
		t.Fatalf("good bundle: %v", err)
	}
	if res.SAN != fixtureSAN || res.Issuer != fixtureIssuer {
		t.Errorf("identity = %q %q", res.SAN, res.Issuer)
	}
	kinds := map[string]bool{}
	for _, ts := range res.Timestamps {
		kinds[ts.Kind] = true
	}
	if !kinds["Tlog"] || !kinds["TimestampAuthority"] {
		t.Errorf("timestamps = %+v, want a log time and a TSA time", res.Timestamps)
	}
	if _, err := (Verifier{}).VerifyBundle(context.Background(), good, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); err != nil {
		t.Errorf("Verifier.VerifyBundle: %v", err)
	}
	sum := sha256.Sum256(artifact)
	if _, err := VerifyBlob(good, nil, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: sum[:]}); err != nil {
		t.Errorf("by digest: %v", err)
	}

	other := newSigstoreFixture(t)
	tamperedBundle := bytes.Replace(good, []byte(`"signature":"`), []byte(`"signature":"AAAA`), 1)

	cases := []struct {
		name     string
		bundle   []byte
		artifact []byte
		opts     attest.BlobOptions
		want     error
		detail   string
	}{
		{"wrong artifact", good, []byte("upstream artifact v1.2.4\n"), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle, ""},
		{"wrong SAN", good, artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: attest.Identity{SAN: "mallory@example.com", Issuer: fixtureIssuer}}, attest.ErrIdentity, "mallory"},
		{"wrong issuer", good, artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: attest.Identity{SAN: fixtureSAN, Issuer: "https://evil.example.com"}}, attest.ErrIdentity, "evil"},
		{"regexp is anchored", good, artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: attest.Identity{SANRegexp: "release@example", Issuer: fixtureIssuer}}, attest.ErrIdentity, ""},
		{"no identity", good, artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot}, attest.ErrIdentity, "exactly one"},
		{"untrusted root", good, artifact, attest.BlobOptions{TrustedRoot: other.trustedRoot, Identity: keylessID}, attest.ErrBundle, ""},
		{"SCT required by root with CT logs", good, artifact, attest.BlobOptions{TrustedRoot: f.rootWithCT, Identity: keylessID}, attest.ErrBundle, "certificate timestamp"},
		{"tampered signature", tamperedBundle, artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle, ""},
		{"not a bundle", []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.9+json"}`), artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle, "parsing bundle"},
		{"no trusted root", good, artifact, attest.BlobOptions{Identity: keylessID}, attest.ErrBundle, "no trusted root"},
		{"no tlog entry", f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true}), artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle, "log"},
		{"signature over other bytes", f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, signed: []byte("other")}), artifact, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := VerifyBlob(c.bundle, bytes.NewReader(c.artifact), c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if c.detail != "" && !strings.Contains(err.Error(), c.detail) {
				t.Errorf("err = %v, want it to mention %q", err, c.detail)
			}
		})
	}

	t.Run("regexp identity", func(t *testing.T) {
		id := attest.Identity{SANRegexp: `.*@example\.com`, IssuerRegexp: `https://accounts\.example\.(com|org)`}
		if _, err := VerifyBlob(good, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: id}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("insecure ignore SCT", func(t *testing.T) {
		if _, err := VerifyBlob(good, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.rootWithCT, Identity: keylessID, InsecureIgnoreSCT: true}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SET only, no inclusion proof", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noProof: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("TSA only with insecure ignore tlog", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, InsecureIgnoreTlog: true}); err != nil {
			t.Fatal(err)
		}
		b = f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true, noTimestamp: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, InsecureIgnoreTlog: true}); !errors.Is(err, attest.ErrBundle) {
			t.Fatalf("no time source: err = %v, want attest.ErrBundle", err)
		}
	})
	t.Run("signed timestamps required", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTimestamp: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); err != nil {
			t.Fatalf("log time alone: %v", err)
		}
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, SignedTimestamps: 1}); !errors.Is(err, attest.ErrBundle) {
			t.Fatalf("err = %v, want attest.ErrBundle", err)
		}
	})
}

func TestVerifyBlobKeyed(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("vendor-lib.tar.gz contents")
	key := newP256(t)
	good := f.messageBundle(t, artifact, bundleSpec{key: key})

	res, err := VerifyBlob(good, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Key: key.Public()})
	if err != nil {
		t.Fatalf("good keyed bundle: %v", err)
	}
	if res.KeyID == "" || res.SAN != "" {
		t.Errorf("result = %+v", res)
	}

	keyless := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer})
	cases := []struct {
		name   string
		bundle []byte
		opts   attest.BlobOptions
		want   error
	}{
		{"other key", good, attest.BlobOptions{TrustedRoot: f.trustedRoot, Key: newP256(t).Public()}, attest.ErrBundle},
		{"keyless bundle with a key", keyless, attest.BlobOptions{TrustedRoot: f.trustedRoot, Key: key.Public()}, attest.ErrBundle},
		{"keyed bundle without a key", good, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, attest.ErrBundle},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := VerifyBlob(c.bundle, bytes.NewReader(artifact), c.opts); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestSigstoreFixtures checks the committed bundles in testdata
// (made by this test with -update-sigstore, from a fresh virtual Sigstore) still
// verify: they pin the bundle and trusted-root formats, and the CLI tests and
// fuzz seeds use them.
func TestSigstoreFixtures(t *testing.T) {
	dir := "testdata"
	if *updateSigstore {
		f := newSigstoreFixture(t)
		artifact := []byte("libffmpeg 6.0 upstream release tarball (fixture)\n")
		key := newP256(t)
		files := map[string][]byte{
			"artifact.txt":          artifact,
			"keyless.sigstore.json": f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer}),
			"keyed.sigstore.json":   f.messageBundle(t, artifact, bundleSpec{key: key}),
			"keyed.pub.pem":         publicPEM(t, key.Public()),
			"trusted_root.json":     f.trustedRoot,
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(name string) []byte { return readTestdata(t, name) }
	artifact, root := read("artifact.txt"), read("trusted_root.json")
	if _, err := VerifyBlob(read("keyless.sigstore.json"), bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: root, Identity: keylessID}); err != nil {
		t.Errorf("keyless fixture: %v", err)
	}
	pub, err := attest.ParsePublicKey(read("keyed.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBlob(read("keyed.sigstore.json"), bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: root, Key: pub}); err != nil {
		t.Errorf("keyed fixture: %v", err)
	}
	if _, err := VerifyBlob(read("keyless.sigstore.json"), bytes.NewReader(append(artifact, '!')), attest.BlobOptions{TrustedRoot: root, Identity: keylessID}); !errors.Is(err, attest.ErrBundle) {
		t.Errorf("keyless fixture over other bytes: err = %v, want attest.ErrBundle", err)
	}
}

// TestVerifyBlobDSSE verifies a keyless DSSE bundle whose statement is a
// shipgate verification summary: the artifact's digest must be a subject.
func TestVerifyBlobDSSE(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("Acme-1.4.2-mac.zip bytes")
	sum := sha256.Sum256(artifact)
	report := []byte(`{"schemaVersion":1,"tool":{"name":"shipgate","version":"v1"},"input":{"path":"Acme-1.4.2-mac.zip","kind":"archive","sha256":"` +
		hex.EncodeToString(sum[:]) + `"},"files":[],"summary":{"files":0,"signed":0,"errors":0,"warnings":0,"passed":true}}`)
	stmt, err := attest.Statement(report, attest.StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := f.dsseBundle(t, stmt, fixtureSAN, fixtureIssuer)
	res, err := VerifyBlob(b, bytes.NewReader(artifact), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
	if err != nil {
		t.Fatalf("DSSE bundle: %v", err)
	}
	if res.PredicateType != attest.PredicateTypeVSA || len(res.Subjects) != 1 || res.Subjects[0].Name != "Acme-1.4.2-mac.zip" {
		t.Errorf("result = %+v", res)
	}
	if _, err := VerifyBlob(b, bytes.NewReader([]byte("other bytes")), attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); !errors.Is(err, attest.ErrBundle) {
		t.Errorf("artifact not a subject: err = %v, want attest.ErrBundle", err)
	}
}

// TestVerifyBlobDigestFirst checks that a digest given with the artifact is
// used where it suffices, so the artifact is not read, and that the artifact
// is read where it does not (Ed25519 message signatures).
func TestVerifyBlobDigestFirst(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("vendor-lib.tar.gz contents")
	sum := sha256.Sum256(artifact)
	keyless := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer})
	if _, err := VerifyBlob(keyless, failingReader{t}, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: sum[:]}); err != nil {
		t.Fatalf("digest and artifact: %v", err)
	}
	other := sha256.Sum256([]byte("other"))
	if _, err := VerifyBlob(keyless, failingReader{t}, attest.BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: other[:]}); !errors.Is(err, attest.ErrBundle) {
		t.Fatalf("other digest: err = %v, want attest.ErrBundle", err)
	}

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Rekor v1 hashedrekord entries of Ed25519 keys need SHA-512: a
	// timestamped bundle without a log entry stands in.
	ed := f.messageBundle(t, artifact, bundleSpec{key: edKey, noTlog: true})
	opts := attest.BlobOptions{TrustedRoot: f.trustedRoot, Key: edKey.Public(), ArtifactSHA256: sum[:], InsecureIgnoreTlog: true}
	if _, err := VerifyBlob(ed, bytes.NewReader(artifact), opts); err != nil {
		t.Fatalf("Ed25519 with the artifact: %v", err)
	}
	if _, err := VerifyBlob(ed, nil, opts); !errors.Is(err, attest.ErrBundle) {
		t.Fatalf("Ed25519 with the digest alone: err = %v, want attest.ErrBundle", err)
	}
	if _, err := VerifyBlob(ed, bytes.NewReader([]byte("tampered")), opts); !errors.Is(err, attest.ErrBundle) {
		t.Fatalf("Ed25519 over other bytes: err = %v, want attest.ErrBundle", err)
	}
}

// failingReader fails the test when read.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("artifact read although its digest sufficed")
	return 0, io.ErrUnexpectedEOF
}

// TestVerifierCanceled checks that Verifier does not start on a done context.
func TestVerifierCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	read := func(name string) []byte { return readTestdata(t, name) }
	_, err := (Verifier{}).VerifyBundle(ctx, read("keyless.sigstore.json"), bytes.NewReader(read("artifact.txt")), attest.BlobOptions{TrustedRoot: read("trusted_root.json"), Identity: keylessID})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func publicPEM(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
