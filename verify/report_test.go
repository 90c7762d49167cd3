package verify_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func schema(t *testing.T, name string, b []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReportsValidate writes the fixture release's report in every format
// and validates JSON against the report schema and SARIF against the SARIF
// 2.1.0 schema; the same input gives byte-identical output.
func TestReportsValidate(t *testing.T) {
	t.Parallel()
	dir := verify.ReleaseDirForTest(t)
	r, err := verify.Release(context.Background(), verify.OptionsForTest(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	sarifSchema, err := os.ReadFile(filepath.Join("report", "testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	schemas := map[report.Format]*jsonschema.Schema{
		report.FormatJSON:  schema(t, "report.schema.json", report.JSONSchema),
		report.FormatSARIF: schema(t, "sarif.json", sarifSchema),
	}
	for f, s := range schemas {
		var a, b bytes.Buffer
		if err := report.Write(&a, r, f, report.Options{}); err != nil {
			t.Fatal(err)
		}
		r2, err := verify.Release(context.Background(), verify.OptionsForTest(t), dir)
		if err != nil {
			t.Fatal(err)
		}
		report.Write(&b, r2, f, report.Options{})
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s output differs between two runs", f)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(inst); err != nil {
			t.Errorf("%s output does not validate: %v", f, err)
		}
	}
}
