package signing

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
)

func storeOf(t testing.TB, roots ...*testpki.Cert) *TrustStore {
	t.Helper()
	ts, err := NewTrustStore(TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roots {
		ts.AddCertificate(r.Cert)
	}
	return ts
}

func certsOf(cs ...*testpki.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		out = append(out, c.Cert)
	}
	return out
}

// selfSignedNotCA mints a self-signed certificate whose basicConstraints say
// CA:false, and a leaf it signs anyway.
func selfSignedNotCA(t *testing.T) (root, leaf *x509.Certificate) {
	key := testpki.Key(testpki.RSA, 5)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Not-CA root"},
		NotBefore: testpki.Epoch.AddDate(-1, 0, 0), NotAfter: testpki.Epoch.AddDate(1, 0, 0), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	root, _ = x509.ParseCertificate(der)
	lk := testpki.Key(testpki.RSA, 6)
	lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Under not-CA root"},
		NotBefore: tmpl.NotBefore, NotAfter: tmpl.NotAfter, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	der, err = x509.CreateCertificate(rand.Reader, lt, root, lk.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ = x509.ParseCertificate(der)
	return root, leaf
}

func TestChainAnchorsAndIntermediates(t *testing.T) {
	t.Parallel()
	cs := x509.ExtKeyUsageCodeSigning
	// An anchor without basicConstraints, as Microsoft Root Authority is.
	oldRoot := testpki.NewRoot(testpki.Spec{CommonName: "Old style root", KeyN: 1, NoBasicConstraints: true})
	underOld := oldRoot.Issue(testpki.Spec{CommonName: "Under old root", KeyN: 2})
	// A v1 root is a fine anchor; a v1 intermediate is not a CA.
	v1Root := testpki.NewRoot(testpki.Spec{CommonName: "v1 root", KeyN: 3, Version1: true})
	underV1Root := v1Root.Issue(testpki.Spec{CommonName: "Under v1 root", KeyN: 2})
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root", KeyN: 0})
	v1Inter := root.Issue(testpki.Spec{CommonName: "v1 end entity", KeyN: 4, Version1: true})
	underV1Inter := v1Inter.Issue(testpki.Spec{CommonName: "Under v1 intermediate", KeyN: 2})
	notCARoot, underNotCARoot := selfSignedNotCA(t)
	if oldRoot.Cert.BasicConstraintsValid || v1Root.Cert.Version != 1 || v1Inter.Cert.Version != 1 {
		t.Fatal("fixtures are not what they claim")
	}
	ts := storeOf(t, oldRoot, v1Root, root)
	ts.AddCertificate(notCARoot)
	for _, tc := range []struct {
		name    string
		leaf    *x509.Certificate
		inter   []*x509.Certificate
		trusted bool
		problem string
	}{
		{"anchor without basicConstraints", underOld.Cert, nil, true, ""},
		{"v1 anchor", underV1Root.Cert, nil, true, ""},
		{"v1 intermediate", underV1Inter.Cert, certsOf(v1Inter), false, "not a CA"},
		{"anchor that says CA:false", underNotCARoot, nil, false, "not a CA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.VerifyChain(tc.leaf, tc.inter, ChainOptions{Time: testpki.Epoch, Usage: cs})
			if r.Trusted != tc.trusted || !strings.Contains(r.Problem, tc.problem) {
				t.Fatalf("trusted %v problem %q, want %v %q", r.Trusted, r.Problem, tc.trusted, tc.problem)
			}
		})
	}
}

