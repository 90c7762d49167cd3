package verify

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
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
		c.add(ruleMalformed, signing.SeverityError, tarStreamMessage(ra, err))
		return true
	}
	defer tr.Close()
	// The entries of a plain tarball are read through the file's bytes,
	// which the archives among them (a zip, whose entries are checked on
	// other workers) keep until their last entry is checked.
	ref, _ := c.holdForEntries()
	w := tarWalk{prefix: c.f.Path, at: c.f.Path, depth: c.j.depth + 1, expand: x, held: c.j.held, ref: ref, sib: release.TarFS(ctxReaderAt{c.e.ctx, ra}, size)}
	if c.memHeld {
		w.held += size
	}
	c.finds = append(c.finds, c.e.tarEntries(tr, w)...)
	return true
}

// walkTar checks the entries of the tarball in.path, given as an input,
// as walkZip checks an input zip's: under their paths in the archive
// (in.prefix, "" for the sole input, before them), the tarball itself
// not a file of the report. A file that holds no tar archive after all (a
// gzip stream of something else) is checked as a file.
func (e *engine) walkTar(in input) error {
	f, st, err := openInput(in.path)
	if err != nil {
		return err
	}
	at := cmp.Or(in.prefix, in.base)
	x := newExpansion(st.Size())
	tr, err := release.OpenTar(ctxReaderAt{e.ctx, f}, st.Size(), release.TarOptions{Take: x.Take})
	switch {
	case errors.Is(err, release.ErrNotTar):
		f.Close()
		return e.addDiskFile(in.path, at)
	case err != nil && e.ctx.Err() != nil:
		f.Close()
		return fmt.Errorf("verify: %w", e.ctx.Err())
	case err != nil:
		e.addFindings(finding(ruleMalformed, signing.SeverityError, at, tarStreamMessage(f, err)))
		f.Close()
		return nil
	}
	defer tr.Close()
	ref := newRef(func() { f.Close() })
	defer ref.release()
	e.addFindings(e.tarEntries(tr, tarWalk{prefix: in.prefix, at: at, expand: x, ref: ref, sib: release.TarFS(ctxReaderAt{e.ctx, f}, st.Size())})...)
	return nil
}

// tarStreamMessage is the message of a tarball, whose bytes are at ra,
// whose stream cannot be read (err).
func tarStreamMessage(ra io.ReaderAt, err error) string {
	head := make([]byte, sniffLen)
	n, _ := ra.ReadAt(head, 0)
	comp, _ := release.TarCompression(head[:n])
	return fmt.Sprintf("%s stream cannot be read, so the tar archive it holds was not checked: %v", comp, err)
}

// tarWalk is where the entries of a tarball go.
type tarWalk struct {
	// prefix is the report path the entries are named under: the
	// tarball's, or an input's ("" for the sole input).
	prefix string
	// at names the tarball in findings: its report path, or an input's
	// file name (as sbom names it).
	at string
	// depth is the entries' archive nesting; expand bounds what archives
	// among them may expand to; held is what the archives holding them
	// hold of the run's memory budget (see job.held).
	depth  int
	expand *expansion
	held   int64
	// ref keeps the tarball's bytes until every entry's check is done.
	ref *refCount
	// sib reads the tarball's files again, for an entry to find the
	// cabinets beside it (release.TarFS).
	sib fs.FS
}

