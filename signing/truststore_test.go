package signing_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// The embedded roots are public certificates; their fingerprints are pinned so a
// changed file cannot go unnoticed.
func TestEmbeddedRootFingerprints(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"Microsoft Root Authority":                                        "f38406e540d7a9d90cb4a9479299640ffb6df9e224ecc7a01c0d9558d8dad77d",
		"Microsoft Root Certificate Authority":                            "885de64c340e3ea70658f01e1145f957fcda27aabeea1ab9faa9fdb0102d4077",
		"Microsoft Root Certificate Authority 2010":                       "df545bf919a2439c36983b54cdfc903dfa4f37d3996d8d84b4c31eec6f3c163e",
		"Microsoft Root Certificate Authority 2011":                       "847df6a78497943f27fc72eb93f9a637320a02b561d0a91b09e87a7807ed7c61",
		"Microsoft Identity Verification Root Certificate Authority 2020": "5367f20c7ade0e2bca790915056d086b720c33c1fa2a2661acf787e3292e1270",
		"Apple Root CA":      "b0b1730ecbc7ff4505142c49f1295e6eda6bcaed7e2c68c5be91b5a11001f024",
		"Apple Root CA - G2": "c2b9b042dd57830e7d117dac55ac8ae19407d38e41d88f3215bc3a890444a050",
		"Apple Root CA - G3": "63343abfb89a6a03ebb57e9b3f5fa7be7c4f5c756f3017b3a8c488c3653e9179",
	}
	certs, err := signing.EmbeddedCertificates(signing.EmbeddedAll)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range certs {
		s := sha256.Sum256(c.Raw)
		got[c.Subject.CommonName] = hex.EncodeToString(s[:])
	}
	if len(got) != len(want) {
		t.Errorf("got %d embedded roots, want %d: %v", len(got), len(want), got)
	}
	for cn, fp := range want {
		if got[cn] != fp {
			t.Errorf("%s: fingerprint %s, want %s", cn, got[cn], fp)
		}
	}
	ms, _ := signing.EmbeddedCertificates(signing.EmbeddedMicrosoft)
	apple, _ := signing.EmbeddedCertificates(signing.EmbeddedApple)
	if len(ms) != 5 || len(apple) != 3 {
		t.Errorf("microsoft %d, apple %d roots; want 5 and 3", len(ms), len(apple))
	}
}

