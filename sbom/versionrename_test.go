package sbom

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

// TestDiffVersionedNames: a release folder holding its installers named by
// version (acme-1.0.0.msi, then acme-1.1.0.msi) diffs installer to
// installer, so that a binary changed inside one is reported as changed
// under an unchanged version, not hidden among every file removed and
// added. A name is paired only when exactly one name on each side matches
// and the new release lacks the old spelling.
func TestDiffVersionedNames(t *testing.T) {
	t.Parallel()
	inv := func(files ...string) *Inventory {
		i := &Inventory{Layout: LayoutFiles}
		for _, f := range files {
			p, sum, _ := strings.Cut(f, "=")
			i.Files = append(i.Files, File{Path: p, SHA256: sum})
		}
		i.Binaries = []Binary{{Path: "acme-1.0.0.msi/app.cab/a.dll", SHA256: "d1", Kind: KindPE, Version: "1.0.0.0",
			Signature: signed(signing.StatusValid, "CN=Acme")}}
		return i
	}
	old := inv("README=r", "acme-1.0.0.msi=m1", "acme-1.0.0.msi/app.cab/a.dll=d1")
	nw := inv("README=r", "acme-1.1.0.msi=m2", "acme-1.1.0.msi/app.cab/a.dll=d2")
	nw.Binaries[0].Path, nw.Binaries[0].SHA256 = "acme-1.1.0.msi/app.cab/a.dll", "d2"
	d := Diff(old, nw)
	var files []string
	for _, f := range d.Files {
		files = append(files, f.Change+" "+f.Path)
	}
	if want := []string{"changed acme-1.1.0.msi", "changed acme-1.1.0.msi/app.cab/a.dll"}; !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
	if got := strings.Join(findingKeys(d.Findings), "\n"); !strings.Contains(got, "error diff/changed-same-version acme-1.1.0.msi/app.cab/a.dll") {
		t.Errorf("findings:\n%s", got)
	}

	// Two candidates on one side, or the old name still present: no pairing.
	for name, c := range map[string][2]*Inventory{
		"two old":       {inv("acme-1.0.0.msi=m1", "acme-1.0.1.msi=m3"), inv("acme-1.1.0.msi=m2")},
		"two new":       {inv("acme-1.0.0.msi=m1"), inv("acme-1.1.0.msi=m2", "acme-1.2.0.msi=m3")},
		"old name kept": {inv("acme-1.0.0.msi=m1"), inv("acme-1.0.0.msi=m1", "acme-1.1.0.msi=m2")},
		"no version":    {inv("acme.msi=m1"), inv("acme-x.msi=m2")},
	} {
		d := Diff(c[0], c[1])
		for _, f := range d.Files {
			if f.Change == "changed" {
				t.Errorf("%s: %s paired: %+v", name, f.Path, d.Files)
			}
		}
	}
}

// TestVersionKeySkipsNamesWithoutNumbers: versionKey, which runs the
// regexp only on names with a digit, a dot and a digit in a row, gives
// what the regexp gives on every name.
func TestVersionKeySkipsNamesWithoutNumbers(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", ".", "1", "1.", ".1", "1.2", "a1.b", "f03.js", "pkg0700", "v10.0.1-beta", "x.y.z",
		"acme-1.4.0.msi", "lib.2", "2.lib", "1..2", "a.1.b", "1.2.3.4.5"} {
		if got, want := versionKey(name), versionNumber.ReplaceAllString(name, "#"); got != want {
			t.Errorf("versionKey(%q) = %q, want %q", name, got, want)
		}
	}
}
