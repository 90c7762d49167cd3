package sbom

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
)

// TestInstallerMSIExternalCabinet: an MSI whose Media table names the
// external cabinet data1.cab lists the cabinet's files under
// setup.msi/data1.cab/<installed path>, as verify checks them, when the
// cabinet lies beside it (alone, or in a release folder, whatever the
// case of its name); in a zip archive it is listed as a file of its own
// only, as verify takes it. sbom and verify list the same files.
func TestInstallerMSIExternalCabinet(t *testing.T) {
	t.Parallel()
	s := msi.Installer{Folder: "Acme App", Cabinet: "data1.cab", External: true,
		Files: map[string][]byte{"app.dll": peImage(t, "x"), "readme.txt": []byte("hi")}}
	data, c := cfb.Build(msi.BuildInstaller(s)), s.CAB()
	dir := t.TempDir()
	lone := writeFile(t, dir, "setup.msi", data)
	writeFile(t, dir, "data1.cab", c)
	folder := filepath.Join(dir, "folder")
	os.MkdirAll(filepath.Join(folder, "win"), 0o755)
	writeFile(t, folder, "win/setup.msi", data)
	writeFile(t, folder, "win/DATA1.CAB", c)
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for n, b := range map[string][]byte{"win/setup.msi": data, "win/data1.cab": c, "README": []byte("hi")} {
		w, _ := zw.Create(n)
		w.Write(b)
	}
	zw.Close()
	zp := writeFile(t, dir, "release.zip", zb.Bytes())
	for _, tc := range []struct {
		name, path, at string
		opened         bool
	}{
		{"alone", lone, "setup.msi", true},
		{"in a folder", folder, "win/setup.msi", true},
		{"in a zip", zp, "win/setup.msi", false},
	} {
		_, _, got, want := sbomAndVerify(t, tc.path, "release.zip/")
		if !slices.Equal(got, want) {
			t.Errorf("%s: sbom lists\n%s\nverify\n%s", tc.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if slices.Contains(got, tc.at+"/data1.cab/Acme App/app.dll") != tc.opened {
			t.Errorf("%s: opened %v: %q", tc.name, !tc.opened, got)
		}
	}
}