func TestEmptyTrustStoreTrustsNothing(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root"})
	leaf := root.Issue(testpki.Spec{CommonName: "Leaf", KeyN: 1})
	var ts *signing.TrustStore
	r := ts.VerifyChain(leaf.Cert, []*x509.Certificate{root.Cert}, signing.ChainOptions{Time: testpki.Epoch})
	if r.Trusted {
		t.Fatal("nil TrustStore trusted a chain")
	}
	empty, err := signing.NewTrustStore(signing.TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := empty.VerifyChain(leaf.Cert, []*x509.Certificate{root.Cert}, signing.ChainOptions{Time: testpki.Epoch}); r.Trusted {
		t.Fatal("empty TrustStore trusted a chain")
	}
}

func TestVerifyChain(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Test Root"})
	other := testpki.NewRoot(testpki.Spec{CommonName: "Other Root", KeyN: 5})
	inter := root.Issue(testpki.Spec{CommonName: "Test CS CA", CA: true, KeyN: 1})
	leaf := inter.Issue(testpki.Spec{CommonName: "Signer", KeyN: 2})
	expired := inter.Issue(testpki.Spec{CommonName: "Old Signer", KeyN: 2,
		NotBefore: testpki.Epoch.AddDate(-3, 0, 0), NotAfter: testpki.Epoch.AddDate(0, -3, 0)})
	tsLeaf := inter.Issue(testpki.Spec{CommonName: "TSA", KeyN: 3, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	noEKU := inter.Issue(testpki.Spec{CommonName: "No EKU", KeyN: 3, NoEKU: true})
	notCA := root.Issue(testpki.Spec{CommonName: "Not a CA", KeyN: 4})
	underNotCA := notCA.Issue(testpki.Spec{CommonName: "Under not-CA", KeyN: 2})
	sha1Inter := root.Issue(testpki.Spec{CommonName: "SHA1 CA", CA: true, KeyN: 6, SignatureAlgorithm: x509.SHA1WithRSA})
	sha1Leaf := sha1Inter.Issue(testpki.Spec{CommonName: "SHA1 leaf", KeyN: 7, SignatureAlgorithm: x509.SHA1WithRSA})
	tightRoot := testpki.NewRoot(testpki.Spec{CommonName: "Tight Root", KeyN: 4, MaxPathLen: -1})
	tightInter := tightRoot.Issue(testpki.Spec{CommonName: "Under tight", CA: true, KeyN: 1})
	tightLeaf := tightInter.Issue(testpki.Spec{CommonName: "Tight leaf", KeyN: 2})
	restricted := root.Issue(testpki.Spec{CommonName: "TLS-only CA", CA: true, KeyN: 6, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	underRestricted := restricted.Issue(testpki.Spec{CommonName: "Under TLS CA", KeyN: 2})

	ts, _ := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM(), tightRoot.PEM()}})
	cs := x509.ExtKeyUsageCodeSigning
	all := []*x509.Certificate{inter.Cert, notCA.Cert, sha1Inter.Cert, tightInter.Cert, restricted.Cert, other.Cert}
	tests := []struct {
		name    string
		leaf    *x509.Certificate
		at      time.Time
		usage   x509.ExtKeyUsage
		trusted bool
		problem string
		chain   int
		weak    int
		// unanchored: untrusted only for want of a root.
		unanchored bool
	}{
		{name: "valid", leaf: leaf.Cert, usage: cs, trusted: true, chain: 3},
		{name: "expired", leaf: expired.Cert, usage: cs, problem: "expired"},
		{name: "expired but timestamped inside validity", leaf: expired.Cert, at: testpki.Epoch.AddDate(0, -6, 0), usage: cs, trusted: true, chain: 3},
		{name: "not yet valid", leaf: leaf.Cert, at: testpki.Epoch.AddDate(-2, 0, 0), usage: cs, problem: "not valid until"},
		{name: "wrong EKU", leaf: tsLeaf.Cert, usage: cs, problem: "lacks the codeSigning"},
		{name: "timestamping EKU", leaf: tsLeaf.Cert, usage: x509.ExtKeyUsageTimeStamping, trusted: true, chain: 3},
		{name: "leaf without EKU", leaf: noEKU.Cert, usage: cs, problem: "lacks the codeSigning"},
		{name: "issuer not a CA", leaf: underNotCA.Cert, usage: cs, problem: "not a CA"},
		{name: "SHA-1 chain is weak, not untrusted", leaf: sha1Leaf.Cert, usage: cs, trusted: true, chain: 3, weak: 2},
		{name: "path length exceeded", leaf: tightLeaf.Cert, usage: cs, problem: "allows 0 intermediates"},
		{name: "CA EKU restriction", leaf: underRestricted.Cert, usage: cs, problem: "restricts extended key usage"},
		{name: "unknown root", leaf: other.Issue(testpki.Spec{CommonName: "Other leaf", KeyN: 2}).Cert, usage: cs, problem: "no issuer found", unanchored: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at.IsZero() {
				at = testpki.Epoch
			}
			r := ts.VerifyChain(tc.leaf, all, signing.ChainOptions{Time: at, Usage: tc.usage})
			if r.Trusted != tc.trusted {
				t.Fatalf("trusted = %v (%s), want %v", r.Trusted, r.Problem, tc.trusted)
			}
			if tc.problem != "" && !strings.Contains(r.Problem, tc.problem) {
				t.Errorf("problem %q, want it to mention %q", r.Problem, tc.problem)
			}
			if tc.chain != 0 && len(r.Chain) != tc.chain {
				t.Errorf("chain length %d, want %d", len(r.Chain), tc.chain)
			}
			if len(r.Weak) != tc.weak {
				t.Errorf("weak = %v, want %d entries", r.Weak, tc.weak)
			}
			if r.Unanchored != tc.unanchored {
				t.Errorf("unanchored = %v, want %v", r.Unanchored, tc.unanchored)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root", Organization: "Acme"})
	id := signing.NewIdentity(root.Cert)
	if id.Subject != "CN=Root,O=Acme" || id.Subject != id.Issuer {
		t.Errorf("subject %q issuer %q", id.Subject, id.Issuer)
	}
	if len(id.SHA256) != 64 || len(id.SHA1) != 40 || len(id.TBS.SHA256) != 64 || len(id.SPKISHA256) != 64 {
		t.Errorf("bad hash lengths: %+v", id)
	}
	if id.TeamID != "" {
		t.Errorf("team ID %q on a non-Apple certificate", id.TeamID)
	}
	for in, want := range map[string]string{"00:1B:66 11": "1b6611", "0x0000": "0", "1b6611df9c9a4d6ecc8ed50c9b917873": "1b6611df9c9a4d6ecc8ed50c9b917873"} {
		if got, ok := signing.NormalizeSerial(in); !ok || got != want {
			t.Errorf("NormalizeSerial(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := signing.NormalizeSerial("xyz"); ok {
		t.Error("NormalizeSerial accepted non-hex")
	}
}

func TestStatusOrder(t *testing.T) {
	t.Parallel()
	order := []signing.Status{signing.StatusValid, signing.StatusUntrusted, signing.StatusAdhoc, signing.StatusUnsigned, signing.StatusRevoked, signing.StatusInvalid, signing.StatusMalformed}
	for i := 1; i < len(order); i++ {
		if order[i-1].Worse(order[i]) != order[i] {
			t.Errorf("%v should be worse than %v", order[i], order[i-1])
		}
		b, _ := order[i].MarshalText()
		var s signing.Status
		if err := s.UnmarshalText(b); err != nil || s != order[i] {
			t.Errorf("round trip of %v: %v %v", order[i], s, err)
		}
	}
}
