package sbom

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// tar lists the entries of the tarball (plain, gzip, xz or zstd) of size
// bytes at r under report path at, depth levels down, as verify checks a
// tarball found in a release (release.NestedArchive): the tar reader's
// problems at the entry they name or at the tarball's path, the same
// entry checks as an input tarball's (see listTar), and each file opened
// in turn when it is a container too. What the entries take is charged to
// the lister's expansion budget; a compressed entry is held in memory
// (within maxHeld, with the installers' files). Every copy of a name is
// listed, as verify checks every copy (file/duplicate-entry).
func (l *containerLister) tar(at string, r io.ReaderAt, size int64, depth int) {
	b := l.b
	if depth >= release.MaxDepth {
		b.finding(release.RuleUnreadable, signing.SeverityError, at, release.TooDeepMessage(depth, "inventoried"))
		return
	}
	tr, err := release.OpenTar(r, size, release.TarOptions{Take: l.x.Take})
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("tarball cannot be read, so its entries were not inventoried: %v", err))
		return
	}
	defer tr.Close()
	var files []container.Entry
	byName := map[string]int{} // name -> index in files
	folds := foldname.NewSet(foldname.All)
	for {
		e, err := tr.Next()
		b.tarProblems(tr.Problems(), at, at)
		if err != nil {
			break
		}
		p := release.JoinPath(at, e.Name)
		for _, c := range folds.Add(e.Name, e.Type == release.TypeDir) {
			b.finding(release.RuleNameCollision, signing.SeverityWarning, p, c.Message("tar", at, e.Name))
		}
		switch e.Type {
		case release.TypeFile:
			b.tarPrivilege(p, e)
			src, ok := l.holdTarEntry(p, e)
			if !ok {
				delete(byName, e.Name)
				continue
			}
			ent := container.Entry{Path: p, Source: src, Size: e.Size}
			// Every copy of a name is listed (see listTar).
			byName[e.Name] = len(files)
			files = append(files, ent)
		case release.TypeHardlink:
			if i, ok := byName[e.Link]; ok {
				byName[e.Name] = len(files)
				files = append(files, container.Entry{Path: p, Source: files[i].Source, Size: files[i].Size})
			}
		case release.TypeSymlink:
			b.symlink(at, e.Name, e.Link, "the archive")
		case release.TypeSpecial:
			b.finding(release.RuleTarSpecialEntry, signing.SeverityError, p, release.TarSpecialMessage(e.Special, "inventory"))
		}
	}
	b.tarProblems(tr.Problems(), at, at)
	sib := release.TarFS(r, size)
	for _, f := range files {
		l.sib, l.sibName = sib, strings.TrimPrefix(f.Path, at+"/")
		l.entry(f, depth+1)
	}
}

// holdTarEntry returns the bytes of the tarball's file entry e (at report
// path p) as a Window that outlives the tar reader's next step: the
// archive's own bytes when it is not compressed, else the entry read into
// memory and charged to the installers' maxHeld. It reports an entry it
// cannot hold and returns false.
func (l *containerLister) holdTarEntry(p string, e *release.Entry) (release.Source, bool) {
	b := l.b
	if w, ok := e.Source.(release.Window); ok {
		return w, true
	}
	if e.Size > maxHeld-b.installerHeld {
		b.finding(release.RuleUnreadable, signing.SeverityError, p, fmt.Sprintf("the tarball's files exceed %d bytes; %s was not inventoried", int64(maxHeld), p))
		return nil, false
	}
	b.installerHeld += e.Size
	data, err := readSource(e.Source, e.Size)
	if err != nil {
		b.finding(release.RuleMalformed, signing.SeverityError, p, fmt.Sprintf("tar entry cannot be read: %v", err))
		return nil, false
	}
	return release.NewSection(bytes.NewReader(data), 0, int64(len(data))), true
}

// tarPrivilege reports the tar file entry e, at report path p, whose mode
// has the set-user-ID or set-group-ID bit or which carries file
// capabilities (file/setuid, as verify reports them).
func (b *builder) tarPrivilege(p string, e *release.Entry) {
	b.perm(p, "tar", e.Header.FileInfo().Mode(), e.Header.PAXRecords)
	if msg, ok := release.CapabilityMessage(e.Header.PAXRecords); ok {
		b.finding(release.RuleSetuid, signing.SeverityError, p, msg)
	}
}

// tarProblems reports the tar reader's problems, as verify does: at the
// entry named, under report path prefix, or at the tarball's report path
// archive (for an input tarball, its file name, as verify reports it).
func (b *builder) tarProblems(ps []release.Problem, prefix, archive string) {
	for _, p := range ps {
		where := archive
		if n, ok := release.CleanName(p.Name); ok && n != "" && p.Kind != release.ProblemInsecurePath {
			where = release.JoinPath(prefix, n)
		}
		f := signing.NewFinding(p.Kind.Rule(), signing.SeverityError, p.Message)
		f.Path = where
		if p.Offset >= 0 && !p.InStream {
			off := p.Offset
			f.Offset = &off
		}
		b.inv.Findings = append(b.inv.Findings, f)
	}
}