// TestChainPrefersStrongPath: a CA cross-signed with SHA-1 and with SHA-256
// (same subject and key) gives two trusted paths; the weak one is reported
// only when it is the only one.
func TestChainPrefersStrongPath(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Root"})
	weak := root.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 1, Serial: big.NewInt(1), SignatureAlgorithm: x509.SHA1WithRSA})
	strong := root.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 1, Serial: big.NewInt(2)})
	leaf := strong.Issue(testpki.Spec{CommonName: "Leaf", KeyN: 2})
	ts := storeOf(t, root)
	opts := ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning}
	r := ts.VerifyChain(leaf.Cert, certsOf(weak, strong), opts)
	if !r.Trusted || len(r.Weak) != 0 || r.Chain[1] != strong.Cert {
		t.Fatalf("trusted %v weak %v via serial %v", r.Trusted, r.Weak, r.Chain[1].SerialNumber)
	}
	r = ts.VerifyChain(leaf.Cert, certsOf(weak), opts)
	if !r.Trusted || len(r.Weak) != 1 || r.Weak[0].Subject != "CN=CA" {
		t.Fatalf("only the weak path: trusted %v weak %v", r.Trusted, r.Weak)
	}
}

// lookalikeCAs mints n CAs with one subject and one key, each issued by that
// subject, so every one verifies every other: the worst case of path building.
func lookalikeCAs(n int) (leaf *testpki.Cert, cas []*x509.Certificate) {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Unrelated root", KeyN: 7})
	first := root.Issue(testpki.Spec{CommonName: "Loop CA", CA: true, KeyN: 1, Serial: big.NewInt(1000)})
	for i := 0; i < n; i++ {
		cas = append(cas, first.Issue(testpki.Spec{CommonName: "Loop CA", CA: true, KeyN: 1, Serial: big.NewInt(int64(i + 1))}).Cert)
	}
	return first.Issue(testpki.Spec{CommonName: "Loop leaf", KeyN: 2}), cas
}

func TestChainBoundedOnLookalikeCAs(t *testing.T) {
	t.Parallel()
	leaf, cas := lookalikeCAs(40)
	ts := storeOf(t)
	b := &builder{t: ts, inter: cas, opts: ChainOptions{}, at: testpki.Epoch, depth: 8}
	b.walk([]*x509.Certificate{leaf.Cert}, nil)
	if b.steps > maxSteps+1 || len(b.sigs) > maxSteps {
		t.Fatalf("%d steps, %d signature checks; the bound is %d", b.steps, len(b.sigs), maxSteps)
	}
	r := ts.VerifyChain(leaf.Cert, cas, ChainOptions{Time: testpki.Epoch})
	if r.Trusted || r.Problem == "" {
		t.Fatalf("trusted %v problem %q", r.Trusted, r.Problem)
	}
}

func BenchmarkVerifyChainLookalikeCAs(b *testing.B) {
	leaf, cas := lookalikeCAs(40)
	ts := storeOf(b)
	for b.Loop() {
		ts.VerifyChain(leaf.Cert, cas, ChainOptions{Time: testpki.Epoch})
	}
}

