package verify

import (
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// signedDMG signs the image s describes with the fixtures' Developer ID.
func signedDMG(t *testing.T, s dmgfile.Spec) []byte {
	t.Helper()
	img, lay := dmgfile.Build(s)
	out, _, err := dmgfile.Sign(img, lay, dmgfile.SignSpec(getFixtures(t).apple, "com.example.dmg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hiddenVolume is an HFS+ volume holding an unsigned "app".
func hiddenVolume(t *testing.T) []byte {
	t.Helper()
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"Other.app/Contents/MacOS/Other": {Data: []byte("#!/bin/sh\necho not checked\n"), Mode: 0o755}}, Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	return vol
}

// TestDMGSecondVolumeInFreePartition: a second HFS+ volume in the
// partition named Apple_Free is mounted by macOS beside the checked one;
// it is an error, not silence, and the checked volume is still walked.
func TestDMGSecondVolumeInFreePartition(t *testing.T) {
	bundle := machofile.ExampleBundle(getFixtures(t).apple)
	files := map[string]hfsplus.BuildFile{}
	for p, f := range bundle {
		files[p] = hfsplus.BuildFile{Data: f.Data, Mode: f.Mode, Link: f.Link}
	}
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: files, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol, FreeHFS: hiddenVolume(t)}))
	if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("findings %v", got)
	}
	if f := fileByPath(r, dmgLib); f == nil || f.Signatures[0].Status != signing.StatusValid {
		t.Errorf("the first volume was not walked: %+v", f)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
	// Without the second volume: no such finding.
	r = runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol}))
	if got := rulesFor(r, "Example.dmg"); has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("clean image findings %v", got)
	}
}

// TestDMGAPFSBehindDecoyHFS: the partition named Apple_APFS holds an APFS
// volume (not read) and another partition a decoy HFS+ volume, which is
// opened: the APFS volume, which macOS mounts too, must still be
// reported, not hidden behind the decoy's clean walk.
func TestDMGAPFSBehindDecoyHFS(t *testing.T) {
	r := runDMG(t, signedDMG(t, dmgfile.Spec{FreeHFS: hiddenVolume(t)}))
	got := rulesFor(r, "Example.dmg")
	if !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}
