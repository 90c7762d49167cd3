package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/verify/report"
)

// TestJSONReportsValidate: the JSON reports of diff (both forms) and
// git-audit, with their typed sections, validate against the report schema.
func TestJSONReportsValidate(t *testing.T) {
	t.Parallel()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.JSONSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	oldRel := writeFixture(t, filepath.Join(dir, "old"), electronfix.Clean())
	newRel := writeFixture(t, filepath.Join(dir, "new"), electronfix.Trojanized())
	name, data, err := electronfix.UpstreamZip(electronfix.Clean())
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, name)
	writeFile(t, zipPath, data)
	repo, since := gitFixture(t)
	vdir, roots := verifyFixture(t)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"verify", []string{"verify", "--roots", roots, vdir}},
		{"diff", []string{"diff", oldRel, newRel}},
		{"diff --upstream", []string{"diff", "--upstream", zipPath, newRel}},
		{"git-audit", []string{"git-audit", "--repo", repo, "--since", since, "--protect", "vendor/**"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append(c.args, "--format", "json")...)
			if code == exitError {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("does not validate: %v\n%s", err, out)
			}
		})
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
