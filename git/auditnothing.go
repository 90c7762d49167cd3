package git

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/shipgate/shipgate/signing"
)

// checkNothingAudited reports a range without commits (since = until)
// when paths are protected, and protected globs that match no path at
// since or until: either lets a gate pass having looked at nothing, as a
// release tag given twice or a typo in --protect would. A glob that a
// commit of the range changed a path under (one added and removed again
// within it) is not reported: its changes were audited. An artifact or a
// vendor pin is checked at until alone, so it needs no commit.
func (a *auditor) checkNothingAudited(w *walkResult, since, until plumbing.Hash, sinceName, untilName string, commits []Commit) error {
	if len(w.commits) == 0 && w.sinceReached && len(a.pol.Protect) > 0 {
		a.finding(RuleEmptyRange, signing.SeverityError, "", until.String(), fmt.Sprintf(
			"%s..%s holds no commit: no commit was audited (is --since the release you meant?)", sinceName, orHEAD(untilName)))
	}
	if sinceName == "" {
		sinceName = "the first commit"
	}
	roots := []plumbing.Hash{}
	for _, c := range []plumbing.Hash{since, until} {
		if c.IsZero() {
			continue
		}
		ci, err := a.r.commit(c)
		if err != nil {
			return err
		}
		roots = append(roots, ci.tree)
	}
	fold := a.pol.foldPaths()
	changed := map[string]bool{}
	for _, c := range commits {
		for _, g := range c.Protected {
			changed[g] = true
		}
	}
	for _, p := range a.pol.Protect[:a.userRules] {
		found := changed[p.Path]
		for _, root := range roots {
			if found {
				break
			}
			var err error
			if found, err = a.treeMatches(root, p.Path, fold); err != nil {
				return err
			}
		}
		if !found {
			a.finding(RuleProtectUnmatched, signing.SeverityError, p.Path, "", fmt.Sprintf(
				"protected path %q matches no path at %s or %s: it protects nothing (a typo?)", p.Path, sinceName, orHEAD(untilName)))
		}
	}
	return nil
}

// treeMatches reports whether glob g matches a path (or a directory above
// one) in the tree root, reading only the subtree of g's literal prefix.
func (a *auditor) treeMatches(root plumbing.Hash, g string, fold bool) (bool, error) {
	es, err := a.r.entriesAt(root, globPrefix(g))
	if err != nil {
		return false, err
	}
	for _, e := range es {
		if e.path != "" && matchGlob(g, e.path, fold) {
			return true, nil
		}
		if e.ref.mode != filemode.Dir {
			continue
		}
		cs, err := a.r.diffTrees(plumbing.ZeroHash, e.ref.hash, e.path, nil)
		if err != nil {
			return false, err
		}
		for _, c := range cs {
			if matchGlob(g, c.path, fold) {
				return true, nil
			}
		}
	}
	return false, nil
}
