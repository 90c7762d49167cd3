package verify

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing/dmg"
)

// specDMG returns a signed disk image of the example bundle, its volume
// built from spec with the bundle's files added.
func specDMG(t *testing.T, spec hfsplus.BuildSpec) []byte {
	t.Helper()
	files := map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}
	maps.Copy(files, spec.Files)
	spec.Files = files
	vol := bundleHFS(t, exampleBundle(t), spec)
	return signedDMG(t, dmgfile.Spec{HFS: vol})
}

// dmgExtraRules lists the volume-accounting findings of a report.
func dmgExtraRules(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		switch f.Rule {
		case dmg.RuleResourceFork, dmg.RuleExtendedAttribute, dmg.RuleUnreferencedBlocks,
			dmg.RuleFreeBlockData, dmg.RuleMetadataSlack, dmg.RuleAllocationMismatch:
			out = append(out, f.Path+" "+string(f.Rule)+": "+f.Message)
		}
	}
	return out
}

// TestDMGVolumeAccountedFor: an image of files with tolerated metadata
// (quarantine, FinderInfo) and free space (zeros) has no accounting
// finding.
func TestDMGVolumeAccountedFor(t *testing.T) {
	t.Parallel()
	r := runDMG(t, specDMG(t, hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{
		"Example.app/Contents/Resources/readme.txt": {Data: []byte("hi"), Xattrs: map[string][]byte{
			"com.apple.quarantine": []byte("0081;00000000;Safari;"), "com.apple.FinderInfo": make([]byte, 32)}},
	}, FreeData: make([]byte, 3*4096)}))
	if got := dmgExtraRules(r); len(got) > 0 {
		t.Errorf("findings %v", got)
	}
}

// TestDMGResourceForkPayload: a payload in the resource fork of a file
// of the app, beside a data fork the bundle seal covers, is reported.
func TestDMGResourceForkPayload(t *testing.T) {
	t.Parallel()
	p := "Example.app/Contents/Resources/readme.txt"
	r := runDMG(t, specDMG(t, hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{
		p: {Data: []byte("hi"), Rsrc: bytes.Repeat([]byte("payload "), 2000)},
	}}))
	got := rulesFor(r, "Example.dmg/"+p)
	if !has(got, "warning "+string(dmg.RuleResourceFork)) || len(dmgExtraRules(r)) != 1 {
		t.Errorf("findings %v", dmgExtraRules(r))
	}
	if !strings.Contains(dmgExtraRules(r)[0], "16000 bytes") {
		t.Errorf("message %v", dmgExtraRules(r))
	}
}

// TestDMGXattrPayload: a blob in an extended attribute of the app's main
// executable is reported with its name and size.
func TestDMGXattrPayload(t *testing.T) {
	t.Parallel()
	p := "Example.app/Contents/MacOS/Example"
	bundle := exampleBundle(t)
	f := bundle[p]
	r := runDMG(t, specDMG(t, hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{
		p: {Data: f.Data, Mode: f.Mode, Xattrs: map[string][]byte{"com.example.stage2": bytes.Repeat([]byte{0x90}, 5000)}},
	}}))
	got := dmgExtraRules(r)
	if len(got) != 1 || !strings.Contains(got[0], `"com.example.stage2" of 5000 bytes`) || !has(rulesFor(r, "Example.dmg/"+p), "warning "+string(dmg.RuleExtendedAttribute)) {
		t.Errorf("findings %v", got)
	}
}

// TestDMGOrphanExtent: blocks marked used in the volume's allocation
// bitmap that no file or structure references carry a payload: reported
// with their size.
func TestDMGOrphanExtent(t *testing.T) {
	t.Parallel()
	r := runDMG(t, specDMG(t, hfsplus.BuildSpec{Hidden: bytes.Repeat([]byte("stage2"), 2000)}))
	got := dmgExtraRules(r)
	if len(got) != 1 || !strings.Contains(got[0], "marks 12288 bytes allocated") || !has(rulesFor(r, "Example.dmg"), "warning "+string(dmg.RuleUnreferencedBlocks)) {
		t.Errorf("findings %v", got)
	}
}

// TestDMGFreeBlockPayload: a payload left in blocks the volume's bitmap
// marks free, beside an app that verifies, is reported with its offset.
func TestDMGFreeBlockPayload(t *testing.T) {
	t.Parallel()
	r := runDMG(t, specDMG(t, hfsplus.BuildSpec{FreeData: []byte("MZ second stage in free space")}))
	got := dmgExtraRules(r)
	if len(got) != 1 || !strings.Contains(got[0], string(dmg.RuleFreeBlockData)) || !strings.Contains(got[0], "4096 bytes") {
		t.Errorf("findings %v", got)
	}
}
