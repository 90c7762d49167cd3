package verify

import (
	"github.com/shipgate/shipgate/internal/walk"
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
// check computed (the file is not read again), as sbom does
// (walk.UnpackedFindings). It then compares the pending entries
// (addPendingIntegrity) the same way; one whose check could not read it
// has that check's finding only. It runs once every file has been
// checked.
func (e *engine) checkUnpackedAsars() {
	if len(e.unpackedAsars) == 0 && len(e.pendingIntegrity) == 0 {
		return
	}
	files := make(map[string]*File, len(e.files))
	for i := range e.files {
		files[e.files[i].Path] = &e.files[i]
	}
	checked := func(p string) (int64, []byte, bool) {
		f := files[p]
		if f == nil {
			return 0, nil, false
		}
		return f.Size, f.SHA256[:], true
	}
	var finds []signing.Finding
	for _, u := range e.unpackedAsars {
		finds = append(finds, walk.UnpackedFindings(u.ar, u.path, checked)...)
	}
	for _, p := range e.pendingIntegrity {
		f := files[p.path]
		if f == nil || f.SHA256 == (Digest{}) {
			continue
		}
		if fd, bad := walk.UnpackedIntegrity(p.ar, p.entry, f.SHA256[:]); bad {
			fd.Path = p.path
			finds = append(finds, fd)
		}
	}
	e.addFindings(finds...)
}
