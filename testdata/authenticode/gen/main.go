// Command gen writes shipgate's Authenticode fixtures into testdata/authenticode:
// small PE images built with internal/pefile and signed by the test PKI of
// internal/pefile/fixtures, a manifest (fixtures.json) saying what Verify must
// report for each, and the PKI's root certificate (root.pem).
//
// Run it from the repository root:
//
//	go run ./testdata/authenticode/gen
//
// With -go, it also cross-compiles a small Go program for windows/amd64 and
// writes the same fixtures made from it into -out (not committed: they are
// megabytes).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
)

func main() {
	dir := flag.String("dir", "testdata/authenticode", "directory to write the committed fixtures to")
	goBuild := flag.Bool("go", false, "also sign a cross-compiled Go program")
	out := flag.String("out", "", "directory for the Go-built fixtures (with -go)")
	flag.Parse()
	if err := run(*dir, *goBuild, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string, goBuild bool, out string) error {
	p := fixtures.NewPKI()
	fx, err := fixtures.All(p, fixtures.Base())
	if err != nil {
		return err
	}
	sp, err := fixtures.Specials(p)
	if err != nil {
		return err
	}
	fx = append(fx, sp...)
	if err := write(dir, fx); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), p.Root.PEM(), 0o644); err != nil {
		return err
	}
	if !goBuild {
		return nil
	}
	if out == "" {
		return fmt.Errorf("-go needs -out")
	}
	tmp, err := os.MkdirTemp("", "shipgate-gen")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	exe, err := BuildGo(tmp)
	if err != nil {
		return err
	}
	base, err := os.ReadFile(exe)
	if err != nil {
		return err
	}
	gfx, err := fixtures.All(p, base)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return write(out, gfx)
}

func write(dir string, fx []fixtures.Fixture) error {
	for _, f := range fx {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
	}
	m, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "fixtures.json"), append(m, '\n'), 0o644)
}

// BuildGo cross-compiles a small Go program for windows/amd64 in dir.
func BuildGo(dir string) (string, error) {
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"shipgate fixture\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module fixture\n\ngo 1.21\n"), 0o644); err != nil {
		return "", err
	}
	exe := filepath.Join(dir, "fixture.exe")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return exe, nil
}
