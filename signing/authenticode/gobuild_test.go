package authenticode

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// goStubSource is verify's self-extractor stub (verify/ziplayout_test.go),
// byte for byte, so the two packages share one cross-compile.
const goStubSource = `package main

import (
	"archive/zip"
	"io"
	"os"
)

func main() {
	r, err := zip.OpenReader(os.Args[0])
	if err != nil {
		os.Exit(1)
	}
	w := zip.NewWriter(os.Stdout)
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			os.Exit(1)
		}
		out, _ := w.Create(f.Name)
		io.Copy(out, rc)
		rc.Close()
	}
	w.Close()
}
`

// buildGoPE cross-compiles a small Go program for windows/amd64: a real PE
// file made by a real linker.
func buildGoPE(t *testing.T) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found; skipping the Go-built PE fixtures")
	}
	dir := t.TempDir()
	// The same program, go.mod, flags and environment as verify's
	// TestZipGoBuiltSelfExtractorStub (verify/ziplayout_test.go): a cold
	// `go test ./...` then compiles the runtime and archive/zip for windows
	// once and the second build is a cache hit. Keep the two in step.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goStubSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module stub\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "stub.exe")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoBuiltPE makes every fixture from a cross-compiled Go program and
// checks each verdict, and osslsigncode's digests where it is installed.
func TestGoBuiltPE(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a Go program")
	}
	base := buildGoPE(t)
	p := fixtures.NewPKI()
	fx, err := fixtures.All(p, base)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{p.Root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	tool, _ := exec.LookPath("osslsigncode")
	dir := t.TempDir()
	for _, f := range fx {
		t.Run(f.Name, func(t *testing.T) {
			res := verifyBytes(t, f.Data, Options{Trust: trust, Time: fixtures.Now})
			checkFixture(t, f, res)
			if tool == "" || f.Status == "malformed" {
				return
			}
			path := filepath.Join(dir, f.Name)
			if err := os.WriteFile(path, f.Data, 0o600); err != nil {
				t.Fatal(err)
			}
			want := osslDigests(t, tool, path)
			if len(want) == 0 {
				return
			}
			var got []string
			for _, s := range res.Signatures {
				got = append(got, strings.ToLower(s.Digest.Computed))
			}
			compareDigests(t, f.Name, got, want)
		})
	}
	if tool == "" {
		t.Log("osslsigncode not installed; digests not cross-checked")
	}
}
