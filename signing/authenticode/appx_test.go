package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/internal/x509name"
	"github.com/shipgate/shipgate/signing"
)

func buildAPPX(t testing.TB, p *fixtures.PKI, s fixtures.APPXSpec) []byte {
	t.Helper()
	b, err := fixtures.APPX(p, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func verifyAPPX(t testing.TB, b []byte, trust *signing.TrustStore) *Result {
	t.Helper()
	res, err := VerifyAPPX(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyAPPX: %v", err)
	}
	return res
}

func rules(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, string(f.Rule))
	}
	return out
}

// replaceIn replaces the only occurrence of old in b.
func replaceIn(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if bytes.Count(b, []byte(old)) != 1 || len(old) != len(new) {
		t.Fatalf("%q occurs %d times", old, bytes.Count(b, []byte(old)))
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// TestAPPXValid verifies a Go-signed package, its signature stored or
// compressed, and an unsigned one.
func TestAPPXValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for _, store := range []bool{false, true} {
		res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{StoreSignature: store}), trust)
		if res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Fatalf("store %v: status %s findings %+v", store, res.Status, res.Findings)
		}
		var names []string
		for _, c := range res.Signatures[0].Checks {
			names = append(names, string(c.Name))
		}
		if !strings.Contains(strings.Join(names, ","), "publisher") {
			t.Errorf("no publisher check: %v", names)
		}
	}
	res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Unsigned: true}), trust)
	if res.Status != signing.StatusUnsigned || len(res.Findings) != 0 {
		t.Errorf("unsigned: status %s findings %+v", res.Status, res.Findings)
	}
}

// TestAPPXPartNameAliases adds a second entry whose name differs from
// one in the block map only by case and percent-encoding: both match its
// blocks, but they are one part to Windows, and an extractor keeps one.
func TestAPPXPartNameAliases(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	files := fixtures.DefaultAPPXFiles()
	bm := fixtures.APPXBlockMap(files)
	alias := files[1]
	alias.Name = "APP.exe"
	b, err := fixtures.APPXZip(append(files, alias), bm, []byte(fixtures.APPXContentTypes), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if res := verifyAPPX(t, b, trust); !hasRule(res, RuleMSIXMalformedPackage) {
		t.Errorf("rules %v", rules(res))
	}
	// A package and a bundle at once, or neither.
	both := append(fixtures.DefaultAPPXFiles(), fixtures.APPXFile{Name: "AppxMetadata/AppxBundleManifest.xml", Data: fixtures.APPXBundleManifest(fixtures.FixturePublisher, "x.msix", 1)})
	neither := fixtures.DefaultAPPXFiles()[1:]
	for name, files := range map[string][]fixtures.APPXFile{"both manifests": both, "no manifest": neither} {
		if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Files: files, Unsigned: true}), trust); !hasRule(res, RuleMSIXMalformedPackage) {
			t.Errorf("%s: rules %v", name, rules(res))
		}
	}
	// The percent-encoded name of a listed part is that part.
	if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{}), trust); res.Status != signing.StatusValid {
		t.Errorf("status %s rules %v", res.Status, rules(res))
	}
}

// TestAPPXManifestIdentity checks that a manifest with two Identity
// elements (which one would Windows read?) or none fails the publisher
// check.
func TestAPPXManifestIdentity(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	for name, manifest := range map[string]string{
		"two identities": `<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"><Identity Name="a" Publisher="CN=Someone Else"/><Identity Name="a" Publisher="` + fixtures.FixturePublisher + `"/></Package>`,
		"no identity":    `<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10"/>`,
		"wrong root":     `<Bundle><Identity Name="a" Publisher="` + fixtures.FixturePublisher + `"/></Bundle>`,
	} {
		files := fixtures.DefaultAPPXFiles()
		files[0].Data = []byte(manifest)
		res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Files: files}), trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXPublisherMismatch) {
			t.Errorf("%s: status %s rules %v", name, res.Status, rules(res))
		}
	}
}

