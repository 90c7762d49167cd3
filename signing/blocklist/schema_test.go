package blocklist

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const schemaPath = "schema/blocklist.schema.json"

// TestSchemaMatchesCode keeps the JSON Schema's enums equal to the kinds and
// reasons the loader accepts.
func TestSchemaMatchesCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs struct {
			Entry struct {
				Properties struct {
					Kind   struct{ Enum []string }
					Reason struct {
						OneOf []struct{ Enum []any }
					}
				}
			}
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(s.Defs.Entry.Properties.Kind.Enum)
	want := slices.Clone(kindNames[1:])
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("schema kinds %v, code %v", got, want)
	}
	var names []string
	for _, v := range s.Defs.Entry.Properties.Reason.OneOf[0].Enum {
		names = append(names, v.(string))
	}
	var codeNames []string
	for _, n := range reasonNames {
		codeNames = append(codeNames, n)
	}
	slices.Sort(names)
	slices.Sort(codeNames)
	if !slices.Equal(names, codeNames) {
		t.Errorf("schema reasons %v, code %v", names, codeNames)
	}
}

// TestSchemaCrossCheck validates documents with an independent JSON Schema
// implementation (Python's jsonschema) and checks it agrees with the loader.
func TestSchemaCrossCheck(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: skipping the JSON Schema cross-check")
	}
	if err := exec.Command(py, "-c", "import jsonschema").Run(); err != nil {
		t.Skip("python3 jsonschema module not installed: skipping the JSON Schema cross-check")
	}
	docs := map[string]string{
		"default":            string(defaultJSON),
		"native":             mustRead(t, filepath.Join("testdata", "native.json")),
		"bare array":         `[{"kind":"cdhash","value":"0123456789abcdef0123456789abcdef01234567"}]`,
		"window on file":     `{"version":1,"entries":[{"kind":"file-md5","value":"0eeb1c0133eb4d571178b2d9d14ce3e9","revokedAt":"2023-01-01"}]}`,
		"subject alone":      `{"version":1,"entries":[{"kind":"subject","value":"CN=x"}]}`,
		"unknown kind":       `{"version":1,"entries":[{"kind":"url","value":"x"}]}`,
		"unknown field":      `{"version":1,"entries":[{"kind":"serial","value":"01","revoked":"2023-01-01"}]}`,
		"version 2":          `{"version":2,"entries":[]}`,
		"issuer-serial bare": `{"version":1,"entries":[{"kind":"issuer-serial","value":"01"}]}`,
		"bad reason":         `{"version":1,"entries":[{"kind":"serial","value":"01","reason":"bored"}]}`,
		"team id":            `{"version":1,"entries":[{"kind":"team-id","value":"33CF4654HL","reason":1}]}`,
	}
	// One interpreter for every document: {name: verdict}.
	in, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", `
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
out = {}
for name, doc in json.load(sys.stdin).items():
    errs = list(v.iter_errors(json.loads(doc)))
    out[name] = "valid" if not errs else "invalid: " + errs[0].message
print(json.dumps(out))
`, schemaPath)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var verdicts map[string]string
	if err := json.Unmarshal(out, &verdicts); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			schemaOK := verdicts[name] == "valid"
			_, loadErr := Parse(strings.NewReader(docs[name]), name+".json", LoadOptions{Format: FormatNative})
			if schemaOK != (loadErr == nil) {
				t.Fatalf("schema says %q, loader says %v", verdicts[name], loadErr)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
