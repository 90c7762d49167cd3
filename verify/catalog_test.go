package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/blocklist"
)

var catalogReadme = []byte("driver package readme\r\n")

// catalogRelease returns the members of the test catalog (the unsigned
// fixture PE by its image digest, app.exe, and a text file by its flat
// digest, readme.txt), with digests of algorithm h.
func catalogRelease(t *testing.T, h crypto.Hash) []pefile.CatalogMember {
	t.Helper()
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUnsigned, h)
	if err != nil {
		t.Fatal(err)
	}
	flat := h.New()
	flat.Write(catalogReadme)
	return []pefile.CatalogMember{
		{Hash: h, Digest: d, Name: "app.exe"},
		{Hash: h, Digest: flat.Sum(nil), Flat: true, Name: "readme.txt"},
	}
}

// catalogSigned reports whether file p of r is valid through catalog cat
// and nothing else.
func catalogSigned(r *Report, p, cat string) bool {
	fb := fileByPath(r, p)
	if fb == nil || len(fb.Signatures) != 1 {
		return false
	}
	s := fb.Signatures[0]
	return s.Format == signing.FormatCatalog && s.Status == signing.StatusValid && s.Catalog == cat && s.Signer != nil && s.Digest.Match()
}

// TestCatalogSignsUnsignedFiles: an unsigned PE and a text file listed by a
// valid catalog of the release are signed by it, and `require: valid`
// passes.
func TestCatalogSignsUnsignedFiles(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":    signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...),
		"app.exe":    f.peUnsigned,
		"readme.txt": catalogReadme,
	})
	for _, workers := range []int{1, 8} {
		r := run(t, Options{Policy: requireValid(), Workers: workers}, dir)
		for _, p := range []string{"app.exe", "readme.txt"} {
			if !catalogSigned(r, p, "drv.cat") {
				t.Errorf("workers %d: %s: %+v, want signed by drv.cat", workers, p, fileByPath(r, p))
			}
		}
		if !r.Summary.Passed || len(r.Findings) != 0 {
			t.Errorf("workers %d: passed %v findings %+v", workers, r.Summary.Passed, r.Findings)
		}
	}
}

// TestCatalogUnverifiedVouchesForNothing: a catalog signed by an untrusted
// signer, or tampered, leaves its members unsigned.
func TestCatalogUnverifiedVouchesForNothing(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	members := catalogRelease(t, crypto.SHA256)
	good := signedCatalog(t, nil, members...)
	tampered := bytes.Clone(good)
	tampered[bytes.LastIndex(tampered, members[1].Digest)] ^= 1
	for name, cat := range map[string][]byte{
		"untrusted": signedCatalog(t, f.otherLeaf, members...),
		"tampered":  tampered,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"drv.cat": cat, "app.exe": f.peUnsigned})
			r := run(t, Options{Policy: requireValid()}, dir)
			fb := fileByPath(r, "app.exe")
			if len(fb.Signatures) != 0 {
				t.Errorf("app.exe: signatures %+v, want none", fb.Signatures)
			}
			got := rulesFor(r, "app.exe")
			if !has(got, "error "+string(RuleUnsigned)) || (name == "untrusted" && !has(got, "warning "+string(RuleCatalogNotVerified))) {
				t.Errorf("app.exe: findings %q", got)
			}
			if r.Summary.Passed {
				t.Error("the gate passed")
			}
		})
	}
}

// TestCatalogHashMismatch: a file the catalog names whose digest is not the
// one listed is reported and stays unsigned.
func TestCatalogHashMismatch(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	members := catalogRelease(t, crypto.SHA256)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":         signedCatalog(t, nil, members...),
		"app.exe":         append(bytes.Clone(f.peUnsigned), "trojan"...),
		"docs/readme.txt": []byte("another readme\r\n"),
		"other/x.txt":     []byte("not named\r\n"),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"app.exe", "docs/readme.txt"} {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleCatalogHashMismatch)) {
			t.Errorf("%s: findings %q, want %s", p, got, RuleCatalogHashMismatch)
		}
		if fb := fileByPath(r, p); len(fb.Signatures) != 0 {
			t.Errorf("%s: signatures %+v", p, fb.Signatures)
		}
	}
	if got := rulesFor(r, "other/x.txt"); len(got) != 0 {
		t.Errorf("other/x.txt: findings %q", got)
	}
}