// TestAPPXBundle verifies a bundle: its SpcSipInfo names the bundle
// subject interface package and its publisher comes from the bundle
// manifest; a bundle signed as a package is malformed.
func TestAPPXBundle(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Bundle: true}), trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %+v", res.Status, res.Findings)
	}
	inner, err := fixtures.APPX(p, fixtures.APPXSpec{})
	if err != nil {
		t.Fatal(err)
	}
	files := []fixtures.APPXFile{
		{Name: "AppxMetadata/AppxBundleManifest.xml", Data: fixtures.APPXBundleManifest(fixtures.FixturePublisher, "app_x64.msix", len(inner))},
		{Name: "app_x64.msix", Data: inner, Store: true},
	}
	res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Files: files}), trust)
	if res.Status != signing.StatusMalformed || !hasRule(res, RuleMSIXMalformedSignature) {
		t.Errorf("bundle signed as a package: status %s rules %v", res.Status, rules(res))
	}
	// The bundle's block map lists its manifest alone: a package the
	// manifest names is exempt, with the size it gives; another file is not.
	for name, tc := range map[string]struct {
		size  int
		extra []fixtures.APPXFile
		rule  signing.Rule
	}{
		"package size": {size: len(inner) + 1, rule: RuleMSIXMalformedPackage},
		"extra file":   {size: len(inner), extra: []fixtures.APPXFile{{Name: "payload.dll", Data: []byte("MZ")}}, rule: RuleMSIXFileNotInBlockMap},
	} {
		files := append([]fixtures.APPXFile{
			{Name: "AppxMetadata/AppxBundleManifest.xml", Data: fixtures.APPXBundleManifest(fixtures.FixturePublisher, "app_x64.msix", tc.size)},
			{Name: "app_x64.msix", Data: inner, Store: true},
		}, tc.extra...)
		notListed := []string{"app_x64.msix"}
		for _, f := range tc.extra {
			notListed = append(notListed, f.Name)
		}
		res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Bundle: true, Files: files, NotInBlockMap: notListed}), trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, tc.rule) {
			t.Errorf("%s: status %s rules %v", name, res.Status, rules(res))
		}
	}
	res = verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Bundle: true, Files: []fixtures.APPXFile{
		{Name: "AppxMetadata/AppxBundleManifest.xml", Data: fixtures.APPXBundleManifest("CN=Someone Else", "app_x64.msix", len(inner))},
		{Name: "app_x64.msix", Data: inner, Store: true},
	}}), trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXPublisherMismatch) {
		t.Errorf("bundle publisher: status %s rules %v", res.Status, rules(res))
	}
}

// TestAPPXCodeIntegrity signs a package holding a code integrity catalog,
// which AXCI covers, and checks that the digest check names an AXCI that
// the signature lacks.
func TestAPPXCodeIntegrity(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	files := append(fixtures.DefaultAPPXFiles(), fixtures.APPXFile{Name: "AppxMetadata/CodeIntegrity.cat", Data: []byte("catalog bytes")})
	// Listed in the block map or not (AXCI covers it, as the MSIX SDK
	// has it), the catalog is fine.
	for _, notListed := range [][]string{nil, {"AppxMetadata/CodeIntegrity.cat"}} {
		if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Files: files, NotInBlockMap: notListed}), trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
			t.Fatalf("not listed %v: status %s findings %+v", notListed, res.Status, res.Findings)
		}
	}
	if d := appxDiff([]byte("APPXAXPC"+strings.Repeat("a", 32)), []byte("APPXAXPC"+strings.Repeat("a", 32)+"AXCI"+strings.Repeat("b", 32)), 32); d != "AXCI not signed" {
		t.Errorf("appxDiff: %q", d)
	}
}

