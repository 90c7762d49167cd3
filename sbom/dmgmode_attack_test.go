package sbom

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// modeImages returns walktest.ModeVolumes(t, keep) built as disk images.
func modeImages(t *testing.T, keep fs.FileMode) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, s := range walktest.ModeVolumes(t, keep) {
		out[name], _ = dmgfile.Build(s)
	}
	return out
}

// TestAttackDMGSetuid: a disk image's set-user-ID and set-group-ID
// programs, and its world-writable ones, were inventoried without the
// findings (file/setuid, file/world-writable) the same files get in a
// folder: the volume readers dropped the set-ID bits and the image's files
// were never checked. Both volume formats now give the folder's findings,
// under the image's name, whether the image is the release or a file of
// a release folder; the same image with plain modes stays clean.
func TestAttackDMGSetuid(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "rel")
	walktest.ModeTree(t, dir)
	folder := findingsOf(openInv(t, dir))
	if want := strings.Join(walktest.ModeFindings, ","); folder != want {
		t.Fatalf("folder findings %q, want %q", folder, want)
	}
	want := strings.ReplaceAll(folder, " bin/", " rel.dmg/bin/")
	for name, img := range modeImages(t, ^fs.FileMode(0)) {
		p := writeFile(t, t.TempDir(), "rel.dmg", img)
		if got := findingsOf(openInv(t, p)); got != want {
			t.Errorf("%s image findings %q, want the folder's %q", name, got, want)
		}
		// An image in a release folder is opened and checked the same.
		if got := findingsOf(openInv(t, filepath.Dir(p))); got != want {
			t.Errorf("%s image in a folder: findings %q, want %q", name, got, want)
		}
	}
	for name, img := range modeImages(t, 0o755) {
		p := writeFile(t, t.TempDir(), "rel.dmg", img)
		if got := findingsOf(openInv(t, p)); got != "" {
			t.Errorf("clean %s image findings %q, want none", name, got)
		}
	}
}
