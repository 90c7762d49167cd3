package verify

import (
	"maps"
	"slices"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// checkWalkedCopies reports each report path that a container's walk
// handed a file at and another reader (a zip's, a tarball's, a folder's)
// did too, as sbom reports it (release.WalkedCopyMessage): a zip holding
// setup.exe and setup.exe/$INSTDIR/app.dll. Copies one walk hands over
// are that walk's to report, those of one zip that zip's (see
// container.Walk, release.ZipDuplicateMessage). Every copy was checked.
func (e *engine) checkWalkedCopies() {
	if len(e.walked) == 0 {
		return
	}
	all := map[string]int{}
	for _, f := range e.files {
		if e.walked[f.Path] > 0 {
			all[f.Path]++
		}
	}
	var fs []signing.Finding
	for _, p := range slices.Sorted(maps.Keys(all)) {
		if all[p] > e.walked[p] {
			fs = append(fs, finding(ruleDuplicateEntry, signing.SeverityError, p, release.WalkedCopyMessage("checked")))
		}
	}
	e.addFindings(fs...)
}
