package signing_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackChainNameConstraints: a CA whose name constraints permit only
// O=Example Corp (or exclude a name, or permit only example.com) issued a
// code-signing certificate for O=Evil Corp, and shipgate trusted it:
// VerifyChain builds paths itself and checked no name constraints, and
// crypto/x509, whose Verify applies dNSName, rfc822Name, iPAddress and URI
// subtrees, never applies directoryName ones (a non-critical extension's
// are ignored; a critical one was refused as unhandled even when the name
// was permitted). Each case is also put to crypto/x509's Verify, to show
// where it agrees.
func TestAttackChainNameConstraints(t *testing.T) {
	t.Parallel()
	dir := func(org string) asn1.RawValue { return testpki.DirSubtree(pkix.Name{Organization: []string{org}}) }
	nc := func(critical bool, permitted []asn1.RawValue, excluded ...asn1.RawValue) []pkix.Extension {
		return []pkix.Extension{testpki.NameConstraints(critical, permitted, excluded)}
	}
	none := []asn1.RawValue(nil)
	upn := testpki.OtherNameSubtree(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, "@example.com")
	cases := []struct {
		name     string
		root     []pkix.Extension
		inter    []pkix.Extension // an intermediate between root and leaf when not nil
		leaf     testpki.Spec
		problem  string // empty: trusted
		goAgrees bool   // crypto/x509's Verify comes to the same verdict
	}{
		{name: "dir-permitted", root: nc(false, []asn1.RawValue{dir("Example Corp")}), leaf: testpki.Spec{Organization: "Example Corp"}, goAgrees: true},
		{name: "dir-permitted-critical", root: nc(true, []asn1.RawValue{dir("Example Corp")}), leaf: testpki.Spec{Organization: "Example Corp"}},
		{name: "dir-not-permitted", root: nc(false, []asn1.RawValue{dir("Example Corp")}), leaf: testpki.Spec{Organization: "Evil Corp"}, problem: "no permitted directoryName subtree"},
		{name: "dir-not-permitted-critical", root: nc(true, []asn1.RawValue{dir("Example Corp")}), leaf: testpki.Spec{Organization: "Evil Corp"}, problem: "no permitted directoryName subtree", goAgrees: true},
		{name: "dir-excluded", root: nc(false, none, dir("Evil Corp")), leaf: testpki.Spec{Organization: "Evil Corp"}, problem: "excluded directoryName subtree"},
		// RFC 4518 maps a bidi mark to nothing: "Evil<U+200E> Corp" is the
		// excluded name, shown the same.
		{name: "dir-excluded-invisible-mark", root: nc(false, none, dir("Evil Corp")), leaf: testpki.Spec{Organization: "Evil\u200e Corp"}, problem: "excluded directoryName subtree"},
		{name: "dir-excluded-other", root: nc(false, none, dir("Evil Corp")), leaf: testpki.Spec{Organization: "Example Corp"}, goAgrees: true},
		{name: "dir-intermediate", inter: nc(false, []asn1.RawValue{dir("Example Corp")}), leaf: testpki.Spec{Organization: "Evil Corp"}, problem: "no permitted directoryName subtree"},
		{name: "dns-permitted", root: nc(false, []asn1.RawValue{testpki.DNSSubtree("example.com")}), leaf: testpki.Spec{Organization: "Example Corp", DNSNames: []string{"build.example.com"}}, goAgrees: true},
		{name: "dns-not-permitted", root: nc(false, []asn1.RawValue{testpki.DNSSubtree("example.com")}), leaf: testpki.Spec{DNSNames: []string{"example.com.evil.net"}}, problem: `DNS name "example.com.evil.net" is in no permitted subtree`, goAgrees: true},
		{name: "dns-excluded", root: nc(false, none, testpki.DNSSubtree("evil.net")), leaf: testpki.Spec{DNSNames: []string{"a.EVIL.net"}}, problem: "is excluded", goAgrees: true},
		{name: "email-not-permitted", root: nc(false, []asn1.RawValue{testpki.EmailSubtree("example.com")}), leaf: testpki.Spec{EmailAddresses: []string{"dev@evil.net"}}, problem: `email address "dev@evil.net" is in no permitted subtree`, goAgrees: true},
		{name: "subject-email-not-permitted", root: nc(false, []asn1.RawValue{testpki.EmailSubtree("example.com")}), leaf: testpki.Spec{ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "dev@evil.net"}}}, problem: `email address "dev@evil.net"`},
		{name: "email-permitted", root: nc(false, []asn1.RawValue{testpki.EmailSubtree(".example.com")}), leaf: testpki.Spec{EmailAddresses: []string{"dev@mail.example.com"}}, goAgrees: true},
		{name: "othername-unchecked", root: nc(false, []asn1.RawValue{upn}), leaf: testpki.Spec{ExtraExtensions: []pkix.Extension{altNames(upn)}}, problem: "constrains otherName names, which shipgate does not check", goAgrees: false},
		{name: "othername-critical-unchecked", root: nc(true, []asn1.RawValue{upn}), leaf: testpki.Spec{ExtraExtensions: []pkix.Extension{altNames(upn)}}, problem: "constrains otherName names, which shipgate does not check", goAgrees: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := testpki.NewRoot(testpki.Spec{CommonName: "NC Root " + c.name, ExtraExtensions: c.root})
			issuer, inters := root, []*x509.Certificate(nil)
			if c.inter != nil {
				issuer = root.Issue(testpki.Spec{CommonName: "NC Intermediate", CA: true, KeyN: 1, ExtraExtensions: c.inter})
				inters = append(inters, issuer.Cert)
			}
			spec := c.leaf
			spec.CommonName, spec.KeyN = "NC Leaf", 2
			leaf := issuer.Issue(spec)
			ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
			if err != nil {
				t.Fatal(err)
			}
			r := ts.VerifyChain(leaf.Cert, inters, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
			if c.problem == "" && !r.Trusted {
				t.Fatalf("untrusted: %s", r.Problem)
			}
			if c.problem != "" && (r.Trusted || !strings.Contains(r.Problem, c.problem)) {
				t.Fatalf("trusted %v, problem %q; want untrusted with %q", r.Trusted, r.Problem, c.problem)
			}
			pool, ip := x509.NewCertPool(), x509.NewCertPool()
			pool.AddCert(root.Cert)
			for _, i := range inters {
				ip.AddCert(i)
			}
			_, err = leaf.Cert.Verify(x509.VerifyOptions{Roots: pool, Intermediates: ip, CurrentTime: testpki.Epoch, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}})
			if agrees := (err == nil) == r.Trusted; agrees != c.goAgrees {
				t.Errorf("crypto/x509 agrees %v, want %v (its error: %v)", agrees, c.goAgrees, err)
			}
		})
	}
}

