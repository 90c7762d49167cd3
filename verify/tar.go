package verify

import (
	"errors"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// Rule IDs of tarballs (see release.TarReader); the reader's other
// problems use the rules of every container (ruleMalformed…).
const (
	ruleTarTrailingData = release.RuleTarTrailingData
	ruleTarHiddenData   = release.RuleTarHiddenData
	ruleTarHardlink     = release.RuleTarHardlink
	ruleTarSpecialEntry = release.RuleTarSpecialEntry
)

// openTar opens the tarball (plain or compressed) the file is, and checks
// its entries one after the other as it reads them, as the files of a
// directory: a compressed stream is read once, front to back. It reports
// false when the file holds no tar archive after all.
func (c *check) openTar(ra io.ReaderAt, size int64) bool {
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, release.TooDeepMessage(c.j.depth, "checked"))
		return true
	}
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	tr, err := release.OpenTar(ctxReaderAt{c.e.ctx, ra}, size, release.TarOptions{Take: x.Take})
	if errors.Is(err, release.ErrNotTar) || (err != nil && c.e.ctx.Err() != nil) {
		return false
	}
	if err != nil {
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("%s stream cannot be read, so the tar archive it holds was not checked: %v", c.f.Kind, err))
		return true
	}
	defer tr.Close()
	folds := newFoldSet()
	for c.e.ctx.Err() == nil {
		ent, err := tr.Next()
		c.tarProblems(tr.Problems())
		if err != nil {
			break
		}
		p := joinPath(c.f.Path, ent.Name)
		for _, col := range folds.Add(ent.Name, ent.Type == release.TypeDir) {
			c.finds = append(c.finds, finding(ruleNameCollision, signing.SeverityWarning, p, col.Message("tar", c.f.Path, ent.Name)))
		}
		switch ent.Type {
		case release.TypeFile:
			c.finds = append(c.finds, setuidFindings(p, "tar", ent.Header.FileInfo().Mode())...)
			c.finds = append(c.finds, capabilityFindings(p, ent.Header.PAXRecords)...)
			c.finds = append(c.finds, writableFindings(p, "tar", ent.Header.FileInfo().Mode(), ent.Header.PAXRecords)...)
			j := &job{path: p, size: ent.Size, src: ent.Source, depth: c.j.depth + 1, expand: x, held: c.j.held}
			if c.memHeld {
				j.held += size
			}
			// The entry is checked now, before the stream moves on.
			c.e.process(j)
		case release.TypeSymlink:
			c.finds = append(c.finds, c.e.addSymlink(c.f.Path, ent.Name, ent.Link, "the archive")...)
		case release.TypeHardlink:
			c.e.mu.Lock()
			c.e.links = append(c.e.links, link{path: p, target: joinPath(c.f.Path, ent.Link)})
			c.e.mu.Unlock()
		case release.TypeSpecial:
			c.finds = append(c.finds, finding(ruleTarSpecialEntry, signing.SeverityError, p, release.TarSpecialMessage(ent.Special, "check")))
		}
	}
	c.tarProblems(tr.Problems())
	return true
}

// tarProblems reports the tar reader's problems on the tarball (or on the
// entry named).
func (c *check) tarProblems(ps []release.Problem) {
	for _, p := range ps {
		at := c.f.Path
		if name, ok := release.CleanName(p.Name); ok && name != "" && p.Kind != release.ProblemInsecurePath {
			at = joinPath(c.f.Path, name)
		}
		f := finding(p.Kind.Rule(), signing.SeverityError, at, p.Message)
		if p.Offset >= 0 && !p.InStream {
			off := p.Offset
			f.Offset = &off
		}
		c.finds = append(c.finds, f)
	}
}