// tarEntries checks the entries of the tarball tr one after the other as
// it reads them (walk.Tar, sbom's walk of a tarball too), and returns the
// findings about the tarball and the entries that are not checked.
func (e *engine) tarEntries(tr *release.TarReader, w tarWalk) []signing.Finding {
	var finds []signing.Finding
	bundles := map[string]bool{}
	walk.Tar(e.ctx, tr, walk.TarWalk{Prefix: w.prefix, At: w.at, Verb: "check"}, walk.TarVisitor[*checkedFile]{
		Finding: func(f signing.Finding) { finds = append(finds, f) },
		File: func(p string, ent *release.Entry) (*checkedFile, bool) {
			noteTarBundle(bundles, ent.Name)
			j := &job{path: p, size: ent.Size, src: ent.Source, depth: w.depth, expand: w.expand, held: w.held, cabSib: w.sib, sibName: ent.Name}
			// The entry is checked now, before the stream moves on.
			w.ref.add()
			j.onDone = w.ref.release
			j.result = new(checkedFile)
			e.process(j)
			j.finish()
			// A hard link to it is listed with what its check found.
			return j.result, j.result.ok
		},
		Hardlink: func(p string, ent *release.Entry, t *checkedFile, found bool) {
			noteTarBundle(bundles, ent.Name)
			// The link's checks as a link (its name's kind, its path
			// through symbolic links) are those of the others.
			e.mu.Lock()
			e.links = append(e.links, link{path: p, target: joinPath(w.prefix, ent.Link), hard: true})
			e.mu.Unlock()
			if found {
				e.addHardLink(p, t)
			}
		},
		Symlink: func(ent *release.Entry) {
			noteTarBundle(bundles, ent.Name)
			finds = append(finds, e.addSymlink(w.prefix, ent.Name, ent.Link, "the archive")...)
		},
	})
	finds = append(finds, unverifiedBundles(bundles, w.prefix, "the tarball "+w.at, "a tarball is read once, front to back")...)
	return finds
}

// checkedFile is what the check of a file found: the file's index in
// the report's files (engine.files, with its extras), not a copy of it,
// so that a huge tarball's entries are not held twice; whether it could
// be parsed.
type checkedFile struct {
	index     int
	malformed bool
	ok        bool // the file was listed
}

// addHardLink lists a tarball's hard link, at report path p, as a file of
// its own (as sbom lists it, and as extractors write it): with the facts
// of the file it links to, t, which its check found when the tarball's
// stream gave the target's bytes (they are not read again), judged by
// the policy's settings for p.
func (e *engine) addHardLink(p string, t *checkedFile) {
	e.mu.Lock()
	g, x := e.files[t.index], e.extras[t.index]
	e.mu.Unlock()
	target := g.Path
	g.Path = p
	s := e.pol.settingsSeen(p, e.ruleSeen)
	finds := e.applyPolicy(&g, s, nil, t.malformed)
	if own := e.pol.settingsFor(target).sigstore; s.sigstore != nil && !reflect.DeepEqual(s.sigstore, own) {
		finds = append(finds, finding(ruleSigstoreMissing, signing.SeverityError, p,
			fmt.Sprintf("the policy rule at line %d requires a Sigstore bundle for %s, a hard link to %s, which is not held to that rule's bundle and identity", s.sigstoreLine, p, target)))
	}
	if x != nil {
		x = new(*x)
	}
	e.addCheckedFile(&g, finds, nil, x)
}

// unverifiedBundles reports the Apple bundles (roots, under report path
// prefix) of an archive (what) whose bundles are not verified as bundles,
// for the reason why (file/unchecked-archive warnings, in path order).
func unverifiedBundles(roots map[string]bool, prefix, what, why string) []signing.Finding {
	var finds []signing.Finding
	for _, b := range slices.Sorted(maps.Keys(roots)) {
		finds = append(finds, finding(ruleUncheckedArchive, signing.SeverityWarning, joinPath(prefix, b), fmt.Sprintf("Apple bundle in %s: its files are checked one by one, but it is not verified as a bundle (%s), so its seal, _CodeSignature/CodeResources, is not checked: a changed resource or a removed or replaced nested dylib is not seen; ship it in a zip archive, disk image or installer package", what, why)))
	}
	return finds
}

// tarBundleRoot returns the outermost folder of the archive entry name
// that has a bundle extension (.app, .framework…) and holds Contents/ or
// Versions/ (an app's or a framework's layout) on the way to name, or "".
func tarBundleRoot(name string) string {
	parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
	for i := 0; i+2 < len(parts); i++ {
		if codesign.HasBundleExt(parts[i]) && (parts[i+1] == "Contents" || parts[i+1] == "Versions") {
			return strings.Join(parts[:i+1], "/")
		}
	}
	return ""
}

// noteTarBundle records in roots the Apple bundle that the archive entry
// name is in, if any (tarBundleRoot).
func noteTarBundle(roots map[string]bool, name string) {
	if b := tarBundleRoot(name); b != "" {
		roots[b] = true
	}
}