// TestAPPXTimestamp checks that the shared steps judge an APPX signature's
// timestamp: a leaf expired by now is valid when a trusted timestamp puts
// the signature inside its validity, untrusted without one.
func TestAPPXTimestamp(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	spec := fixtures.APPXSpec{Signer: p.Expired, Publisher: "CN=Fixture Expired Signer"}
	if res := verifyAPPX(t, buildAPPX(t, p, spec), trust); res.Status != signing.StatusUntrusted {
		t.Errorf("no timestamp: status %s rules %v", res.Status, rules(res))
	}
	spec.Stamp = &pefile.Stamp{TSA: p.TSA, At: fixtures.Now.AddDate(0, -2, 0), Chain: []*testpki.Cert{p.Root}}
	res := verifyAPPX(t, buildAPPX(t, p, spec), trust)
	if res.Status != signing.StatusValid || res.Signatures[0].Timestamp == nil || !res.Signatures[0].Timestamp.Verified {
		t.Errorf("timestamped: status %s rules %v", res.Status, rules(res))
	}
}

// TestAPPXZip64 verifies a package ending with ZIP64 end records, as
// makeappx writes them: the directory digest rewrites them too.
func TestAPPXZip64(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	good := buildAPPX(t, p, fixtures.APPXSpec{Zip64: true})
	if res := verifyAPPX(t, good, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %+v", res.Status, res.Findings)
	}
	// The ZIP64 record's version field is covered by AXCD.
	z, err := readAPPXZip(bytes.NewReader(good), int64(len(good)))
	if err != nil || !z.zip64 {
		t.Fatalf("zip64 %v, err %v", z != nil && z.zip64, err)
	}
	bad := bytes.Clone(good)
	bad[z.z64Off+12] ^= 1
	if res := verifyAPPX(t, bad, trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXDigestMismatch) {
		t.Errorf("tampered ZIP64 record: status %s rules %v", res.Status, rules(res))
	}
}

// TestAPPXTampered checks that each change fails for its own reason.
func TestAPPXTampered(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	good := buildAPPX(t, p, fixtures.APPXSpec{})
	for _, tc := range []struct {
		name   string
		b      []byte
		rule   signing.Rule
		status signing.Status
	}{
		// The stored file's data: the package digest and the block map
		// both see it.
		{"file data", replaceIn(t, good, "hello from the package", "HELLO from the package"), RuleMSIXBlockMapMismatch, signing.StatusInvalid},
		{"file data digest", replaceIn(t, good, "hello from the package", "HELLO from the package"), RuleMSIXDigestMismatch, signing.StatusInvalid},
		{"extra file not in block map", buildAPPX(t, p, fixtures.APPXSpec{NotInBlockMap: []string{"app.exe"}}), RuleMSIXFileNotInBlockMap, signing.StatusInvalid},
		{"block map lists a missing file", buildAPPX(t, p, fixtures.APPXSpec{ExtraInBlockMap: []fixtures.APPXFile{{Name: "gone.dll", Data: []byte("x")}}}), RuleMSIXBlockMapFileMissing, signing.StatusInvalid},
		{"publisher mismatch", buildAPPX(t, p, fixtures.APPXSpec{Signer: p.Leaf2}), RuleMSIXPublisherMismatch, signing.StatusInvalid},
		// Another CA's leaf: untrusted, and not the manifest's publisher.
		{"untrusted signer", buildAPPX(t, p, fixtures.APPXSpec{Signer: p.OtherLeaf}), RuleUntrustedChain, signing.StatusInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := verifyAPPX(t, tc.b, trust)
			if res.Status != tc.status || !hasRule(res, tc.rule) {
				t.Errorf("status %s rules %v, want %s with %s", res.Status, rules(res), tc.status, tc.rule)
			}
		})
	}
}