func TestChainLoopsAndKeyIdentifiers(t *testing.T) {
	t.Parallel()
	a := testpki.NewRoot(testpki.Spec{CommonName: "A", KeyN: 1})
	bb := testpki.NewRoot(testpki.Spec{CommonName: "B", KeyN: 2})
	aByB := bb.Issue(testpki.Spec{CommonName: "A", CA: true, KeyN: 1, Serial: big.NewInt(11)})
	bByA := a.Issue(testpki.Spec{CommonName: "B", CA: true, KeyN: 2, Serial: big.NewInt(12)})
	leaf := a.Issue(testpki.Spec{CommonName: "Leaf", KeyN: 3})
	empty := storeOf(t)
	r := empty.VerifyChain(leaf.Cert, certsOf(aByB, bByA), ChainOptions{Time: testpki.Epoch})
	if r.Trusted || len(r.Chain) != 3 {
		t.Fatalf("cross-signed loop: trusted %v chain %d (%s)", r.Trusted, len(r.Chain), r.Problem)
	}
	// Same subject as the issuer but another key: the AKI does not match
	// the SKI, so it is not a candidate at all.
	impostor := testpki.NewRoot(testpki.Spec{CommonName: "A", KeyN: 4})
	r = storeOf(t, impostor).VerifyChain(leaf.Cert, nil, ChainOptions{Time: testpki.Epoch})
	if r.Trusted || !strings.Contains(r.Problem, "no issuer found") {
		t.Fatalf("AKI/SKI mismatch: trusted %v problem %q", r.Trusted, r.Problem)
	}
	// Depth: a chain of 10 needs MaxDepth 10.
	root := testpki.NewRoot(testpki.Spec{CommonName: "Deep root", KeyN: 0})
	cur, inter := root, []*x509.Certificate(nil)
	for i := 0; i < 8; i++ {
		cur = cur.Issue(testpki.Spec{CommonName: fmt.Sprintf("Deep CA %d", i), CA: true, KeyN: 1 + i%2})
		inter = append(inter, cur.Cert)
	}
	deep := cur.Issue(testpki.Spec{CommonName: "Deep leaf", KeyN: 3})
	ts := storeOf(t, root)
	if r := ts.VerifyChain(deep.Cert, inter, ChainOptions{Time: testpki.Epoch}); r.Trusted || !strings.Contains(r.Problem, "maximum depth") {
		t.Fatalf("depth 10 under the default 8: trusted %v problem %q", r.Trusted, r.Problem)
	}
	if r := ts.VerifyChain(deep.Cert, inter, ChainOptions{Time: testpki.Epoch, MaxDepth: 10}); !r.Trusted || len(r.Chain) != 10 {
		t.Fatalf("depth 10 under MaxDepth 10: trusted %v problem %q", r.Trusted, r.Problem)
	}
}

// TestPlatformFallbackKeepsRules: a platform verifier (here any CertPool in
// the platform slot) may not pass what our own path building refuses.
func TestPlatformFallbackKeepsRules(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Platform root"})
	good := root.Issue(testpki.Spec{CommonName: "Signer", KeyN: 1})
	noEKU := root.Issue(testpki.Spec{CommonName: "No EKU", KeyN: 2, NoEKU: true})
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	ts := &TrustStore{platform: pool}
	opts := ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning}
	if r := ts.VerifyChain(good.Cert, nil, opts); !r.Trusted || len(r.Chain) != 2 {
		t.Fatalf("platform chain: trusted %v problem %q", r.Trusted, r.Problem)
	}
	if r := ts.VerifyChain(noEKU.Cert, nil, opts); r.Trusted {
		t.Fatal("platform fallback trusted a leaf without the codeSigning usage")
	}
}

