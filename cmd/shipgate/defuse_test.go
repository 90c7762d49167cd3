package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/verify/report"
)

// TestAttackSBOMStdoutCICommand: shipgate sbom printed its CycloneDX or
// SPDX JSON to standard output as the exporters wrote it, and a CI log
// reads commands anywhere in a line: an npm package named
// "##vso[task.setvariable variable=gatePassed]true" in the release set a
// variable for an Azure pipeline's later steps. Standard output passes
// through defuseWriter, which writes what report.DefuseJSON would write
// of the whole document however the writes split it.
func TestAttackSBOMStdoutCICommand(t *testing.T) {
	doc := `{"name":"##vso[task.setvariable variable=gatePassed]true","x":"###[a]","y":"#","z":"a##"}` + "\n"
	want := string(report.DefuseJSON([]byte(doc)))
	for size := 1; size <= len(doc); size++ {
		var out bytes.Buffer
		d := &defuseWriter{w: &out}
		for i := 0; i < len(doc); i += size {
			if _, err := d.Write([]byte(doc[i:min(i+size, len(doc))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want || strings.Contains(out.String(), "##") {
			t.Fatalf("writes of %d bytes: %q, want %q", size, out.String(), want)
		}
	}
}

// TestAttackSBOMStdoutPackageName runs shipgate sbom on a folder whose
// npm package is named "##vso[…]": standard output holds no "##".
func TestAttackSBOMStdoutPackageName(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"package.json":                   `{"name":"app","version":"1.0.0","dependencies":{"evil":"1.0.0"}}`,
		"node_modules/evil/package.json": `{"name":"##vso[task.setvariable variable=gatePassed]true","version":"1.0.0"}`,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, []byte(body))
	}
	code, out, stderr := attestCLI(t, "sbom", dir)
	if code != exitPass || !strings.Contains(out, `#\u0023vso[task.setvariable`) || strings.Contains(out, "##") {
		t.Errorf("exit %d, stderr %s, stdout:\n%s", code, stderr, out)
	}
}
