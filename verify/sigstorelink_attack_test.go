package verify

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file named as the Sigstore bundle of a sibling is exempt from a rule
// requiring bundles; a symbolic link "tool" to "tool.sigstore.json" made the
// file it reaches (a script, installed and run as dist/tool) exempt as its
// own bundle, so it passed with no bundle at all. The same in a zip.
func TestAttackSigstoreBundleBesideLinkToItself(t *testing.T) {
	script := []byte("#!/bin/sh\necho pwned\n")
	files := map[string][]byte{"dist/tool.sigstore.json": script}
	r := sigstoreCase(t, sigstoreKeylessPolicy, files, func(dir string) string {
		if err := os.Symlink("tool.sigstore.json", filepath.Join(dir, "dist", "tool")); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		return dir
	})
	if got := findingsOf(r, ruleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool.sigstore.json: ") {
		t.Errorf("folder: passed %v, %s findings %q", r.Summary.Passed, ruleSigstoreMissing, got)
	}
	r = sigstoreCase(t, sigstoreKeylessPolicy, nil, func(dir string) string {
		return writeFile(t, filepath.Join(dir, "rel.zip"), makeZip(t, []zipEntry{
			{name: "dist/tool.sigstore.json", data: script},
			{name: "dist/tool", data: []byte("tool.sigstore.json"), mode: fs.ModeSymlink | 0o777},
		}))
	})
	if got := findingsOf(r, ruleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool.sigstore.json: ") {
		t.Errorf("zip: passed %v, %s findings %q", r.Summary.Passed, ruleSigstoreMissing, got)
	}
}
