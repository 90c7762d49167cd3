package signing_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// systemPKI is a vendor-like chain whose root is placed in a stand-in system
// bundle, never in the machine's own.
type systemPKI struct {
	root, tlsRoot               *testpki.Cert
	inter, leaf, noEKU, tlsLeaf *testpki.Cert
	bundle                      string
}

func newSystemPKI(t *testing.T) *systemPKI {
	p := &systemPKI{}
	p.root = testpki.NewRoot(testpki.Spec{CommonName: "Vendor Public Root", KeyN: 20})
	p.inter = p.root.Issue(testpki.Spec{CommonName: "Vendor Code Signing CA", CA: true, KeyN: 21})
	p.leaf = p.inter.Issue(testpki.Spec{CommonName: "Third-Party Signer", KeyN: 22})
	p.noEKU = p.inter.Issue(testpki.Spec{CommonName: "Signer Without EKU", KeyN: 23, NoEKU: true})
	// A root whose own certificate restricts it to TLS.
	p.tlsRoot = testpki.NewRoot(testpki.Spec{CommonName: "TLS-only Public Root", KeyN: 24, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	p.tlsLeaf = p.tlsRoot.Issue(testpki.Spec{CommonName: "Signer Under TLS Root", KeyN: 25})
	p.bundle = filepath.Join(t.TempDir(), "ca-certificates.crt")
	if err := os.WriteFile(p.bundle, append(p.root.PEM(), p.tlsRoot.PEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *systemPKI) verify(ts *signing.TrustStore, leaf *testpki.Cert) signing.ChainResult {
	return ts.VerifyChain(leaf.Cert, []*x509.Certificate{p.inter.Cert}, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
}

// TestSystemRootsAnchorCodeSigning checks that a root of the system store
// anchors a code-signing chain when System is set, and not otherwise; that the
// leaf must still carry codeSigning; and that a system root whose own
// certificate restricts its extended key usages to TLS anchors nothing.
func TestSystemRootsAnchorCodeSigning(t *testing.T) {
	t.Parallel()
	p := newSystemPKI(t)
	sys, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, SystemFiles: []string{p.bundle}, Embedded: signing.EmbeddedAll})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.verify(sys, p.leaf); !r.Trusted {
		t.Errorf("system root not trusted: %s", r.Problem)
	}
	if r := p.verify(sys, p.noEKU); r.Trusted || !strings.Contains(r.Problem, "lacks the codeSigning") {
		t.Errorf("leaf without codeSigning under a system root: trusted=%v %q", r.Trusted, r.Problem)
	}
	if r := p.verify(sys, p.tlsLeaf); r.Trusted || !strings.Contains(r.Problem, `"CN=TLS-only Public Root" restricts extended key usage`) {
		t.Errorf("TLS-only system root: trusted=%v %q", r.Trusted, r.Problem)
	}
	// SystemFiles without System reads nothing.
	off, err := signing.NewTrustStore(signing.TrustStoreOptions{SystemFiles: []string{p.bundle}, Embedded: signing.EmbeddedAll})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.verify(off, p.leaf); r.Trusted || !r.Unanchored {
		t.Errorf("without System: trusted=%v unanchored=%v %q", r.Trusted, r.Unanchored, r.Problem)
	}
	// A non-nil empty SystemFiles is no system roots at all.
	none, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, SystemFiles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if none.Len() != 0 || p.verify(none, p.leaf).Trusted {
		t.Errorf("empty SystemFiles: %d roots", none.Len())
	}
}

// TestTrustSources checks that a store records where its roots came from.
func TestTrustSources(t *testing.T) {
	t.Parallel()
	p := newSystemPKI(t)
	extra := filepath.Join(t.TempDir(), "extra.pem")
	os.WriteFile(extra, p.inter.PEM(), 0o644)
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{extra}, PEM: [][]byte{p.root.PEM()}, System: true, SystemFiles: []string{p.bundle}, Embedded: signing.EmbeddedAll})
	if err != nil {
		t.Fatal(err)
	}
	want := []signing.TrustSource{
		{Kind: signing.TrustFile, Name: extra, Roots: 1},
		{Kind: signing.TrustPEM, Name: "bundle 0", Roots: 1},
		{Kind: signing.TrustEmbedded, Name: "microsoft", Roots: 5},
		{Kind: signing.TrustEmbedded, Name: "apple", Roots: 3},
		// The bundle's first root was already added from PEM.
		{Kind: signing.TrustSystem, Name: p.bundle, Roots: 1},
	}
	if got := ts.Sources(); !slices.Equal(got, want) {
		t.Errorf("sources %+v\nwant %+v", got, want)
	}
	if _, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true, SystemFiles: []string{filepath.Join(t.TempDir(), "missing.pem")}}); err == nil {
		t.Error("a missing SystemFiles bundle did not fail")
	}
	if (*signing.TrustStore)(nil).Sources() != nil {
		t.Error("nil store has sources")
	}
}

// TestSystemRootsHonourSSLCertFile checks that, without SystemFiles, the
// system roots on Linux and the BSDs come from $SSL_CERT_FILE and
// $SSL_CERT_DIR when set, as Go's own loader does.
func TestSystemRootsHonourSSLCertFile(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" || runtime.GOOS == "ios" {
		t.Skip("the platform verifier supplies the system roots here")
	}
	p := newSystemPKI(t)
	t.Setenv("SSL_CERT_FILE", p.bundle)
	t.Setenv("SSL_CERT_DIR", "")
	ts, err := signing.NewTrustStore(signing.TrustStoreOptions{System: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.verify(ts, p.leaf); !r.Trusted {
		t.Errorf("SSL_CERT_FILE root not trusted: %s", r.Problem)
	}
	if got := ts.Sources(); len(got) != 1 || got[0] != (signing.TrustSource{Kind: signing.TrustSystem, Name: p.bundle, Roots: 2}) {
		t.Errorf("sources %+v", got)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "vendor.pem"), p.root.PEM(), 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("not a certificate"), 0o644)
	t.Setenv("SSL_CERT_FILE", filepath.Join(dir, "missing.crt"))
	t.Setenv("SSL_CERT_DIR", filepath.Join(t.TempDir(), "missing")+":"+dir)
	ts, err = signing.NewTrustStore(signing.TrustStoreOptions{System: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.verify(ts, p.leaf); !r.Trusted {
		t.Errorf("SSL_CERT_DIR root not trusted: %s", r.Problem)
	}
	if got := ts.Sources(); len(got) != 1 || got[0] != (signing.TrustSource{Kind: signing.TrustSystem, Name: dir, Roots: 1}) {
		t.Errorf("sources %+v", got)
	}

	// No bundle at all (a scratch container): no system roots, and the
	// source says none was found.
	t.Setenv("SSL_CERT_DIR", "")
	ts, err = signing.NewTrustStore(signing.TrustStoreOptions{System: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.Sources(); ts.Len() != 0 || len(got) != 1 || got[0] != (signing.TrustSource{Kind: signing.TrustSystem}) {
		t.Errorf("no bundle: %d roots, sources %+v", ts.Len(), got)
	}
}
