package attest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	ssldsse "github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
)

// TestInteropSecureSystemsLib verifies shipgate's envelopes the way cosign
// verify-blob-attestation --key does for a PEM key: the key loaded with
// SHA-256 (cosign's LoadPublicKeyRaw), the payload type compared with
// application/vnd.in-toto+json, and the envelope checked by
// go-securesystemslib's DSSE verifier through sigstore's adapter — once without
// the public key (cosign's call, key IDs ignored) and once with it (the
// verifier then computes the SHA256: key ID and requires it to match ours).
// It also checks sigstore's dsse.WrapVerifier. RSA-PSS is left out: cosign
// loads RSA PEM keys as PKCS#1 v1.5.
func TestInteropSecureSystemsLib(t *testing.T) {
	t.Parallel()
	report := readTestdata(t, "report.json")
	for _, k := range testKeys(t) {
		if k.opts.RSAPSS || k.opts.Hash != 0 {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			s, _ := signerFor(t, k)
			envBytes, err := Sign(report, s, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var env ssldsse.Envelope
			if err := json.Unmarshal(envBytes, &env); err != nil {
				t.Fatal(err)
			}
			if env.PayloadType != "application/vnd.in-toto+json" {
				t.Fatalf("payloadType = %q", env.PayloadType)
			}
			v, err := signature.LoadVerifier(k.priv.Public(), crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			for _, adapter := range []*sigdsse.VerifierAdapter{
				{SignatureVerifier: v},
				{SignatureVerifier: v, Pub: k.priv.Public()},
			} {
				ev, err := ssldsse.NewEnvelopeVerifier(adapter)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ev.Verify(context.Background(), &env); err != nil {
					t.Errorf("go-securesystemslib (pub set: %v): %v", adapter.Pub != nil, err)
				}
			}
			if err := sigdsse.WrapVerifier(v, sigdsse.WithExpectedPayloadType(PayloadType)).VerifySignature(bytes.NewReader(envBytes), nil); err != nil {
				t.Errorf("sigstore dsse.WrapVerifier: %v", err)
			}
			// And the other way: an envelope made by sigstore's DSSE signer
			// verifies with Verify.
			other, err := sigdsse.WrapSigner(s, PayloadType).SignMessage(bytes.NewReader(mustStatement(t, report)))
			if err != nil {
				t.Fatal(err)
			}
			sv, err := ParseVerifier(publicPEM(t, k.priv.Public()), k.opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(other, sv, VerifyOptions{}); err != nil {
				t.Errorf("Verify of a sigstore-made envelope: %v", err)
			}
		})
	}
}

func mustStatement(t testing.TB, report []byte) []byte {
	t.Helper()
	b, err := Statement(report, StatementOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInteropCosign runs cosign verify-blob-attestation --key on an envelope
// when cosign is on PATH.
func TestInteropCosign(t *testing.T) {
	t.Parallel()
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		t.Skip("cosign not installed: cosign verify-blob-attestation cross-check skipped (the go-securesystemslib path cosign uses is checked by TestInteropSecureSystemsLib)")
	}
	dir := t.TempDir()
	artifact := []byte("Acme.exe contents for the cosign cross-check\n")
	art := writeFile(t, dir, "Acme.exe", artifact)
	sum := sha256.Sum256(artifact)
	report := fmt.Sprintf(`{"schemaVersion":1,"tool":{"name":"shipgate","version":"test"},"files":[{"path":"Acme.exe","size":%d,"sha256":"%s","kind":"pe"}],"findings":[],"summary":{"files":1,"signed":0,"errors":0,"warnings":0,"passed":true}}`, len(artifact), hex.EncodeToString(sum[:]))
	for _, k := range testKeys(t) {
		if k.opts.RSAPSS || k.opts.Hash != 0 {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			s, _ := signerFor(t, k)
			env, err := Sign([]byte(report), s, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			envPath := writeFile(t, dir, k.name+".intoto.json", env)
			pubPath := writeFile(t, dir, k.name+".pub", publicPEM(t, k.priv.Public()))
			cmd := exec.Command(cosign, "verify-blob-attestation", "--key", pubPath, "--signature", envPath,
				"--type", PredicateTypeVSA, "--insecure-ignore-tlog=true", art)
			cmd.Env = append(os.Environ(), "SIGSTORE_NO_CACHE=1", "TUF_ROOT="+filepath.Join(dir, "tuf"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("cosign verify-blob-attestation: %v\n%s", err, out)
			}
		})
	}
}
