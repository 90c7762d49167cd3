package container

import (
	"fmt"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// handed is the report paths one [Walk] has handed over. Every file a
// container holds is handed over, every copy of a repeated name too (a
// cabinet's two files of one name, a 7-Zip archive's two entries, an
// MSI's cabinet file at the path of a Binary-table payload, two NSIS
// blocks extracted to one path): installers and extractors disagree on
// which copy ends up installed, so each is checked and inventoried, as
// every copy of a zip's repeated name is. A path handed over more than
// once is file/duplicate-entry, reported once.
type handed struct {
	seen map[string]bool
	// reported holds the paths whose repetition is reported: by hand, or
	// by the container's reader (a cabinet's duplicate names).
	reported map[string]bool
}

func newHanded() *handed {
	return &handed{seen: map[string]bool{}, reported: map[string]bool{}}
}

// hand hands e to the visitor, after reporting each of its paths (Path,
// then Also) handed over before in this Walk as a duplicate, unless its
// repetition was reported already.
func (w *walker) hand(e Entry) {
	for _, p := range append([]string{e.Path}, e.Also...) {
		if w.handed.seen[p] && !w.handed.reported[p] {
			w.handed.reported[p] = true
			w.add(release.RuleDuplicateEntry, signing.SeverityError, p, fmt.Sprintf("%s holds more than one file at this path; installers and extractors disagree on which one is left installed, so every copy was checked", w.at))
		}
		w.handed.seen[p] = true
	}
	w.v.Entry(e)
}

// duplicateReported records that the repetition of report path p is
// reported already (by the container's reader, or by the walker in its
// own words): hand does not report it again.
func (w *walker) duplicateReported(p string) { w.handed.reported[p] = true }
