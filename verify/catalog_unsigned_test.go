package verify

import (
	"crypto"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// unsignedCatalog wraps a CTL listing members in a SignedData with no
// signer: a catalog no one signed.
func unsignedCatalog(t *testing.T, members ...pefile.CatalogMember) []byte {
	t.Helper()
	type encap struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue
	}
	type algo struct{ OID asn1.ObjectIdentifier }
	type signedData struct {
		Version     int
		Digests     []algo `asn1:"set"`
		Content     encap
		SignerInfos []asn1.RawValue `asn1:"set"`
	}
	type contentInfo struct {
		Type    asn1.ObjectIdentifier
		Content signedData `asn1:"explicit,tag:0"`
	}
	ci := contentInfo{
		Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2},
		Content: signedData{
			Version: 1,
			Digests: []algo{{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}}},
			Content: encap{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 1}, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: pefile.CTL(checkTime, members...)}},
		},
	}
	b, err := asn1.Marshal(ci)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnsignedCatalogUnderRequireValid: a .cat whose CTL no one signed
// (a SignedData with no signer) is a catalog that fails the gate
// (catalog/malformed-signature: a catalog has exactly one signer; the
// issue's "unsigned fails under require: valid" for catalogs had no
// test), and it makes no file it lists valid.
func TestUnsignedCatalogUnderRequireValid(t *testing.T) {
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUnsigned, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"drv.cat": unsignedCatalog(t, pefile.CatalogMember{Hash: crypto.SHA256, Digest: d, Name: "app.exe"}), "app.exe": f.peUnsigned})
	r := run(t, Options{Policy: requireValid()}, dir)
	fb := fileByPath(r, "drv.cat")
	if fb == nil || fb.Kind != KindCatalog {
		t.Fatalf("drv.cat: %+v, want a catalog", fb)
	}
	for _, s := range fb.Signatures {
		if s.Status == signing.StatusValid {
			t.Errorf("drv.cat: a valid signature %+v", s)
		}
	}
	if got := rulesFor(r, "drv.cat"); !has(got, "error "+string(authenticode.RuleCatalogMalformedSignature)) {
		t.Errorf("drv.cat: findings %q, want error %s", got, authenticode.RuleCatalogMalformedSignature)
	}
	if got := rulesFor(r, "app.exe"); !has(got, "error "+string(RuleUnsigned)) {
		t.Errorf("app.exe: findings %q, want error %s (listed only by an unsigned catalog)", got, RuleUnsigned)
	}
	if r.Summary.Passed {
		t.Error("the gate passed")
	}
}
