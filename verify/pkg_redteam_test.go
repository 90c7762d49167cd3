package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
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
