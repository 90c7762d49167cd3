// Command gen writes the Apple code-signing fixtures of testdata/codesign
// from internal/machofile: thin and universal Mach-O files signed ad-hoc or
// with the test Developer ID PKI, the tampered variants, and Example.app.
//
// Run from the repository root: go run ./testdata/codesign/gen
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/machofile"
)

func main() {
	dir := filepath.Join("testdata", "codesign")
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := run(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	var index []string
	for _, f := range machofile.Fixtures() {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
		rules := strings.Join(f.Rules, ",")
		if rules == "" {
			rules = "-"
		}
		index = append(index, fmt.Sprintf("%s\t%s\t%s\t%s", f.Name, strings.Join(f.Want, ","), rules, f.Note))
	}
	sort.Strings(index)
	p := machofile.NewPKI()
	if err := os.WriteFile(filepath.Join(dir, "test-root.pem"), p.Root.PEM(), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(dir, "Example.app")); err != nil {
		return err
	}
	files := machofile.ExampleBundle(p)
	for _, name := range machofile.SortedPaths(files) {
		f := files[name]
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if f.Link != "" {
			if err := os.Symlink(f.Link, path); err != nil {
				return err
			}
			continue
		}
		mode := os.FileMode(0o644)
		if f.Mode != 0 {
			mode = f.Mode
		}
		if err := os.WriteFile(path, f.Data, mode); err != nil {
			return err
		}
	}
	head := "# file\tstatus per slice (test root trusted)\trules reported\twhat it is\n"
	return os.WriteFile(filepath.Join(dir, "FIXTURES.tsv"), []byte(head+strings.Join(index, "\n")+"\n"), 0o644)
}
