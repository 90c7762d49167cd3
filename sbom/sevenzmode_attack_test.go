package sbom

import (
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
)

// A set-user-ID program in a 7-Zip archive, which bsdtar -xp as root
// installs so, was inventoried without a finding: it is file/setuid, as
// verify reports it (TestAttackSevenZipSetuid).
func TestAttackSBOMSevenZipSetuid(t *testing.T) {
	arc := sevenz.Build([]sevenz.BuildFile{{Name: "readme.txt", Data: []byte("hi")}, {Name: "bin/tool", Data: []byte("#!/bin/sh\n"), Attrib: 0x8DED8000}})
	inv := openInv(t, writeFile(t, t.TempDir(), "app-64.7z", arc))
	if got, want := findingsOf(inv), string(release.RuleSetuid)+" app-64.7z/bin/tool"; got != want {
		t.Errorf("findings %q, want %q", got, want)
	}
}
