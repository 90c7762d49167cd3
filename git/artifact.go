package git

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// artifactEntry is one file of a release artifact, reduced to what the tag
// comparison needs: its path and the git object id of its content.
type artifactEntry struct {
	name    string
	symlink bool
	// special is set for devices, FIFOs and other entries git cannot hold.
	special string
	hash    plumbing.Hash
	// mode is a file's permission bits with its set-user-ID, set-group-ID
	// and sticky bits; recs are a tar entry's pax records (see
	// artifactPermFindings).
	mode fs.FileMode
	recs map[string]string
	// data is the content of a file the scan's keep function asked for
	// (files marked export-subst), when it is at most maxSubstFile bytes.
	data []byte
}

// artifactScan is the content of an artifact plus the problems met reading it.
type artifactScan struct {
	// what names the container for permission findings: "tar" or
	// "folder".
	what    string
	entries []artifactEntry
	// dirs are directory names seen (for top-level prefix detection).
	dirs     []string
	problems []signing.Finding
	// gitDir is set when a directory artifact holds a top-level .git
	// (left out of the comparison, reported as RuleArtifactGitDir).
	gitDir bool
}

// blobHash computes the git blob id of size bytes read from r.
func blobHash(r io.Reader, size int64) (plumbing.Hash, error) {
	h := plumbing.NewHasher(plumbing.BlobObject, size)
	n, err := io.Copy(h, r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if n != size {
		return plumbing.ZeroHash, fmt.Errorf("read %d bytes, want %d", n, size)
	}
	return h.Sum(), nil
}

func blobHashString(s string) plumbing.Hash {
	h, _ := blobHash(strings.NewReader(s), int64(len(s)))
	return h
}

// scanFS hashes every file of fsys. With skipGit, a top-level ".git"
// (the repository of a checkout given as the artifact) is left out. The
// content of the small files keep names (nil: none) is kept.
func scanFS(ctx context.Context, fsys fs.FS, skipGit bool, keep func(string) bool) (*artifactScan, error) {
	sc := &artifactScan{what: "folder"}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if skipGit && name == ".git" {
			sc.gitDir = true
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err != nil {
			sc.problems = append(sc.problems, artifactProblem(name, err.Error()))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if name == "." {
			return nil
		}
		switch t := d.Type(); {
		case d.IsDir():
			sc.dirs = append(sc.dirs, name)
		case t&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, name)
			if err != nil {
				sc.problems = append(sc.problems, artifactProblem(name, err.Error()))
				return nil
			}
			sc.entries = append(sc.entries, artifactEntry{name: name, symlink: true, hash: blobHashString(target)})
		case t.IsRegular():
			var mode fs.FileMode
			var data []byte
			var h plumbing.Hash
			var err error
			info, ierr := d.Info()
			if ierr == nil {
				mode = info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
			}
			if ierr == nil && keep != nil && info.Size() <= maxSubstFile && keep(name) {
				// Read once: the kept content is what is hashed.
				if data, err = fs.ReadFile(fsys, name); err == nil {
					h = blobHashString(string(data))
				}
			} else {
				h, err = hashFSFile(fsys, name)
			}
			if err != nil {
				sc.problems = append(sc.problems, artifactProblem(name, err.Error()))
				return nil
			}
			sc.entries = append(sc.entries, artifactEntry{name: name, hash: h, mode: mode, data: data})
		default:
			sc.entries = append(sc.entries, artifactEntry{name: name, special: t.String()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

func hashFSFile(fsys fs.FS, name string) (plumbing.Hash, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return blobHash(f, st.Size())
}

func artifactProblem(name, msg string) signing.Finding {
	return signing.Finding{Rule: RuleArtifactUnreadable, Severity: signing.SeverityError, Path: name, Message: name + ": " + msg, Signature: -1}
}

// scanTar hashes every file of the tarball of size bytes at r (plain, gzip,
// xz or zstd), read by the release walker's tar reader so that git-audit
// and verify hold an artifact to the same checks. Names are checked, never
// used to touch the file system.
func scanTar(ctx context.Context, r io.ReaderAt, size int64, archive string, keep func(string) bool) (*artifactScan, error) {
	sc := &artifactScan{what: "tar"}
	tr, err := release.OpenTar(r, size, release.TarOptions{})
	if err != nil {
		sc.problems = append(sc.problems, artifactProblem(archive, fmt.Sprintf("not a tar archive that can be read: %v", err)))
		return sc, nil
	}
	defer tr.Close()
	problems := func() {
		for _, p := range tr.Problems() {
			sc.problems = append(sc.problems, tarProblem(p, archive))
		}
	}
	defer problems()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := tr.Next()
		problems()
		if err != nil {
			break
		}
		switch e.Type {
		case release.TypeDir:
			sc.dirs = append(sc.dirs, e.Name)
		case release.TypeFile:
			var data []byte
			var h plumbing.Hash
			var err error
			if keep != nil && e.Size <= maxSubstFile && keep(e.Name) {
				// Read once: the kept content is what is hashed.
				if data, err = readSource(e.Source, e.Size); err == nil {
					h = blobHashString(string(data))
				}
			} else {
				h, err = hashSource(e.Source, e.Size)
			}
			if err != nil {
				sc.problems = append(sc.problems, artifactProblem(archive, fmt.Sprintf("%s: %v; the rest of the archive was not compared", e.Name, err)))
				return sc, nil
			}
			sc.entries = append(sc.entries, artifactEntry{name: e.Name, hash: h, mode: e.Header.FileInfo().Mode(), recs: e.Header.PAXRecords, data: data})
		case release.TypeSymlink:
			sc.entries = append(sc.entries, artifactEntry{name: e.Name, symlink: true, hash: blobHashString(e.Link)})
		case release.TypeHardlink:
			var h plumbing.Hash
			for _, p := range sc.entries {
				if p.name == e.Link && !p.symlink && p.special == "" {
					h = p.hash
				}
			}
			sc.entries = append(sc.entries, artifactEntry{name: e.Name, hash: h})
		default:
			sc.entries = append(sc.entries, artifactEntry{name: e.Name, special: e.Special})
		}
	}
	return sc, nil
}

func hashSource(src release.Source, size int64) (plumbing.Hash, error) {
	rc, err := src.Open()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer rc.Close()
	return blobHash(rc, size)
}

// tarProblem turns a problem of the tar reader into a finding of the
// artifact comparison.
func tarProblem(p release.Problem, archive string) signing.Finding {
	switch p.Kind {
	case release.ProblemInsecurePath:
		return signing.Finding{Rule: RuleArtifactFileNotInTag, Severity: signing.SeverityError, Path: p.Name, Signature: -1, Message: p.Message}
	case release.ProblemMalformed:
		return artifactProblem(archive, fmt.Sprintf("tar entry %d: %v; the rest of the archive was not compared", p.Index, p.Err))
	case release.ProblemHardlink, release.ProblemDuplicate:
		return artifactProblem(p.Name, p.Message)
	}
	return artifactProblem(archive, p.Message)
}

// cleanArchiveName normalizes an archive member name; ok is false for
// absolute names and names that leave the archive.
func cleanArchiveName(n string) (string, bool) {
	n = strings.TrimSuffix(n, "/")
	if strings.HasPrefix(n, "/") || strings.Contains(n, "\\") {
		return "", false
	}
	c := path.Clean(n)
	if c == "." {
		return "", true
	}
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}

// scanArtifactPath reads a release artifact from disk: a directory, or a
// .tar, .tar.gz, .tgz or .tar.xz archive.
func scanArtifactPath(ctx context.Context, name string, keep func(string) bool) (*artifactScan, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("git: artifact: %w", err)
	}
	if st.IsDir() {
		root, err := os.OpenRoot(name)
		if err != nil {
			return nil, fmt.Errorf("git: artifact: %w", err)
		}
		defer root.Close()
		// A directory may be a checkout: its .git is the repository, not
		// part of the release.
		return scanFS(ctx, root.FS(), true, keep)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("git: artifact: %w", err)
	}
	defer f.Close()
	var head [512]byte
	n, _ := f.ReadAt(head[:], 0)
	if _, ok := release.TarCompression(head[:n]); !ok {
		return nil, fmt.Errorf("git: artifact %s: not a directory, .tar, .tar.gz, .tar.xz or .tar.zst", name)
	}
	return scanTar(ctx, f, st.Size(), path.Base(strings.ReplaceAll(name, "\\", "/")), keep)
}

// flattenTree lists every file (blob or symlink) under tree h.
func (r *repo) flattenTree(h plumbing.Hash, base string, out map[string]entryRef) error {
	es, err := r.tree(h)
	if err != nil {
		return err
	}
	for _, e := range es {
		p := join(base, e.name)
		switch e.mode {
		case filemode.Dir:
			if err := r.flattenTree(e.hash, p, out); err != nil {
				return err
			}
		case filemode.Submodule:
		default:
			out[p] = entryRef{hash: e.hash, mode: e.mode}
		}
	}
	return nil
}

// compareArtifact compares an artifact's files with the tree at commit until
// (or its subdirectory treePath).
func (a *auditor) compareArtifact(until plumbing.Hash, treePath string, sc *artifactScan) (*ArtifactSummary, error) {
	for _, p := range sc.problems {
		a.add(p)
	}
	if sc.gitDir && !matchAny(a.pol.ArtifactAllow, ".git", a.pol.foldPaths()) {
		a.finding(RuleArtifactGitDir, signing.SeverityError, ".git", "", ".git is in the artifact directory: a repository's hooks and config (core.fsmonitor, core.sshCommand, core.hooksPath) run commands when git is used in the unpacked release; its contents were not compared")
	}
	uc, err := a.r.commit(until)
	if err != nil {
		return nil, err
	}
	root, err := a.r.entryAt(uc.tree, treePath)
	if err != nil {
		return nil, err
	}
	if root.mode != filemode.Dir {
		return nil, fmt.Errorf("git: artifact tree path %q is not a directory at %s", treePath, until)
	}
	tree := map[string]entryRef{}
	if err := a.r.flattenTree(root.hash, "", tree); err != nil {
		return nil, err
	}
	sum := &ArtifactSummary{Files: len(sc.entries), TreeFiles: len(tree)}
	// A tarball usually wraps everything in one top-level directory
	// (name-version/); strip it when the tree has no such entry.
	strip := commonTop(sc)
	if strip != "" {
		e, err := a.r.entryAt(root.hash, strip)
		if err != nil {
			return nil, err
		}
		if !e.hash.IsZero() {
			strip = ""
		}
	}
	attrs, err := a.attrs(root.hash)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range sc.entries {
		name := e.name
		if strip != "" {
			name = strings.TrimPrefix(name, strip+"/")
		}
		seen[name] = true
		perm := artifactPermFindings(name, sc.what, e)
		for _, f := range perm {
			a.add(f)
		}
		if matchAny(a.pol.ArtifactAllow, name, a.pol.foldPaths()) {
			sum.Allowed++
			continue
		}
		te, ok := tree[name]
		switch {
		case e.special != "":
			a.finding(RuleArtifactFileNotInTag, signing.SeverityError, name, "", fmt.Sprintf("%s is a special file (%s) git cannot hold", name, e.special))
		case !ok:
			a.finding(RuleArtifactFileNotInTag, signing.SeverityError, name, "", fmt.Sprintf("%s is in the artifact but not in the tree at %s", name, until))
		case e.symlink != (te.mode == filemode.Symlink):
			a.finding(RuleArtifactContentDiffers, signing.SeverityError, name, "", fmt.Sprintf("%s is a %s in the artifact but a %s at %s", name, kindName(e.symlink), kindName(te.mode == filemode.Symlink), until))
		case e.hash != te.hash && attrs.is(name, false, "export-subst"):
			ok, err := a.compareSubst(attrs, name, e, te, until)
			if err != nil {
				return nil, err
			}
			if ok && len(perm) == 0 {
				sum.Matched++
			}
		case e.hash != te.hash:
			ok, err := a.matchesWorktreeForm(attrs, name, e, te)
			if err != nil {
				return nil, err
			}
			if ok {
				if len(perm) == 0 {
					sum.Matched++
				}
				continue
			}
			a.finding(RuleArtifactContentDiffers, signing.SeverityError, name, "", fmt.Sprintf("%s differs from the tree at %s (blob %s in the artifact, %s tagged)", name, until, e.hash, te.hash))
		case len(perm) == 0:
			sum.Matched++
		}
	}
	for _, name := range slices.Sorted(mapKeys(tree)) {
		if seen[name] || exportIgnored(attrs, name) || matchAny(a.pol.ArtifactIgnoreMissing, name, a.pol.foldPaths()) || matchAny(a.pol.ArtifactAllow, name, a.pol.foldPaths()) {
			continue
		}
		a.finding(RuleArtifactFileMissing, signing.SeverityWarning, name, "", fmt.Sprintf("%s is in the tree at %s but not in the artifact", name, until))
	}
	return sum, nil
}

// attrs returns the .gitattributes of the tree root (see gitAttrs),
// read once per tree.
func (a *auditor) attrs(root plumbing.Hash) (*gitAttrs, error) {
	if g, ok := a.attrCache[root]; ok {
		return g, nil
	}
	g, err := a.r.loadAttrs(root)
	if err != nil {
		return nil, err
	}
	if a.attrCache == nil {
		a.attrCache = map[plumbing.Hash]*gitAttrs{}
	}
	a.attrCache[root] = g
	return g, nil
}

// matchesWorktreeForm reports whether artifact file e is tree file te as
// git archive writes it when the attributes of name ask for "$Id$"
// expansion (ident) or CRLF line ends (text, eol; see worktreeForms).
func (a *auditor) matchesWorktreeForm(attrs *gitAttrs, name string, e artifactEntry, te entryRef) (bool, error) {
	ident, act := attrs.is(name, false, "ident"), eolOf(attrs, name)
	if e.symlink || te.mode == filemode.Symlink || (!ident && act == eolNone) {
		return false, nil
	}
	b, size, err := a.r.blobPrefix(te.hash, maxConvertFile+1)
	if err != nil || size > maxConvertFile {
		return false, err
	}
	for _, f := range worktreeForms(b, te.hash, ident, act) {
		if blobHashString(string(f)) == e.hash {
			return true, nil
		}
	}
	return false, nil
}

// exportIgnored reports whether git archive leaves the tree file name out:
// it, or a directory above it, is export-ignore.
func exportIgnored(attrs *gitAttrs, name string) bool {
	if attrs.is(name, false, "export-ignore") {
		return true
	}
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if attrs.is(d, true, "export-ignore") {
			return true
		}
	}
	return false
}

func kindName(symlink bool) string {
	if symlink {
		return "symlink"
	}
	return "file"
}

// commonTop returns the single top-level directory holding every entry, or "".
func commonTop(sc *artifactScan) string {
	top := ""
	check := func(n string) bool {
		first, _, ok := strings.Cut(n, "/")
		if top == "" {
			top = first
		}
		return first == top && (ok || slices.Contains(sc.dirs, n))
	}
	if len(sc.entries) == 0 {
		return ""
	}
	for _, e := range sc.entries {
		if !check(e.name) {
			return ""
		}
	}
	return top
}

// checkArtifact scans an artifact given as a file system.
func (a *auditor) checkArtifact(ctx context.Context, until plumbing.Hash, fsys fs.FS, treePath string) (*ArtifactSummary, error) {
	keep, err := a.substKeep(until, treePath)
	if err != nil {
		return nil, err
	}
	sc, err := scanFS(ctx, fsys, false, keep)
	if err != nil {
		return nil, err
	}
	return a.compareArtifact(until, treePath, sc)
}
