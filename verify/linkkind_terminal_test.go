package verify

import (
	"archive/tar"
	"testing"
)

// TestAttackTerminalScriptLinkToOtherFile: a tarball's hard link or
// symbolic link named Install.command (or .terminal) to a file named
// payload is a Terminal script where it is extracted, which Finder runs,
// while payload was checked as an other file: an unsigned script passed
// `require: valid`. Such a link is file/link-kind-mismatch now; one
// inside an Apple bundle, which the bundle's seal covers, is not.
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
	for _, p := range []string{"a.tar/Install.command", "a.tar/Open.terminal"} {
		if !has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q, want %s", p, rulesFor(r, p), RuleLinkKindMismatch)
		}
	}
	for _, p := range []string{"a.tar/Tool.app/Contents/Resources/run.command", "a.tar/notes"} {
		if has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q", p, rulesFor(r, p))
		}
	}
}
