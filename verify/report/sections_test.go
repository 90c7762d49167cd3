package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	model "github.com/shipgate/shipgate/report"
)

func TestGitTextLineCountsLargeChange(t *testing.T) {
	r := &model.Report{Git: &model.GitAudit{Until: "u", Protected: 1}, Commits: []model.Commit{{
		Hash: "c", Subject: "s",
		Files: []model.FileChange{
			{Path: "a.go", Status: "modified", Added: 3, Deleted: 1},
			{Path: "b.bin", Status: "added", Binary: true},
			{Path: "big.txt", Status: "modified", Large: true},
			{Path: "gen.txt", Status: "modified", Added: 9000, Deleted: 8000, Large: true},
		},
	}}}
	r.Finalize("")
	var b bytes.Buffer
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"git history (root)..u: 0 commits audited, 1 changes protected paths\n",
		"modified  a.go +3 -1\n",
		"added     b.bin (binary)\n",
		"modified  big.txt (large change: over 8 MiB, lines not counted)\n",
		"modified  gen.txt +9000 -8000 (large change: counts are upper bounds)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "files (") {
		t.Errorf("a git audit's verdict counts files:\n%s", b.String())
	}
}

// Commit subjects, author names and file names come from the repository or
// release under audit; printed raw, an escape sequence or a newline rewrites
// the report a reviewer reads.
func TestTextSectionsEscapeHostileStrings(t *testing.T) {
	forge := "\x1b[2K\r\nPASS: 0 errors\x1b[8m"
	git := &model.Report{Git: &model.GitAudit{Until: "u", Artifact: &model.GitArtifact{Path: "dist" + forge}}, Commits: []model.Commit{{
		Hash: "c", Subject: "fix" + forge,
		Author:    model.Person{Name: "Eve" + forge, Email: "e@x" + forge},
		Committer: model.Person{Name: "Eve", Email: "e@x"},
		Signature: &model.GitSignature{Format: "ssh", Signer: "eve" + forge, Detail: forge},
		Files:     []model.FileChange{{Path: "vendor/x" + forge, Status: "modified"}},
	}}}
	diff := &model.Report{Diff: &model.Diff{ReleaseDiff: &model.ReleaseDiff{Old: "a" + forge, New: "b",
		Binaries: []model.BinaryDelta{{Change: "added", Path: "x.dll" + forge}},
		Files:    []model.FileDelta{{Change: "added", Path: "y" + forge}},
	}}}
	upstream := &model.Report{Diff: &model.Diff{UpstreamDiff: &model.UpstreamDiff{Release: "r" + forge, Zip: "z" + forge,
		Modified: []model.UpstreamFile{{Path: "m" + forge, Upstream: "u" + forge}}, Extra: []string{"e" + forge}, Missing: []string{"x" + forge}}}}
	for name, r := range map[string]*model.Report{"git": git, "diff": diff, "upstream": upstream} {
		r.Finalize("")
		var b bytes.Buffer
		if err := Text(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, seq := range []string{"\x1b", "\r", "\nPASS: 0 errors\\"} {
			if strings.Contains(out, seq) {
				t.Errorf("%s: output holds %q:\n%s", name, seq, out)
			}
		}
	}
}

// TestTextDiffNamesElectronOnlyWhenKnown: a diff of two releases that are
// not Electron apps (npm packages, folders) says nothing of Electron; one of
// Electron apps gives both runtime versions.
func TestTextDiffNamesElectronOnlyWhenKnown(t *testing.T) {
	r := sample()
	r.Diff = twoAdded()
	r.Diff.App = model.VersionChange{Old: "1.0.0", New: "1.0.1"}
	b := write(t, r, FormatText, Options{})
	if !bytes.Contains(b, []byte("\n  app 1.0.0 → 1.0.1\n")) || bytes.Contains(b, []byte("Electron")) {
		t.Errorf("a diff without Electron names it:\n%s", b)
	}
	r.Diff.App = model.VersionChange{}
	b = write(t, r, FormatText, Options{})
	if bytes.Contains(b, []byte("\n  app ")) {
		t.Errorf("a diff of releases that declare no version prints an app line:\n%s", b)
	}
	r.Diff.App = model.VersionChange{Old: "1.0.0", New: "1.0.1"}
	r.Diff.Electron = model.VersionChange{Old: "30.0.0", New: "31.0.0"}
	b = write(t, r, FormatText, Options{})
	if !bytes.Contains(b, []byte("\n  app 1.0.0 → 1.0.1, Electron 30.0.0 → 31.0.0\n")) {
		t.Errorf("a diff of Electron apps does not give the runtime's versions:\n%s", b)
	}
}

// TestGitTextCountsInWords: the git section's line says "1 commit" and
// "1 changes", not "1 commits" and "1 change".
func TestGitTextCountsInWords(t *testing.T) {
	for _, c := range []struct {
		g       model.GitAudit
		commits int
		want    string
	}{
		{model.GitAudit{Until: "u", Protected: 1, RangeSize: 1}, 1, "git history (root)..u: 1 commit audited, 1 changes protected paths\n"},
		{model.GitAudit{Until: "u", Protected: 1, RangeSize: 3}, 2, "git history (root)..u: 3 commits audited, 2 change protected paths\n"},
		{model.GitAudit{Until: "u", RangeSize: 1}, 0, "git history (root)..u: 1 commit, no protected paths to audit it for\n"},
		{model.GitAudit{Until: "u", RangeSize: 2}, 0, "git history (root)..u: 2 commits, no protected paths to audit them for\n"},
	} {
		g := c.g
		r := &model.Report{Git: &g}
		for i := range c.commits {
			r.Commits = append(r.Commits, model.Commit{Hash: fmt.Sprint(i), Subject: "s"})
		}
		r.Finalize("")
		var b bytes.Buffer
		if err := Text(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("text lacks %q:\n%s", c.want, b.String())
		}
	}
}
