package walk

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
	polyglot(hideSignature{pr, 1024, 1026}, "HFS+ volume", idx, add)
}

// polyglotAPFS reports an APFS partition that also reads as another file
// system, as polyglotVolume does an HFS+ one: an HFS or HFS+ signature at
// byte 1024 (inside the container superblock's counters, which its
// checksum covers but nothing else checks), a boot sector, or volume
// descriptors at byte 32768 (inside block 8 of 4096-byte blocks).
func polyglotAPFS(pr io.ReaderAt, idx int, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	polyglot(hideSignature{pr, 32, 36}, "APFS container", idx, add)
}

// polyglot reports what dmg.DetectFileSystem finds in r, the partition
// with its own file system's signature hidden.
func polyglot(r io.ReaderAt, what string, idx int, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	if other := dmg.DetectFileSystem(r); other != "" {
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "the %s of partition %d also reads as a %s volume (its boot sector, signature or volume descriptors): macOS may mount the partition as that file system, whose files were not verified", what, idx, other)
	}
}

// hideSignature reads r with bytes from to to zeroed (a file system's
// signature), so that DetectFileSystem names any other file system the
// bytes hold.
type hideSignature struct {
	r        io.ReaderAt
	from, to int64
}

func (h hideSignature) ReadAt(b []byte, off int64) (int, error) {
	n, err := h.r.ReadAt(b, off)
	for i := max(h.from, off); i < min(h.to, off+int64(n)); i++ {
		b[i-off] = 0
	}
	return n, err
}