// TestAPPXContentTypesTampered rewrites [Content_Types].xml (stored, so
// its bytes can be changed in place): AXCT and AXPC no longer match.
func TestAPPXContentTypesTampered(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	files := fixtures.DefaultAPPXFiles()
	bm := fixtures.APPXBlockMap(files)
	signed := buildAPPX(t, p, fixtures.APPXSpec{})
	z, err := readAPPXZip(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		t.Fatal(err)
	}
	p7x, err := z.readAll(bytes.NewReader(signed), z.byName[appxSignatureName], maxTableBytes)
	if err != nil {
		t.Fatal(err)
	}
	digestCheck := func(res *Result) string {
		for _, c := range res.Signatures[0].Checks {
			if c.Name == "appx-digests" {
				return c.Detail
			}
		}
		return ""
	}
	// The same signature over a package whose content types say .exe
	// files are text: AXCT (and the records holding it) no longer match.
	ct := strings.Replace(fixtures.APPXContentTypes, `Extension="exe" ContentType="application/x-msdownload"`, `Extension="exe" ContentType="text/plain"`, 1)
	bad, err := fixtures.APPXZip(files, bm, []byte(ct), p7x, false)
	if err != nil {
		t.Fatal(err)
	}
	res := verifyAPPX(t, bad, trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXDigestMismatch) {
		t.Fatalf("status %s rules %v", res.Status, rules(res))
	}
	if d := digestCheck(res); !strings.Contains(d, "AXCT differs") || strings.Contains(d, "AXBM") {
		t.Errorf("appx-digests: %q", d)
	}
	// A flipped compressed byte of the content types breaks the records'
	// digest even when the part still inflates.
	e := z.byName[appxContentTypesName]
	flipped := bytes.Clone(signed)
	flipped[e.dataOff+int64(e.comp)/2] ^= 0x01
	res = verifyAPPX(t, flipped, trust)
	if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXDigestMismatch) || !strings.Contains(digestCheck(res), "AXPC differs") {
		t.Errorf("flipped: status %s rules %v", res.Status, rules(res))
	}
}

// TestAPPXUnsignedBytes appends bytes no digest covers at the places an
// attacker has: after the end record, and between the signature and the
// central directory.
func TestAPPXUnsignedBytes(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	good := buildAPPX(t, p, fixtures.APPXSpec{StoreSignature: true})
	t.Run("after end record", func(t *testing.T) {
		res := verifyAPPX(t, append(bytes.Clone(good), "payload"...), trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("status %s rules %v", res.Status, rules(res))
		}
	})
	t.Run("after the PKCS#7", func(t *testing.T) {
		// Grow the stored p7x: the zip stays readable, the SignedData does
		// not own the bytes.
		files := fixtures.DefaultAPPXFiles()
		z, _ := readAPPXZip(bytes.NewReader(good), int64(len(good)))
		sig := z.byName[appxSignatureName]
		p7x := bytes.Clone(good[sig.dataOff : sig.dataOff+int64(sig.comp)])
		p7x = append(p7x, bytes.Repeat([]byte("X"), 300)...)
		bm := fixtures.APPXBlockMap(files)
		b, err := fixtures.APPXZip(files, bm, []byte(fixtures.APPXContentTypes), p7x, true)
		if err != nil {
			t.Fatal(err)
		}
		res := verifyAPPX(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXSignatureTrailingData) {
			t.Errorf("status %s rules %v", res.Status, rules(res))
		}
	})
	t.Run("after the deflate stream", func(t *testing.T) {
		res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{SignatureTail: bytes.Repeat([]byte("P"), 200)}), trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("status %s rules %v", res.Status, rules(res))
		}
		// The same without a tail is valid: the check is not the reason.
		if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{SignatureTail: []byte{}}), trust); res.Status != signing.StatusValid {
			t.Errorf("no tail: status %s rules %v", res.Status, rules(res))
		}
	})
	t.Run("empty end record appended", func(t *testing.T) {
		// An empty archive's end record after the package must not hide
		// the package from the verifier (the walker passes over it too).
		res := verifyAPPX(t, append(bytes.Clone(good), "PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"...), trust)
		if len(res.Signatures) != 1 || res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("status %s rules %v", res.Status, rules(res))
		}
	})
	t.Run("comment on the signature record", func(t *testing.T) {
		// Give the signature's central directory record a comment: the
		// directory digest leaves that record out.
		z, _ := readAPPXZip(bytes.NewReader(good), int64(len(good)))
		sig := z.byName[appxSignatureName]
		b := bytes.Clone(good)
		pos := sig.cdOff + sig.cdLen
		comment := []byte("unsigned comment")
		b = append(b[:pos:pos], append(comment, good[pos:]...)...)
		binary.LittleEndian.PutUint16(b[sig.cdOff+32:], uint16(len(comment)))
		eocd := int64(len(b)) - 22
		binary.LittleEndian.PutUint32(b[eocd+12:], binary.LittleEndian.Uint32(b[eocd+12:])+uint32(len(comment)))
		res := verifyAPPX(t, b, trust)
		if res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXUnsignedData) {
			t.Errorf("status %s rules %v", res.Status, rules(res))
		}
	})
}

