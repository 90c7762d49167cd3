package verify

import (
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing/dmg"
)

// extendedDMG builds a signed image whose HFS+ volume is a decoy and whose
// Apple_Free partition holds 7 zero sectors, an extended boot record, then
// free (a volume, or zeros); its MBR's one entry is an extended partition
// (type ext) starting at that boot record, whose first entry is a logical
// partition at the sector after it.
func extendedDMG(t *testing.T, free []byte, ext byte) []byte {
	t.Helper()
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: map[string]hfsplus.BuildFile{"Decoy.app/Contents/Info.plist": {Data: []byte("<plist/>")}}, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	ebr := make([]byte, 8*512)
	e := ebr[7*512:]
	e[446+4] = 0xaf
	binary.LittleEndian.PutUint32(e[446+8:], 1) // relative to this record
	binary.LittleEndian.PutUint32(e[446+12:], uint32(len(free)/512))
	e[510], e[511] = 0x55, 0xaa
	mbr := func(at int) []byte {
		m := make([]byte, 512)
		m[446+4] = ext
		binary.LittleEndian.PutUint32(m[446+8:], uint32(at))
		binary.LittleEndian.PutUint32(m[446+12:], uint32(1+len(free)/512))
		m[510], m[511] = 0x55, 0xaa
		return m
	}
	return signedDMG(t, dmgfile.Spec{HFS: vol, FreeHFS: append(ebr, free...), Map: func(fsSectors int) []byte {
		return mbr(1 + fsSectors + 7) // the map's one sector, the volume, 7 zero sectors
	}})
}

// TestAttackDMGVolumeInExtendedPartition: the MBR lists an extended
// partition, whose boot record places a logical partition holding a whole
// HFS+ volume inside the partition named Apple_Free. macOS's MBR scheme
// follows extended partitions and mounts the volume; shipgate read the
// MBR's four entries only, found no file system where the extended entry
// starts (at its boot record) and reported nothing. Reported for each
// extended type; the same chain over zeros is not.
func TestAttackDMGVolumeInExtendedPartition(t *testing.T) {
	t.Parallel()
	for _, ext := range []byte{0x05, 0x0f, 0x85} {
		r := runDMG(t, extendedDMG(t, hiddenVolume(t), ext))
		if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
			t.Errorf("type %#x: findings %v", ext, got)
		}
		if r.Summary.Passed {
			t.Errorf("type %#x: release passed", ext)
		}
		r = runDMG(t, extendedDMG(t, make([]byte, 16*512), ext))
		if got := rulesFor(r, "Example.dmg"); has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
			t.Errorf("type %#x: empty logical partition findings %v", ext, got)
		}
	}
}

// bigGPTMap is gptMap with a partition entry array of n entries (the
// HFS+ entry first, the others empty) of size bytes each.
func bigGPTMap(n, size int) func(at int) []byte {
	return func(at int) []byte {
		table := (n*size + 511) / 512 * 512
		m := make([]byte, 2*512+table)
		copy(m, gptMap(at)[:1024])
		binary.LittleEndian.PutUint32(m[512+80:], uint32(n))
		binary.LittleEndian.PutUint32(m[512+84:], uint32(size))
		copy(m[1024:], gptMap(at)[1024:1024+128])
		return m
	}
}

// TestAttackDMGVolumeInLargeGPT: a GPT whose partition entry array holds
// more entries (or longer ones) than shipgate read was passed over
// whole, while macOS reads up to 65535 entries of up to 65535 bytes: its
// first entry placed a whole HFS+ volume inside Apple_Free, unreported.
// A GPT shipgate does not read in full is now an error, and the entries it
// reads are judged: reported for each such array; a 128-entry array
// placing the volume is reported as before, and over zeros it is not.
func TestAttackDMGVolumeInLargeGPT(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, size int
	}{{300, 128}, {8, 2048}, {4, 130}, {128, 128}} {
		r := runDMG(t, mapDMG(t, hiddenVolume(t), bigGPTMap(c.n, c.size)))
		if got := rulesFor(r, "Example.dmg"); !has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
			t.Errorf("%d entries of %d bytes: findings %v", c.n, c.size, got)
		}
		if r.Summary.Passed {
			t.Errorf("%d entries of %d bytes: release passed", c.n, c.size)
		}
	}
	r := runDMG(t, mapDMG(t, make([]byte, 16*512), bigGPTMap(128, 128)))
	if got := rulesFor(r, "Example.dmg"); has(got, "error "+string(dmg.RuleFilesystemMalformed)) {
		t.Errorf("empty entry findings %v", got)
	}
}
