package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// dmgMessages returns the messages of the image's findings of rule.
func dmgMessages(r *Report, rule signing.Rule) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Path == "Example.dmg" && f.Rule == rule {
			out = append(out, f.Severity.String()+": "+f.Message)
		}
	}
	return out
}

// TestDMGForeignVolumeBesideHFS: a FAT, exFAT, NTFS, UDF or ISO 9660
// volume in the partition named Apple_Free, beside the checked HFS+
// volume, passed: only HFS+ and APFS signatures were looked for, and
// macOS mounts the others too. An error naming the file system; the HFS+
// volume is still walked.
func TestDMGForeignVolumeBesideHFS(t *testing.T) {
	t.Parallel()
	vol := bundleHFS(t, exampleBundle(t), hfsplus.BuildSpec{})
	for _, name := range dmgfile.ForeignVolumes {
		t.Run(name, func(t *testing.T) {
			r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: vol, FreeHFS: dmgfile.ForeignVolume(name)}))
			got := dmgMessages(r, dmg.RuleFilesystemMalformed)
			if len(got) != 1 || !strings.Contains(got[0], "error: partition 2 (\" (Apple_Free : 2)\") holds a second file system ("+name+")") {
				t.Errorf("findings %q", got)
			}
			if f := fileByPath(r, dmgLib); f == nil || f.Signatures[0].Status != signing.StatusValid {
				t.Errorf("the HFS+ volume was not walked: %+v", f)
			}
			if r.Summary.Passed {
				t.Error("release passed")
			}
		})
	}
}

// TestDMGForeignVolumeNotOpened: an image whose file system partition
// holds a foreign volume says which one it is in its
// dmg/filesystem-not-opened warning, instead of that no partition holds
// an HFS+ or APFS volume; beside an APFS volume not opened (encrypted),
// both are named.
func TestDMGForeignVolumeNotOpened(t *testing.T) {
	t.Parallel()
	for _, name := range dmgfile.ForeignVolumes {
		t.Run(name, func(t *testing.T) {
			r := runDMG(t, signedDMG(t, dmgfile.Spec{HFS: dmgfile.ForeignVolume(name)}))
			got := dmgMessages(r, dmg.RuleFilesystemNotOpened)
			if len(got) != 1 || !strings.Contains(got[0], "error: the file system inside the disk image was not opened (partition 1 holds a file system ("+name+") that macOS mounts and shipgate does not read)") {
				t.Errorf("findings %q", got)
			}
		})
	}
	r := runDMG(t, signedDMG(t, dmgfile.Spec{APFS: encryptedAPFS(t), FreeHFS: dmgfile.ForeignVolume("exFAT")}))
	got := dmgMessages(r, dmg.RuleFilesystemNotOpened)
	if len(got) != 1 || !strings.Contains(got[0], "partition 1 holds an APFS container the reader does not open: an encrypted volume") || !strings.Contains(got[0], "; partition 2 holds a file system (exFAT)") {
		t.Errorf("findings %q", got)
	}
}