// TestCatalogScope: a catalog found in a directory vouches only for the
// files of that directory and below.
func TestCatalogScope(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"pkg/drv.cat":     signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...),
		"pkg/bin/app.exe": f.peUnsigned,
		"app.exe":         f.peUnsigned,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if !catalogSigned(r, "pkg/bin/app.exe", "pkg/drv.cat") {
		t.Errorf("pkg/bin/app.exe: %+v", fileByPath(r, "pkg/bin/app.exe"))
	}
	if fb := fileByPath(r, "app.exe"); len(fb.Signatures) != 0 || !has(rulesFor(r, "app.exe"), "error "+string(RuleUnsigned)) {
		t.Errorf("app.exe outside the catalog's directory: %+v %q", fb.Signatures, rulesFor(r, "app.exe"))
	}
}

// TestCatalogSHA1InRelease: a catalog listing SHA-1 digests makes the run
// compute them, and its members are found.
func TestCatalogSHA1InRelease(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":    signedCatalog(t, nil, catalogRelease(t, crypto.SHA1)...),
		"app.exe":    f.peUnsigned,
		"readme.txt": catalogReadme,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"app.exe", "readme.txt"} {
		if !catalogSigned(r, p, "drv.cat") || fileByPath(r, p).Signatures[0].Digest.Algorithm != "sha1" {
			t.Errorf("%s: %+v", p, fileByPath(r, p))
		}
	}
}

// TestCatalogGivenOnCommandLine: Options.Catalogs vouch for the whole
// release; one that does not verify is reported and vouches for nothing;
// a file that is not a catalog fails the run.
func TestCatalogGivenOnCommandLine(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	ext := t.TempDir()
	good := filepath.Join(ext, "vendor.cat")
	bad := filepath.Join(ext, "untrusted.cat")
	notCat := filepath.Join(ext, "x.cat")
	sha1Cat := filepath.Join(ext, "legacy.cat")
	writeTree(t, ext, map[string][]byte{
		"vendor.cat":    signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...),
		"untrusted.cat": signedCatalog(t, f.otherLeaf, catalogRelease(t, crypto.SHA256)...),
		"x.cat":         []byte("not a catalog"),
		"legacy.cat":    signedCatalog(t, nil, catalogRelease(t, crypto.SHA1)...),
	})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"bin/app.exe": f.peUnsigned, "readme.txt": catalogReadme})
	r := run(t, Options{Policy: requireValid(), Catalogs: []string{good}}, dir)
	if !catalogSigned(r, "bin/app.exe", "vendor.cat") || !r.Summary.Passed {
		t.Errorf("--catalog vendor.cat: %+v findings %+v", fileByPath(r, "bin/app.exe"), r.Findings)
	}
	r = run(t, Options{Policy: requireValid(), Catalogs: []string{sha1Cat}}, dir)
	if !catalogSigned(r, "bin/app.exe", "legacy.cat") || !r.Summary.Passed {
		t.Errorf("--catalog legacy.cat (SHA-1): %+v findings %+v", fileByPath(r, "bin/app.exe"), r.Findings)
	}
	r = run(t, Options{Policy: requireValid(), Catalogs: []string{bad}}, dir)
	if len(fileByPath(r, "bin/app.exe").Signatures) != 0 || !has(rulesFor(r, "untrusted.cat"), "error "+string(RuleCatalogNotVerified)) || r.Summary.Passed {
		t.Errorf("--catalog untrusted.cat: %+v findings %+v", fileByPath(r, "bin/app.exe"), r.Findings)
	}
	opts := Options{Policy: requireValid(), Catalogs: []string{notCat}, Trust: f.trust, Time: checkTime}
	if _, err := Release(context.Background(), opts, dir); err == nil || !strings.Contains(err.Error(), "not a security catalog") {
		t.Errorf("--catalog x.cat: err %v", err)
	}
}

// TestCatalogLeavesSignedFilesAlone: a file with its own signature is
// judged by it, even when a catalog lists it.
func TestCatalogLeavesSignedFilesAlone(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	d, err := pefile.ImageDigest(f.peUntrusted, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, pefile.CatalogMember{Digest: d, Name: "app.exe"}),
		"app.exe": f.peUntrusted,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	fb := fileByPath(r, "app.exe")
	if len(fb.Signatures) != 1 || fb.Signatures[0].Format != signing.FormatAuthenticode || fb.Signatures[0].Status != signing.StatusUntrusted {
		t.Errorf("app.exe: %+v", fb.Signatures)
	}
	if got := rulesFor(r, "app.exe"); !has(got, "error "+string(RuleUntrusted)) || has(got, "error "+string(RuleCatalogHashMismatch)) {
		t.Errorf("app.exe: findings %q", got)
	}
}

