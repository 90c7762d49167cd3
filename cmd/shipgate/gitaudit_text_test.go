package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/git"
)

func TestGitTextLineCountsLargeChange(t *testing.T) {
	var b bytes.Buffer
	g := &gitSection{res: &git.Result{Until: "u", Commits: []git.Commit{{
		Hash: "c", Subject: "s",
		Files: []git.FileChange{
			{Path: "a.go", Status: "modified", Added: 3, Deleted: 1},
			{Path: "b.bin", Status: "added", Binary: true},
			{Path: "big.txt", Status: "modified", Large: true},
			{Path: "gen.txt", Status: "modified", Added: 9000, Deleted: 8000, Large: true},
		},
	}}}}
	if err := g.WriteText(&b, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"modified  a.go +3 -1\n",
		"added     b.bin (binary)\n",
		"modified  big.txt (large change: over 8 MiB, lines not counted)\n",
		"modified  gen.txt +9000 -8000 (large change: counts are upper bounds)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
