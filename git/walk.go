package git

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// Backend selects how path history is computed.
type Backend int

const (
	// BackendAuto uses the git binary when one is on PATH (falling back to
	// BackendGoGit if it fails, for example on a repository git refuses as
	// of dubious ownership), else BackendGoGit.
	BackendAuto Backend = iota
	// BackendGoGit walks history in process, without a git binary: go-git
	// opens the repository, and commits and trees are read from the pack
	// files and the commit-graph directly.
	BackendGoGit
	// BackendGitCLI runs "git rev-list --full-history"; it fails when no
	// git binary is on PATH. Only the commit set comes from git; every other
	// fact is read in process.
	BackendGitCLI
)

// String returns "auto", "go-git" or "git".
func (b Backend) String() string {
	switch b {
	case BackendGoGit:
		return "go-git"
	case BackendGitCLI:
		return "git"
	}
	return "auto"
}

// walkResult is one pass over a commit range.
type walkResult struct {
	// commits are the range, in walk order (until first).
	commits []plumbing.Hash
	// changed are the commits of the range whose tree differs under a prefix
	// from at least one parent (a root commit: from the empty tree).
	changed map[plumbing.Hash]bool
	// sinceReached is true when since is an ancestor of until (or zero).
	sinceReached bool
	// excludedFrom holds the commits excluded as since or its ancestors,
	// each with the commit the walk reached it from (zero for since), so
	// that checkExcluded can check the path that excluded a commit.
	excludedFrom map[plumbing.Hash]plumbing.Hash
}

// walk lists the commits reachable from until and not from since (zero since:
// all of until's history), and, when prefixes is non-nil, which of them
// change something under one of prefixes, with git log --full-history
// semantics: a commit counts when its entry at the prefix differs from that
// of any of its parents.
func (r *repo) walk(ctx context.Context, since, until plumbing.Hash, prefixes []string) (*walkResult, error) {
	res := &walkResult{changed: map[plumbing.Hash]bool{}}
	excluded := map[plumbing.Hash]plumbing.Hash{}
	res.excludedFrom = excluded
	n := 0
	tick := func() error {
		n++
		if n&1023 == 0 {
			return ctx.Err()
		}
		return nil
	}
	if !since.IsZero() {
		stack := []plumbing.Hash{since}
		excluded[since] = plumbing.ZeroHash
		for len(stack) > 0 {
			h := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if err := tick(); err != nil {
				return nil, err
			}
			c, err := r.commit(h)
			if err != nil {
				return nil, err
			}
			for _, p := range c.parents {
				if _, ok := excluded[p]; !ok {
					excluded[p] = h
					stack = append(stack, p)
				}
			}
		}
	} else {
		res.sinceReached = true
	}
	if since == until {
		res.sinceReached = true
	}
	// The commits of the range are kept for the per-commit checks that
	// read them next (see rawCopy).
	if r.stash == nil && !r.noStash {
		r.stash = map[plumbing.Hash][]byte{}
	}
	seen := map[plumbing.Hash]bool{until: true}
	stack := []plumbing.Hash{until}
	if _, ok := excluded[until]; ok {
		stack = nil
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if err := tick(); err != nil {
			return nil, err
		}
		c, err := r.commit(h)
		if err != nil {
			return nil, err
		}
		res.commits = append(res.commits, h)
		for _, p := range c.parents {
			if p == since {
				res.sinceReached = true
			}
			if _, ex := excluded[p]; !seen[p] && !ex {
				seen[p] = true
				stack = append(stack, p)
			}
		}
		if prefixes != nil {
			ch, err := r.changedUnder(c, prefixes)
			if err != nil {
				return nil, fmt.Errorf("git: commit %s: %w", h, err)
			}
			if ch {
				res.changed[h] = true
			}
		}
	}
	return res, nil
}