// TestCatalogConflictingMembers: a catalog that names one file twice with
// different digests is reported; the file whose digest it lists is still
// signed by it.
func TestCatalogConflictingMembers(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	m := catalogRelease(t, crypto.SHA256)
	other := sha256.Sum256([]byte("trojan"))
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, m[0], pefile.CatalogMember{Digest: other[:], Name: "APP.EXE"}),
		"app.exe": f.peUnsigned,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if got := rulesFor(r, "drv.cat"); !has(got, "error "+string(authenticode.RuleCatalogConflictingMember)) {
		t.Errorf("drv.cat: findings %q", got)
	}
	if !catalogSigned(r, "app.exe", "drv.cat") || has(rulesFor(r, "app.exe"), "error "+string(RuleCatalogHashMismatch)) {
		t.Errorf("app.exe: %+v %q", fileByPath(r, "app.exe"), rulesFor(r, "app.exe"))
	}
}

// TestCatalogMembershipDeterministic: the JSON report is byte-identical
// whatever the number of workers, with several catalogs and members.
func TestCatalogMembershipDeterministic(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	m := catalogRelease(t, crypto.SHA256)
	sum := sha1.Sum(catalogReadme)
	files := map[string][]byte{
		"a.cat":      signedCatalog(t, nil, m...),
		"b.cat":      signedCatalog(t, nil, m[0], pefile.CatalogMember{Hash: crypto.SHA1, Flat: true, Digest: sum[:], Name: "readme.txt"}),
		"c.cat":      signedCatalog(t, f.otherLeaf, m...),
		"app.exe":    f.peUnsigned,
		"readme.txt": catalogReadme,
	}
	for i := range 20 {
		files["x/"+strings.Repeat("f", i+1)+".txt"] = []byte(strings.Repeat("x", i))
	}
	dir := t.TempDir()
	writeTree(t, dir, files)
	var first []byte
	for _, w := range []int{1, 2, 8, 1, 8} {
		r := run(t, Options{Policy: requireValid(), Workers: w}, dir)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
			if fb := fileByPath(r, "app.exe"); len(fb.Signatures) != 2 || fb.Signatures[0].Catalog != "a.cat" || fb.Signatures[1].Catalog != "b.cat" {
				t.Fatalf("app.exe: %+v", fb.Signatures)
			}
			continue
		}
		if !bytes.Equal(b, first) {
			t.Fatalf("workers %d: the report differs", w)
		}
	}
}

// TestCatalogDigestDomains: a member vouches only for the digest its type
// names: a PE image member carrying a text file's flat SHA-256 does not
// sign the text file, and a flat member carrying a PE file's flat SHA-256
// does not sign the PE, which Windows looks up by its image digest.
func TestCatalogDigestDomains(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	flatText := sha256.Sum256(catalogReadme)
	flatPE := sha256.Sum256(f.peUnsigned)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":    signedCatalog(t, nil, pefile.CatalogMember{Digest: flatText[:]}, pefile.CatalogMember{Flat: true, Digest: flatPE[:]}),
		"app.exe":    f.peUnsigned,
		"readme.txt": catalogReadme,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"app.exe", "readme.txt"} {
		if fb := fileByPath(r, p); len(fb.Signatures) != 0 {
			t.Errorf("%s: signatures %+v, want none", p, fb.Signatures)
		}
	}
}

// TestCatalogRevokedSigner: a catalog whose signer is blocklisted is
// revoked and vouches for nothing.
func TestCatalogRevokedSigner(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...),
		"app.exe": f.peUnsigned,
	})
	r := run(t, Options{Policy: requireValid(), Blocklist: blocklistFor(f.winLeaf, nil, blocklist.ReasonKeyCompromise)}, dir)
	if fb := fileByPath(r, "drv.cat"); len(fb.Signatures) != 1 || fb.Signatures[0].Status != signing.StatusRevoked {
		t.Errorf("drv.cat: %+v", fb.Signatures)
	}
	if fb := fileByPath(r, "app.exe"); len(fb.Signatures) != 0 || !has(rulesFor(r, "app.exe"), "error "+string(RuleUnsigned)) {
		t.Errorf("app.exe: %+v %q", fb.Signatures, rulesFor(r, "app.exe"))
	}
}

// TestCatalogMalformedInRelease: a .cat whose member list does not parse
// is a malformed file and vouches for nothing, even for the members before
// the broken one.
func TestCatalogMalformedInRelease(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	m := catalogRelease(t, crypto.SHA256)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, m[0], pefile.CatalogMember{Raw: []byte{0x30, 0x03, 0x02, 0x01, 0x00}}),
		"app.exe": f.peUnsigned,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if got := rulesFor(r, "drv.cat"); !has(got, "error "+string(RuleMalformed)) {
		t.Errorf("drv.cat: findings %q", got)
	}
	if fb := fileByPath(r, "app.exe"); len(fb.Signatures) != 0 {
		t.Errorf("app.exe: %+v", fb.Signatures)
	}
}

