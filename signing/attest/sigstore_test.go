package attest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

var updateSigstore = flag.Bool("update-sigstore", false, "regenerate testdata/sigstore from a fresh virtual Sigstore")

var keylessID = Identity{SAN: fixtureSAN, Issuer: fixtureIssuer}

func TestVerifyBlobKeyless(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("upstream artifact v1.2.3\n")
	good := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer})

	res, err := VerifyBlob(good, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
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
	if err := VerifySigstoreBundle(good, bytes.NewReader(artifact), f.trustedRoot, keylessID); err != nil {
		t.Errorf("VerifySigstoreBundle: %v", err)
	}
	sum := sha256.Sum256(artifact)
	if _, err := VerifyBlob(good, nil, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: sum[:]}); err != nil {
		t.Errorf("by digest: %v", err)
	}

	other := newSigstoreFixture(t)
	tamperedBundle := bytes.Replace(good, []byte(`"signature":"`), []byte(`"signature":"AAAA`), 1)

	cases := []struct {
		name     string
		bundle   []byte
		artifact []byte
		opts     BlobOptions
		want     error
		detail   string
	}{
		{"wrong artifact", good, []byte("upstream artifact v1.2.4\n"), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle, ""},
		{"wrong SAN", good, artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: Identity{SAN: "mallory@example.com", Issuer: fixtureIssuer}}, ErrIdentity, "mallory"},
		{"wrong issuer", good, artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: Identity{SAN: fixtureSAN, Issuer: "https://evil.example.com"}}, ErrIdentity, "evil"},
		{"regexp is anchored", good, artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: Identity{SANRegexp: "release@example", Issuer: fixtureIssuer}}, ErrIdentity, ""},
		{"no identity", good, artifact, BlobOptions{TrustedRoot: f.trustedRoot}, ErrIdentity, "exactly one"},
		{"untrusted root", good, artifact, BlobOptions{TrustedRoot: other.trustedRoot, Identity: keylessID}, ErrBundle, ""},
		{"SCT required by root with CT logs", good, artifact, BlobOptions{TrustedRoot: f.rootWithCT, Identity: keylessID}, ErrBundle, "certificate timestamp"},
		{"tampered signature", tamperedBundle, artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle, ""},
		{"not a bundle", []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.9+json"}`), artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle, "parsing bundle"},
		{"no trusted root", good, artifact, BlobOptions{Identity: keylessID}, ErrBundle, "no trusted root"},
		{"no tlog entry", f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true}), artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle, "log"},
		{"signature over other bytes", f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, signed: []byte("other")}), artifact, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle, ""},
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
		id := Identity{SANRegexp: `.*@example\.com`, IssuerRegexp: `https://accounts\.example\.(com|org)`}
		if _, err := VerifyBlob(good, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: id}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("insecure ignore SCT", func(t *testing.T) {
		if _, err := VerifyBlob(good, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.rootWithCT, Identity: keylessID, InsecureIgnoreSCT: true}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SET only, no inclusion proof", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noProof: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("TSA only with insecure ignore tlog", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, InsecureIgnoreTlog: true}); err != nil {
			t.Fatal(err)
		}
		b = f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTlog: true, noTimestamp: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, InsecureIgnoreTlog: true}); !errors.Is(err, ErrBundle) {
			t.Fatalf("no time source: err = %v, want ErrBundle", err)
		}
	})
	t.Run("signed timestamps required", func(t *testing.T) {
		b := f.messageBundle(t, artifact, bundleSpec{san: fixtureSAN, issuer: fixtureIssuer, noTimestamp: true})
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); err != nil {
			t.Fatalf("log time alone: %v", err)
		}
		if _, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, SignedTimestamps: 1}); !errors.Is(err, ErrBundle) {
			t.Fatalf("err = %v, want ErrBundle", err)
		}
	})
}

