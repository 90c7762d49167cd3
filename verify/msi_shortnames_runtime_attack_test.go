package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
)

// TestAttackMSIShortFileNamesSetAtRuntime: SHORTFILENAMES set while the
// installer runs, by AppSearch (from a registry value every machine
// has), by FindRelatedProducts (the Upgrade table's ActionProperty), by a
// dialog's SetProperty event or by an inline VBScript custom action,
// installs "SETUP~1.PS1|readme.txt" as SETUP~1.PS1 as the Property table
// does; only the Property table and type 51 actions were looked at, so
// the unsigned script was checked as readme.txt and passed
// require: valid.
func TestAttackMSIShortFileNamesSetAtRuntime(t *testing.T) {
	t.Parallel()
	script := []byte("Write-Host unsigned\r\n")
	build := func(extra msi.BuildTable) []byte {
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
				Rows: [][]any{{"ProductName", "Acme"}}},
			extra,
		}
		return signMSI(t, msi.BuildNode(tables, map[string][]byte{"app.cab": c}))
	}
	for name, extra := range map[string]msi.BuildTable{
		"AppSearch": {Name: "AppSearch", Columns: []msi.Column{{Name: "Property", Type: colKey}, {Name: "Signature_", Type: colKey}},
			Rows: [][]any{{"SHORTFILENAMES", "WinProduct"}}},
		"Upgrade": {Name: "Upgrade", Columns: []msi.Column{{Name: "UpgradeCode", Type: colKey}, {Name: "ActionProperty", Type: colKey}},
			Rows: [][]any{{"{00000000-0000-0000-0000-000000000001}", "SHORTFILENAMES"}}},
		"ControlEvent": {Name: "ControlEvent", Columns: []msi.Column{{Name: "Dialog_", Type: colKey}, {Name: "Control_", Type: colKey}, {Name: "Event", Type: colKey}, {Name: "Argument", Type: colName}},
			Rows: [][]any{{"Welcome", "Next", "[SHORTFILENAMES]", "1"}}},
		"VBScript": {Name: "CustomAction", Columns: []msi.Column{{Name: "Action", Type: colKey}, {Name: "Type", Type: colI2}, {Name: "Source", Type: colStr}, {Name: "Target", Type: colName}},
			Rows: [][]any{{"Short", 38, nil, `Session.Property("SHORTFILENAMES") = "1"`}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"setup.msi": build(extra)})
			mustFail(t, Options{Policy: requireValid()}, "setup.msi/app.cab/ACME~1/SETUP~1.PS1", RuleUnsigned, dir)
		})
	}
}