// TestCatalogInZip: a catalog inside a zip archive of the release vouches
// for the entries of its directory in the archive.
func TestCatalogInZip(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	z := makeZip(t, []zipEntry{
		{name: "drv/drv.cat", data: signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...)},
		{name: "drv/app.exe", data: f.peUnsigned},
		{name: "drv/readme.txt", data: catalogReadme, store: true},
		{name: "app.exe", data: f.peUnsigned},
	})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"pkg.zip": z})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"pkg.zip/drv/app.exe", "pkg.zip/drv/readme.txt"} {
		if !catalogSigned(r, p, "pkg.zip/drv/drv.cat") {
			t.Errorf("%s: %+v", p, fileByPath(r, p))
		}
	}
	if fb := fileByPath(r, "pkg.zip/app.exe"); fb == nil || len(fb.Signatures) != 0 {
		t.Errorf("pkg.zip/app.exe: %+v", fb)
	}
}

// TestCatalogRunMemberBound: past the run's bound on catalog members, none
// of the release's catalogs vouches for anything, whatever the order the
// workers checked them in; catalogs given on the command line still do.
func TestCatalogRunMemberBound(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	m := catalogRelease(t, crypto.SHA256)
	ext := filepath.Join(t.TempDir(), "vendor.cat")
	writeTree(t, filepath.Dir(ext), map[string][]byte{"vendor.cat": signedCatalog(t, nil, m[1])})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"a.cat":      signedCatalog(t, nil, m...),
		"b.cat":      signedCatalog(t, nil, m...),
		"app.exe":    f.peUnsigned,
		"readme.txt": catalogReadme,
	})
	for _, w := range []int{1, 8} {
		r := run(t, Options{Policy: requireValid(), Workers: w, Catalogs: []string{ext}, hooks: testHooks{maxRunCatalogMembers: 3}}, dir)
		if fb := fileByPath(r, "app.exe"); len(fb.Signatures) != 0 {
			t.Errorf("workers %d: app.exe: %+v", w, fb.Signatures)
		}
		for _, p := range []string{"a.cat", "b.cat"} {
			if !has(rulesFor(r, p), "warning "+string(RuleCatalogNotVerified)) {
				t.Errorf("workers %d: %s: %q", w, p, rulesFor(r, p))
			}
		}
		if !catalogSigned(r, "readme.txt", "vendor.cat") {
			t.Errorf("workers %d: readme.txt: %+v", w, fileByPath(r, "readme.txt"))
		}
	}
}

// TestCatalogMD5MemberVouchesForNothing: an MD5 member matches no file,
// even when the run computes MD5 digests for a blocklist.
func TestCatalogMD5MemberVouchesForNothing(t *testing.T) {
	t.Parallel()
	flat := md5.Sum(catalogReadme)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat":    signedCatalog(t, nil, pefile.CatalogMember{Hash: crypto.MD5, Flat: true, Digest: flat[:], Name: "readme.txt"}),
		"readme.txt": catalogReadme,
	})
	l := blocklist.New()
	if err := l.Add(blocklist.Entry{Kind: blocklist.KindFileMD5, Value: strings.Repeat("0", 32), Source: "test"}); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Blocklist: l}, dir)
	if fb := fileByPath(r, "readme.txt"); len(fb.Signatures) != 0 {
		t.Errorf("readme.txt: %+v", fb.Signatures)
	}
	if got := rulesFor(r, "drv.cat"); !has(got, "error "+string(authenticode.RuleWeakAlgorithm)) {
		t.Errorf("drv.cat: findings %q, want an MD5 weak-algorithm error", got)
	}
}

// TestCatalogSignersPolicy: a catalog signature is held to the policy's
// signers as an embedded one is: the catalog's signer must be allowed.
func TestCatalogSignersPolicy(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"drv.cat": signedCatalog(t, nil, catalogRelease(t, crypto.SHA256)...),
		"app.exe": f.peUnsigned,
	})
	for _, c := range []struct {
		name    string
		signer  Signer
		allowed bool
	}{
		{"allowed", Signer{Subject: "CN=Example Vendor Ltd,O=Example Vendor Ltd", Issuer: "CN=Shipgate Test Root"}, true},
		{"other", Signer{Subject: "CN=Someone Else", Issuer: "CN=Nobody Trusts Me Root"}, false},
	} {
		pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{c.signer}}}}
		r := run(t, Options{Policy: pol}, dir)
		got := rulesFor(r, "app.exe")
		if !catalogSigned(r, "app.exe", "drv.cat") || has(got, "error "+string(RuleUnsigned)) || has(got, "error "+string(RuleSignerNotAllowed)) == c.allowed {
			t.Errorf("%s: app.exe %+v findings %q", c.name, fileByPath(r, "app.exe").Signatures, got)
		}
	}
}
