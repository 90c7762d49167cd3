package verify

import (
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// TestAttackResourceMSIPayload: a signed MSI wrapper (a PE that writes
// the MSI it keeps as an RT_RCDATA resource to disk and runs msiexec on
// it) whose MSI installs a tampered DLL passed require: valid: the PE was
// no container, so the MSI and its files were never seen. The MSI is now
// checked as a file under setup.exe/$RSRC/10/1/1033, and opened.
func TestAttackResourceMSIPayload(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	wrap := func(dll []byte) []byte {
		img, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: squirrel.RTRCData, ID: 1, Data: installer{dll: dll, customAction: f.peValid}.signed(t)}})
		if err != nil {
			t.Fatal(err)
		}
		return signInstaller(t, img)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.exe": wrap(f.peTampered)})
	const msiPath = "setup.exe/$RSRC/10/1/1033"
	r := mustFail(t, Options{Policy: requireValid()}, msiPath+"/app.cab/Acme App/app.dll", authenticode.RuleDigestMismatch, dir)
	for _, p := range []string{"setup.exe", msiPath} {
		if fi := fileByPath(r, p); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v", p, fi)
		}
	}
	good := t.TempDir()
	writeTree(t, good, map[string][]byte{"setup.exe": wrap(f.peValid)})
	if r := run(t, Options{Policy: requireValid()}, good); !r.Summary.Passed {
		t.Errorf("the intact wrapper fails: %+v", r.Findings)
	}
}
