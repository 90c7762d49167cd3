package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// TestAttackCABSetInArchive: a cabinet set zipped (or tarred) together had
// its continued files reported as cab/not-opened, as the walker saw no
// cabinet beside one in an archive. The set is joined from the archive's
// entries (compressed ones read into memory): its files are checked under
// the first cabinet, a tampered continued DLL fails.
func TestAttackCABSetInArchive(t *testing.T) {
	f := getFixtures(t)
	for _, tampered := range []bool{false, true} {
		dll := f.peValid
		if tampered {
			dll = f.peTampered
		}
		cabs := cabSet([]cab.BuildFile{{Name: "ok.dll", Data: f.peValid}, {Name: "evil.dll", Data: dll}}, "drivers1.cab", "drivers2.cab")
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{
			"drivers.zip": makeZip(t, []zipEntry{{name: "x64/drivers1.cab", data: cabs[0]}, {name: "x64/drivers2.cab", data: cabs[1]}}),
			"drivers.tar": makeTar(t, tarEntry{name: "x64/drivers1.cab", data: cabs[0]}, tarEntry{name: "x64/drivers2.cab", data: cabs[1]}),
		})
		for _, a := range []string{"drivers.zip", "drivers.tar"} {
			p := a + "/x64/drivers1.cab/evil.dll"
			if tampered {
				mustFail(t, Options{}, p, authenticode.RuleDigestMismatch, dir)
				continue
			}
			r := run(t, Options{}, dir)
			if fi := fileByPath(r, p); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: %+v", p, fi)
			}
			for _, x := range r.Findings {
				if x.Severity == signing.SeverityError {
					t.Errorf("%s %s: %s", x.Rule, x.Path, x.Message)
				}
			}
		}
	}
}

// TestAttackMSIExternalCabinetInArchive: an MSI shipped in a zip or
// tarball with its external cabinet beside it had the cabinet noted
// (file/unchecked-archive) and checked only as a file of its own, never
// against the File table; a release that lacked it passed. The cabinet is
// opened from the archive now: a readme other than MsiFileHash's fails at
// its installed path, a missing cabinet is msi/missing-cabinet, and the
// clean release has no error.
func TestAttackMSIExternalCabinetInArchive(t *testing.T) {
	f := getFixtures(t)
	setup, good := externalInstaller(t, f.peValid, []byte("read me, v1"))
	_, bad := externalInstaller(t, f.peValid, []byte("read me, v2"))
	for _, c := range []struct {
		name  string
		cab   []byte
		fail  string
		rule  string
		clean bool
	}{
		{"clean", good, "", "", true},
		{"readme", bad, "/setup.msi/data1.cab/Acme App/readme.txt", string(RuleMSIFileTableMismatch), false},
		{"missing", nil, "/setup.msi/data1.cab", string(RuleMSIMissingCabinet), false},
	} {
		zipped := []zipEntry{{name: "setup.msi", data: setup}}
		tarred := []tarEntry{{name: "setup.msi", data: setup}}
		if c.cab != nil {
			zipped = append(zipped, zipEntry{name: "data1.cab", data: c.cab})
			tarred = append(tarred, tarEntry{name: "data1.cab", data: c.cab})
		}
		for a, b := range map[string][]byte{"release.zip": makeZip(t, zipped), "release.tar": makeTar(t, tarred...)} {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{a: b})
			if !c.clean {
				mustFail(t, Options{}, a+c.fail, signing.Rule(c.rule), dir)
				continue
			}
			r := run(t, Options{}, dir)
			if fi := fileByPath(r, a+"/setup.msi/data1.cab/Acme App/app.dll"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
				t.Errorf("%s: app.dll: %+v", a, fi)
			}
			for _, x := range r.Findings {
				if x.Severity == signing.SeverityError || x.Rule == RuleUncheckedArchive {
					t.Errorf("%s: %s %s %s: %s", a, x.Severity, x.Rule, x.Path, x.Message)
				}
			}
		}
	}
}
