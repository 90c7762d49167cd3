package walktest

import (
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
)

// ModeVolumes returns, by format name ("hfs+", "apfs"), disk image specs
// whose volume holds ModeFiles with the data ModeTree writes, their modes
// masked by keep (all of them, or only the permissions for a clean image).
func ModeVolumes(t testing.TB, keep fs.FileMode) map[string]dmgfile.Spec {
	t.Helper()
	hfs, ap := map[string]hfsplus.BuildFile{}, map[string]apfs.BuildFile{}
	for _, f := range ModeFiles {
		data, mode := modeScript(f.Name), f.Mode&keep
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

// modeScript is the data of the file name of ModeFiles.
func modeScript(name string) []byte {
	return []byte("#!/bin/sh\necho " + name + "\n")
}
