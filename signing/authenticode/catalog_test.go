package authenticode

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// catalogText is the flat-file member of the test catalogs.
var catalogText = []byte("readme of the catalog fixture\r\n")

// catalogMembers returns the members of the test catalog: the unsigned
// fixture PE by its image digest and a text file by its SHA-256.
func catalogMembers(t testing.TB) []pefile.CatalogMember {
	t.Helper()
	img := fixtures.Base()
	d, err := pefile.ImageDigest(img, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	flat := sha256.Sum256(catalogText)
	return []pefile.CatalogMember{
		{Digest: d, Name: "app.exe"},
		{Digest: flat[:], Flat: true, Name: "readme.txt"},
	}
}

// signTestCatalog signs a catalog of members with signer.
func signTestCatalog(t testing.TB, p *fixtures.PKI, signer *testpki.Cert, members ...pefile.CatalogMember) []byte {
	t.Helper()
	cat, err := pefile.SignCatalog(pefile.CTL(fixtures.Now.AddDate(0, -1, 0), members...),
		pefile.SignSpec{Signer: signer, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func verifyCatalog(t testing.TB, b []byte, trust *signing.TrustStore) *Result {
	t.Helper()
	res, err := VerifyCatalog(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyCatalog: %v", err)
	}
	return res
}

// TestCatalogValid verifies a Go-signed catalog and reads its members.
func TestCatalogValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	members := catalogMembers(t)
	res := verifyCatalog(t, signTestCatalog(t, p, p.Leaf, members...), scriptTrust(t, p))
	if res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
	}
	sig := res.Signatures[0]
	if sig.Signer == nil || !strings.Contains(sig.Signer.Subject, "Fixture Software Ltd") || sig.Digest == nil || !sig.Digest.Match() {
		t.Errorf("signature %+v", sig)
	}
	c := res.Catalog
	if c == nil || len(c.Members) != 2 || c.MemberVersion != 2 {
		t.Fatalf("catalog %+v", c)
	}
	pe, flat := c.Members[0], c.Members[1]
	peHex := hex.EncodeToString(members[0].Digest)
	if pe.Kind != MemberPE || pe.Algorithm != "sha256" || pe.Digest != peHex || pe.Name != "app.exe" ||
		pe.Tag != strings.ToUpper(peHex) || pe.SubjectGUID != pefile.GUIDPE {
		t.Errorf("PE member %+v", pe)
	}
	if flat.Kind != MemberFile || flat.Name != "readme.txt" || flat.SubjectGUID != pefile.GUIDFlat {
		t.Errorf("flat member %+v", flat)
	}
	if got := c.Lookup(MemberPE, crypto.SHA256, peHex); len(got) != 1 || got[0].Name != "app.exe" {
		t.Errorf("Lookup PE: %+v", got)
	}
	if got := c.Lookup(MemberFile, crypto.SHA256, peHex); len(got) != 0 {
		t.Errorf("a PE digest looked up as a flat one: %+v", got)
	}
	if got := c.Lookup(MemberFile, crypto.SHA1, flat.Digest); len(got) != 0 {
		t.Errorf("a digest looked up under another algorithm: %+v", got)
	}
}

// TestCatalogTamperedCTL changes a member's digest after signing: the CTL
// no longer matches messageDigest.
func TestCatalogTamperedCTL(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	members := catalogMembers(t)
	cat := signTestCatalog(t, p, p.Leaf, members...)
	i := bytes.Index(cat, members[1].Digest)
	if i < 0 {
		t.Fatal("digest not found in the catalog")
	}
	cat[i] ^= 1
	res := verifyCatalog(t, cat, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleCatalogDigestMismatch) || !res.Signatures[0].Failed("digest") {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleCatalogDigestMismatch)
	}
}

// TestCatalogUntrusted signs with a certificate of an unknown root: intact
// but untrusted.
func TestCatalogUntrusted(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	cat, err := pefile.SignCatalog(pefile.CTL(fixtures.Now, catalogMembers(t)...), pefile.SignSpec{Signer: p.OtherLeaf, Certs: []*testpki.Cert{p.OtherRoot}})
	if err != nil {
		t.Fatal(err)
	}
	res := verifyCatalog(t, cat, scriptTrust(t, p))
	if res.Status != signing.StatusUntrusted || !hasRule(res, RuleUntrustedChain) {
		t.Fatalf("status %s findings %+v, want untrusted", res.Status, res.Findings)
	}
}

// TestCatalogDataAfterSignature appends a payload to a signed catalog.
func TestCatalogDataAfterSignature(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	cat := append(signTestCatalog(t, p, p.Leaf, catalogMembers(t)...), bytes.Repeat([]byte("payload!"), 64)...)
	res := verifyCatalog(t, cat, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleCatalogDataAfterSignature) {
		t.Fatalf("status %s findings %+v", res.Status, res.Findings)
	}
}

// TestCatalogDuplicateAndConflictingMembers lists one member twice, gives
// one tag two digests and one file name two digests.
func TestCatalogDuplicateAndConflictingMembers(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	m := catalogMembers(t)
	other := sha256.Sum256([]byte("other"))
	cases := []struct {
		name    string
		members []pefile.CatalogMember
		rule    signing.Rule
	}{
		{"duplicate", []pefile.CatalogMember{m[0], m[0]}, RuleCatalogDuplicateMember},
		{"same-tag", []pefile.CatalogMember{m[0], {Tag: m[0].Tag + "X", Digest: m[0].Digest}, {Tag: m[0].Tag + "X", Digest: other[:]}}, RuleCatalogConflictingMember},
		{"same-name", []pefile.CatalogMember{m[1], {Flat: true, Digest: other[:], Name: "README.TXT"}}, RuleCatalogConflictingMember},
		{"tag-not-digest", []pefile.CatalogMember{{Tag: strings.ToUpper(hex.EncodeToString(other[:])), Digest: m[0].Digest}}, RuleCatalogTagMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := verifyCatalog(t, signTestCatalog(t, p, p.Leaf, c.members...), scriptTrust(t, p))
			if !hasRule(res, c.rule) {
				t.Errorf("findings %+v, want %s", res.Findings, c.rule)
			}
			if res.Status != signing.StatusValid {
				t.Errorf("status %s: the signature itself is intact and trusted", res.Status)
			}
		})
	}
}

