package walk

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// UnpackedPath returns the report path of the unpacked file name of the
// asar archive at report path at: its path on disk, in the folder beside
// the archive (app.asar.unpacked/b.js), where a user finds it.
func UnpackedPath(at, name string) string {
	return release.JoinPath(at+".unpacked", name)
}

// UnpackedFindings compares each unpacked file of the asar archive ar,
// listed at report path at, with what the walk found at its path on disk
// (UnpackedPath): file returns the size and SHA-256 of the file listed
// at a path, ok false when none is. A file that is missing, or of another
// size than the header records, is file/unreadable; one whose bytes
// differ from the integrity the header records is asar/integrity-mismatch
// (UnpackedIntegrity). It runs once the walk has hashed every file.
func UnpackedFindings(ar *asar.Reader, at string, file func(p string) (size int64, sum []byte, ok bool)) []signing.Finding {
	var finds []signing.Finding
	ar.Walk(func(en *asar.Entry) error {
		if en.Kind != asar.KindFile || !en.Unpacked || en.Err() != nil {
			return nil
		}
		p := UnpackedPath(at, en.Path)
		size, sum, ok := file(p)
		switch {
		case !ok:
			finds = append(finds, finding(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("the unpacked file %s the header of %s lists is missing", en.Path, at)))
		case size != en.Size:
			finds = append(finds, finding(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("the unpacked file has %d bytes, the header of %s records %d", size, at, en.Size)))
		default:
			if fd, bad := UnpackedIntegrity(ar, en, sum); bad {
				fd.Path = p
				finds = append(finds, fd)
			}
		}
		return nil
	})
	return finds
}

// UnpackedIntegrity compares sum, the SHA-256 of the unpacked file e of
// ar, with e's integrity and returns its asar/integrity-mismatch finding
// (its path the entry's) when they differ. An integrity of more than one
// block is compared by its whole-file hash, the block digests not being
// computed: the same hash means the same bytes.
func UnpackedIntegrity(ar *asar.Reader, e *asar.Entry, sum []byte) (signing.Finding, bool) {
	err := ar.CheckDigests(e, sum, nil)
	if errors.Is(err, asar.ErrBlocksNeeded) {
		err = nil
		if !strings.EqualFold(hex.EncodeToString(sum), e.Integrity.Hash) {
			err = &asar.EntryError{Path: e.Path, Err: asar.ErrIntegrity, Detail: "file hash differs from the header's integrity"}
		}
	}
	var ee *asar.EntryError
	if !errors.Is(err, asar.ErrIntegrity) || !errors.As(err, &ee) {
		return signing.Finding{}, false
	}
	return ee.Finding(), true
}
