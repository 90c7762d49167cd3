package machofile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// ErrNoGoTool is returned by GoHello when no go command is available.
var ErrNoGoTool = errors.New("machofile: the go command is not available to cross-compile fixtures")

// goHelloSource needs nothing beyond the runtime: a cold build cache
// compiles only the runtime's packages for the target.
const goHelloSource = "package main\n\nfunc main() { println(\"hello from shipgate\") }\n"

// GoHello cross-compiles a tiny Go program for darwin/goarch in dir: a real
// Mach-O written by an independent writer. Go's linker signs darwin/arm64
// output ad-hoc (linker-signed) and leaves darwin/amd64 unsigned. The
// source, go.mod, flags and environment are fixed, so every test package
// that calls it after the first for a goarch gets build-cache hits (the
// tests of signing/codesign and internal/lzfse both use it, and a cold
// `go test ./...` compiles the darwin runtime once per goarch).
func GoHello(dir, goarch string) ([]byte, error) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		if gobin, err = exec.LookPath("go"); err != nil {
			return nil, ErrNoGoTool
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goHelloSource), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o644); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "hello")
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("machofile: go build for darwin/%s: %v\n%s", goarch, err, b)
	}
	return os.ReadFile(out)
}
