package sbom

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAttackCycloneDXBomRefCollision: two copies of one path (a zip's
// duplicate entries, which the inventory lists both of) got one bom-ref,
// "file:app/lib.so", in the CycloneDX document: invalid (bom-refs are
// unique), and a consumer keying components by it keeps one binary and
// drops the other, the one an extractor may install. The second copy now
// gets "#2", skipping a ref a real path ("app/lib.so#2") takes, and each
// copy has its own dependency entry; the SPDX document lists each too.
func TestAttackCycloneDXBomRefCollision(t *testing.T) {
	t.Parallel()
	inv := binariesInv("app/lib.so", "app/lib.so", "app/lib.so#2", "app/lib.so")
	var out bytes.Buffer
	if err := Export(&out, inv, FormatCycloneDXJSON, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components []struct {
			Ref    string `json:"bom-ref"`
			Hashes []struct {
				Content string `json:"content"`
			} `json:"hashes"`
		} `json:"components"`
		Dependencies []struct {
			Ref string   `json:"ref"`
			On  []string `json:"dependsOn"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{}
	for _, c := range doc.Components {
		if _, dup := refs[c.Ref]; dup {
			t.Errorf("bom-ref %s used twice", c.Ref)
		}
		refs[c.Ref] = c.Hashes[0].Content
	}
	want := map[string]string{
		"file:app/lib.so":   inv.Binaries[0].SHA256,
		"file:app/lib.so#3": inv.Binaries[1].SHA256,
		"file:app/lib.so#2": inv.Binaries[2].SHA256,
		"file:app/lib.so#4": inv.Binaries[3].SHA256,
	}
	if len(refs) != len(want) {
		t.Errorf("components %v", refs)
	}
	for r, sha := range want {
		if refs[r] != sha {
			t.Errorf("%s: sha256 %q, want %q", r, refs[r], sha)
		}
	}
	deps := map[string]bool{}
	for _, d := range doc.Dependencies {
		if deps[d.Ref] {
			t.Errorf("dependency entry %s given twice", d.Ref)
		}
		deps[d.Ref] = true
		if d.Ref == "app" && len(d.On) != 4 {
			t.Errorf("app depends on %q", d.On)
		}
	}
	ids, _ := spdxIDsOf(t, inv) // fails on an SPDXID given twice
	if len(ids) != 2 {
		t.Errorf("SPDX packages by file name: %v", ids)
	}
}
