package sbom

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// schema compiles a vendored official JSON Schema; refs holds the other
// schemas it refers to, by file name, under the same base URL.
func schema(t *testing.T, base, main string, refs ...string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, n := range append([]string{main}, refs...) {
		f, err := os.Open(filepath.Join("testdata", "schema", n))
		if err != nil {
			t.Skipf("schema %s not vendored: %v", n, err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(base+n, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(base + main)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("document does not validate: %v", err)
	}
}

// invalid checks that the schema rejects doc after replacing old by new, so
// that a passing validation means something.
func invalid(t *testing.T, s *jsonschema.Schema, doc []byte, old, new string) {
	t.Helper()
	bad := bytes.Replace(doc, []byte(old), []byte(new), 1)
	if bytes.Equal(bad, doc) {
		t.Fatalf("%q not in the document", old)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if s.Validate(inst) == nil {
		t.Errorf("schema accepts the document with %q replaced by %q", old, new)
	}
}

func exportFixture(t *testing.T, format string) ([]byte, *Inventory) {
	t.Helper()
	p := writeRelease(t, t.TempDir(), electronfix.Windows, electronfix.Trojanized())
	inv := openRelease(t, p)
	var a, b bytes.Buffer
	opts := ExportOptions{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ToolVersion: "test"}
	if err := Export(&a, inv, format, opts); err != nil {
		t.Fatal(err)
	}
	if err := Export(&b, openRelease(t, p), format, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same release exported twice gives different bytes")
	}
	return a.Bytes(), inv
}

func TestExportCycloneDX(t *testing.T) {
	t.Parallel()
	out, inv := exportFixture(t, FormatCycloneDXJSON)
	sch := schema(t, "http://cyclonedx.org/schema/", "bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json")
	validate(t, sch, out)
	invalid(t, sch, out, `"type": "library"`, `"type": "librarian"`)
	var bom struct {
		SpecVersion  string `json:"specVersion"`
		SerialNumber string `json:"serialNumber"`
		Metadata     struct {
			Timestamp string `json:"timestamp"`
		} `json:"metadata"`
		Components []struct {
			BOMRef, Type, Group, Name, Version, Purl string
			Hashes                                   []struct{ Alg, Content string }
			Properties                               []struct{ Name, Value string }
		} `json:"components"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(out, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || bom.SerialNumber != "" || bom.Metadata.Timestamp != "2026-01-02T03:04:05Z" {
		t.Errorf("specVersion %s serial %q timestamp %s", bom.SpecVersion, bom.SerialNumber, bom.Metadata.Timestamp)
	}
	if want := 1 + len(inv.Packages) + len(inv.Binaries); len(bom.Components) != want {
		t.Errorf("%d components, want %d", len(bom.Components), want)
	}
	var sawScoped, sawSigner bool
	for _, c := range bom.Components {
		if c.Group == "@chatter" && c.Name == "ui" && c.Purl == "pkg:npm/%40chatter/ui@3.3.0" {
			sawScoped = true
		}
		if c.Name == "ffmpeg.dll" {
			if len(c.Hashes) != 1 || c.Hashes[0].Alg != "SHA-256" {
				t.Errorf("ffmpeg.dll hashes %+v", c.Hashes)
			}
			for _, p := range c.Properties {
				if p.Name == "shipgate:signer:subject" && p.Value == "CN=Chatterbox Ltd,O=Chatterbox Ltd" {
					sawSigner = true
				}
			}
		}
	}
	if !sawScoped || !sawSigner {
		t.Errorf("scoped package with purl: %v; ffmpeg.dll signer property: %v", sawScoped, sawSigner)
	}
	deps := map[string][]string{}
	for _, d := range bom.Dependencies {
		deps[d.Ref] = d.DependsOn
	}
	if got := strings.Join(deps["npm:resources/app.asar/node_modules/@chatter/ui"], ","); got !=
		"npm:resources/app.asar/node_modules/@chatter/icons,npm:resources/app.asar/node_modules/tinycolor" {
		t.Errorf("@chatter/ui depends on %s", got)
	}
	if got := strings.Join(deps["npm:resources/app.asar/node_modules/fastsql"], ","); got !=
		"file:resources/app.asar.unpacked/node_modules/fastsql/build/Release/fastsql.node" {
		t.Errorf("fastsql depends on %s", got)
	}
}

func TestExportSPDX(t *testing.T) {
	t.Parallel()
	out, inv := exportFixture(t, FormatSPDXJSON)
	doc, err := spdxjson.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("tools-golang cannot read it back: %v", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || len(doc.Packages) != 2+len(inv.Packages)+len(inv.Binaries) {
		t.Errorf("version %s, %d packages", doc.SPDXVersion, len(doc.Packages))
	}
	if doc.CreationInfo.Created != "2026-01-02T03:04:05Z" {
		t.Errorf("created %s", doc.CreationInfo.Created)
	}
	sch := schema(t, "http://spdx.org/rdf/terms/", "spdx-schema-2.3.json")
	validate(t, sch, out)
	invalid(t, sch, out, `"relationshipType": "DEPENDS_ON"`, `"relationshipType": "LIKES"`)
}

func TestExportUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := Export(&bytes.Buffer{}, &Inventory{}, "xml", ExportOptions{}); err == nil {
		t.Error("no error for an unknown format")
	}
}

// WithZipChunkLenForTest returns o reading a large zip release a chunk of
// n central directory records at a time.
func WithZipChunkLenForTest(o Options, n int) Options {
	o.zipChunkLen = n
	return o
}