// TestCatalogNotCatalog refuses a PE signature blob and a CTL of another
// usage (a disallowed-certificate list) as catalogs.
func TestCatalogNotCatalog(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	blob, err := pefile.Sign(fixtures.Base(), pefile.SignSpec{Signer: p.Leaf})
	if err != nil {
		t.Fatal(err)
	}
	disallowed := testpki.TLV(0x30,
		testpki.TLV(0x30, mustDER(oidSpcIndirectData)), // not the catalog list
		mustDER(fixtures.Now),
		testpki.TLV(0x30, mustDER(oidCatalogListMember2)))
	ctl, err := pefile.SignCatalog(disallowed, pefile.SignSpec{Signer: p.Leaf})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"pe-signature": blob, "other-usage": ctl, "text": catalogText, "empty": nil} {
		if _, err := VerifyCatalog(bytes.NewReader(b), int64(len(b)), Options{}); !errors.Is(err, ErrNotCatalog) {
			t.Errorf("%s: err %v, want ErrNotCatalog", name, err)
		}
	}
}

// TestCatalogMalformedMember breaks a member's encoding: a FormatError
// naming its offset.
func TestCatalogMalformedMember(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	bad := testpki.TLV(0x30, testpki.TLV(0x04, []byte("T\x00")), testpki.TLV(0x31, testpki.TLV(0x30, mustDER(oidSpcIndirectData), testpki.TLV(0x31, []byte{0x30, 0x00}))))
	cat := signTestCatalog(t, p, p.Leaf, catalogMembers(t)[0], pefile.CatalogMember{Raw: bad})
	_, err := VerifyCatalog(bytes.NewReader(cat), int64(len(cat)), Options{})
	var fe *FormatError
	at := int64(bytes.Index(cat, bad))
	if !errors.As(err, &fe) || fe.Offset < at || fe.Offset >= at+int64(len(bad)) {
		t.Fatalf("err %v, want a FormatError inside the member at 0x%x", err, at)
	}
}

