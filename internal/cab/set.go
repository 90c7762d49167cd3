package cab

import (
	"errors"
	"fmt"
	"strings"
)

// MaxSetCabinets bounds the cabinets [OpenSet] follows a set through: a
// chain of names longer than this is refused, not followed.
const MaxSetCabinets = 256

// SetError reports a cabinet set that cannot be joined: a member missing,
// out of order, from another set, or a chain that loops.
type SetError struct {
	// Cabinet is the name of the member the problem was found at.
	Cabinet string
	Reason  string
}

func (e *SetError) Error() string {
	return fmt.Sprintf("cab: cabinet set at %q: %s", e.Cabinet, e.Reason)
}

// OpenSet finds the set cabinet c, named name, is in: it follows the
// header's previous-cabinet names back to the set's first cabinet and the
// next-cabinet names forward to its last, opening each with open, and
// joins them ([Join]). It returns the members' names in order and the
// joined reader; a member open cannot open, a chain longer than
// [MaxSetCabinets] or one that names a cabinet twice is a [*SetError]
// wrapping open's error.
func OpenSet(name string, c *Reader, open func(name string) (*Reader, error)) ([]string, *Reader, error) {
	names, cabs := []string{name}, []*Reader{c}
	seen := map[string]bool{strings.ToLower(name): true}
	visit := func(from string, next string) (*Reader, error) {
		if len(names) >= MaxSetCabinets {
			return nil, &SetError{from, fmt.Sprintf("the set has more than %d cabinets", MaxSetCabinets)}
		}
		if seen[strings.ToLower(next)] {
			return nil, &SetError{from, fmt.Sprintf("the chain of cabinets names %q twice (a loop)", next)}
		}
		seen[strings.ToLower(next)] = true
		r, err := open(next)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", &SetError{from, fmt.Sprintf("the set's cabinet %q cannot be opened", next)}, err)
		}
		return r, nil
	}
	for first := cabs[0]; first.flags&flagPrevCabinet != 0; first = cabs[0] {
		r, err := visit(names[0], first.Prev)
		if err != nil {
			return nil, nil, err
		}
		names, cabs = append([]string{first.Prev}, names...), append([]*Reader{r}, cabs...)
	}
	for last := cabs[len(cabs)-1]; last.flags&flagNextCabinet != 0; last = cabs[len(cabs)-1] {
		r, err := visit(names[len(names)-1], last.Next)
		if err != nil {
			return nil, nil, err
		}
		names, cabs = append(names, last.Next), append(cabs, r)
	}
	j, err := Join(names, cabs)
	if err != nil {
		return nil, nil, err
	}
	return names, j, nil
}

