package verify

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Red-team attacks on catalog-signed files (see catalog.go).

// msiSHA256 returns the SHA-256 Authenticode digest of MSI b, the digest a
// catalog lists an unsigned MSI by.
func msiSHA256(t *testing.T, b []byte) []byte {
	t.Helper()
	res, err := authenticode.VerifyMSI(bytes.NewReader(b), int64(len(b)), authenticode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := hex.DecodeString(res.Authentihash["sha256"])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCatalogPEPayloadInCertTableNotVouched: an unsigned PE listed by its
// image digest, with a payload added as a certificate table entry (which
// the image digest skips), is not vouched for: the entry is reported and
// the gate fails.
func TestCatalogPEPayloadInCertTableNotVouched(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUnsigned, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	payload := pefile.RawEntry(pefile.RevisionV2, 1 /* WIN_CERT_TYPE_X509 */, bytes.Repeat([]byte("MZ stage two "), 100), true)
	img, err := pefile.Attach(f.peUnsigned, payload)
	if err != nil {
		t.Fatal(err)
	}
	if d2, _ := pefile.ImageDigest(img, crypto.SHA256); !bytes.Equal(d, d2) {
		t.Fatal("the fixture's payload changes the image digest")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, pefile.CatalogMember{Digest: d, Name: "app.exe"}),
		"app.exe": img,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed || catalogSigned(r, "app.exe", "drv.cat") {
		t.Errorf("passed %v, app.exe %+v", r.Summary.Passed, fileByPath(r, "app.exe"))
	}
}

// TestCatalogMSIEmptyStreamNamesReported: empty streams add nothing to an
// MSI's digest, so a catalog listing an unsigned MSI vouches for it
// whatever empty streams are added; their names carry a payload. Each is
// reported as for a signed MSI without MsiDigitalSignatureEx, an error once
// the names could hold a payload, and the gate fails.
func TestCatalogMSIEmptyStreamNamesReported(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	tables, streams := installer{dll: f.peValid, customAction: f.peValid, method: cab.MethodMSZIP}.node()
	good := cfb.Build(msi.BuildNode(tables, streams))
	root := msi.BuildNode(tables, streams)
	for i := range 8 {
		root.Children = append(root.Children, &cfb.Node{Name: string(rune('A'+i)) + "payloadpayloadpayloadpayload"})
	}
	bad := cfb.Build(root)
	if !bytes.Equal(msiSHA256(t, good), msiSHA256(t, bad)) {
		t.Fatal("empty streams change the MSI digest")
	}
	cat := signedCatalog(t, nil, pefile.CatalogMember{Flat: true, Digest: msiSHA256(t, good), Name: "setup.msi"})
	for name, tc := range map[string]struct {
		msi  []byte
		pass bool
	}{"clean": {good, true}, "empty streams": {bad, false}} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"drv.cat": cat, "setup.msi": tc.msi})
			r := run(t, Options{Policy: requireValid()}, dir)
			if !catalogSigned(r, "setup.msi", "drv.cat") {
				t.Errorf("setup.msi: %+v, want signed by drv.cat", fileByPath(r, "setup.msi"))
			}
			if r.Summary.Passed != tc.pass {
				t.Errorf("passed %v, findings %q", r.Summary.Passed, rulesFor(r, "setup.msi"))
			}
			if !tc.pass && !has(rulesFor(r, "setup.msi"), "error "+string(authenticode.RuleMSIUnsignedMetadata)) {
				t.Errorf("setup.msi: findings %q, want %s", rulesFor(r, "setup.msi"), authenticode.RuleMSIUnsignedMetadata)
			}
		})
	}
}

// TestCatalogManyMembersOfOneDigestOrName: a catalog listing one digest, or
// one file name, thousands of times costs each file of the release no more
// than one member (before, 60,000 copies and 3,000 files took 1m45s, and
// 50,000 digests of one name 32 s and 24 GB), and the hash-mismatch finding
// lists a bounded number of digests.
func TestCatalogManyMembersOfOneDigestOrName(t *testing.T) {
	t.Parallel()
	const members, files = 5000, 200
	empty := sha256.Sum256(nil)
	dup := make([]pefile.CatalogMember, members)
	named := make([]pefile.CatalogMember, members)
	for i := range members {
		dup[i] = pefile.CatalogMember{Flat: true, Digest: empty[:], Tag: "x"}
		d := sha256.Sum256([]byte(fmt.Sprint(i)))
		named[i] = pefile.CatalogMember{Flat: true, Digest: d[:], Tag: fmt.Sprint(i), Name: "b"}
	}
	tree := map[string][]byte{"dup.cat": signedCatalog(t, nil, dup...), "named.cat": signedCatalog(t, nil, named...)}
	for i := range files {
		tree[fmt.Sprintf("d/%d/a", i)] = nil
		tree[fmt.Sprintf("d/%d/b", i)] = []byte("b")
	}
	dir := t.TempDir()
	writeTree(t, dir, tree)
	r := run(t, Options{Policy: requireValid()}, dir)
	if !catalogSigned(r, "d/0/a", "dup.cat") {
		t.Errorf("d/0/a: %+v", fileByPath(r, "d/0/a"))
	}
	n := 0
	for _, x := range r.Findings {
		if x.Rule != RuleCatalogHashMismatch {
			continue
		}
		n++
		if len(x.Message) > 2000 || !strings.Contains(x.Message, fmt.Sprintf("%d more", members-maxClaimedDigests)) {
			t.Fatalf("%s: message of %d bytes: %.300s", x.Path, len(x.Message), x.Message)
		}
	}
	if n != files {
		t.Errorf("%d hash-mismatch findings, want %d", n, files)
	}
}
