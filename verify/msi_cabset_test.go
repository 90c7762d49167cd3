package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// embeddedSetInstaller is a signed setup.msi whose Media table names two
// embedded cabinets, drivers1.cab and drivers2.cab, that form a set: the
// data of evil.dll (dll) continues from the first into the second. drop
// leaves a cabinet's stream out.
func embeddedSetInstaller(t *testing.T, dll []byte, drop string) []byte {
	f := getFixtures(t)
	cabs := cabSet([]cab.BuildFile{{Name: "ok.dll", Data: f.peValid}, {Name: "evil.dll", Data: dll}}, "drivers1.cab", "drivers2.cab")
	streams := map[string][]byte{"drivers1.cab": cabs[0], "drivers2.cab": cabs[1]}
	delete(streams, drop)
	root := msi.BuildNode([]msi.BuildTable{
		{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: msi.ColI2Key}, {Name: "LastSequence", Type: msi.ColI4}, {Name: "Cabinet", Type: msi.ColStr}},
			Rows: [][]any{{1, 1, "#drivers1.cab"}, {2, 2, "#drivers2.cab"}}},
		{Name: "File", Columns: []msi.Column{{Name: "File", Type: msi.ColKey}, {Name: "Component_", Type: msi.ColKey}, {Name: "FileName", Type: msi.ColName}, {Name: "FileSize", Type: msi.ColI4}, {Name: "Sequence", Type: msi.ColI4}},
			Rows: [][]any{{"ok.dll", "Main", "ok.dll", len(f.peValid), 1}, {"evil.dll", "Main", "evil.dll", len(dll), 2}}},
		{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: msi.ColKey}, {Name: "Directory_", Type: msi.ColKey}}, Rows: [][]any{{"Main", "INSTALLDIR"}}},
		{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: msi.ColKey}, {Name: "Directory_Parent", Type: msi.ColStr}, {Name: "DefaultDir", Type: msi.ColName}},
			Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"INSTALLDIR", "TARGETDIR", "Acme"}}},
	}, streams)
	return signMSI(t, root)
}

// TestAttackMSIEmbeddedCabinetSet: an MSI whose embedded cabinets form a
// set (a file's data continued from one stream into the next, as a media
// split across cabinets writes them) had the continued file reported as
// cab/not-opened, never checked. The set is joined from the database's
// streams and walked once, under its first cabinet: the clean one is
// valid with no error and nothing under the second cabinet; a tampered
// continued DLL fails for its digest; a set missing a stream is still not
// read in part.
func TestAttackMSIEmbeddedCabinetSet(t *testing.T) {
	f := getFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": embeddedSetInstaller(t, f.peValid, "")})
	r := run(t, Options{Policy: requireValid()}, dir)
	for _, p := range []string{"setup.msi/drivers1.cab/Acme/ok.dll", "setup.msi/drivers1.cab/Acme/evil.dll"} {
		if fi := fileByPath(r, p); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
			t.Errorf("%s: %+v", p, fi)
		}
	}
	for _, x := range r.Findings {
		if x.Severity != signing.SeverityNote {
			t.Errorf("%s %s %s: %s", x.Severity, x.Rule, x.Path, x.Message)
		}
	}
	for _, fi := range r.Files {
		if strings.HasPrefix(fi.Path, "setup.msi/drivers2.cab") {
			t.Errorf("a file reported under the second cabinet: %s", fi.Path)
		}
	}

	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": embeddedSetInstaller(t, f.peTampered, "")})
	mustFail(t, Options{}, "setup.msi/drivers1.cab/Acme/evil.dll", authenticode.RuleDigestMismatch, dir)

	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": embeddedSetInstaller(t, f.peValid, "drivers2.cab")})
	r = mustFail(t, Options{}, "setup.msi/drivers1.cab", RuleCABNotOpened, dir)
	if fi := fileByPath(r, "setup.msi/drivers1.cab/Acme/evil.dll"); fi != nil {
		t.Errorf("a continued file of a broken set is reported as checked: %+v", fi)
	}
}
