package authenticode

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/signing"
)

// buildGoPE cross-compiles a small Go program for windows/amd64: a real PE
// file made by a real linker (fixtures.GoSelfExtractorStub, which verify's
// tests build too: one cross-compile for a cold go test ./...).
func buildGoPE(t *testing.T) []byte {
	t.Helper()
	b, err := fixtures.GoSelfExtractorStub(t.TempDir())
	if errors.Is(err, fixtures.ErrNoGoTool) {
		t.Skip("go tool not found; skipping the Go-built PE fixtures")
	}
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
			t.Parallel() // independent: each writes its own file in dir
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
