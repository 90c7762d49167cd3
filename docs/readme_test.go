package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// tableCell matches a package path in backquotes in the first column of a
// row of README.md's package table.
var tableCell = regexp.MustCompile("`([a-z0-9/]+)`")

// TestREADMEPackagesTable keeps README.md's package table the module's
// shape (issue #12): every public package (not under internal/, cmd/,
// examples/ or docs/) has a row, and every package a row names exists.
func TestREADMEPackagesTable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "| Package |") {
			in = true
			continue
		}
		if in && !strings.HasPrefix(l, "|") {
			break
		}
		if !in || strings.HasPrefix(l, "|---") {
			continue
		}
		first := strings.SplitN(strings.TrimPrefix(l, "|"), "|", 2)[0]
		for _, m := range tableCell.FindAllStringSubmatch(first, -1) {
			listed[m[1]] = true
		}
	}
	if len(listed) == 0 {
		t.Fatal("README.md has no package table (a row starting \"| Package |\")")
	}

	pkgs := map[string]bool{}
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			rel, err := filepath.Rel("..", filepath.Dir(p))
			if err != nil {
				return err
			}
			pkgs[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range pkgs {
		top := strings.SplitN(p, "/", 2)[0]
		if top == "." || top == "internal" || top == "cmd" || top == "examples" || top == "docs" {
			continue
		}
		if !listed[p] {
			t.Errorf("README.md's package table has no row for package %s", p)
		}
	}
	for p := range listed {
		if !pkgs[p] {
			t.Errorf("README.md's package table names %s, which is no package of the module", p)
		}
	}
}
