package verify

import (
	"io"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// polyglotVolume reports an HFS+ partition that also reads as another
// file system macOS mounts: a FAT, exFAT or NTFS boot sector in the
// volume's boot blocks (bytes HFS+ leaves unused, and only inventoried as
// slack), or UDF or ISO 9660 volume descriptors at byte 32768 (inside an
// allocation block). Which file system macOS mounts such a partition as
// depends on the order in which it probes them, not on shipgate: the
// other one's files were not verified.
func polyglotVolume(pr io.ReaderAt, idx int, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	if other := dmg.DetectFileSystem(hideHFSSignature{pr}); other != "" {
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "the HFS+ volume of partition %d also reads as a %s volume (its boot sector or volume descriptors): macOS may mount the partition as that file system, whose files were not verified", idx, other)
	}
}

// hideHFSSignature reads r with the HFS+ signature at byte 1024 zeroed,
// so that DetectFileSystem names any other file system the bytes hold.
type hideHFSSignature struct{ r io.ReaderAt }

func (h hideHFSSignature) ReadAt(b []byte, off int64) (int, error) {
	n, err := h.r.ReadAt(b, off)
	for i := max(1024, off); i < min(1026, off+int64(n)); i++ {
		b[i-off] = 0
	}
	return n, err
}
