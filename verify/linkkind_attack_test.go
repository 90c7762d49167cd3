package verify

import (
	"archive/tar"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestAttackScriptLinkToOtherFile: a script's kind comes from its name, so
// a tarball's hard link or symbolic link named install.ps1 (or run.vbs) to
// payload.txt is a script where GNU tar, bsdtar or Windows' tar.exe put
// it, while payload.txt was checked as an other file: an unsigned script
// passed `require: valid`, and any policy. Such a link is
// file/link-kind-mismatch now, in a tarball and in a folder; a link named
// as a script to a signed script of that kind is not.
func TestAttackScriptLinkToOtherFile(t *testing.T) {
	t.Parallel()
	payload := []byte("Invoke-Payload\r\n")
	ps1 := signedPS1(t, "Write-Host hello\r\n")
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"a.tar": makeTar(t,
		tarEntry{name: "payload.txt", data: payload},
		tarEntry{name: "install.ps1", typ: tar.TypeLink, link: "payload.txt"},
		tarEntry{name: "run.vbs", typ: tar.TypeSymlink, link: "payload.txt"},
		tarEntry{name: "ok.ps1", data: ps1},
		tarEntry{name: "also.ps1", typ: tar.TypeLink, link: "ok.ps1"},
		tarEntry{name: "notes.txt", typ: tar.TypeSymlink, link: "payload.txt"},
	)})
	r := run(t, Options{}, dir)
	if r.Summary.Passed {
		t.Error("the gate passed")
	}
	for _, p := range []string{"a.tar/install.ps1", "a.tar/run.vbs"} {
		if !has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q, want %s", p, rulesFor(r, p), RuleLinkKindMismatch)
		}
	}
	for _, p := range []string{"a.tar/also.ps1", "a.tar/notes.txt"} {
		if has(rulesFor(r, p), "error "+string(RuleLinkKindMismatch)) {
			t.Errorf("%s: findings %q", p, rulesFor(r, p))
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	loose := t.TempDir()
	writeTree(t, loose, map[string][]byte{"payload.txt": payload})
	if err := os.Symlink("payload.txt", filepath.Join(loose, "install.ps1")); err != nil {
		t.Fatal(err)
	}
	r = run(t, Options{}, loose)
	if r.Summary.Passed || !has(rulesFor(r, "install.ps1"), "error "+string(RuleLinkKindMismatch)) {
		t.Errorf("folder: passed %v, findings %q", r.Summary.Passed, rulesFor(r, "install.ps1"))
	}
}
