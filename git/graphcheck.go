package git

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrCommitGraphMismatch is wrapped by the error for a commit whose
// commit-graph record (objects/info/commit-graph, which the walk reads for
// speed) names another tree or other parents than the commit object: a
// forged graph that would hide a change or a commit from the audit. The
// audit refuses to go on.
var ErrCommitGraphMismatch = errors.New("commit-graph does not match the commit object")

// usesGraph reports whether commits may be read from a commit-graph.
func (r *repo) usesGraph() bool { return r.graph1 != nil || r.graph != nil }

// checkGraphRecord compares the tree and parents the walk read for h (from
// the commit-graph when it holds h) with those of the commit object, given
// as hex ids.
func (r *repo) checkGraphRecord(h plumbing.Hash, tree string, parents []string) error {
	if !r.usesGraph() {
		return nil
	}
	ci, err := r.commit(h)
	if err != nil {
		return err
	}
	same := ci.tree.String() == tree && len(ci.parents) == len(parents)
	for i := 0; same && i < len(parents); i++ {
		same = ci.parents[i].String() == parents[i]
	}
	if !same {
		return fmt.Errorf("git: commit %s: %w: the graph names tree %s and parents %v, the object tree %s and parents %v",
			h, ErrCommitGraphMismatch, ci.tree, ci.parents, tree, parents)
	}
	return nil
}

// checkGraphObject is checkGraphRecord for a commit read from its object.
func (r *repo) checkGraphObject(h plumbing.Hash) error {
	b, err := r.raw(h, plumbing.CommitObject)
	if err != nil {
		return err
	}
	c, err := parseCommitHeader(b)
	if err != nil {
		return fmt.Errorf("git: commit %s: %w", h, err)
	}
	ps := make([]string, len(c.parents))
	for i, p := range c.parents {
		ps[i] = p.String()
	}
	return r.checkGraphRecord(h, c.tree.String(), ps)
}

// checkExcluded checks, against the commit objects, the graph records that
// put the range's boundary outside it: each commit a range commit names as
// a parent but the walk excluded as an ancestor of since (and until, if it
// was excluded), with the records along the path by which the walk reached
// it from since. A forged parent on since's side cannot then exclude a
// commit of the range, nor a forged tree of a boundary commit hide a change.
// The range commits' own records are checked by checkCommit (or
// checkRangeGraph).
func (r *repo) checkExcluded(w *walkResult, until plumbing.Hash) error {
	if !r.usesGraph() || w.excludedFrom == nil {
		return nil
	}
	inRange := make(map[plumbing.Hash]bool, len(w.commits))
	for _, h := range w.commits {
		inRange[h] = true
	}
	checked := map[plumbing.Hash]bool{}
	check := func(h plumbing.Hash) error {
		for {
			if checked[h] {
				return nil
			}
			checked[h] = true
			if err := r.checkGraphObject(h); err != nil {
				return err
			}
			h = w.excludedFrom[h]
			if h.IsZero() {
				return nil // since itself
			}
		}
	}
	if _, ok := w.excludedFrom[until]; ok {
		if err := check(until); err != nil {
			return err
		}
	}
	for _, h := range w.commits {
		ci, err := r.commit(h)
		if err != nil {
			return err
		}
		for _, p := range ci.parents {
			if _, ok := w.excludedFrom[p]; ok && !inRange[p] {
				if err := check(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkRangeGraph checks the graph records of the range's commits against
// their objects, for callers that do not read each commit (PathHistory).
func (r *repo) checkRangeGraph(w *walkResult) error {
	if !r.usesGraph() {
		return nil
	}
	for _, h := range w.commits {
		if err := r.checkGraphObject(h); err != nil {
			return err
		}
	}
	return nil
}
