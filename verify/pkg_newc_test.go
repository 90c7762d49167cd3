package verify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackPkgNewcPayload: a signed package whose Payload is a newc cpio
// archive (which pkg's reader once refused, leaving the app inside
// unchecked behind a malformed-payload error) is opened like an odc one:
// the intact app inside verifies, and the app with a changed
// libffmpeg.dylib fails with the Mach-O's own rule.
func TestAttackPkgNewcPayload(t *testing.T) {
	t.Parallel()
	for _, tampered := range []bool{false, true} {
		s, _ := pkgSpec(t)
		bundle := exampleBundle(t)
		if tampered {
			lib := "Example.app/Contents/Frameworks/Example Framework.framework/Versions/A/Libraries/libffmpeg.dylib"
			f := bundle[lib]
			f.Data = bytes.Clone(f.Data)
			f.Data[0x1100] ^= 0x5a
			bundle[lib] = f
		}
		for i := range s.Files {
			if s.Files[i].Path == "app.pkg/Payload" {
				s.Files[i].Data = pkgfile.Gzip(pkgfile.CPIONewc(pkgfile.BundleCPIO("Applications", bundle), true))
			}
		}
		b, _ := pkgfile.Build(s)
		r := run(t, Options{}, writePkg(t, b))
		errs := strings.Join(errorRules(r), "\n")
		if tampered != strings.Contains(errs, "libffmpeg.dylib codesign/page-hash-mismatch") || strings.Contains(errs, "payload-malformed") {
			t.Errorf("tampered %v: errors:\n%s", tampered, errs)
		}
		if !tampered && errs != "" {
			t.Errorf("intact: errors:\n%s", errs)
		}
		exe := fileByPath(r, pkgApp+"/Contents/MacOS/Example")
		if exe == nil || len(exe.Signatures) != 1 || exe.Signatures[0].Status != signing.StatusValid {
			t.Errorf("tampered %v: main executable not verified: %+v", tampered, exe)
		}
	}
}