// TestAPPXUnownedData signs a package whose first local record is preceded
// by bytes no file owns: the package digest covers them, so the signature
// stays valid, but they are reported as msix/unowned-data; a clean package
// has no such finding.
func TestAPPXUnownedData(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	if res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{}), trust); hasRule(res, RuleMSIXUnownedData) {
		t.Fatalf("clean package: rules %v", rules(res))
	}
	res := verifyAPPX(t, buildAPPX(t, p, fixtures.APPXSpec{Prefix: bytes.Repeat([]byte("P"), 100)}), trust)
	if res.Status != signing.StatusValid || !hasRule(res, RuleMSIXUnownedData) {
		t.Fatalf("status %s rules %v, want valid with %s", res.Status, rules(res), RuleMSIXUnownedData)
	}
	for _, f := range res.Findings {
		if f.Rule == RuleMSIXUnownedData && (f.Severity != signing.SeverityWarning || !strings.Contains(f.Message, "100 bytes at 0x0")) {
			t.Errorf("finding %+v", f)
		}
	}
}

// TestAPPXHostileSizes feeds headers with sizes that would make a careless
// reader allocate or read far away: they are format errors, not panics.
func TestAPPXHostileSizes(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	good := buildAPPX(t, p, fixtures.APPXSpec{})
	eocd := len(good) - 22
	for name, mut := range map[string]func(b []byte){
		"directory size":   func(b []byte) { binary.LittleEndian.PutUint32(b[eocd+12:], 0x7fffffff) },
		"directory offset": func(b []byte) { binary.LittleEndian.PutUint32(b[eocd+16:], 0xfffffff0) },
		"entry count":      func(b []byte) { binary.LittleEndian.PutUint16(b[eocd+10:], 0xfff0) },
	} {
		t.Run(name, func(t *testing.T) {
			b := bytes.Clone(good)
			mut(b)
			var fe *FormatError
			if _, err := VerifyAPPX(bytes.NewReader(b), int64(len(b)), Options{}); err == nil || !asFormatError(err, &fe) {
				t.Errorf("error %v, want a FormatError", err)
			}
		})
	}
	// A block map whose file claims a huge size lists too few blocks.
	files := fixtures.DefaultAPPXFiles()
	bm := bytes.Replace(fixtures.APPXBlockMap(files), []byte(`Name="app.exe" Size="`), []byte(`Name="app.exe" Size="9`), 1)
	b, err := fixtures.APPXZip(files, bm, []byte(fixtures.APPXContentTypes), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	res := verifyAPPX(t, b, nil)
	if !hasRule(res, RuleMSIXMalformedPackage) {
		t.Errorf("rules %v", rules(res))
	}
}

func asFormatError(err error, fe **FormatError) bool {
	e, ok := err.(*FormatError)
	*fe = e
	return ok
}

// TestAPPXPublisherName parses publisher strings as Windows writes them.
func TestAPPXPublisherName(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{fixtures.FixturePublisher, true},
		{"CN=Fixture Software Ltd,O=Fixture Software Ltd", true},
		{`CN="Fixture Software Ltd", O="Fixture Software Ltd"`, true},
		{"cn=fixture software ltd; o=Fixture  Software Ltd", true},
		{"O=Fixture Software Ltd, CN=Fixture Software Ltd", false},
		{"CN=Fixture Software Ltd", false},
		{"CN=Fixture Software Ltd, O=Fixture Software Ltd, C=US", false},
		{"CN=Fixture Software Ltd+O=Fixture Software Ltd", false},
		{"garbage", false},
	} {
		der, err := publisherName(tc.s)
		got := err == nil && x509nameEqual(der, p.Leaf.Cert.RawSubject)
		if got != tc.ok {
			t.Errorf("%q: match %v (err %v), want %v", tc.s, got, err, tc.ok)
		}
	}
}

