package authenticode

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"slices"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMD5BoundSignature: an Authenticode signature whose digest (or
// signer digest) is MD5 passed as valid with only a weak-algorithm error,
// while signing/pkg calls an MD5-bound table of contents invalid. MD5
// chosen-prefix collisions are practical, so two images can share one MD5
// Authenticode signature: content bound only by MD5 is not bound, and the
// signature must be invalid in every format the pipeline serves (PE,
// catalog member digests); SHA-1 stays valid with a warning.
func TestAttackMD5BoundSignature(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	pe := func(h crypto.Hash, signer *testpki.Cert, inter *testpki.Cert) *Result {
		b, err := pefile.SignAttach(fixtures.Base(), pefile.SignSpec{Signer: signer, Certs: []*testpki.Cert{inter}, Hash: h})
		if err != nil {
			t.Fatal(err)
		}
		return verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	}
	cat := func(h crypto.Hash) *Result {
		img := fixtures.Base()
		d, err := pefile.ImageDigest(img, h)
		if err != nil {
			t.Fatal(err)
		}
		return verifyCatalog(t, signTestCatalog(t, p, p.Leaf, pefile.CatalogMember{Hash: h, Digest: d, Name: "app.exe"}), trust)
	}
	for _, c := range []struct {
		name string
		res  *Result
		want signing.Status
	}{
		{"pe md5", pe(crypto.MD5, p.Leaf, p.Inter), signing.StatusInvalid},
		{"pe sha1", pe(crypto.SHA1, p.SHA1Leaf, p.SHA1Inter), signing.StatusValid},
		{"pe sha256", pe(crypto.SHA256, p.Leaf, p.Inter), signing.StatusValid},
		{"catalog md5 members", cat(crypto.MD5), signing.StatusInvalid},
		{"catalog sha256 members", cat(crypto.SHA256), signing.StatusValid},
	} {
		if c.res.Status != c.want {
			t.Errorf("%s: status %s, want %s: %+v", c.name, c.res.Status, c.want, c.res.Findings)
		}
		if c.want == signing.StatusInvalid {
			if !hasRuleSev(c.res, RuleWeakAlgorithm, signing.SeverityError) || !failedCheck(c.res, CheckDigestAlgorithm) {
				t.Errorf("%s: no weak-algorithm error or failed digest-algorithm check: %+v", c.name, c.res.Findings)
			}
		}
	}
}

// TestAttackMD5SignedCodeSigningCertificate: a code-signing chain through
// an MD5-signed certificate (what Flame's forged certificate was) passed as
// trusted; Windows refuses it for code signing since advisory 2862973,
// except for binaries signed (timestamped) before March 2009. Without a
// timestamp the chain is refused (untrusted); with a verified timestamp of
// 2008 it is kept, with the weak-algorithm error.
func TestAttackMD5SignedCodeSigningCertificate(t *testing.T) {
	t.Parallel()
	old := time.Date(2007, 1, 1, 0, 0, 0, 0, time.UTC)
	root := testpki.NewRoot(testpki.Spec{CommonName: "shipgate MD5 era Root", KeyN: 0, NotBefore: old, NotAfter: fixtures.Now.AddDate(5, 0, 0)})
	inter := root.Issue(testpki.Spec{CommonName: "shipgate MD5 era CA", CA: true, KeyN: 1, NotBefore: old, NotAfter: fixtures.Now.AddDate(5, 0, 0)})
	leaf := inter.Issue(testpki.Spec{CommonName: "MD5-signed Signer", KeyN: 2, NotBefore: old, NotAfter: fixtures.Now.AddDate(5, 0, 0), SignatureAlgorithm: x509.MD5WithRSA})
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	tsa := root.Issue(testpki.Spec{CommonName: "shipgate MD5 era TSA", KeyN: 8, NotBefore: old, NotAfter: fixtures.Now.AddDate(5, 0, 0),
		EKU:             []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}})
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(at time.Time) *Result {
		spec := pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{inter, tsa}, Hash: crypto.SHA256}
		if !at.IsZero() {
			spec.Stamp = &pefile.Stamp{TSA: tsa, At: at}
		}
		b, err := pefile.SignAttach(fixtures.Base(), spec)
		if err != nil {
			t.Fatal(err)
		}
		return verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	}
	for _, c := range []struct {
		name string
		at   time.Time
		want signing.Status
	}{
		{"no timestamp", time.Time{}, signing.StatusUntrusted},
		{"timestamped 2015", time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC), signing.StatusUntrusted},
		{"timestamped 2008", time.Date(2008, 6, 1, 0, 0, 0, 0, time.UTC), signing.StatusValid},
	} {
		res := sign(c.at)
		if res.Status != c.want {
			t.Errorf("%s: status %s, want %s: %+v", c.name, res.Status, c.want, res.Findings)
		}
		if !hasRuleSev(res, RuleWeakAlgorithm, signing.SeverityError) && c.want == signing.StatusValid {
			t.Errorf("%s: no weak-algorithm error: %+v", c.name, res.Findings)
		}
	}
}

func hasRuleSev(res *Result, rule signing.Rule, sev signing.Severity) bool {
	return slices.ContainsFunc(res.Findings, func(f signing.Finding) bool { return f.Rule == rule && f.Severity == sev })
}

func failedCheck(res *Result, name signing.CheckName) bool {
	for _, s := range res.Signatures {
		if slices.ContainsFunc(s.Checks, func(c signing.Check) bool { return c.Name == name && !c.OK }) {
			return true
		}
	}
	return false
}