// TestCatalogMemberLimit refuses a catalog of more than MaxCatalogMembers
// members before holding them all.
func TestCatalogMemberLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a 4 MB catalog")
	}
	tiny := testpki.TLV(0x30, testpki.TLV(0x04, nil))
	members := bytes.Repeat(tiny, MaxCatalogMembers+1)
	ctl := testpki.TLV(0x30,
		testpki.TLV(0x30, mustDER(oidCatalogList)), mustDER(fixtures.Now),
		testpki.TLV(0x30, mustDER(oidCatalogListMember2)), testpki.TLV(0x30, members))
	p := fixtures.NewPKI()
	cat, err := pefile.SignCatalog(ctl, pefile.SignSpec{Signer: p.Leaf})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseCatalog(cat)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "more than") {
		t.Fatalf("err %v, want the member limit", err)
	}
}

// TestOsslsigncodeCatalog cross-checks with osslsigncode: it accepts our
// catalog's signature, finds the PE among its members, and rejects a
// tampered catalog; it re-signs the catalog and we accept that.
func TestOsslsigncodeCatalog(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	cat := signTestCatalog(t, e.p, e.p.Leaf, catalogMembers(t)...)
	catPath := e.write("go-signed.cat", cat)
	if o, err := e.verify(catPath); err != nil {
		t.Errorf("osslsigncode rejects our catalog: %v\n%s", err, o)
	}
	if o, err := e.verify(e.write("app.exe", fixtures.Base()), "-catalog", catPath); err != nil {
		t.Errorf("osslsigncode does not find the PE in our catalog: %v\n%s", err, o)
	}
	if o, err := e.verify(e.write("other.exe", append(fixtures.Base(), 0)), "-catalog", catPath); err == nil {
		t.Errorf("osslsigncode finds a file that is not a member:\n%s", o)
	}
	bad := bytes.Clone(cat)
	bad[bytes.Index(bad, catalogMembers(t)[1].Digest)] ^= 1
	if o, err := e.verify(e.write("bad.cat", bad)); err == nil {
		t.Errorf("osslsigncode accepts the tampered catalog:\n%s", o)
	}
	// osslsigncode re-signs the catalog's content.
	signed, _ := e.sign(t, catPath, "ossl-signed.cat")
	res := verifyCatalog(t, signed, e.trust)
	if res.Status != signing.StatusValid || res.Catalog == nil || len(res.Catalog.Members) != 2 {
		t.Errorf("osslsigncode's catalog: status %s findings %+v catalog %+v", res.Status, res.Findings, res.Catalog)
	}
}

// FuzzParseCatalog feeds mutated catalogs to VerifyCatalog: it must not
// panic, and a catalog it parses never holds more than MaxCatalogMembers.
func FuzzParseCatalog(f *testing.F) {
	p := fixtures.NewPKI()
	m := catalogMembers(f)
	f.Add(signTestCatalog(f, p, p.Leaf, m...))
	f.Add(signTestCatalog(f, p, p.Leaf))
	f.Add(signTestCatalog(f, p, p.Leaf, m[0], m[0], pefile.CatalogMember{Raw: []byte{0x30, 0x02, 0x04, 0x00}}))
	f.Add(pefile.CTL(fixtures.Now, m...))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := VerifyCatalog(bytes.NewReader(b), int64(len(b)), Options{})
		if err == nil && (res.Catalog == nil || len(res.Catalog.Members) > MaxCatalogMembers) {
			t.Fatalf("catalog %v", res.Catalog)
		}
		if c, err := ParseCatalog(b); err == nil {
			for _, m := range c.Members {
				m.Hash()
			}
		}
	})
}

