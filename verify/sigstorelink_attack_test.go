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

// A rule requiring Sigstore bundles under dist/ did not judge a link there:
// dist/tool, a link to other/tool (a script no rule requires a bundle
// for), passed with no bundle, as links were held to the rules for their
// paths only for native code and forbidden kinds.
func TestAttackSigstoreRuleThroughLink(t *testing.T) {
	files := map[string][]byte{
		"other/tool":                          []byte("#!/bin/sh\necho pwned\n"),
		"dist/libffmpeg.tar.gz":               sigstoreTestdata(t, "artifact.txt"),
		"dist/libffmpeg.tar.gz.sigstore.json": sigstoreTestdata(t, "keyless.sigstore.json"),
	}
	links := func(ls ...[2]string) func(string) string {
		return func(dir string) string {
			symlinkTree(t, dir, ls)
			return dir
		}
	}
	r := sigstoreCase(t, sigstoreKeylessPolicy, files, links([2]string{"dist/tool", "../other/tool"}))
	if got := findingsOf(r, ruleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool: ") {
		t.Errorf("passed %v, %s findings %q", r.Summary.Passed, ruleSigstoreMissing, got)
	}
	// A link to a file under the same rule, checked with its bundle there,
	// and a link from outside the rule, pass.
	r = sigstoreCase(t, sigstoreKeylessPolicy, files, links([2]string{"dist/current.tar.gz", "libffmpeg.tar.gz"}, [2]string{"other/lib.tar.gz", "../dist/libffmpeg.tar.gz"}))
	if !r.Summary.Passed {
		t.Errorf("links to a bundled artifact fail: %v", r.Findings)
	}
}
