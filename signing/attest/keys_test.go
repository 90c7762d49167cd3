package attest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// testKey is one key type of the round-trip tests.
type testKey struct {
	name string
	priv crypto.Signer
	opts KeyOptions
}

// fixedEd25519 is the key of the committed Ed25519 fixtures (Ed25519
// signatures are deterministic, so they regenerate byte-identically).
var fixedEd25519 = ed25519.NewKeyFromSeed([]byte("shipgate attest test key seed 01"))

func testKeys(t testing.TB) []testKey {
	t.Helper()
	gen := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	p384 := gen(elliptic.P384())
	rsaKey := testpki.Key(testpki.RSA, 0)
	return []testKey{
		{"ecdsa-p256", testpki.Key(testpki.ECDSA, 0), KeyOptions{}},
		{"ecdsa-p384", p384, KeyOptions{}},
		{"ecdsa-p384-sha384", p384, KeyOptions{Hash: crypto.SHA384}},
		{"ecdsa-p521-sha512", gen(elliptic.P521()), KeyOptions{Hash: crypto.SHA512}},
		{"ed25519", fixedEd25519, KeyOptions{}},
		{"rsa2048-pkcs1v15", rsaKey, KeyOptions{}},
		{"rsa2048-pss", rsaKey, KeyOptions{RSAPSS: true}},
	}
}

func privatePEM(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func publicPEM(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSignerEncrypted(t *testing.T) {
	dir := t.TempDir()
	key := testpki.Key(testpki.ECDSA, 1)
	const password = "correct horse battery staple"

	sigstoreDER, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(key, cryptoutils.StaticPasswordFunc([]byte(password)))
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // legacy encrypted PEM is what older tooling writes; it must load.
	legacy, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", mustECDER(t, key), []byte(password), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"sigstore": pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: sigstoreDER}),
		"cosign":   pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED COSIGN PRIVATE KEY", Bytes: sigstoreDER}),
		"legacy":   pem.EncodeToMemory(legacy),
	}
	// PKCS#8 PBES2, as openssl writes it, when openssl is installed.
	if _, err := exec.LookPath("openssl"); err == nil {
		plain := writeFile(t, dir, "plain.pem", privatePEM(t, key))
		enc := filepath.Join(dir, "pkcs8.pem")
		out, err := exec.Command("openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", enc, "-passout", "pass:"+password).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl pkcs8: %v\n%s", err, out)
		}
		b, err := os.ReadFile(enc)
		if err != nil {
			t.Fatal(err)
		}
		files["pkcs8-openssl"] = b
	} else {
		t.Log("openssl not installed: PKCS#8 encrypted key not cross-checked")
	}

	for name, b := range files {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, dir, name+".pem", b)
			t.Setenv("SHIPGATE_TEST_KEY_PASSWORD", password)
			s, err := LoadSigner(p, "SHIPGATE_TEST_KEY_PASSWORD")
			if err != nil {
				t.Fatalf("LoadSigner: %v", err)
			}
			pub, _ := s.PublicKey()
			if !key.Public().(*ecdsa.PublicKey).Equal(pub) {
				t.Fatal("loaded a different key")
			}

			t.Setenv("SHIPGATE_TEST_KEY_PASSWORD", "wrong")
			if _, err := LoadSigner(p, "SHIPGATE_TEST_KEY_PASSWORD"); !errors.Is(err, ErrKey) {
				t.Errorf("wrong password: err = %v, want ErrKey", err)
			}
			_, err = LoadSigner(p, "SHIPGATE_TEST_UNSET_VARIABLE")
			if !errors.Is(err, ErrKey) || !strings.Contains(err.Error(), "$SHIPGATE_TEST_UNSET_VARIABLE") {
				t.Errorf("unset variable: err = %v, want ErrKey naming the variable", err)
			}
		})
	}
}

