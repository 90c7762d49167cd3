package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// TestPkgComponentDirectoryWithoutPkgSuffix: a Distribution's pkg-ref
// names the component's directory ("#app"), whatever it is called; a
// component in a directory not named *.pkg still has its Payload opened
// and the code inside verified.
func TestPkgComponentDirectoryWithoutPkgSuffix(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	bundle := exampleBundle(t)
	lib := "Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
	f := bundle[lib]
	f.Data = bytes.Clone(f.Data)
	f.Data[0x1100] ^= 0x5a
	bundle[lib] = f
	for i := range s.Files {
		if s.Files[i].Path == "app.pkg/Payload" {
			s.Files[i].Data = pkgfile.PBZX(pkgfile.CPIO(pkgfile.BundleCPIO("Applications", bundle)), 64<<10)
		}
		s.Files[i].Path = strings.Replace(s.Files[i].Path, "app.pkg/", "app/", 1)
		if s.Files[i].Path == "Distribution" {
			s.Files[i].Data = bytes.ReplaceAll(s.Files[i].Data, []byte("#app.pkg"), []byte("#app"))
		}
	}
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	errs := strings.Join(errorRules(r), "\n")
	if !strings.Contains(errs, "libffmpeg.dylib codesign/page-hash-mismatch") {
		t.Errorf("the changed dylib in app/Payload was not verified; errors:\n%s", errs)
	}
}

// TestOpenPkgDecompressionBoundedBySize: a 64 KB package whose Payload
// gunzips to 64 MiB is not decompressed into memory: what a package may
// decompress to grows with its size.
func TestOpenPkgDecompressionBoundedBySize(t *testing.T) {
	t.Parallel()
	payload := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./zeros", Mode: 0o100644, Data: make([]byte, 64<<20)}}))
	b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: payload}}})
	_, finds, err := openPkg(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != pkg.RulePayloadTooLarge {
		t.Errorf("%d-byte package: findings %+v", len(b), finds)
	}
}

// TestAttackPkgPayloadNotOpenedFails: a signed package whose Payload is in
// a format shipgate does not decompress (here an Apple Archive, "AA01")
// carries an app that is never checked. The package's own signature is
// valid, but the release fails under the default policy with
// pkg/payload-malformed naming the Payload, never a silent pass; the same
// package with its gzip Payload passes.
func TestAttackPkgPayloadNotOpenedFails(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	good, _ := pkgfile.Build(s)
	if r := run(t, Options{}, writePkg(t, good)); !r.Summary.Passed {
		t.Fatalf("legitimate package failed: %v", errorRules(r))
	}
	replaced := false
	for i, f := range s.Files {
		if f.Path == "app.pkg/Payload" {
			s.Files[i].Data = append([]byte("AA01"), bytes.Repeat([]byte{0}, 96)...)
			replaced = true
		}
	}
	if !replaced {
		t.Fatal("the example package has no app.pkg/Payload")
	}
	b, _ := pkgfile.Build(s)
	r := run(t, Options{}, writePkg(t, b))
	if r.Summary.Passed {
		t.Fatal("a package whose Payload was not opened passed")
	}
	found := false
	for _, f := range r.Findings {
		found = found || f.Rule == pkg.RulePayloadMalformed && f.Severity == signing.SeverityError && f.Path == "Example-1.4.0.pkg/app.pkg/Payload" && strings.Contains(f.Message, "cannot be opened, so the files it installs were not checked")
	}
	if !found {
		t.Errorf("findings %v", r.Findings)
	}
	if m := fileByPath(r, "Example-1.4.0.pkg"); m == nil || len(m.Signatures) == 0 || m.Signatures[0].Status != signing.StatusValid {
		t.Errorf("the package's own signature: %+v", m)
	}
}

// TestAttackPkgInnerCodeOtherTeam: issue #15's "re-signing with another
// team" for the code inside a package. A tool re-signed by another team's
// valid Developer ID, inside a package our team signs (so the package
// verifies), fails a policy pinning our team with policy/signer-not-allowed
// on the tool's path; the same tool signed by our team passes.
func TestAttackPkgInnerCodeOtherTeam(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, Require: RequireValid, Signers: []Signer{{TeamID: machofile.TeamID}}}}}
	const tool = "Example-1.4.0.pkg/app.pkg/Payload/usr/local/bin/tool"
	withTool := func(spec machofile.SignSpec) *Report {
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 9}), spec)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := pkgSpec(t)
		for i := range s.Files {
			if s.Files[i].Path == "app.pkg/Payload" {
				s.Files[i].Data = pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
					{Name: ".", Mode: 0o40755}, {Name: "./usr", Mode: 0o40755}, {Name: "./usr/local", Mode: 0o40755},
					{Name: "./usr/local/bin", Mode: 0o40755}, {Name: "./usr/local/bin/tool", Mode: 0o100755, Data: b},
				}))
			}
		}
		p, _ := pkgfile.Build(s)
		r := run(t, Options{Policy: pol}, writePkg(t, p))
		if m := fileByPath(r, tool); m == nil || len(m.Signatures) == 0 {
			t.Fatalf("the tool was not verified: %+v", r.Files)
		}
		return r
	}
	if r := withTool(f.apple.DeveloperIDSpec("com.example.tool")); !r.Summary.Passed {
		t.Fatalf("our team's tool failed: %v", errorRules(r))
	}
	other := f.apple.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Application: Other Corp (OTHER98765)", Organization: "Other Corp", OrganizationalUnit: "OTHER98765",
		KeyN: 21, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
	})
	spec := f.apple.DeveloperIDSpec("com.example.tool")
	spec.TeamID = "OTHER98765"
	s := f.apple.Signer()
	s.Leaf = other
	spec.CMS = s.CMS
	r := withTool(spec)
	if r.Summary.Passed {
		t.Fatal("a tool re-signed by another team passed")
	}
	if m := fileByPath(r, tool); m.Signatures[0].Status != signing.StatusValid {
		t.Errorf("the re-signed tool's signature is %s, want valid (policy refuses it)", m.Signatures[0].Status)
	}
	if got := errorRules(r); len(got) != 1 || got[0] != tool+" "+string(RuleSignerNotAllowed) {
		t.Errorf("errors %v", got)
	}
}
