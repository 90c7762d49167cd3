package verify

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/apfs"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
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
	t.Parallel()
	bundle := exampleBundle(t)
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

// TestAttackDMGPolyglotAPFS: an APFS container whose superblock holds an
// HFS+ or HFS signature at byte 1024 (in its counters, which only the
// checksum covers) passed: the polyglot check ran on HFS+ volumes only,
// while macOS may mount the partition as HFS. Now an error naming the
// other file system; a built container has none.
func TestAttackDMGPolyglotAPFS(t *testing.T) {
	t.Parallel()
	files := apfsFiles(exampleBundle(t))
	for _, c := range []struct{ name, sig string }{{"", ""}, {dmg.FSHFSPlus, "H+"}, {dmg.FSHFS, "BD"}} {
		t.Run(c.sig, func(t *testing.T) {
			vol, err := apfs.Build(apfs.BuildSpec{Files: files, Name: "Example"})
			if err != nil {
				t.Fatal(err)
			}
			if c.sig != "" {
				copy(vol[1024:], c.sig)
				binary.BigEndian.PutUint32(vol[1044:], 4096) // an HFS allocation block size
				binary.LittleEndian.PutUint64(vol, apfs.Fletcher64(vol[:4096]))
			}
			r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: vol}))
			got := dmgMessages(r, dmg.RuleFilesystemMalformed)
			if c.sig == "" {
				if len(got) > 0 || !r.Summary.Passed {
					t.Errorf("built container: %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], "error: the APFS container of partition 1 also reads as a "+c.name+" volume") {
				t.Errorf("findings %q", got)
			}
			if r.Summary.Passed {
				t.Error("release passed")
			}
		})
	}
}