// fuzzPool is a set of certificates with the shapes path building must
// survive: look-alike subjects and keys, cross-signing loops, weak
// signatures, expired and not-yet-valid CAs, a v1 and a non-CA issuer, path
// length limits, EKU-restricted CAs.
func fuzzPool() (roots, certs []*testpki.Cert) {
	r1 := testpki.NewRoot(testpki.Spec{CommonName: "Fuzz root 1", KeyN: 0})
	r2 := testpki.NewRoot(testpki.Spec{CommonName: "Fuzz root 2", KeyN: 1, NoBasicConstraints: true})
	r3 := testpki.NewRoot(testpki.Spec{CommonName: "Fuzz root 3", KeyN: 2, MaxPathLen: -1, NotAfter: testpki.Epoch.AddDate(-2, 0, 0), NotBefore: testpki.Epoch.AddDate(-5, 0, 0)})
	caA := r1.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 3, Serial: big.NewInt(1)})
	caA2 := r2.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 3, Serial: big.NewInt(2), SignatureAlgorithm: x509.SHA1WithRSA})
	caA3 := r3.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 3, Serial: big.NewInt(3), NotBefore: testpki.Epoch.AddDate(-4, 0, 0), NotAfter: testpki.Epoch.AddDate(3, 0, 0)})
	caB := caA.Issue(testpki.Spec{CommonName: "CA B", CA: true, KeyN: 4, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	caB2 := caA.Issue(testpki.Spec{CommonName: "CA B", CA: true, KeyN: 4, Serial: big.NewInt(9), MaxPathLen: -1})
	aByB := caB2.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 3, Serial: big.NewInt(4)}) // loop CA → CA B → CA
	expired := r1.Issue(testpki.Spec{CommonName: "CA", CA: true, KeyN: 3, Serial: big.NewInt(5), NotAfter: testpki.Epoch.AddDate(0, -1, 0)})
	v1 := r1.Issue(testpki.Spec{CommonName: "CA", KeyN: 3, Version1: true})
	leaf1 := caA.Issue(testpki.Spec{CommonName: "Leaf 1", KeyN: 5})
	leaf2 := caB.Issue(testpki.Spec{CommonName: "Leaf 2", KeyN: 6})
	leaf3 := caB2.Issue(testpki.Spec{CommonName: "Leaf 3", KeyN: 6, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	leaf4 := r3.Issue(testpki.Spec{CommonName: "Leaf 4", KeyN: 7, SignatureAlgorithm: x509.SHA1WithRSA})
	return []*testpki.Cert{r1, r2, r3}, []*testpki.Cert{caA, caA2, caA3, caB, caB2, aByB, expired, v1, leaf1, leaf2, leaf3, leaf4, r1, r2, r3}
}

func FuzzVerifyChain(f *testing.F) {
	roots, pool := fuzzPool()
	f.Add(uint16(0xffff), uint8(7), uint8(8), int16(0), uint8(0), uint8(0))
	f.Add(uint16(0x00ff), uint8(9), uint8(11), int16(-400), uint8(1), uint8(3))
	f.Add(uint16(0x0f0f), uint8(5), uint8(10), int16(900), uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, interMask uint16, rootMask, leafIdx uint8, days int16, usage, depth uint8) {
		ts := storeOf(t)
		for i, r := range roots {
			if rootMask&(1<<i) != 0 {
				ts.AddCertificate(r.Cert)
			}
		}
		var inter []*x509.Certificate
		for i, c := range pool {
			if interMask&(1<<i) != 0 {
				inter = append(inter, c.Cert)
			}
		}
		leaf := pool[int(leafIdx)%len(pool)].Cert
		opts := ChainOptions{Time: testpki.Epoch.AddDate(0, 0, int(days)), MaxDepth: int(depth % 6)}
		opts.Usage = []x509.ExtKeyUsage{0, x509.ExtKeyUsageCodeSigning, x509.ExtKeyUsageTimeStamping}[int(usage)%3]
		r := ts.VerifyChain(leaf, inter, opts)
		again := ts.VerifyChain(leaf, inter, opts)
		if r.Trusted != again.Trusted || len(r.Chain) != len(again.Chain) || r.Problem != again.Problem {
			t.Fatal("not deterministic")
		}
		if len(r.Chain) == 0 || r.Chain[0] != leaf {
			t.Fatalf("chain does not start at the leaf")
		}
		if !r.Trusted {
			if r.Problem == "" {
				t.Fatal("untrusted without a problem")
			}
			return
		}
		maxDepth := opts.MaxDepth
		if maxDepth == 0 {
			maxDepth = 8
		}
		last := len(r.Chain) - 1
		if !ts.IsRoot(r.Chain[last]) || len(r.Chain) > maxDepth || r.Problem != "" {
			t.Fatalf("trusted chain of %d does not end at a root (%q)", len(r.Chain), r.Problem)
		}
		weak := 0
		for i, c := range r.Chain {
			if i < last || last == 0 {
				if opts.Time.Before(c.NotBefore) || opts.Time.After(c.NotAfter) {
					t.Fatalf("%q not valid at %v", c.Subject, opts.Time)
				}
			}
			if i > 0 && i < last && (!c.BasicConstraintsValid || !c.IsCA) {
				t.Fatalf("intermediate %q is not a CA", c.Subject)
			}
			if i < last {
				w, err := checkSignedBy(c, r.Chain[i+1])
				if err != nil {
					t.Fatalf("%q not signed by %q: %v", c.Subject, r.Chain[i+1].Subject, err)
				}
				if w != "" {
					weak++
				}
			}
		}
		if weak != len(r.Weak) {
			t.Fatalf("%d weak signatures on the chain, %d reported", weak, len(r.Weak))
		}
		if opts.Usage != 0 && !allowsUsage(leaf, opts.Usage, true) {
			t.Fatalf("leaf lacks the usage")
		}
	})
}

