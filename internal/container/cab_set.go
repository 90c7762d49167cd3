package container

import (
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// cabSet is a cabinet set joined from the cabinets beside a walked one.
type cabSet struct {
	// names are the members' file names, the set's first cabinet first;
	// r reads them as one cabinet; size is their bytes together.
	names []string
	r     *cab.Reader
	size  int64
	close []io.Closer
}

func (s *cabSet) done() {
	for _, c := range s.close {
		c.Close()
	}
}

// joinCabSet joins the set cabinet cr, named name and reported at at, is
// in, opening the others with the visitor's Cabinet (beside the walked
// file). It returns nil, with no finding, when cr is in no set or the
// walker cannot see beside the file (its continued files are then not
// opened, as cr reports); nil and a cab/not-opened error at at naming why,
// when a member is missing or the members disagree (cr's continued files
// stay not opened: a set is never read in part).
func (w *walker) joinCabSet(cr *cab.Reader, name string, size int64, at string) *cabSet {
	if w.v.Cabinet == nil {
		return nil
	}
	return w.joinCabSetWith(cr, name, size, at, w.v.Cabinet)
}

// joinCabSetWith is joinCabSet opening the set's other cabinets with
// open (a plain file name; beside the walked file, or a stream of the MSI
// that embeds cr).
func (w *walker) joinCabSetWith(cr *cab.Reader, name string, size int64, at string, open func(string) (io.ReaderAt, int64, io.Closer, error)) *cabSet {
	if !cr.InSet() {
		return nil
	}
	s := &cabSet{size: size}
	openCab := func(n string) (*cab.Reader, error) {
		if !plainFileName(n) {
			return nil, fmt.Errorf("%q is not a plain file name beside the cabinet", n)
		}
		ra, sz, cl, err := open(n)
		if err != nil {
			return nil, err
		}
		s.close = append(s.close, cl)
		s.size += sz
		return cab.NewReader(ctxReaderAt{w.ctx, ra}, sz)
	}
	names, j, err := cab.OpenSet(name, cr, openCab)
	if err != nil {
		s.done()
		if w.ctx.Err() == nil {
			w.add(RuleCABNotOpened, signing.SeverityError, at, fmt.Sprintf("the cabinet is in a set (cabinet %d, setID %d) that cannot be joined from the files beside it: %v; its files continued across cabinets were not read", cr.Index, cr.SetID, err))
		}
		return nil
	}
	s.names, s.r = names, j
	return s
}

// walkCabSet walks the joined set s under at, with an outermost archive's
// budget of the set's size, as an external cabinet is walked.
func (w *walker) walkCabSet(s *cabSet, at string, paths map[string]string, checks map[string]msi.FileCheck) {
	x := w.x
	w.x = release.NewExpansion(s.size)
	w.walkCab(s.r, at, paths, checks)
	w.x = x
}

// isHead reports whether name is the set's first cabinet (case folded,
// as Windows finds the members).
func (s *cabSet) isHead(name string) bool { return strings.EqualFold(s.names[0], name) }