// TestCatalogMemberOffsets: members' offsets point at them in the file,
// also when catalog-level attributes (ctlExtensions) follow the members.
func TestCatalogMemberOffsets(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	members := catalogMembers(t)
	ext := testpki.TLV(0x30, testpki.TLV(0x30, mustDER(oidCatNameValue), testpki.TLV(0x04, []byte("catalog attribute"))))
	cat, err := pefile.SignCatalog(pefile.CTLWithExtensions(fixtures.Now, ext, members...), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCatalog(cat)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range c.Members {
		if want := bytes.Index(cat, pefile.CatalogSubject(members[i])); m.Offset != int64(want) {
			t.Errorf("member %d at 0x%x, want 0x%x", i, m.Offset, want)
		}
	}
}

// TestCatalogNestedSignatureOtherCTL: a nested signature over another
// member list (one more member) makes the catalog malformed rather than
// letting either list through.
func TestCatalogNestedSignatureOtherCTL(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	members := catalogMembers(t)
	extra := sha256.Sum256([]byte("smuggled"))
	nested, err := pefile.SignCatalog(pefile.CTL(fixtures.Now, append(members, pefile.CatalogMember{Flat: true, Digest: extra[:]})...), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := pefile.SignCatalog(pefile.CTL(fixtures.Now, members...), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Nested: [][]byte{nested}})
	if err != nil {
		t.Fatal(err)
	}
	res := verifyCatalog(t, cat, scriptTrust(t, p))
	if res.Status != signing.StatusMalformed || !hasRule(res, RuleCatalogMalformedSignature) || len(res.Signatures) != 2 {
		t.Fatalf("status %s signatures %d findings %+v", res.Status, len(res.Signatures), res.Findings)
	}
	// The same CTL nested is fine.
	same, err := pefile.SignCatalog(pefile.CTL(fixtures.Now, members...), pefile.SignSpec{Signer: p.Leaf2, Certs: []*testpki.Cert{p.Inter}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err = pefile.SignCatalog(pefile.CTL(fixtures.Now, members...), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Nested: [][]byte{same}})
	if err != nil {
		t.Fatal(err)
	}
	if res := verifyCatalog(t, cat, scriptTrust(t, p)); res.Status != signing.StatusValid || len(res.Signatures) != 2 {
		t.Errorf("same CTL nested: status %s findings %+v", res.Status, res.Findings)
	}
}

// TestCatalogStuffedSignatureData: a payload in the SignedData's crls, which
// no signature covers, makes the catalog invalid.
func TestCatalogStuffedSignatureData(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	payload := bytes.Repeat([]byte{0x41}, 4096)
	cat, err := pefile.SignCatalog(pefile.CTL(fixtures.Now, catalogMembers(t)...), pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter},
		Tweak: func(s *testpki.CMSSpec) { s.CRLs = testpki.TLV(0x04, payload) }})
	if err != nil {
		t.Fatal(err)
	}
	res := verifyCatalog(t, cat, scriptTrust(t, p))
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleUnownedSignatureData) {
		t.Fatalf("status %s findings %+v", res.Status, res.Findings)
	}
}

// BenchmarkVerifyCatalog verifies a catalog of 36,000 members, about the
// most 16 MiB holds.
func BenchmarkVerifyCatalog(b *testing.B) {
	p := fixtures.NewPKI()
	members := make([]pefile.CatalogMember, 36000)
	for i := range members {
		d := sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		members[i] = pefile.CatalogMember{Digest: d[:], Flat: i%2 == 0, Name: "file" + strings.Repeat("x", i%7) + ".dll"}
	}
	cat := signTestCatalog(b, p, p.Leaf, members...)
	trust := scriptTrust(b, p)
	b.SetBytes(int64(len(cat)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := VerifyCatalog(bytes.NewReader(cat), int64(len(cat)), Options{Trust: trust, Time: fixtures.Now})
		if err != nil || res.Status != signing.StatusValid || len(res.Catalog.Members) != len(members) {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