func TestVerifyChainNilLeaf(t *testing.T) {
	t.Parallel()
	var ts *TrustStore
	if r := ts.VerifyChain(nil, nil, ChainOptions{}); r.Trusted || r.Problem == "" || len(r.Identities()) != 0 {
		t.Fatalf("nil leaf: %+v", r)
	}
}

// utf8Name encodes CN=cn as a UTF8String, where crypto/x509 would write a
// PrintableString.
func utf8Name(t *testing.T, cn string) []byte {
	t.Helper()
	der, err := asn1.Marshal(pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(cn)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// issueNamed mints a code-signing leaf signed by parent whose issuer field
// is the DER name issuer rather than parent's subject bytes.
func issueNamed(t *testing.T, parent *testpki.Cert, issuer []byte, cn string) *x509.Certificate {
	t.Helper()
	p := *parent.Cert
	p.RawSubject = issuer
	key := testpki.Key(testpki.RSA, 7)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: testpki.Epoch.AddDate(-1, 0, 0), NotAfter: testpki.Epoch.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &p, key.Public(), parent.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.RawIssuer, issuer) {
		t.Fatal("fixture issuer not written as asked")
	}
	return c
}

// TestChainNamesCompareAsRFC5280 checks that issuer and subject names match
// as RFC 5280 §7.1 compares them, not byte for byte: a leaf whose issuer is
// written as a UTF8String (or in another case) chains to a CA whose subject
// is a PrintableString, through an intermediate or straight to a root, as
// Windows and OpenSSL build it. Another name still does not.
func TestChainNamesCompareAsRFC5280(t *testing.T) {
	t.Parallel()
	root := testpki.NewRoot(testpki.Spec{CommonName: "Name Test Root", KeyN: 0})
	inter := root.Issue(testpki.Spec{CommonName: "Name Test Intermediate", CA: true, KeyN: 1})
	if inter.Cert.RawSubject[len(inter.Cert.RawSubject)-len("Name Test Intermediate")-2] != asn1.TagPrintableString {
		t.Fatal("fixture intermediate subject is not a PrintableString")
	}
	ts := storeOf(t, root)
	cases := []struct {
		name    string
		leaf    *x509.Certificate
		inter   []*x509.Certificate
		trusted bool
	}{
		{"utf8-issuer-to-printable-intermediate", issueNamed(t, inter, utf8Name(t, "Name Test Intermediate"), "Leaf A"), certsOf(inter), true},
		{"case-and-space-to-intermediate", issueNamed(t, inter, utf8Name(t, "name  TEST intermediate "), "Leaf B"), certsOf(inter), true},
		{"utf8-issuer-to-printable-root", issueNamed(t, root, utf8Name(t, "Name Test Root"), "Leaf C"), nil, true},
		{"other-name", issueNamed(t, inter, utf8Name(t, "Name Test Intermediate 2"), "Leaf D"), certsOf(inter), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.VerifyChain(tc.leaf, tc.inter, ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
			if r.Trusted != tc.trusted {
				t.Fatalf("trusted %t, want %t: %s", r.Trusted, tc.trusted, r.Problem)
			}
		})
	}
}
