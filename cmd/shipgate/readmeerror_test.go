package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEErrorExample runs the error README.md gives as its example of
// an error that names the verb once and the path as given: the example is
// what the CLI prints, word for word.
func TestREADMEErrorExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(b)), " ")
	m := regexp.MustCompile("Every error names the verb once, then the path as given \\(`([^`]+)`\\)").FindStringSubmatch(flat)
	if m == nil {
		t.Fatal("README.md gives no example error")
	}
	t.Chdir(t.TempDir())
	// The example's two paths, old and new, do not exist here.
	code, _, errOut := runCLI(t, "diff", "old", "new")
	if got := strings.TrimSuffix(errOut, "\n"); code != exitError || got != m[1] {
		t.Errorf("diff old new: exit %d, stderr %q; README.md says %q", code, got, m[1])
	}
}
