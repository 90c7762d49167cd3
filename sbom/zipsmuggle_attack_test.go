package sbom

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackSBOMZipEntrySmugglesLocalEntry: the zips of verify's
// TestAttackZipEntrySmugglesLocalEntry, whose one listed entry carries
// ffmpeg.dll that unzip, 7-Zip or streaming extractors install: inside the
// entry's data past its local header's size, or as the entry itself,
// inflated by its local header's method. sbom listed a text file (or
// deflate bytes) and no binary, so an SBOM of the release omitted the DLL
// without a word. It now reports the listed entry as verify does, in the
// release and in a zip nested in it; a plain zip has no finding.
func TestAttackSBOMZipEntrySmugglesLocalEntry(t *testing.T) {
	dll := peImage(t, "smuggled")
	for _, tc := range []struct {
		name string
		how  walktest.Smuggle
	}{
		{"stored, local size short", walktest.SmuggleStoredSizes},
		{"deflated, local size short", walktest.SmuggleDeflateSizes},
		{"stored in the directory, deflated locally", walktest.SmuggleLocalMethod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := walktest.SmuggledZip(t, tc.how, dll)
			listed := tc.how.Listed()
			inv := openInv(t, writeFile(t, t.TempDir(), "app.zip", z))
			want := string(release.RuleMalformed) + " " + listed
			if got := findingsOf(inv); got != want {
				t.Errorf("findings %q, want %q", got, want)
			}
			outer := walktest.Zip(t, []walktest.ZipEntry{{Name: "README", Data: []byte("hi")}, {Name: "app.zip", Data: z, Store: true}})
			inv = openInv(t, writeFile(t, t.TempDir(), "rel.zip", outer))
			if got, want := findingsOf(inv), string(release.RuleMalformed)+" app.zip/"+listed; got != want {
				t.Errorf("nested: findings %q, want %q", got, want)
			}
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
