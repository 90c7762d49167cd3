package update

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

var (
	pkiFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	pkiTo   = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
)

// disallowedCTL builds a disallowed-certificate trust list as
// disallowedcert.stl is laid out, listing the SHA-1 thumbprints of certs,
// signed by signer.
func disallowedCTL(t *testing.T, signer *testpki.Cert, certs ...*testpki.Cert) []byte {
	t.Helper()
	der := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var subs []byte
	for _, c := range certs {
		sum := sha1.Sum(c.Cert.Raw)
		subs = append(subs, testpki.TLV(0x30, testpki.TLV(0x04, sum[:]))...)
	}
	ctl := testpki.TLV(0x30,
		testpki.TLV(0x30, der(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 30})),
		der(big.NewInt(7)),
		der(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
		testpki.TLV(0x30, der(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}), []byte{0x05, 0x00}),
		testpki.TLV(0x30, subs),
	)
	return testpki.SignCMS(testpki.CMSSpec{ContentType: oidCTL, Content: ctl, Signer: signer, Certs: []*testpki.Cert{signer}})
}

type ctlPKI struct {
	root, signer, listed *testpki.Cert
	roots                *signing.TrustStore
}

func newCTLPKI(t *testing.T) *ctlPKI {
	t.Helper()
	root := testpki.NewRoot(testpki.Spec{CommonName: "CTL Test Root", NotBefore: pkiFrom, NotAfter: pkiTo, CA: true})
	signer := root.Issue(testpki.Spec{CommonName: "CTL Test Publisher", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 1})
	listed := root.Issue(testpki.Spec{CommonName: "Revoked Vendor", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 2})
	roots, err := signing.NewTrustStore(signing.TrustStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	roots.AddCertificate(root.Cert)
	return &ctlPKI{root: root, signer: signer, listed: listed, roots: roots}
}

func cabOf(name string, data []byte) []byte {
	return cab.Build([]cab.BuildFile{{Name: name, Data: data}}, cab.BuildOptions{Method: cab.MethodMSZIP})
}

func serveOnce(t *testing.T, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	t.Cleanup(srv.Close)
	return srv.URL + "/disallowedcertstl.cab"
}

func ctlSource(url string) Source {
	return Source{Name: "windows-disallowed-certificates", URL: url, Member: "disallowedcert.stl", Format: blocklist.FormatCTL, Signed: blocklist.SignedMicrosoftCTL}
}

// TestSignedCTLFromCabinetOverPlainHTTP fetches disallowedcert.stl from a
// cabinet over plain http, as Windows does: accepted because its signature
// chains to the trusted roots, and locked as signed.
func TestSignedCTLFromCabinetOverPlainHTTP(t *testing.T) {
	p := newCTLPKI(t)
	dir := t.TempDir()
	res, err := Run(context.Background(), Options{Dir: dir, Sources: []Source{ctlSource(serveOnce(t, cabOf("disallowedcert.stl", disallowedCTL(t, p.signer, p.listed))))},
		CTLRoots: p.roots, Now: func() time.Time { return fetchTime }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources[0].Status != Updated || res.Sources[0].Entries == 0 || res.Sources[0].Locked.Signed != blocklist.SignedMicrosoftCTL {
		t.Fatalf("%+v", res.Sources[0])
	}
	l, err := blocklist.LoadDir(dir, blocklist.LoadOptions{Now: fetchTime})
	if err != nil || l.Len() != res.Sources[0].Entries {
		t.Fatalf("LoadDir: %v, %v", l, err)
	}
}

// TestSignedCTLRefusesUntrustedSigner: over plain http, a trust list signed
// by anyone but a certificate chaining to the roots is refused.
func TestSignedCTLRefusesUntrustedSigner(t *testing.T) {
	p := newCTLPKI(t)
	other := testpki.NewRoot(testpki.Spec{CommonName: "CTL Test Root", NotBefore: pkiFrom, NotAfter: pkiTo, CA: true, KeyN: 3})
	forger := other.Issue(testpki.Spec{CommonName: "CTL Test Publisher", NotBefore: pkiFrom, NotAfter: pkiTo, KeyN: 4})
	_, err := Run(context.Background(), Options{Dir: t.TempDir(), Sources: []Source{ctlSource(serveOnce(t, cabOf("disallowedcert.stl", disallowedCTL(t, forger, p.listed))))},
		CTLRoots: p.roots, Now: func() time.Time { return fetchTime }})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "does not chain") {
		t.Fatalf("error %v", err)
	}
}

// TestSignedCTLRefusesTamperedList: a byte of the signed content changed
// on the way breaks the signature.
func TestSignedCTLRefusesTamperedList(t *testing.T) {
	p := newCTLPKI(t)
	stl := disallowedCTL(t, p.signer, p.listed)
	sum := sha1.Sum(p.listed.Cert.Raw)
	i := bytes.Index(stl, sum[:])
	stl[i] ^= 1
	_, err := Run(context.Background(), Options{Dir: t.TempDir(), Sources: []Source{ctlSource(serveOnce(t, cabOf("disallowedcert.stl", stl)))},
		CTLRoots: p.roots, Now: func() time.Time { return fetchTime }})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("error %v", err)
	}
}

// TestUnsignedListStillNeedsHTTPS: the plain-http allowance is the signed
// CTL's only; a CTL-format source without Signed keeps the https rule.
func TestUnsignedListStillNeedsHTTPS(t *testing.T) {
	p := newCTLPKI(t)
	src := ctlSource(serveOnce(t, cabOf("disallowedcert.stl", disallowedCTL(t, p.signer, p.listed))))
	src.Signed = ""
	_, err := Run(context.Background(), Options{Dir: t.TempDir(), Sources: []Source{src}, CTLRoots: p.roots})
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("error %v", err)
	}
}

// TestLockSignedOnlyForCTL: a lock claiming a signed list of another
// format is refused.
func TestLockSignedOnlyForCTL(t *testing.T) {
	sum := strings.Repeat("a", 64)
	lock := `{"version":1,"sources":[{"name":"x","file":"x.txt","url":"u","format":"hashes","fetched":"2026-01-01T00:00:00Z","sha256":"` + sum + `","size":1,"entries":1,"signed":"microsoft-ctl"}]}`
	if _, err := blocklist.ParseLock([]byte(lock), "lock"); !errors.Is(err, blocklist.ErrLock) {
		t.Fatalf("error %v", err)
	}
}

// TestDefaultCTLSourceIsSigned: the one default source over plain http is
// the signed trust list.
func TestDefaultCTLSourceIsSigned(t *testing.T) {
	for _, s := range Default() {
		if strings.HasPrefix(s.URL, "http://") && (s.Signed != blocklist.SignedMicrosoftCTL || s.Format != blocklist.FormatCTL) {
			t.Errorf("default source %+v is fetched in clear without a signature", s)
		}
	}
}
