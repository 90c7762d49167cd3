package sbom

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cab"
)

// TestInstallerCABSet: a cabinet set in a release folder (a file continued
// from disk1.cab into disk2.cab) is inventoried as verify checks it: every
// file under the first cabinet's path, nothing under the second's.
func TestInstallerCABSet(t *testing.T) {
	t.Parallel()
	files := []cab.BuildFile{{Name: `bin\app.dll`, Data: peImage(t, "x")}, {Name: "readme.txt", Data: []byte(strings.Repeat("read me ", 2000))}}
	names := []string{"disk1.cab", "disk2.cab"}
	cabs := cab.BuildSet(files, cab.BuildOptions{Method: cab.MethodMSZIP, BlockSize: 1024}, cab.BuildSetOptions{Names: names, Cuts: []int{3}})
	folder := filepath.Join(t.TempDir(), "folder")
	os.MkdirAll(folder, 0o755)
	for i, n := range names {
		writeFile(t, folder, n, cabs[i])
	}
	_, _, got, want := sbomAndVerify(t, folder, "")
	if !slices.Equal(got, want) {
		t.Errorf("sbom lists\n%s\nverify\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range []string{"disk1.cab/bin/app.dll", "disk1.cab/readme.txt"} {
		if !slices.Contains(got, p) {
			t.Errorf("%s not listed: %q", p, got)
		}
	}
	for _, p := range got {
		if strings.HasPrefix(p, "disk2.cab/") {
			t.Errorf("listed under the second cabinet: %s", p)
		}
	}
}
