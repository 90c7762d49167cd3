package verify

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/signing/pkg"
)

// TestAttackPkgDistributionDownloadsPackage: a signed product archive whose
// Distribution installs its component from the network, not the
// component inside it (which verifies). The gate fails on the package with
// pkg/distribution-external-package; the component inside is still
// walked, and named by nothing.
func TestAttackPkgDistributionDownloadsPackage(t *testing.T) {
	t.Parallel()
	s, _ := pkgSpec(t)
	for i := range s.Files {
		if s.Files[i].Path == "Distribution" {
			s.Files[i].Data = bytes.ReplaceAll(s.Files[i].Data, []byte(">#app.pkg<"), []byte(">https://updates.example.net/app.pkg<"))
		}
	}
	b, _ := pkgfile.Build(s)
	r := mustFail(t, Options{}, "Example-1.4.0.pkg", pkg.RuleDistributionExternalPackage, writePkg(t, b))
	if got := rulesFor(r, "Example-1.4.0.pkg"); !has(got, "warning "+string(pkg.RuleDistributionUnreferencedComponent)) {
		t.Errorf("package findings %v", got)
	}
	if fileByPath(r, pkgApp+"/Contents/MacOS/Example") == nil {
		t.Errorf("the unreferenced component's payload was not walked")
	}
}