// altNames is a subject alternative name extension of the given
// GeneralNames (subtree bases are GeneralNames).
func altNames(names ...asn1.RawValue) pkix.Extension {
	v, err := asn1.Marshal(names)
	if err != nil {
		panic(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: v}
}

// TestChainNameConstraintsLegitimate: a CA whose name constraints hold a
// rule of a type shipgate does not check (an enterprise CA's UPN otherName
// subtree) issued a code-signing certificate carrying no name of that type;
// RFC 5280 §4.2.1.10 has such a rule constrain nothing, and crypto/x509
// and Windows trust the chain, yet VerifyChain refused every one.
func TestChainNameConstraintsLegitimate(t *testing.T) {
	t.Parallel()
	upn := testpki.OtherNameSubtree(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, "@example.com")
	for _, critical := range []bool{false, true} {
		root := testpki.NewRoot(testpki.Spec{CommonName: "NC UPN Root", ExtraExtensions: []pkix.Extension{testpki.NameConstraints(critical, []asn1.RawValue{upn}, nil)}})
		inter := root.Issue(testpki.Spec{CommonName: "NC UPN Intermediate", CA: true, KeyN: 1})
		leaf := inter.Issue(testpki.Spec{CommonName: "NC Leaf", Organization: "Example Corp", KeyN: 2, EmailAddresses: []string{"dev@example.com"}})
		ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
		if err != nil {
			t.Fatal(err)
		}
		r := ts.VerifyChain(leaf.Cert, []*x509.Certificate{inter.Cert}, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
		if !r.Trusted {
			t.Errorf("critical %v: untrusted: %s", critical, r.Problem)
		}
	}
}

// TestAttackChainNameConstraintsAltDirName: RFC 5280 §4.2.1.10 holds a
// certificate's directoryName alternative names to directoryName subtrees
// as well as its subject; one outside them passed.
func TestAttackChainNameConstraintsAltDirName(t *testing.T) {
	t.Parallel()
	dir := func(org string) asn1.RawValue { return testpki.DirSubtree(pkix.Name{Organization: []string{org}}) }
	for _, c := range []struct {
		name                string
		permitted, excluded []asn1.RawValue
	}{
		{"not-permitted", []asn1.RawValue{dir("Example Corp")}, nil},
		{"excluded", nil, []asn1.RawValue{dir("Evil Corp")}},
	} {
		root := testpki.NewRoot(testpki.Spec{CommonName: "NC Dir Root", ExtraExtensions: []pkix.Extension{testpki.NameConstraints(false, c.permitted, c.excluded)}})
		leaf := root.Issue(testpki.Spec{CommonName: "NC Leaf", Organization: "Example Corp", KeyN: 2, ExtraExtensions: []pkix.Extension{altNames(dir("Evil Corp"))}})
		ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
		if err != nil {
			t.Fatal(err)
		}
		r := ts.VerifyChain(leaf.Cert, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
		if r.Trusted || !strings.Contains(r.Problem, "directoryName alternative name") {
			t.Errorf("%s: trusted %v, problem %q", c.name, r.Trusted, r.Problem)
		}
		good := root.Issue(testpki.Spec{CommonName: "NC Leaf", Organization: "Example Corp", KeyN: 3, ExtraExtensions: []pkix.Extension{altNames(dir("Example Corp"))}})
		if r := ts.VerifyChain(good.Cert, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning}); !r.Trusted {
			t.Errorf("%s: permitted alternative name untrusted: %s", c.name, r.Problem)
		}
	}
}

// TestAttackChainNameConstraintsNoHost: a CA excluding the URI domain or
// mail domain evil.net issued a certificate whose URI has no host name
// (urn:…, or an IP address) or whose email address has no domain: no
// excluded subtree matched, so it passed, where crypto/x509 refuses a name
// its constraints of that type cannot be matched against.
func TestAttackChainNameConstraintsNoHost(t *testing.T) {
	t.Parallel()
	gn := func(tag int, s string) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: []byte(s)}
	}
	for _, c := range []struct {
		name string
		con  asn1.RawValue
		alt  asn1.RawValue
	}{
		{"urn", gn(6, "evil.net"), gn(6, "urn:evil.net:app")},
		{"ip-host", gn(6, "evil.net"), gn(6, "https://192.0.2.1/app")},
		{"email-no-domain", gn(1, "evil.net"), gn(1, "dev")},
	} {
		root := testpki.NewRoot(testpki.Spec{CommonName: "NC Host Root", ExtraExtensions: []pkix.Extension{testpki.NameConstraints(false, nil, []asn1.RawValue{c.con})}})
		leaf := root.Issue(testpki.Spec{CommonName: "NC Leaf", KeyN: 2, ExtraExtensions: []pkix.Extension{altNames(c.alt)}})
		ts, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
		if err != nil {
			t.Fatal(err)
		}
		r := ts.VerifyChain(leaf.Cert, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning})
		if r.Trusted || !strings.Contains(r.Problem, "could match") {
			t.Errorf("%s: trusted %v, problem %q", c.name, r.Trusted, r.Problem)
		}
		good := root.Issue(testpki.Spec{CommonName: "NC Leaf", KeyN: 3, DNSNames: []string{"example.com"}, EmailAddresses: []string{"dev@example.com"}})
		if r := ts.VerifyChain(good.Cert, nil, signing.ChainOptions{Time: testpki.Epoch, Usage: x509.ExtKeyUsageCodeSigning}); !r.Trusted {
			t.Errorf("%s: untrusted: %s", c.name, r.Problem)
		}
	}
}
