package sbom

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSBOMZipEntrySmugglesLocalEntry: the zips of verify's
// TestAttackZipEntrySmugglesLocalEntry, whose one listed entry carries
// ffmpeg.dll that unzip, 7-Zip or streaming extractors install: inside the
// entry's data past its deflate stream's end or its local header's size,
// or as the entry itself, inflated by its local header's method. sbom listed a text file (or
// deflate bytes) and no binary, so an SBOM of the release omitted the DLL
// without a word. It now reports the listed entry as verify does, in the
// release and in a zip nested in it; a plain zip has no finding.
func TestAttackSBOMZipEntrySmugglesLocalEntry(t *testing.T) {
	dll := peImage(t, "smuggled")
	for _, tc := range []struct {
		name string
		how  walktest.Smuggle
		says string
	}{
		{"deflate stream ends early", walktest.SmuggleDeflateTail, "deflate stream ends"},
		{"stored, local size short", walktest.SmuggleStoredSizes, "compressed bytes, its central directory record"},
		{"deflated, local size short", walktest.SmuggleDeflateSizes, "compressed bytes, its central directory record"},
		{"stored in the directory, deflated locally", walktest.SmuggleLocalMethod, "compression method"},
		{"stored with a descriptor that ends it early", walktest.SmuggleStoredDescriptor, "descriptor that ends it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := walktest.SmuggledZip(t, tc.how, dll)
			listed := tc.how.Listed()
			inv := openInv(t, writeFile(t, t.TempDir(), "app.zip", z))
			wantError(t, inv, listed, tc.says)
			outer := walktest.Zip(t, []walktest.ZipEntry{{Name: "README", Data: []byte("hi")}, {Name: "app.zip", Data: z, Store: true}})
			inv = openInv(t, writeFile(t, t.TempDir(), "rel.zip", outer))
			wantError(t, inv, "app.zip/"+listed, tc.says)
		})
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{"readme.txt": []byte(walktest.SmuggleText), "ffmpeg.dll": dll} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	if got := findingsOf(openInv(t, writeFile(t, t.TempDir(), "ok.zip", buf.Bytes()))); got != "" {
		t.Errorf("plain zip: findings %q", got)
	}
}

// wantError fails the test unless inv has an error finding at p whose
// message says says, and every finding is an error at p.
func wantError(t *testing.T, inv *Inventory, p, says string) {
	t.Helper()
	found := false
	for _, f := range inv.Findings {
		if f.Path != p || f.Severity != signing.SeverityError {
			t.Errorf("finding %s %s %s: %s", f.Severity, f.Rule, f.Path, f.Message)
		}
		found = found || f.Path == p && strings.Contains(f.Message, says)
	}
	if !found {
		t.Errorf("no error at %s saying %q; findings %q", p, says, findingsOf(inv))
	}
}
