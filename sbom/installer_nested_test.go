package sbom

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/verify"
)

// TestInstallerNestedMSIInventory inventories what an MSI's sub-storages
// hold as verify checks it, through the walker both share: the files of
// the database a type 7 custom action installs (a cabinet nested in its
// cabinet too), an embedded transform's added stream and a foreign
// storage's streams; both list the same paths and report the same
// storage findings.
func TestInstallerNestedMSIInventory(t *testing.T) {
	t.Parallel()
	dll := peImage(t, "x")
	inner := cab.Build([]cab.BuildFile{{Name: "deep.dll", Data: dll}}, cab.BuildOptions{Method: cab.MethodMSZIP})
	nested := msi.BuildInstaller(msi.Installer{Folder: "Inner", Files: map[string][]byte{"b.dll": dll, "more.cab": inner}, Binary: map[string][]byte{"NCA": dll}})
	transform := &cfb.Node{CLSID: msi.TransformCLSID, Children: []*cfb.Node{{Name: msi.EncodeName("Binary.Added", false), Data: dll}}}
	stash := &cfb.Node{Children: []*cfb.Node{{Name: "x", Data: []byte("data")}}}
	root := msi.BuildInstaller(msi.Installer{Folder: "Acme", Files: map[string][]byte{"a.dll": dll},
		Storages:       map[string]*cfb.Node{"nested": nested, "t.mst": transform, "stash": stash},
		NestedInstalls: map[string]string{"RunNested": "nested"}})
	p := writeFile(t, t.TempDir(), "setup.msi", cfb.Build(root))
	inv, rep, got, want := sbomAndVerify(t, p, "")
	wantPaths := []string{"setup.msi", "setup.msi/app.cab/Acme/a.dll", "setup.msi/nested/Binary/NCA", "setup.msi/nested/app.cab/Inner/b.dll",
		"setup.msi/nested/app.cab/Inner/more.cab", "setup.msi/nested/app.cab/Inner/more.cab/deep.dll", "setup.msi/stash/x", "setup.msi/t.mst/Binary.Added"}
	if !slices.Equal(got, want) || !slices.Equal(got, wantPaths) {
		t.Errorf("sbom lists\n%s\nverify\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if binaryAt(inv, "setup.msi/nested/app.cab/Inner/more.cab/deep.dll") == nil {
		t.Error("the nested database's nested cabinet's DLL is not a binary")
	}
	var vf []string
	for _, f := range rep.Findings {
		if f.Rule == verify.RuleMSIEmbeddedTransform || f.Rule == verify.RuleMSIUnknownStorage {
			vf = append(vf, f.Severity.String()+" "+string(f.Rule)+" "+f.Path)
		}
	}
	var sf []string
	for _, f := range inv.Findings {
		sf = append(sf, f.Severity.String()+" "+string(f.Rule)+" "+f.Path)
	}
	slices.Sort(vf)
	slices.Sort(sf)
	if len(vf) != 2 || !slices.Equal(sf, vf) {
		t.Errorf("sbom finds %q, verify %q", sf, vf)
	}
}
