package sbom

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// modeImages returns disk images whose HFS+ or APFS volume holds
// walktest.ModeFiles with the data walktest.ModeTree writes, their modes
// masked by keep (all of them, or only the permissions for a clean image).
func modeImages(t *testing.T, keep fs.FileMode) map[string][]byte {
	t.Helper()
	hfs, ap := map[string]hfsplus.BuildFile{}, map[string]apfs.BuildFile{}
	for _, f := range walktest.ModeFiles {
		data, mode := []byte("#!/bin/sh\necho "+f.Name+"\n"), f.Mode&keep
		hfs[f.Name] = hfsplus.BuildFile{Data: data, Mode: mode}
		ap[f.Name] = apfs.BuildFile{Data: data, Mode: mode}
	}
	hv, err := hfsplus.Build(hfsplus.BuildSpec{Files: hfs})
	if err != nil {
		t.Fatal(err)
	}
	av, err := apfs.Build(apfs.BuildSpec{Files: ap})
	if err != nil {
		t.Fatal(err)
	}
	hi, _ := dmgfile.Build(dmgfile.Spec{HFS: hv})
	ai, _ := dmgfile.Build(dmgfile.Spec{APFS: av})
	return map[string][]byte{"hfs+": hi, "apfs": ai}
}

// TestAttackDMGSetuid: a disk image's set-user-ID and set-group-ID
// programs, and its world-writable ones, were inventoried without the
// findings (file/setuid, file/world-writable) the same files get in a
// folder: the volume readers dropped the set-ID bits and the image's files
// were never checked. Both volume formats now give the folder's findings,
// under the image's name, whether the image is the release or a file of
// a release folder; the same image with plain modes stays clean.
func TestAttackDMGSetuid(t *testing.T) {
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
