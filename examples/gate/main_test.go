package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestGate runs the pipeline step on a generated release: a PE signed by an
// in-house CA whose root the policy trusts, and an unsigned DLL.
func TestGate(t *testing.T) {
	dir := t.TempDir()
	root := testpki.NewRoot(testpki.Spec{CommonName: "In-house Root", CA: true, MaxPathLen: -1})
	leaf := root.Issue(testpki.Spec{CommonName: "Release Signing", KeyN: 1})
	img, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := pefile.SignAttach(img, pefile.SignSpec{Signer: leaf, Certs: []*testpki.Cert{root}})
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join(dir, "dist")
	os.MkdirAll(rel, 0o755)
	os.WriteFile(filepath.Join(rel, "app.exe"), signed, 0o644)
	os.WriteFile(filepath.Join(rel, "plugin.dll"), img, 0o644)
	os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o644)

	strict := filepath.Join(dir, "strict.yaml")
	os.WriteFile(strict, []byte("trust:\n  roots: [root.pem]\nrules:\n  - match: ['**']\n    require: valid\n"), 0o644)
	lenient := filepath.Join(dir, "lenient.yaml")
	os.WriteFile(lenient, []byte("trust:\n  roots: [root.pem]\nrules:\n  - match: ['**']\n    require: valid\n  - match: ['plugin.dll']\n    allowUnsigned: true\n"), 0o644)

	sarif := filepath.Join(dir, "out.sarif")
	var out, errb bytes.Buffer
	if code := gate(context.Background(), []string{"-policy", strict, "-sarif", sarif, rel}, &out, &errb); code != 1 {
		t.Fatalf("strict policy: exit %d (%s%s)", code, out.String(), errb.String())
	}
	b, err := os.ReadFile(sarif)
	if err != nil {
		t.Fatal(err)
	}
	var log map[string]any
	if err := json.Unmarshal(b, &log); err != nil || !strings.Contains(string(b), `"uri": "plugin.dll"`) {
		t.Errorf("sarif %v:\n%s", err, b)
	}

	out.Reset()
	if code := gate(context.Background(), []string{"-policy", lenient, "-sarif", sarif, rel}, &out, &errb); code != 0 {
		t.Fatalf("lenient policy: exit %d (%s%s)", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "release gate passed: 2 files, 1 signed") {
		t.Errorf("output %q", out.String())
	}
	if code := gate(context.Background(), []string{"-policy", filepath.Join(dir, "none.yaml"), rel}, &out, &errb); code != 2 {
		t.Errorf("missing policy: exit %d", code)
	}
}
