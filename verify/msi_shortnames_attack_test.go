package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
)

// TestAttackMSIShortFileNames: an MSI whose Property table sets
// SHORTFILENAMES is installed under the short names of its "short|long"
// FileName and DefaultDir values. A PowerShell script named
// "SETUP~1.PS1|readme.txt" was checked as readme.txt, an other file, so
// its missing signature passed require: valid, while msiexec writes it as
// SETUP~1.PS1. The same name with the property unset installs as
// readme.txt and passes.
func TestAttackMSIShortFileNames(t *testing.T) {
	t.Parallel()
	script := []byte("Write-Host unsigned\r\n")
	build := func(props [][]any) []byte {
		c := cab.Build([]cab.BuildFile{{Name: "Script", Data: script}}, cab.BuildOptions{Method: cab.MethodMSZIP})
		tables := []msi.BuildTable{
			{Name: "Media", Columns: []msi.Column{{Name: "DiskId", Type: colI2Key}, {Name: "LastSequence", Type: colI4}, {Name: "Cabinet", Type: colStr}},
				Rows: [][]any{{1, 1, "#app.cab"}}},
			{Name: "File", Columns: []msi.Column{{Name: "File", Type: colKey}, {Name: "Component_", Type: colKey}, {Name: "FileName", Type: colName}, {Name: "FileSize", Type: colI4}, {Name: "Sequence", Type: colI4}},
				Rows: [][]any{{"Script", "Main", "SETUP~1.PS1|readme.txt", len(script), 1}}},
			{Name: "Component", Columns: []msi.Column{{Name: "Component", Type: colKey}, {Name: "Directory_", Type: colKey}},
				Rows: [][]any{{"Main", "INSTALLDIR"}}},
			{Name: "Directory", Columns: []msi.Column{{Name: "Directory", Type: colKey}, {Name: "Directory_Parent", Type: colStr}, {Name: "DefaultDir", Type: colName}},
				Rows: [][]any{{"TARGETDIR", nil, "SourceDir"}, {"ProgramFilesFolder", "TARGETDIR", "."}, {"INSTALLDIR", "ProgramFilesFolder", "ACME~1|Acme App"}}},
			{Name: "Property", Columns: []msi.Column{{Name: "Property", Type: colKey}, {Name: "Value", Type: colName}},
				Rows: append([][]any{{"ProductName", "Acme"}}, props...)},
		}
		return signMSI(t, msi.BuildNode(tables, map[string][]byte{"app.cab": c}))
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"setup.msi": build([][]any{{"SHORTFILENAMES", "1"}})})
	r := mustFail(t, Options{Policy: requireValid()}, "setup.msi/app.cab/ACME~1/SETUP~1.PS1", RuleUnsigned, dir)
	if fi := fileByPath(r, "setup.msi/app.cab/ACME~1/SETUP~1.PS1"); fi == nil || fi.Kind != KindPowerShell {
		t.Errorf("the script: %+v", fi)
	}
	long := t.TempDir()
	writeTree(t, long, map[string][]byte{"setup.msi": build(nil)})
	r = run(t, Options{Policy: requireValid()}, long)
	if fileByPath(r, "setup.msi/app.cab/Acme App/readme.txt") == nil || !r.Summary.Passed {
		t.Errorf("long names: %+v", r.Findings)
	}
}