// TestOsslsigncodeAPPX has osslsigncode sign our unsigned package: we
// accept it; it accepts our Go-signed one; a tampered copy fails for both.
func TestOsslsigncodeAPPX(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	p, trust := e.p, e.trust
	signed, out := e.sign(t, e.write("unsigned.msix", buildAPPX(t, p, fixtures.APPXSpec{Unsigned: true})), "signed.msix")
	res := verifyAPPX(t, signed, trust)
	if res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("osslsigncode-signed: status %s findings %+v", res.Status, res.Findings)
	}
	if o, err := e.verify(out); err != nil {
		t.Errorf("osslsigncode rejects its own package: %v\n%s", err, o)
	}
	bad := replaceIn(t, signed, "hello from the package", "HELLO from the package")
	if o, err := e.verify(e.write("bad.msix", bad)); err == nil {
		t.Errorf("osslsigncode accepts the tampered package:\n%s", o)
	}
	if res := verifyAPPX(t, bad, trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleMSIXDigestMismatch) {
		t.Errorf("tampered: status %s rules %v", res.Status, rules(res))
	}
	// A code integrity catalog: osslsigncode's AXCI is ours.
	cfiles := append(fixtures.DefaultAPPXFiles(), fixtures.APPXFile{Name: "AppxMetadata/CodeIntegrity.cat", Data: []byte("catalog bytes")})
	signed, _ = e.sign(t, e.write("ci.msix", buildAPPX(t, p, fixtures.APPXSpec{Files: cfiles, Unsigned: true})), "ci-signed.msix")
	if res := verifyAPPX(t, signed, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 || !strings.Contains(res.Signatures[0].Digest.Signed, hex.EncodeToString([]byte("AXCI"))) {
		t.Errorf("osslsigncode-signed with a catalog: status %s findings %+v", res.Status, res.Findings)
	}
	// A bundle: osslsigncode signs it as one, and reads ours.
	signed, _ = e.sign(t, e.write("unsigned.msixbundle", buildAPPX(t, p, fixtures.APPXSpec{Bundle: true, Unsigned: true})), "signed.msixbundle")
	if res := verifyAPPX(t, signed, trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Errorf("osslsigncode-signed bundle: status %s findings %+v", res.Status, res.Findings)
	}
	if o, err := e.verify(e.write("go-signed.msixbundle", buildAPPX(t, p, fixtures.APPXSpec{Bundle: true}))); err != nil {
		t.Errorf("osslsigncode rejects our signed bundle: %v\n%s", err, o)
	}
	for _, store := range []bool{false, true} {
		if o, err := e.verify(e.write("go-signed.msix", buildAPPX(t, p, fixtures.APPXSpec{StoreSignature: store}))); err != nil {
			t.Errorf("store %v: osslsigncode rejects our signed package: %v\n%s", store, err, o)
		}
	}
}

