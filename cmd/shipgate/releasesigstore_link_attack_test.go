package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/verify"
)

// A file named as the Sigstore bundle of a sibling is exempt from a rule
// requiring bundles; a symbolic link "tool" to "tool.sigstore.json" made the
// file it reaches (a script, installed and run as dist/tool) exempt as its
// own bundle, so it passed with no bundle at all. The same in a zip.
func TestAttackSigstoreBundleBesideLinkToItself(t *testing.T) {
	t.Parallel()
	script := []byte("#!/bin/sh\necho pwned\n")
	files := map[string][]byte{"dist/tool.sigstore.json": script}
	r := sigstoreCase(t, sigstoreKeylessPolicy, files, func(dir string) string {
		if err := os.Symlink("tool.sigstore.json", filepath.Join(dir, "dist", "tool")); err != nil {
			t.Skip("no symbolic links here:", err)
		}
		return dir
	})
	if got := findingsOf(r, verify.RuleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool.sigstore.json: ") {
		t.Errorf("folder: passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
	r = sigstoreCase(t, sigstoreKeylessPolicy, nil, func(dir string) string {
		return writeReleaseFile(t, filepath.Join(dir, "rel.zip"), makeZip(t, []zipEntry{
			{name: "dist/tool.sigstore.json", data: script},
			{name: "dist/tool", data: []byte("tool.sigstore.json"), mode: fs.ModeSymlink | 0o777},
		}))
	})
	if got := findingsOf(r, verify.RuleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool.sigstore.json: ") {
		t.Errorf("zip: passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
}

// A rule requiring Sigstore bundles under dist/ did not judge a link there:
// dist/tool, a link to other/tool (a script no rule requires a bundle
// for), passed with no bundle, as links were held to the rules for their
// paths only for native code and forbidden kinds.
func TestAttackSigstoreRuleThroughLink(t *testing.T) {
	t.Parallel()
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
	if got := findingsOf(r, verify.RuleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/tool: ") {
		t.Errorf("passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
	// A link to a file under the same rule, checked with its bundle there,
	// and a link from outside the rule, pass.
	r = sigstoreCase(t, sigstoreKeylessPolicy, files, links([2]string{"dist/current.tar.gz", "libffmpeg.tar.gz"}, [2]string{"other/lib.tar.gz", "../dist/libffmpeg.tar.gz"}))
	if !r.Summary.Passed {
		t.Errorf("links to a bundled artifact fail: %v", r.Findings)
	}
}

// A file named as a Sigstore bundle is exempt from the rule requiring
// bundles only when it was verified as one, over the exact bytes of the
// regular file it names. A bundle next to a symbolic link is not (the link
// could reach a file with no bundle, or the "bundle" itself), and neither is
// one next to a file no Sigstore rule matches, which was never verified.
func TestAttackSigstoreBundleBesideLinkOrUncheckedFile(t *testing.T) {
	t.Parallel()
	artifact := sigstoreTestdata(t, "artifact.txt")
	bundle := sigstoreTestdata(t, "keyless.sigstore.json")
	files := map[string][]byte{
		"dist/libffmpeg-1.tar.gz":               artifact,
		"dist/libffmpeg-1.tar.gz.sigstore.json": bundle,
	}
	link := func(dir string) string {
		symlinkTree(t, dir, [][2]string{{"dist/libffmpeg.tar.gz", "libffmpeg-1.tar.gz"}})
		return dir
	}
	// The link alone, its target bundled: passes.
	if r := sigstoreCase(t, sigstoreKeylessPolicy, files, link); !r.Summary.Passed {
		t.Errorf("a link to a bundled artifact fails: %v", r.Findings)
	}
	// A bundle next to the link: no bundle, reported.
	files["dist/libffmpeg.tar.gz.sigstore.json"] = bundle
	r := sigstoreCase(t, sigstoreKeylessPolicy, files, link)
	if got := findingsOf(r, verify.RuleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.HasPrefix(got[0], "dist/libffmpeg.tar.gz.sigstore.json: ") {
		t.Errorf("bundle next to a link: passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
	// A rule for the bundles only: the file they name is not verified
	// against them, so they are not exempt.
	only := strings.Replace(sigstoreKeylessPolicy, `["dist/**"]`, `["dist/*.json"]`, 1)
	files = map[string][]byte{"dist/notes": []byte("#!/bin/sh\n"), "dist/notes.sigstore.json": []byte("#!/bin/sh\necho pwned\n")}
	r = sigstoreCase(t, only, files, nil)
	if got := findingsOf(r, verify.RuleSigstoreMissing); r.Summary.Passed || len(got) != 1 || !strings.Contains(got[0], "no Sigstore rule matches notes") {
		t.Errorf("bundle of an unchecked file: passed %v, %s findings %q", r.Summary.Passed, verify.RuleSigstoreMissing, got)
	}
}