func mustECDER(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestKeyChecks(t *testing.T) {
	t.Parallel()
	weak, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"not PEM":       []byte("hello"),
		"private block": privatePEM(t, testpki.Key(testpki.ECDSA, 0)),
		"P-224":         publicPEM(t, weak.Public()),
	}
	for name, b := range cases {
		if _, err := ParseVerifier(b, KeyOptions{}); !errors.Is(err, ErrKey) {
			t.Errorf("%s: err = %v, want ErrKey", name, err)
		}
	}
	if _, err := ParseVerifier(publicPEM(t, fixedEd25519.Public()), KeyOptions{Hash: crypto.MD5}); !errors.Is(err, ErrKey) {
		t.Errorf("MD5: err = %v, want ErrKey", err)
	}
	// A certificate's key is accepted as a public key.
	root := testpki.NewRoot(testpki.Spec{CommonName: "attest test", CA: true})
	if _, err := ParseVerifier(root.PEM(), KeyOptions{}); err != nil {
		t.Errorf("certificate: %v", err)
	}
	id, err := KeyID(fixedEd25519.Public())
	if err != nil || !strings.HasPrefix(id, "SHA256:") {
		t.Errorf("KeyID = %q, %v", id, err)
	}
}

// TestKeyIDMatchesSSHKeygen cross-checks KeyID with ssh-keygen -l (the
// fingerprint go-securesystemslib computes for a key without an explicit ID).
func TestKeyIDMatchesSSHKeygen(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed: key ID fingerprint not cross-checked")
	}
	dir := t.TempDir()
	for name, k := range map[string]crypto.Signer{"ecdsa": testpki.Key(testpki.ECDSA, 0), "rsa": testpki.Key(testpki.RSA, 0)} {
		pemPath := writeFile(t, dir, name+".pem", publicPEM(t, k.Public()))
		sshKey, err := exec.Command("ssh-keygen", "-i", "-m", "PKCS8", "-f", pemPath).Output()
		if err != nil {
			t.Fatalf("%s: ssh-keygen -i: %v", name, err)
		}
		out, err := exec.Command("ssh-keygen", "-l", "-f", writeFile(t, dir, name+".ssh", sshKey)).Output()
		if err != nil {
			t.Fatalf("%s: ssh-keygen -l: %v", name, err)
		}
		id, err := KeyID(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		if f := strings.Fields(string(out)); len(f) < 2 || f[1] != id {
			t.Errorf("%s: KeyID = %s, ssh-keygen -l = %s", name, id, out)
		}
	}
}

// TestOpenSSLKeys round-trips keys written by openssl (PKCS#8 Ed25519, SEC 1
// EC, PKCS#1 RSA and the public keys openssl derives), when it is installed.
func TestOpenSSLKeys(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: openssl-made keys not cross-checked")
	}
	dir := t.TempDir()
	report := readTestdata(t, "report.json")
	// Each entry writes KEY (the placeholder is replaced by the file name).
	gens := map[string][][]string{
		"ed25519":   {{"genpkey", "-algorithm", "ed25519", "-out", "KEY"}},
		"p384-sec1": {{"ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", "KEY"}},
		"rsa2048-pkcs1": {
			{"genrsa", "-out", "KEY.pk8", "2048"},
			{"rsa", "-in", "KEY.pk8", "-traditional", "-out", "KEY"},
		},
	}
	for name, cmds := range gens {
		t.Run(name, func(t *testing.T) {
			key := filepath.Join(dir, name+".pem")
			pub := filepath.Join(dir, name+".pub")
			for _, args := range cmds {
				args = append([]string(nil), args...)
				for i, a := range args {
					args[i] = strings.Replace(a, "KEY", key, 1)
				}
				if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
					t.Fatalf("openssl %v: %v\n%s", args, err, out)
				}
			}
			if out, err := exec.Command("openssl", "pkey", "-in", key, "-pubout", "-out", pub).CombinedOutput(); err != nil {
				t.Fatalf("openssl pkey: %v\n%s", err, out)
			}
			s, err := LoadSigner(key, "")
			if err != nil {
				t.Fatal(err)
			}
			v, err := LoadVerifier(pub, KeyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			env, err := Sign(report, s, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(env, v, VerifyOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
