package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
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
