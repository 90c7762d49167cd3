package verify

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// unpackedAsar is an asar archive of the release whose unpacked files are
// checked where they are, as ordinary files (see openAsar): path is its
// report path.
type unpackedAsar struct {
	path string
	ar   *asar.Reader
}

// pendingIntegrity is an entry of an asar archive whose bytes its
// archive's pass did not hash (an unpacked entry of an archive given on
// its own, read from the sibling folder): it is compared with its
// integrity from the SHA-256 its own check computes, once every file has
// been checked, rather than read again.
type pendingIntegrity struct {
	path  string // the entry's report path
	ar    *asar.Reader
	entry *asar.Entry
}

// addPendingIntegrity records the entry name of ar, checked at report path
// at, for checkUnpackedAsars, when it is a file that has an integrity.
func (e *engine) addPendingIntegrity(at string, ar *asar.Reader, name string) {
	en, err := ar.Entry(name)
	if err != nil || en.Kind != asar.KindFile || en.Integrity == nil {
		return
	}
	e.mu.Lock()
	e.pendingIntegrity = append(e.pendingIntegrity, pendingIntegrity{at, ar, en})
	e.mu.Unlock()
}

// addUnpackedAsar records the archive ar, checked at report path at, for
// checkUnpackedAsars.
func (e *engine) addUnpackedAsar(at string, ar *asar.Reader) {
	e.mu.Lock()
	e.unpackedAsars = append(e.unpackedAsars, unpackedAsar{at, ar})
	e.mu.Unlock()
}

// checkUnpackedAsars compares each unpacked file of the release's asar
// archives, checked as the file <archive>.unpacked/<entry>, with the
// integrity the archive's header records for it, from the SHA-256 its
// check computed (the file is not read again): a file whose digest differs
// is asar/integrity-mismatch, one that is missing or of another size
// file/unreadable, as sbom, which reads them through the archive, reports
// them. It then compares the pending entries (addPendingIntegrity) the
// same way; one whose check could not read it has that check's finding
// only. It runs once every file has been checked.
func (e *engine) checkUnpackedAsars() {
	if len(e.unpackedAsars) == 0 && len(e.pendingIntegrity) == 0 {
		return
	}
	files := make(map[string]*File, len(e.files))
	for i := range e.files {
		files[e.files[i].Path] = &e.files[i]
	}
	var finds []signing.Finding
	for _, u := range e.unpackedAsars {
		u.ar.Walk(func(en *asar.Entry) error {
			if en.Kind != asar.KindFile || !en.Unpacked || en.Err() != nil {
				return nil
			}
			at := joinPath(u.path+".unpacked", en.Path)
			f := files[at]
			switch {
			case f == nil:
				finds = append(finds, finding(ruleUnreadable, signing.SeverityError, at,
					fmt.Sprintf("the unpacked file %s the header of %s lists is missing", en.Path, u.path)))
			case f.Size != en.Size:
				finds = append(finds, finding(ruleUnreadable, signing.SeverityError, at,
					fmt.Sprintf("the unpacked file has %d bytes, the header of %s records %d", f.Size, u.path, en.Size)))
			default:
				if fd, bad := unpackedIntegrity(u.ar, en, f.SHA256[:]); bad {
					fd.Path = at
					finds = append(finds, fd)
				}
			}
			return nil
		})
	}
	for _, p := range e.pendingIntegrity {
		f := files[p.path]
		if f == nil || f.SHA256 == (Digest{}) {
			continue
		}
		if fd, bad := unpackedIntegrity(p.ar, p.entry, f.SHA256[:]); bad {
			fd.Path = p.path
			finds = append(finds, fd)
		}
	}
	e.addFindings(finds...)
}

// unpackedIntegrity compares sum, the SHA-256 of the unpacked file e of
// ar, with e's integrity and returns its asar/integrity-mismatch finding
// when they differ. An integrity of more than one block is compared by
// its whole-file hash, the block digests not being computed: the same
// hash means the same bytes.
func unpackedIntegrity(ar *asar.Reader, e *asar.Entry, sum []byte) (signing.Finding, bool) {
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
