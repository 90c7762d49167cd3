package verify

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// modeVolumes returns an HFS+ and an APFS volume holding walktest.ModeFiles
// with the same data as walktest.ModeTree writes, their modes masked by
// keep (all of them, or only the permissions for a clean image).
func modeVolumes(t *testing.T, keep fs.FileMode) map[string]dmgfile.Spec {
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
	return map[string]dmgfile.Spec{"hfs+": {HFS: hv}, "apfs": {APFS: av}}
}

// TestAttackDMGSetuid: a disk image's set-user-ID and set-group-ID
// programs passed, where the same files in a folder or a tarball are
// reported (file/setuid), and so did its world-writable ones
// (file/world-writable): the volume readers dropped the set-ID bits and
// the image's files were never checked for them. Both volume formats now
// give the same findings as the folder; an image of the same files with
// plain modes stays clean.
func TestAttackDMGSetuid(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rel")
	walktest.ModeTree(t, dir)
	folder := modeFindings(run(t, Options{}, dir), "")
	want := slices.Sorted(slices.Values(walktest.ModeFindings))
	if !slices.Equal(folder, want) {
		t.Fatalf("folder findings %q, want %q", folder, want)
	}
	for name, s := range modeVolumes(t, ^fs.FileMode(0)) {
		if got := modeFindings(runDMG(t, signedDMG(t, s)), "Example.dmg/"); !slices.Equal(got, folder) {
			t.Errorf("%s image findings %q, want the folder's %q", name, got, folder)
		}
	}
	for name, s := range modeVolumes(t, 0o755) {
		if got := modeFindings(runDMG(t, signedDMG(t, s)), "Example.dmg/"); len(got) != 0 {
			t.Errorf("clean %s image findings %q, want none", name, got)
		}
	}
}
