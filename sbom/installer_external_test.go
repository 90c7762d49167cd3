package sbom

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
)

// TestInstallerMSIExternalCabinet: an MSI whose Media table names the
// external cabinet data1.cab lists the cabinet's files under
// setup.msi/data1.cab/<installed path>, as verify checks them, when the
// cabinet lies beside it (alone, or in a release folder, whatever the
// case of its name), or beside it in a zip archive or tarball (read from
// the archive's entries, as verify reads it). sbom and verify list the
// same files.
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
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	for _, n := range []string{"README", "win/data1.cab", "win/setup.msi"} {
		b := map[string][]byte{"win/setup.msi": data, "win/data1.cab": c, "README": []byte("hi")}[n]
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	tp := writeFile(t, dir, "release.tar", tb.Bytes())
	for _, tc := range []struct {
		name, path, at string
		opened         bool
	}{
		{"alone", lone, "setup.msi", true},
		{"in a folder", folder, "win/setup.msi", true},
		{"in a zip", zp, "win/setup.msi", true},
		{"in a tarball", tp, "win/setup.msi", true},
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

// TestCabinetSetInNestedArchive: a cabinet set zipped or tarred together,
// the archive a file of a release folder, is joined from the archive's
// entries: its files are listed under its first cabinet, as verify checks
// them, and sbom and verify list the same files.
func TestCabinetSetInNestedArchive(t *testing.T) {
	files := []cab.BuildFile{{Name: "ok.dll", Data: peImage(t, "ok")}, {Name: "big.dll", Data: bytes.Repeat([]byte("continued across the cabinets "), 200)}}
	cabs := cab.BuildSet(files, cab.BuildOptions{Method: cab.MethodMSZIP, BlockSize: 1024}, cab.BuildSetOptions{Names: []string{"d1.cab", "d2.cab"}, SetID: 3, Cuts: []int{3}})
	var zb, tb bytes.Buffer
	zw, tw := zip.NewWriter(&zb), tar.NewWriter(&tb)
	for i, n := range []string{"x64/d1.cab", "x64/d2.cab"} {
		w, _ := zw.Create(n)
		w.Write(cabs[i])
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(cabs[i])), Typeflag: tar.TypeReg})
		tw.Write(cabs[i])
	}
	zw.Close()
	tw.Close()
	dir := t.TempDir()
	writeFile(t, dir, "drivers.zip", zb.Bytes())
	writeFile(t, dir, "drivers.tar", tb.Bytes())
	_, _, got, want := sbomAndVerify(t, dir, "")
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists\n%s\nverify\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, a := range []string{"drivers.zip", "drivers.tar"} {
		if !slices.Contains(got, a+"/x64/d1.cab/big.dll") {
			t.Errorf("%s: the continued file is not listed: %q", a, got)
		}
	}
}