// changedUnder reports whether commit c's entry at any prefix differs from
// the same entry in one of its parents. With r.foldPaths, the entries are
// those of every case variant of the prefix (see entriesAt), and a commit
// counts when the variants or one of their entries differ.
func (r *repo) changedUnder(c *commitInfo, prefixes []string) (bool, error) {
	at := func(tree plumbing.Hash, p string) ([]namedRef, error) {
		if p == "" {
			// The whole tree, even when empty.
			return []namedRef{{"", entryRef{hash: tree, mode: filemode.Dir}}}, nil
		}
		return r.entriesAbove(tree, p)
	}
	for _, p := range prefixes {
		es, err := at(c.tree, p)
		if err != nil {
			return false, err
		}
		if len(c.parents) == 0 {
			if len(es) > 0 && !(p == "" && es[0].ref.hash == emptyTree) {
				return true, nil
			}
			continue
		}
		for _, ph := range c.parents {
			pc, err := r.commit(ph)
			if err != nil {
				return false, err
			}
			pes, err := at(pc.tree, p)
			if err != nil {
				return false, err
			}
			if !slices.Equal(pes, es) {
				return true, nil
			}
		}
	}
	return false, nil
}

// emptyTree is the id of the tree with no entries.
var emptyTree = plumbing.NewHash("4b825dc642cb6eb9a060e54bf8d69288fbee4904")

// foldASCII are the ASCII characters that non-ASCII code points fold to
// (glob.Fold: İ and ı to i, ſ to s, U+212A KELVIN SIGN to k, and the NFC
// singletons U+037E GREEK QUESTION MARK to ";" and U+1FEF GREEK VARIA to
// "`"; see foldForms).
const foldASCII = "iIsSkK;`"

// cliChanged asks the git binary for the commits of until ^since that change
// something under prefixes, with the same semantics as walk. With fold, the
// prefixes match ignoring ASCII case (git's icase pathspec magic); callers
// keep prefixes with other letters to the walk, which folds them all.
//
// Every pathspec is given with icase or glob magic, even when fold is off:
// for a literal pathspec git's tree walk stops at the first entry that sorts
// after it (tree-walk.c's "never interesting" shortcut), so a root tree
// holding "zzz.txt" before "vendor" (out of git's order; git fsck rejects
// it, a checkout writes it) hides every change under vendor/ from git. With
// icase or a wildcard git reads every entry. Without fold the commits listed
// are then a superset: those that change only a case variant of a prefix
// are among them, and callers check each listed commit (see keepChanged).
//
// With above, the commits that change a file, symlink or submodule at a
// proper ancestor of a prefix (or a case variant of one) are listed too (see
// repo.above and exactAncestorSpecs).
//
// git runs isolated from the repository but for its objects (isolatedGit),
// so its grafts and shallow file are not read either: a .git/info/grafts
// or a .git/shallow naming a commit whose parents are present rewrites or
// cuts its parents, hiding commits from the range, where the in-process
// reader, like go-git, reads the parents as they are (and stops with an
// error in a real shallow clone, whose parents are missing).
func cliChanged(ctx context.Context, gitBin string, r *repo, since, until plumbing.Hash, prefixes []string, fold, above bool) (map[plumbing.Hash]bool, error) {
	objDir, err := r.objectsDir()
	if err != nil {
		return nil, err
	}
	args := []string{"--no-replace-objects", "--shallow-file", os.DevNull,
		"-c", "core.fsmonitor=false", "-c", "core.useReplaceRefs=false",
		// The commit-graph (and its changed-path Bloom filters) and the
		// multi-pack index are not checked against the objects here: git
		// reads the commits through the pack indexes.
		"-c", "core.commitGraph=false", "-c", "core.multiPackIndex=false",
		"rev-list", "--full-history", until.String()}
	if !since.IsZero() {
		args = append(args, "^"+since.String())
	}
	args = append(args, "--")
	if fold {
		// A prefix element ending in a dot or space names the
		// element without them on Windows (winGlob): the pathspecs,
		// like the walk's folded names, spell it without.
		prefixes = slices.Clone(prefixes)
		for i, p := range prefixes {
			prefixes[i] = trimWin32(p)
		}
	}
	for _, p := range prefixes {
		switch {
		case p == "":
			p = ":(literal)."
		case fold && strings.ContainsAny(p, foldASCII), (r.foldPaths || r.normPaths) && nonASCII(p):
			// icase folds ASCII letters only, and these characters have
			// non-ASCII forms that fold to them (ı and İ, ſ, the Kelvin
			// sign, U+037E, U+1FEF); nor does it join the case variants
			// or NFC and NFD spellings of non-ASCII letters: a wildcard
			// stands for each (looseGlob), and the walk's own matching
			// picks the commits that count.
			g := looseGlob(p, fold)
			args = append(args, ":(glob,icase)"+g, ":(glob,icase)"+g+"/**")
			continue
		default:
			p = ":(literal,icase)" + p
		}
		args = append(args, p)
	}
	if above {
		args = append(args, exactAncestorSpecs(prefixes)...)
	}
	if fold {
		// Names that Windows or HFS+ read as a prefix's element
		// ("vendor.", "THIRD_~1", "ff\u200cmpeg") escape icase: list
		// every commit touching one at a prefix element's position.
		args = append(args, aliasSpecs(prefixes)...)
	}
	cmd, cleanup, err := isolatedGit(ctx, gitBin, objDir, args...)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git: %s rev-list: %w: %s", gitBin, err, strings.TrimSpace(stderr.String()))
	}
	res := map[plumbing.Hash]bool{}
	for line := range strings.SplitSeq(string(out), "\n") {
		if line == "" {
			continue
		}
		h, ok := parseHex([]byte(line))
		if !ok {
			return nil, fmt.Errorf("git: rev-list printed %q, not an object id", line)
		}
		res[h] = true
	}
	return res, nil
}

