package verify

import (
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
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
	t.Parallel()
	vol := bundleHFS(t, exampleBundle(t), hfsplus.BuildSpec{})
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
	t.Parallel()
	r := runDMG(t, signedDMG(t, dmgfile.Spec{FreeHFS: hiddenVolume(t)}))
	got := rulesFor(r, "Example.dmg")
	if !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("findings %v", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}

// mapDMG builds a signed image whose HFS+ volume is a decoy, whose
// Apple_Free partition holds 8 zero sectors and then free (a volume, or
// zeros), and whose partition map is what mapOf makes of the sector 8
// sectors into that partition.
func mapDMG(t *testing.T, free []byte, mapOf func(hidden int) []byte) []byte {
	t.Helper()
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"Decoy.app/Contents/Info.plist": {Data: []byte("<plist/>")}}, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	return signedDMG(t, dmgfile.Spec{HFS: vol, FreeHFS: append(make([]byte, 8*512), free...), Map: func(fsSectors int) []byte {
		m := mapOf(0)
		return mapOf(len(m)/512 + fsSectors + 8)
	}})
}

// mbrMap is an MBR with one Apple HFS (0xAF) entry at sector at.
func mbrMap(at int) []byte {
	m := make([]byte, 512)
	m[446+4] = 0xaf
	binary.LittleEndian.PutUint32(m[446+8:], uint32(at))
	binary.LittleEndian.PutUint32(m[446+12:], 1)
	m[510], m[511] = 0x55, 0xaa
	return m
}

// gptMap is a protective MBR, a GPT header and one entry (an HFS+ type
// GUID) at sector at.
func gptMap(at int) []byte {
	m := make([]byte, 4*512)
	m[446+4] = 0xee
	binary.LittleEndian.PutUint32(m[446+8:], 1)
	m[510], m[511] = 0x55, 0xaa
	h := m[512:]
	copy(h, "EFI PART")
	binary.LittleEndian.PutUint64(h[72:], 2)
	binary.LittleEndian.PutUint32(h[80:], 4)
	binary.LittleEndian.PutUint32(h[84:], 128)
	e := m[1024:]
	copy(e, []byte{0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac})
	binary.LittleEndian.PutUint64(e[32:], uint64(at))
	binary.LittleEndian.PutUint64(e[40:], uint64(at+100))
	return m
}

// apmMap is an Apple partition map (driver descriptor, the map's own
// entry, one Apple_HFS entry at sector at).
func apmMap(at int) []byte {
	m := make([]byte, 3*512)
	copy(m, "ER")
	binary.BigEndian.PutUint16(m[2:], 512)
	for i, start := range []int{1, at} {
		e := m[512*(1+i):]
		copy(e, "PM")
		binary.BigEndian.PutUint32(e[4:], 2)
		binary.BigEndian.PutUint32(e[8:], uint32(start))
		binary.BigEndian.PutUint32(e[12:], 1)
	}
	return m
}

// TestDMGVolumeAtPartitionMapOffset: the disk's partition map (MBR, GPT
// or Apple partition map) places a partition 8 sectors into the partition
// named Apple_Free, whose start holds nothing a reader of block table
// partitions would recognize; a whole HFS+ volume sits there, and macOS
// mounts it. Reported; the same entry over zeros is not.
func TestDMGVolumeAtPartitionMapOffset(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]func(int) []byte{"MBR": mbrMap, "GPT": gptMap, "APM": apmMap} {
		t.Run(name, func(t *testing.T) {
			r := runDMG(t, mapDMG(t, hiddenVolume(t), m))
			if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
				t.Errorf("findings %v", got)
			}
			if r.Summary.Passed {
				t.Error("release passed")
			}
			r = runDMG(t, mapDMG(t, make([]byte, 16*512), m))
			if got := rulesFor(r, "Example.dmg"); has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
				t.Errorf("empty entry findings %v", got)
			}
		})
	}
}
