package signing

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

// TestAttackChainSignatureCacheTamperedLeaf: a trust store remembers the
// signature checks of the chains built to it (every file of a release is
// signed through the same chain), by the certificates' bytes: a leaf whose
// signature was tampered with after the genuine one was checked is not
// taken for it, and fails as it does in a fresh store.
func TestAttackChainSignatureCacheTamperedLeaf(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root", KeyN: 0})
	ca := root.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 1})
	leaf := ca.Issue(testpki.Spec{CommonName: "Leaf", KeyN: 2})
	raw := append([]byte(nil), leaf.Cert.Raw...)
	raw[len(raw)-1] ^= 1 // the signature's last byte
	forged, err := x509.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	opts := ChainOptions{Time: testpki.Epoch}
	inter := []*x509.Certificate{ca.Cert}
	fresh := storeOf(t, root).VerifyChain(forged, inter, opts)
	ts := storeOf(t, root)
	for i := range 2 {
		if r := ts.VerifyChain(leaf.Cert, inter, opts); !r.Trusted {
			t.Fatalf("run %d: genuine leaf: %q", i, r.Problem)
		}
		r := ts.VerifyChain(forged, inter, opts)
		if r.Trusted || !strings.Contains(r.Problem, "does not verify") || r.Problem != fresh.Problem {
			t.Fatalf("run %d: tampered leaf: trusted %v, problem %q; in a fresh store %q", i, r.Trusted, r.Problem, fresh.Problem)
		}
	}
	if n := ts.sigs.m.Len(); n != 3 {
		t.Errorf("%d signature checks remembered, want 3 (leaf, tampered leaf, CA)", n)
	}
}

// TestAttackAppleClassifySignatureCacheTamperedLeaf: ExplainApple
// remembers whether the issuer signed the leaf (appleSigs), by both
// certificates' bytes: a Developer ID leaf whose signature was tampered
// with after the genuine one was classified is not taken for it, and stays
// unknown with the issuer mismatch, every time.
func TestAttackAppleClassifySignatureCacheTamperedLeaf(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root", KeyN: 0})
	devID := root.Issue(testpki.Spec{CommonName: "Developer ID Certification Authority", CA: true, KeyN: 1, ExtraExtensions: []pkix.Extension{testpki.AppleCAMarker(6)}})
	leaf := devID.Issue(testpki.Spec{CommonName: "Developer ID Application: cache test", KeyN: 2, ExtraExtensions: []pkix.Extension{testpki.AppleLeafMarker(13)}})
	raw := append([]byte(nil), leaf.Cert.Raw...)
	raw[len(raw)-1] ^= 1 // the signature's last byte
	forged, err := x509.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if got := ExplainApple(leaf.Cert, devID.Cert); got.Kind != AppleKindDeveloperIDApplication {
			t.Fatalf("run %d: genuine leaf: %+v", i, got)
		}
		got := ExplainApple(forged, devID.Cert)
		if got.Kind != AppleKindUnknown || !got.IssuerMismatch || !strings.Contains(got.Problem, "not signed by") {
			t.Fatalf("run %d: tampered leaf: %+v", i, got)
		}
	}
	for _, c := range []*x509.Certificate{leaf.Cert, forged} {
		key := [2][sha256.Size]byte{sha256.Sum256(c.Raw), sha256.Sum256(devID.Cert.Raw)}
		_, ok := appleSigs.m.Get(key)
		if !ok {
			t.Errorf("the check of %q is not remembered", c.Subject.CommonName)
		}
	}
}
