package sbom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// tar lists the entries of the tarball (plain, gzip, xz or zstd) of size
// bytes at r under report path at, depth levels down, as verify checks a
// tarball found in a release (release.NestedArchive), by the walk verify
// makes (walk.Tar: the reader's problems, the entry checks, every copy of
// a name, hard links), each file then opened in turn when it is a
// container too. What the entries take is charged to
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
	walk.Tar(context.Background(), tr, walk.TarWalk{Prefix: at, At: at, Verb: "inventory"}, walk.TarVisitor[int]{
		Finding: func(f signing.Finding) { b.inv.Findings = append(b.inv.Findings, f) },
		File: func(p string, e *release.Entry) (int, bool) {
			src, ok := l.holdTarEntry(p, e)
			if !ok {
				return 0, false
			}
			files = append(files, container.Entry{Path: p, Source: src, Size: e.Size})
			return len(files) - 1, true
		},
		Hardlink: func(p string, _ *release.Entry, i int, found bool) {
			if found {
				files = append(files, container.Entry{Path: p, Source: files[i].Source, Size: files[i].Size})
			}
		},
		Symlink: func(e *release.Entry) { b.symlink(at, e.Name, e.Link, "the archive") },
	})
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
