package verify

import (
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/signing/dmg"
)

// TestAttackDMGAPFSHugeDataArea: data appended to the container in a
// block its superblocks put in a checkpoint data area declared over the
// whole container is still a dmg/unreferenced-blocks warning: only the
// checkpoint's own objects in the area are owned. Before, the area was
// owned whole, and the payload passed unreported.
func TestAttackDMGAPFSHugeDataArea(t *testing.T) {
	t.Parallel()
	vol := exampleAPFS(t)
	hidden := withHiddenBlock(vol, func(b []byte, n int) {
		binary.LittleEndian.PutUint32(b[108:], uint32(n)) // nx_xp_data_blocks
		binary.LittleEndian.PutUint64(b[120:], 0)         // nx_xp_data_base
	})
	wantHiddenBlockReported(t, runDMG(t, signedDMG(t, dmgfile.Spec{APFS: hidden})))
}

// TestAttackDMGAPFSNodeFreeSpace: a payload in the free space of the
// file-system tree's root node, resealed, is a dmg/metadata-slack
// warning; a built container has none. Before, an owned node's bytes
// were not looked at.
func TestAttackDMGAPFSNodeFreeSpace(t *testing.T) {
	t.Parallel()
	vol := exampleAPFS(t)
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if got := rulesFor(r, "Example.dmg"); has(got, "warning "+string(dmg.RuleMetadataSlack)) {
		t.Errorf("built container: %v", got)
	}
	le := binary.LittleEndian
	at := -1
	for b := 0; b+4096 <= len(vol) && at < 0; b += 4096 {
		if blk := vol[b : b+4096]; le.Uint32(blk[28:]) == 0x0e && le.Uint16(blk[32:])&1 != 0 { // the file-system tree's root
			at = b
		}
	}
	if at < 0 {
		t.Fatal("no file-system tree root")
	}
	blk := vol[at : at+4096]
	free := 56 + int(le.Uint16(blk[40:])+le.Uint16(blk[42:])) + int(le.Uint16(blk[44:]))
	if int(le.Uint16(blk[46:])) < 64 {
		t.Fatalf("root node with %d bytes free", le.Uint16(blk[46:]))
	}
	copy(blk[free+16:], "hidden payload")
	le.PutUint64(blk, apfs.Fletcher64(blk))
	r = runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
	if got := rulesFor(r, "Example.dmg"); !has(got, "warning "+string(dmg.RuleMetadataSlack)) {
		t.Errorf("findings %v", got)
	}
}