// FuzzVerifyAPPX feeds mutated packages to VerifyAPPX: it must not panic,
// and a Result always has its SHA-256 digest.
func FuzzVerifyAPPX(f *testing.F) {
	p := fixtures.NewPKI()
	// Small packages, so that mutations reach every part.
	small := []fixtures.APPXFile{{Name: "AppxManifest.xml", Data: fixtures.APPXManifest(fixtures.FixturePublisher)}, {Name: "a b.txt", Data: []byte("hello"), Store: true}}
	f.Add(buildAPPX(f, p, fixtures.APPXSpec{Files: small}))
	f.Add(buildAPPX(f, p, fixtures.APPXSpec{Files: small, StoreSignature: true, Zip64: true}))
	f.Add(buildAPPX(f, p, fixtures.APPXSpec{Unsigned: true, Files: []fixtures.APPXFile{{Name: "a", Data: []byte("b")}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := VerifyAPPX(bytes.NewReader(b), int64(len(b)), Options{})
		if err == nil && res.Authentihash["sha256"] == "" {
			t.Fatal("no sha256 digest")
		}
	})
}

// FuzzAPPXBlockMap feeds block maps and publisher strings to their
// parsers: they must not panic.
func FuzzAPPXBlockMap(f *testing.F) {
	f.Add(fixtures.APPXBlockMap(fixtures.DefaultAPPXFiles()), fixtures.FixturePublisher)
	f.Add([]byte(`<BlockMap xmlns="http://schemas.microsoft.com/appx/2010/blockmap" HashMethod="http://www.w3.org/2001/04/xmlenc#sha256"><File Name="a" Size="0"/></BlockMap>`), `CN="a ""b""", O=x+OU=y`)
	f.Fuzz(func(t *testing.T, b []byte, publisher string) {
		if bm, err := parseAPPXBlockMap(b); err == nil {
			for _, name := range bm.order {
				if bm.files[name] == nil {
					t.Fatal("listed file missing")
				}
			}
		}
		publisherName(publisher)
	})
}

func x509nameEqual(a, b []byte) bool { return x509name.Equal(a, b) }

// BenchmarkVerifyAPPX verifies a signed 32 MiB package (a stored and a
// deflated file of 16 MiB each); BenchmarkAPPXSHA256 is one SHA-256 pass
// over the same bytes, to compare with. The verifier hashes the records
// once (AXPC) and each file's uncompressed blocks once (the block map).
func BenchmarkVerifyAPPX(b *testing.B) {
	pkg := benchAPPX(b)
	p := fixtures.NewPKI()
	trust := scriptTrust(b, p)
	b.SetBytes(int64(len(pkg)))
	b.ResetTimer()
	for range b.N {
		res, err := VerifyAPPX(bytes.NewReader(pkg), int64(len(pkg)), Options{Trust: trust, Time: fixtures.Now})
		if err != nil || res.Status != signing.StatusValid {
			b.Fatalf("status %v err %v", res.Status, err)
		}
	}
}

func BenchmarkAPPXSHA256(b *testing.B) {
	pkg := benchAPPX(b)
	b.SetBytes(int64(len(pkg)))
	b.ResetTimer()
	for range b.N {
		sum(crypto.SHA256, pkg)
	}
}

func benchAPPX(b *testing.B) []byte {
	b.Helper()
	big := make([]byte, 16<<20)
	rng := testpki.NewRand(1)
	rng.Read(big[:8<<20]) // half random, half text-like
	for i := 8 << 20; i < len(big); i++ {
		big[i] = "shipgate MSIX benchmark payload\n"[i%32]
	}
	files := fixtures.DefaultAPPXFiles()
	files = append(files, fixtures.APPXFile{Name: "big.bin", Data: big, Store: true}, fixtures.APPXFile{Name: "big.dat", Data: big})
	return buildAPPX(b, fixtures.NewPKI(), fixtures.APPXSpec{Files: files})
}