// Join joins the cabinets of a set, cabs named names in order, into one
// reader: the folder the last of one cabinet and the first of the next
// share is read as one stream (a data block split between them, its first
// part's cbUncomp 0, read as one), a file continued across cabinets is
// listed once, with the cabinet it starts in. The members must agree: one
// setID, iCabinet counting up by one, each naming its neighbours (case
// folded, as Windows finds files), the first naming no previous cabinet
// and the last no next one, and each file continued from a cabinet listed
// by the next as continued into it. A member's own problems of its files
// are found again on the joined reader; continued files are no problem.
func Join(names []string, cabs []*Reader) (*Reader, error) {
	if len(cabs) == 0 || len(cabs) != len(names) || len(cabs) > MaxSetCabinets {
		return nil, &SetError{"", fmt.Sprintf("%d cabinets to join (at most %d)", len(cabs), MaxSetCabinets)}
	}
	if err := checkChain(names, cabs); err != nil {
		return nil, err
	}
	h := cabs[0]
	j := &Reader{r: h.r, size: h.size, SetID: h.SetID, Index: h.Index, VersionMajor: h.VersionMajor, VersionMinor: h.VersionMinor,
		dataReserve: h.dataReserve, byName: map[string]*File{}}
	var open *Folder              // the folder continuing into the next cabinet
	pending := map[string]int64{} // files continued into the next cabinet: size
	var files []*File
	for k, c := range cabs {
		c.name = names[k]
		for _, p := range c.problems {
			if p.Kind == ProblemVersion {
				p.Cabinet = k
				p.Message = fmt.Sprintf("cabinet %q: %s", names[k], p.Message)
				j.problems = append(j.problems, p)
			}
		}
		idx, err := j.joinFolders(k, names, c, open)
		if err != nil {
			return nil, err
		}
		open = nil
		if c.continues(false) {
			if len(c.Folders) == 0 {
				return nil, &SetError{names[k], "a file continues into the next cabinet, but the cabinet has no folder"}
			}
			open = j.Folders[idx[len(idx)-1]]
		}
		fs, err := j.joinFiles(k, names, c, idx, pending)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	// Added when every folder has all its blocks: addFile bounds a file
	// by its folder's.
	for _, f := range files {
		j.addFile(f)
	}
	j.findOverlaps()
	j.buildDirs()
	return j, nil
}

// checkChain checks that cabs, named names, are one set in order.
func checkChain(names []string, cabs []*Reader) error {
	for k, c := range cabs {
		switch {
		case c.SetID != cabs[0].SetID:
			return &SetError{names[k], fmt.Sprintf("setID %d, but the set's first cabinet %q has %d", c.SetID, names[0], cabs[0].SetID)}
		case int(c.Index) != int(cabs[0].Index)+k:
			return &SetError{names[k], fmt.Sprintf("iCabinet %d, but it is cabinet %d after %q (iCabinet %d): out of order", c.Index, k, names[0], cabs[0].Index)}
		case k == 0 && c.flags&flagPrevCabinet != 0:
			return &SetError{names[k], fmt.Sprintf("the set's first cabinet names a previous one, %q", c.Prev)}
		case k > 0 && (c.flags&flagPrevCabinet == 0 || !strings.EqualFold(c.Prev, names[k-1])):
			return &SetError{names[k], fmt.Sprintf("the previous cabinet it names is %q, not %q", c.Prev, names[k-1])}
		case k < len(cabs)-1 && (c.flags&flagNextCabinet == 0 || !strings.EqualFold(c.Next, names[k+1])):
			return &SetError{names[k], fmt.Sprintf("the next cabinet it names is %q, not %q", c.Next, names[k+1])}
		case k == len(cabs)-1 && c.flags&flagNextCabinet != 0:
			return &SetError{names[k], fmt.Sprintf("the set's last cabinet names a next one, %q", c.Next)}
		}
	}
	return nil
}

// joinFolders adds cabinet k's folders to j, its first one to open when a
// folder of the previous cabinet continues, and returns the index in j of
// each.
func (j *Reader) joinFolders(k int, names []string, c *Reader, open *Folder) ([]int, error) {
	if c.continues(true) != (open != nil) {
		if open != nil {
			return nil, &SetError{names[k], fmt.Sprintf("%q's last folder continues into it, but it lists no file continued from there", names[k-1])}
		}
		return nil, &SetError{names[k], "it lists files continued from the previous cabinet, whose last folder does not continue"}
	}
	idx := make([]int, len(c.Folders))
	for i, fo := range c.Folders {
		seg := segment{c, fo.DataOffset, fo.Blocks}
		if i == 0 && open != nil {
			if fo.typeCompress != open.typeCompress {
				return nil, &SetError{names[k], fmt.Sprintf("its first folder continues one compressed as %#x, but is compressed as %#x", open.typeCompress, fo.typeCompress)}
			}
			open.segs = append(open.segs, seg)
			open.Blocks += fo.Blocks
			idx[i] = len(j.Folders) - 1
			continue
		}
		nf := *fo
		nf.end, nf.segs = 0, []segment{seg}
		j.Folders = append(j.Folders, &nf)
		idx[i] = len(j.Folders) - 1
	}
	return idx, nil
}

// joinFiles returns cabinet k's files for j: those starting in it, with
// their folders' indices in j; those continued from the previous cabinet are
// checked against pending, the files continued into this one.
func (j *Reader) joinFiles(k int, names []string, c *Reader, idx []int, pending map[string]int64) ([]*File, error) {
	var out []*File
	seen := map[string]bool{}
	var next []*File
	for _, e := range c.entries {
		f := *e
		f.Cabinet = k
		switch f.Folder {
		case ifoldContinuedFromPrev, ifoldContinuedPrevAndNext:
			if size, ok := pending[f.RawName]; !ok || size != f.Size {
				return nil, &SetError{names[k], fmt.Sprintf("file %q (%d bytes) is listed as continued from %q, which does not continue it", f.RawName, f.Size, names[k-1])}
			}
			seen[f.RawName] = true
			if f.Folder == ifoldContinuedPrevAndNext {
				next = append(next, &f)
			}
			continue
		case ifoldContinuedToNext:
			f.Folder = idx[len(idx)-1]
			next = append(next, &f)
		default:
			if f.Folder >= len(idx) {
				j.problem(ProblemMalformed, &f, fmt.Sprintf("cabinet %q: file %q names folder %d of %d; it was not read", names[k], f.RawName, f.Folder, len(idx)))
				continue
			}
			f.Folder = idx[f.Folder]
		}
		out = append(out, &f)
	}
	for n := range pending {
		if !seen[n] {
			return nil, &SetError{names[k], fmt.Sprintf("file %q continues into it from %q, but it does not list it", n, names[k-1])}
		}
	}
	clear(pending)
	for _, f := range next {
		if _, dup := pending[f.RawName]; dup {
			return nil, &SetError{names[k], fmt.Sprintf("two files named %q continue into the next cabinet", f.RawName)}
		}
		pending[f.RawName] = f.Size
	}
	return out, nil
}

// IsSetError reports whether err is (or wraps) a [*SetError].
func IsSetError(err error) bool {
	var se *SetError
	return errors.As(err, &se)
}
