package sbom

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestZipCabinetSetUnderWrittenName: a cabinet set zipped in a folder
// with a non-ASCII name (code page 437 without the UTF-8 flag, or a
// Unicode Path extra field) had its continued file left out: the set's
// next cabinet was looked up beside the first one's listed name
// (walk.NameZipEntry) among Go's raw names. It is found among the listed
// names (walk.ZipFS), as verify finds it, whether the zip is the release
// or a file of a release folder.
func TestZipCabinetSetUnderWrittenName(t *testing.T) {
	t.Parallel()
	files := []cab.BuildFile{{Name: `bin\app.dll`, Data: peImage(t, "x")}, {Name: "readme.txt", Data: []byte(strings.Repeat("read me ", 2000))}}
	names := []string{"disk1.cab", "disk2.cab"}
	cabs := cab.BuildSet(files, cab.BuildOptions{Method: cab.MethodMSZIP, BlockSize: 1024}, cab.BuildSetOptions{Names: names, Cuts: []int{3}})
	for _, c := range []struct {
		name    string
		raw, up string
		ext     string // after the raw name's
	}{
		{"code page 437", "caf\x82", "", ""},
		{"Unicode Path field", "cafe", "caf\u00e9", ""},
		// The field alone names the entries as cabinets
		// (container.ZipEntryIsCabinet).
		{"Unicode Path field, another extension", "cafe", "caf\u00e9", ".bin"},
	} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i, n := range names {
			h := &zip.FileHeader{Name: c.raw + "/" + n + c.ext, NonUTF8: true, Method: zip.Deflate}
			if c.up != "" {
				h.Extra = walktest.UnicodePathField(h.Name, c.up+"/"+n)
			}
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(cabs[i])
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		folder := filepath.Join(t.TempDir(), "folder")
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		zipPath := writeFile(t, folder, "set.zip", buf.Bytes())
		for _, in := range []struct{ path, prefix string }{{zipPath, ""}, {folder, "set.zip/"}} {
			_, _, got, want := sbomAndVerify(t, in.path, "")
			if !slices.Equal(got, want) {
				t.Errorf("%s, %s: sbom lists\n%s\nverify\n%s", c.name, in.path, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, p := range []string{"caf\u00e9/disk1.cab/bin/app.dll", "caf\u00e9/disk1.cab/readme.txt"} {
				if !slices.Contains(got, in.prefix+p) {
					t.Errorf("%s, %s: %s not listed: %q", c.name, in.path, in.prefix+p, got)
				}
			}
		}
	}
}
