package verify

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing/dmg"
)

// TestAttackDMGAPFSHugeDataArea: data appended to the container in a
// block its superblocks put in a checkpoint data area declared over the
// whole container is still a dmg/unreferenced-blocks warning: only the
// checkpoint's own objects in the area are owned. Before, the area was
// owned whole, and the payload passed unreported.
func TestAttackDMGAPFSHugeDataArea(t *testing.T) {
	files := apfsFiles(machofile.ExampleBundle(getFixtures(t).apple))
	vol, err := apfs.Build(apfs.BuildSpec{Files: files, Name: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	hidden := append(bytes.Clone(vol), append([]byte("hidden payload"), make([]byte, 4096-14)...)...)
	n := len(hidden) / 4096
	for _, blk := range []int{0, 2} { // block 0's superblock and the checkpoint's
		b := hidden[blk*4096 : (blk+1)*4096]
		binary.LittleEndian.PutUint64(b[40:], uint64(n))
		binary.LittleEndian.PutUint32(b[108:], uint32(n)) // nx_xp_data_blocks
		binary.LittleEndian.PutUint64(b[120:], 0)         // nx_xp_data_base
		binary.LittleEndian.PutUint64(b, apfs.Fletcher64(b))
	}
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: hidden}))
	found := false
	for _, f := range r.Findings {
		found = found || f.Rule == dmg.RuleUnreferencedBlocks && strings.Contains(f.Message, "4096 bytes of data that no structure owns")
	}
	if !found {
		t.Errorf("findings %v", r.Findings)
	}
}
