package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing/dmg"
)

// highSierraVolume returns the volume descriptors of a High Sierra disc,
// the format before ISO 9660: a primary descriptor at byte 32768 whose
// type is at byte 8 and standard identifier "CDROM" at byte 9 (ISO 9660
// has them at 0 and 1), and the set terminator after it.
func highSierraVolume() []byte {
	b := make([]byte, 64<<10)
	for k, typ := range []byte{1, 255} {
		d := b[32768+k*2048:]
		d[8] = typ
		copy(d[9:], "CDROM")
		d[14] = 1
	}
	return b
}

// TestAttackDMGHighSierraVolumeBesideHFS: a High Sierra volume in a
// second partition, beside the checked HFS+ volume, passed: only CD001
// was looked for at byte 32769, and macOS's cd9660 (BSD's) mounts a disc
// whose descriptors read CDROM at byte 32777 too. Now it is a second file
// system (ISO 9660), an error.
func TestAttackDMGHighSierraVolumeBesideHFS(t *testing.T) {
	t.Parallel()
	if got := dmg.DetectFileSystem(strings.NewReader(string(highSierraVolume()))); got != dmg.FSISO9660 {
		t.Fatalf("High Sierra volume detected as %q", got)
	}
	vol := bundleHFS(t, exampleBundle(t), hfsplus.BuildSpec{})
	r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol, FreeHFS: highSierraVolume()}))
	got := dmgMessages(r, dmg.RuleFilesystemMalformed)
	if len(got) != 1 || !strings.Contains(got[0], "error: partition 2 (\" (Apple_Free : 2)\") holds a second file system (ISO 9660)") {
		t.Errorf("findings %q", got)
	}
	if r.Summary.Passed {
		t.Error("release passed")
	}
}
