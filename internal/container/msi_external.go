package container

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// externalCabinet walks the external cabinet cb (a Media row whose
// Cabinet has no "#": a file Windows Installer reads from beside the
// database, as InstallShield and WiX's non-embedded media ship them),
// opened with the visitor's Cabinet, under at: its files are checked
// with their installed paths and against the File table, as an embedded
// cabinet's are. Its own signature and trailing data are checked where it
// lies in the release, as a file of its own.
func (w *walker) externalCabinet(cb msi.Cabinet, at string, paths map[string]string, checks map[string]msi.FileCheck) {
	if w.v.Cabinet == nil {
		w.add(RuleUncheckedArchive, signing.SeverityNote, w.at, fmt.Sprintf("the Media table's disk %d is the external cabinet %q, installed from beside the database: it is checked where it is in the release, when it is shipped", cb.DiskID, cb.Name))
		return
	}
	if !plainFileName(cb.Name) {
		w.add(release.RuleInsecurePath, signing.SeverityError, at, fmt.Sprintf("the Media table's disk %d names the external cabinet %q, which is not a plain file name beside the database; it was not read", cb.DiskID, cb.Name))
		return
	}
	ra, size, cl, err := w.v.Cabinet(cb.Name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.add(RuleMSIMissingCabinet, signing.SeverityError, at, fmt.Sprintf("the Media table's disk %d is the external cabinet %q, which the release does not hold beside the database: the installer cannot install its files, and they were not checked", cb.DiskID, cb.Name))
		return
	case err != nil:
		w.add(RuleUncheckedArchive, signing.SeverityNote, at, fmt.Sprintf("the Media table's disk %d is the external cabinet %q, which cannot be read from beside the database (%v): it is checked where it is in the release, but not against the File table", cb.DiskID, cb.Name, err))
		return
	}
	defer cl.Close()
	cr, err := cab.NewReader(ctxReaderAt{w.ctx, ra}, size)
	if err != nil {
		if w.ctx.Err() == nil {
			w.add(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("external cabinet cannot be read, so its files were not checked: %v", err))
		}
		return
	}
	if s := w.joinCabSet(cr, cb.Name, size, at); s != nil {
		// A set: walked once, under its first cabinet's name, whichever
		// of its cabinets the Media table names.
		defer s.done()
		head := strings.ToLower(s.names[0])
		if w.cabSets == nil {
			w.cabSets = map[string]bool{}
		}
		if !w.cabSets[head] {
			w.cabSets[head] = true
			w.walkCabSet(s, release.JoinPath(w.at, PathElem(s.names[0])), paths, checks)
		}
		return
	}
	// The cabinet is a file of the release, with an outermost archive's
	// budget of its own size, as when it is walked as itself: charged to
	// the MSI's, a large cabinet beside a small MSI would not be read.
	x := w.x
	w.x = release.NewExpansion(size)
	w.walkCab(cr, at, paths, checks)
	w.x = x
}

// plainFileName reports a name that is one file name: not empty, "." or
// "..", holding no "/", "\\", ":" or control character.
func plainFileName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	return !strings.ContainsAny(s, "/\\:") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
