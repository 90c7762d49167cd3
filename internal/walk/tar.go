package walk

import (
	"context"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// TarWalk names a tarball's entries and findings for Tar.
type TarWalk struct {
	// Prefix is the report path the entries are named under: the
	// tarball's, or "" for a tarball given as the release.
	Prefix string
	// At names the tarball in findings: its report path, or an input's
	// file name.
	At string
	// Verb is the walker's word for what it does with a file
	// ("check", "inventory"), for release.TarSpecialMessage.
	Verb string
}

// TarVisitor is what a walker does with a tarball's entries (see Tar);
// T is what it keeps of a file for the hard links to it.
type TarVisitor[T any] struct {
	// Finding receives the findings of the walk, in order.
	Finding func(signing.Finding)
	// File is handed each file entry, at report path p, after its
	// findings; it returns what a hard link to it is listed with, or
	// false when the file is not listed (a link to it then is to none).
	File func(p string, e *release.Entry) (T, bool)
	// Hardlink is handed each hard link, at report path p, with what
	// File returned for its target, the last copy read of that name
	// (found false when none was listed).
	Hardlink func(p string, e *release.Entry, target T, found bool)
	// Symlink is handed each symbolic link (its name and target are the
	// archive's: LinkEscape and LinkChains judge them).
	Symlink func(e *release.Entry)
}

// Tar walks the tarball tr, as verify and sbom both read one: entries one
// after the other as the stream gives them, in one order of findings
// (the reader's problems, release.TarReader.Problems, at the entry they
// name or at the tarball; names that are one on a case-insensitive file
// system, file/name-collision; a file's set-ID bits, world write and
// file capabilities, file/setuid and file/world-writable, PermFindings;
// a device or pipe, file/tar-special-entry), each file, hard link and
// symbolic link then handed to v. Every copy of a name is handed over
// (the reader reports file/duplicate-entry): extractors disagree on which
// one is left, and a benign last copy must not hide the first. A hard
// link names the last copy read of its target, a file or a hard link to
// one (a link to a link has the first file's bytes, as extractors write
// it). The walk ends with the stream, or once ctx is done.
func Tar[T any](ctx context.Context, tr *release.TarReader, w TarWalk, v TarVisitor[T]) {
	folds := foldname.NewSet(foldname.All)
	listed := map[string]T{}
	problems := func() {
		for _, f := range TarProblems(tr.Problems(), w.Prefix, w.At) {
			v.Finding(f)
		}
	}
	for ctx.Err() == nil {
		e, err := tr.Next()
		problems()
		if err != nil {
			break
		}
		p := release.JoinPath(w.Prefix, e.Name)
		for _, c := range folds.Add(e.Name, e.Type == release.TypeDir) {
			v.Finding(finding(release.RuleNameCollision, signing.SeverityWarning, p, c.Message("tar", w.At, e.Name)))
		}
		switch e.Type {
		case release.TypeFile:
			for _, f := range PermFindings(p, "tar", e.Header.FileInfo().Mode(), e.Header.PAXRecords) {
				v.Finding(f)
			}
			if t, ok := v.File(p, e); ok {
				listed[e.Name] = t
			} else {
				delete(listed, e.Name)
			}
		case release.TypeHardlink:
			t, found := listed[e.Link]
			if found {
				listed[e.Name] = t
			}
			v.Hardlink(p, e, t, found)
		case release.TypeSymlink:
			v.Symlink(e)
		case release.TypeSpecial:
			v.Finding(finding(release.RuleTarSpecialEntry, signing.SeverityError, p, release.TarSpecialMessage(e.Special, w.Verb)))
		}
	}
	problems()
}

// TarProblems returns the tar reader's problems as findings: at the
// entry they name, under report path prefix, or at the tarball, named at.
func TarProblems(ps []release.Problem, prefix, at string) []signing.Finding {
	var finds []signing.Finding
	for _, p := range ps {
		where := at
		if name, ok := release.CleanName(p.Name); ok && name != "" && p.Kind != release.ProblemInsecurePath {
			where = release.JoinPath(prefix, name)
		}
		f := finding(p.Kind.Rule(), signing.SeverityError, where, p.Message)
		if p.Offset >= 0 && !p.InStream {
			off := p.Offset
			f.Offset = &off
		}
		finds = append(finds, f)
	}
	return finds
}
