package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

const (
	extDLL    = "setup.msi/data1.cab/Acme App/app.dll"
	extReadme = "setup.msi/data1.cab/Acme App/readme.txt"
)

// externalInstaller is a signed setup.msi whose Media table names the
// external cabinet data1.cab (InstallShield's layout), with an MsiFileHash
// row for readme.txt, and the cabinet of dll and readme that is to lie
// beside it.
func externalInstaller(t *testing.T, dll, readme []byte) (setup, data1 []byte) {
	s := msi.Installer{Folder: "Acme App", Cabinet: "data1.cab", External: true,
		Files:  map[string][]byte{"app.dll": getFixtures(t).peValid, "readme.txt": []byte("read me, v1")},
		Hashed: map[string][]byte{"readme.txt": []byte("read me, v1")}}
	setup = signMSI(t, msi.BuildInstaller(s))
	s.Files = map[string][]byte{"app.dll": dll, "readme.txt": readme}
	return setup, s.CAB()
}

// TestMSIExternalCabinet: an MSI whose files are in an external cabinet
// beside it (found whatever the case of its name, as Windows finds it) has
// them checked under setup.msi/data1.cab/<installed path>, and the clean
// release raises no finding about them.
func TestMSIExternalCabinet(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	for _, name := range []string{"data1.cab", "DATA1.CAB"} {
		setup, data1 := externalInstaller(t, f.peValid, []byte("read me, v1"))
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"setup.msi": setup, name: data1})
		r := run(t, Options{}, dir)
		fi := fileByPath(r, extDLL)
		if fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Fatalf("%s: %s: %+v", name, extDLL, fi)
		}
		for _, x := range r.Findings {
			if x.Rule == RuleMSIMissingCabinet || x.Rule == RuleMSIFileTableMismatch || x.Severity == signing.SeverityError {
				t.Errorf("%s: %s %s %s: %s", name, x.Severity, x.Rule, x.Path, x.Message)
			}
		}
	}
}

// TestAttackMSIExternalCabinet: the MSI's signature does not cover a
// cabinet beside it, which was taken as a file of its own (its files
// checked under their keys, never against the database). A release that
// lacks the cabinet, whose cabinet holds a readme other than the one
// MsiFileHash records, or a tampered DLL, fails at the installed path.
func TestAttackMSIExternalCabinet(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	setup, _ := externalInstaller(t, f.peValid, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": setup})
	mustFail(t, Options{}, "setup.msi/data1.cab", RuleMSIMissingCabinet, dir)

	setup, data1 := externalInstaller(t, f.peValid, []byte("read me, v2"))
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": setup, "data1.cab": data1})
	mustFail(t, Options{}, extReadme, RuleMSIFileTableMismatch, dir)

	setup, data1 = externalInstaller(t, f.peTampered, []byte("read me, v1"))
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": setup, "data1.cab": data1})
	mustFail(t, Options{}, extDLL, authenticode.RuleDigestMismatch, dir)
}
