package sbom

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// TestAttackSymlinkedReleaseDir: a release folder given as a symbolic link
// to it (a "current" link to the latest build) was walked as the link
// alone: its disk files, the binaries among them, were not inventoried, so
// a diff through the link missed a trojanized ffmpeg.dll. The inventory
// through the link is now the folder's, as verify takes it.
func TestAttackSymlinkedReleaseDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := writeRelease(t, filepath.Join(dir, "real"), electronfix.Windows, electronfix.Clean())
	link := filepath.Join(dir, "current")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	want, err := json.Marshal(openRelease(t, real))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(openRelease(t, link))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("inventory through the link differs from the folder's\n got %s\nwant %s", got, want)
	}
}
