package sbom

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestAttackMSISecondCopy: an MSI whose two File rows install to one path
// (app.exe, a benign and a harmful program in its cabinet) has both
// inventoried, each with its digest, with file/duplicate-entry, and lists
// what verify checks: the benign copy does not hide the other, as
// TestAttackInstallerSecondCopy checks for 7-Zip, cabinets and NSIS.
func TestAttackMSISecondCopy(t *testing.T) {
	t.Parallel()
	a, b := peImage(t, "benign"), peImage(t, "harmful")
	spec := msiSpec{files: map[string][]byte{"app.exe": a, "other.exe": b}, rename: map[string]string{"other.exe": "app.exe"}}
	p := writeFile(t, t.TempDir(), "setup.msi", spec.build())
	inv, _, got, want := sbomAndVerify(t, p, "")
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists %q, verify %q", got, want)
	}
	var sums []string
	for _, bin := range inv.Binaries {
		sums = append(sums, bin.SHA256)
	}
	if !slices.Contains(sums, sum(a)) || !slices.Contains(sums, sum(b)) {
		t.Errorf("binaries %q, want both copies", sums)
	}
	dup := false
	for _, f := range inv.Findings {
		dup = dup || f.Rule == release.RuleDuplicateEntry
	}
	if !dup {
		t.Errorf("no %s finding: %q", release.RuleDuplicateEntry, findingKeys(inv.Findings))
	}
}