func TestVerifyBlobKeyed(t *testing.T) {
	f := newSigstoreFixture(t)
	artifact := []byte("vendor-lib.tar.gz contents")
	key := newP256(t)
	good := f.messageBundle(t, artifact, bundleSpec{key: key})

	res, err := VerifyBlob(good, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Key: key.Public()})
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
		opts   BlobOptions
		want   error
	}{
		{"other key", good, BlobOptions{TrustedRoot: f.trustedRoot, Key: newP256(t).Public()}, ErrBundle},
		{"keyless bundle with a key", keyless, BlobOptions{TrustedRoot: f.trustedRoot, Key: key.Public()}, ErrBundle},
		{"keyed bundle without a key", good, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}, ErrBundle},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := VerifyBlob(c.bundle, bytes.NewReader(artifact), c.opts); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

// TestSigstoreFixtures checks the committed bundles in testdata/sigstore
// (made by this test with -update-sigstore, from a fresh virtual Sigstore) still
// verify: they pin the bundle and trusted-root formats, and the CLI tests and
// fuzz seeds use them.
func TestSigstoreFixtures(t *testing.T) {
	dir := filepath.Join("testdata", "sigstore")
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
	read := func(name string) []byte { return readTestdata(t, filepath.Join("sigstore", name)) }
	artifact, root := read("artifact.txt"), read("trusted_root.json")
	if _, err := VerifyBlob(read("keyless.sigstore.json"), bytes.NewReader(artifact), BlobOptions{TrustedRoot: root, Identity: keylessID}); err != nil {
		t.Errorf("keyless fixture: %v", err)
	}
	pub, err := ParsePublicKey(read("keyed.pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyBlob(read("keyed.sigstore.json"), bytes.NewReader(artifact), BlobOptions{TrustedRoot: root, Key: pub}); err != nil {
		t.Errorf("keyed fixture: %v", err)
	}
	if _, err := VerifyBlob(read("keyless.sigstore.json"), bytes.NewReader(append(artifact, '!')), BlobOptions{TrustedRoot: root, Identity: keylessID}); !errors.Is(err, ErrBundle) {
		t.Errorf("keyless fixture over other bytes: err = %v, want ErrBundle", err)
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
	stmt, err := Statement(report, StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := f.dsseBundle(t, stmt, fixtureSAN, fixtureIssuer)
	res, err := VerifyBlob(b, bytes.NewReader(artifact), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID})
	if err != nil {
		t.Fatalf("DSSE bundle: %v", err)
	}
	if res.PredicateType != PredicateTypeVSA || len(res.Subjects) != 1 || res.Subjects[0].Name != "Acme-1.4.2-mac.zip" {
		t.Errorf("result = %+v", res)
	}
	if _, err := VerifyBlob(b, bytes.NewReader([]byte("other bytes")), BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID}); !errors.Is(err, ErrBundle) {
		t.Errorf("artifact not a subject: err = %v, want ErrBundle", err)
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
	if _, err := VerifyBlob(keyless, failingReader{t}, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: sum[:]}); err != nil {
		t.Fatalf("digest and artifact: %v", err)
	}
	other := sha256.Sum256([]byte("other"))
	if _, err := VerifyBlob(keyless, failingReader{t}, BlobOptions{TrustedRoot: f.trustedRoot, Identity: keylessID, ArtifactSHA256: other[:]}); !errors.Is(err, ErrBundle) {
		t.Fatalf("other digest: err = %v, want ErrBundle", err)
	}

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Rekor v1 hashedrekord entries of Ed25519 keys need SHA-512: a
	// timestamped bundle without a log entry stands in.
	ed := f.messageBundle(t, artifact, bundleSpec{key: edKey, noTlog: true})
	opts := BlobOptions{TrustedRoot: f.trustedRoot, Key: edKey.Public(), ArtifactSHA256: sum[:], InsecureIgnoreTlog: true}
	if _, err := VerifyBlob(ed, bytes.NewReader(artifact), opts); err != nil {
		t.Fatalf("Ed25519 with the artifact: %v", err)
	}
	if _, err := VerifyBlob(ed, nil, opts); !errors.Is(err, ErrBundle) {
		t.Fatalf("Ed25519 with the digest alone: err = %v, want ErrBundle", err)
	}
	if _, err := VerifyBlob(ed, bytes.NewReader([]byte("tampered")), opts); !errors.Is(err, ErrBundle) {
		t.Fatalf("Ed25519 over other bytes: err = %v, want ErrBundle", err)
	}
}

// failingReader fails the test when read.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("artifact read although its digest sufficed")
	return 0, io.ErrUnexpectedEOF
}
