package verify

import (
	"archive/tar"
	"os"
	"testing"
)

// TestAttackTerminalScriptLinkToOtherFile: a tarball's hard link or
// symbolic link named Install.command (or .terminal) to a file named
// payload is a Terminal script where it is extracted, which Finder runs,
// while payload was checked as an other file: an unsigned script passed
// `require: valid`. Such a link is file/link-kind-mismatch now, in a
// tarball's app too, whose seal is not checked (a file there is a
// terminal-script as well).
func TestAttackTerminalScriptLinkToOtherFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"a.tar": makeTar(t,
		tarEntry{name: "payload", data: terminalScript},
		tarEntry{name: "Install.command", typ: tar.TypeLink, link: "payload"},
		tarEntry{name: "Open.terminal", typ: tar.TypeSymlink, link: "payload"},
		tarEntry{name: "Tool.app/Contents/Resources/run.command", typ: tar.TypeLink, link: "payload"},
		tarEntry{name: "notes", typ: tar.TypeSymlink, link: "payload"},
	)})
	r := run(t, Options{Policy: requireValid()}, dir)
	if r.Summary.Passed {
		t.Error("require: valid passed")
	}
	for _, p := range []string{"a.tar/Install.command", "a.tar/Open.terminal", "a.tar/Tool.app/Contents/Resources/run.command"} {
		if !has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q, want %s", p, rulesFor(r, p), RuleLinkKindMismatch)
		}
	}
	for _, p := range []string{"a.tar/notes"} {
		if has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q", p, rulesFor(r, p))
		}
	}
}

// TestAttackTerminalScriptLinkInFakeBundle: a link named Install.command
// was passed over whenever a folder above it had a bundle's extension,
// bundle or not: in a zip archive, Foo.framework/Install.command to a
// file named payload (Finder opens a .framework as a folder, whose
// Install.command a double click runs) passed require: valid. Only a
// bundle verified as one, whose seal covers its files, keeps its links
// from the check: Example.app's run.command is not a mismatch.
func TestAttackTerminalScriptLinkInFakeBundle(t *testing.T) {
	t.Parallel()
	entries := []zipEntry{
		{name: "payload", data: terminalScript},
		{name: "Foo.framework/Install.command", data: []byte("../payload"), mode: os.ModeSymlink | 0o777},
		{name: "Example.app/Contents/Resources/run.command", data: []byte("../../../payload"), mode: os.ModeSymlink | 0o777},
	}
	for name, f := range exampleBundle(t) {
		entries = append(entries, zipEntry{name: name, data: f.Data, mode: f.Mode})
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"a.zip": makeZip(t, entries)})
	r := run(t, Options{Policy: requireValid()}, dir)
	if got := rulesFor(r, "a.zip/Foo.framework/Install.command"); !has(got, "error "+string(RuleLinkKindMismatch)) {
		t.Errorf("Foo.framework/Install.command: findings %q, want %s", got, RuleLinkKindMismatch)
	}
	if got := rulesFor(r, "a.zip/Example.app/Contents/Resources/run.command"); has(got, "error "+string(RuleLinkKindMismatch)) {
		t.Errorf("Example.app's run.command: findings %q", got)
	}
}