// findGit returns the git binary on PATH, or "".
func findGit() string {
	p, err := exec.LookPath("git")
	if err != nil {
		return ""
	}
	return p
}

// HistoryOptions configures PathHistory. The zero value uses BackendAuto.
type HistoryOptions struct {
	// Backend selects go-git or the git binary.
	Backend Backend
}

// PathHistory returns, sorted, the full ids of the commits reachable from
// until and not from since that change something under one of paths (literal
// "/"-separated repository paths; "" is the whole tree): the commit set of
// "git log --full-history --format=%H since..until -- paths". A commit counts
// when its tree entry at a path differs from that of at least one parent, so
// merges that bring changes in are included. An empty since means all of
// until's history; an empty until means HEAD.
func PathHistory(ctx context.Context, repoDir, since, until string, paths []string, opts HistoryOptions) ([]string, error) {
	r, err := openRepo(repoDir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.noStash = true // only the commit set is wanted
	s, u, err := r.resolveRange(since, until)
	if err != nil {
		return nil, err
	}
	ps := minimalPrefixes(slices.Clone(paths))
	var changed map[plumbing.Hash]bool
	switch gitBin := findGit(); {
	case opts.Backend == BackendGitCLI && gitBin == "":
		return nil, fmt.Errorf("git: backend git: no git binary on PATH")
	case opts.Backend == BackendGitCLI || (opts.Backend == BackendAuto && gitBin != ""):
		changed, err = cliChanged(ctx, gitBin, r, s.commit, u.commit, ps, false, false)
		if err == nil {
			err = r.keepChanged(changed, ps)
		}
		if err == nil || opts.Backend == BackendGitCLI || ctx.Err() != nil {
			break
		}
		fallthrough
	default:
		var w *walkResult
		w, err = r.walk(ctx, s.commit, u.commit, ps)
		if err == nil {
			err = r.checkExcluded(w, u.commit)
		}
		if err == nil {
			err = r.checkRangeGraph(w)
		}
		if err == nil {
			changed = w.changed
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(changed))
	for h := range changed {
		out = append(out, h.String())
	}
	slices.Sort(out)
	return out, nil
}

// keepChanged removes from changed, a superset listed by cliChanged without
// fold, the commits whose entries at prefixes are equal, with their exact
// case, to those of every parent.
func (r *repo) keepChanged(changed map[plumbing.Hash]bool, prefixes []string) error {
	hs := make([]plumbing.Hash, 0, len(changed))
	for h := range changed {
		hs = append(hs, h)
	}
	// In id order, so an error names the same commit every run.
	slices.SortFunc(hs, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	for _, h := range hs {
		c, err := r.commit(h)
		if err != nil {
			return err
		}
		ok, err := r.changedUnder(c, prefixes)
		if err != nil {
			return fmt.Errorf("git: commit %s: %w", h, err)
		}
		if !ok {
			delete(changed, h)
		}
	}
	return nil
}
