package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// TestPkgComponentDirectoryWithoutPkgSuffix: a Distribution's pkg-ref
// names the component's directory ("#app"), whatever it is called; a
// component in a directory not named *.pkg still has its Payload opened
// and the code inside verified.
func TestPkgComponentDirectoryWithoutPkgSuffix(t *testing.T) {
	s, p := pkgSpec(t)
	bundle := machofile.ExampleBundle(p.PKI)
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
