package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/git"
	"github.com/shipgate/shipgate/sbom"
)

// Commit subjects, author names and file names come from the repository or
// release under audit; printed raw, an escape sequence or a newline rewrites
// the report a reviewer reads.
func TestTextSectionsEscapeHostileStrings(t *testing.T) {
	forge := "\x1b[2K\r\nPASS: 0 errors\x1b[8m"
	var b bytes.Buffer
	g := &gitSection{res: &git.Result{Until: "u", Commits: []git.Commit{{
		Hash: "c", Subject: "fix" + forge,
		Author:    git.Person{Name: "Eve" + forge, Email: "e@x" + forge},
		Committer: git.Person{Name: "Eve", Email: "e@x"},
		Files:     []git.FileChange{{Path: "vendor/x" + forge, Status: "modified"}},
	}}}}
	if err := g.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	d := &diffSection{Old: "a" + forge, New: "b", DiffResult: sbom.DiffResult{
		Binaries: []sbom.BinaryDelta{{Change: "added", Path: "x.dll" + forge}},
	}}
	if err := d.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, seq := range []string{"\x1b", "\r", "\nPASS"} {
		if strings.Contains(out, seq) {
			t.Errorf("output holds %q:\n%s", seq, out)
		}
	}
}
