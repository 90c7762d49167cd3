package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing/dmg"
)

// TestAttackDMGPolyglotHFSBootSector: an HFS+ volume whose boot blocks
// (its first 1024 bytes, unused by HFS+) hold a FAT, exFAT or NTFS boot
// sector passed with a dmg/metadata-slack warning: the HFS+ volume was
// read and its app verified, while macOS, probing file systems in its
// own order, may mount the partition as the other one, whose files were
// never looked at. Now an error naming the other file system; the
// volume with clean boot blocks has none (TestDMGForeignVolumeBesideHFS).
func TestAttackDMGPolyglotHFSBootSector(t *testing.T) {
	bundle := machofile.ExampleBundle(getFixtures(t).apple)
	for _, name := range []string{dmg.FSFAT, dmg.FSExFAT, dmg.FSNTFS} {
		t.Run(name, func(t *testing.T) {
			vol := bundleHFS(t, bundle, hfsplus.BuildSpec{})
			copy(vol[:512], dmgfile.ForeignVolume(name)[:512])
			r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol}))
			got := dmgMessages(r, dmg.RuleFilesystemMalformed)
			if len(got) != 1 || !strings.Contains(got[0], "error: the HFS+ volume of partition 1 also reads as a "+name+" volume") {
				t.Errorf("findings %q", got)
			}
			if r.Summary.Passed {
				t.Error("release passed")
			}
		})
	}
}
