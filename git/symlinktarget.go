package git

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/signing"
)

// maxLinkHops bounds the symlinks followed resolving one target, as
// Linux's MAXSYMLINKS (40) does.
const maxLinkHops = 40

// protectLinkTargets extends the policy with the paths that symlinks under
// protected paths point at, at since or until, outside every protected
// path: a checkout reads the protected file through the link, so a change
// at the target is a change to the protected code. Each target is
// protected by a copy of the rule of its symlink (same owners and signers)
// and reported as RuleProtectedSymlinkTarget. The caller's Policy is not
// changed; a.userRules keeps the number of rules it holds.
func (a *auditor) protectLinkTargets(commits ...plumbing.Hash) error {
	a.userRules = len(a.pol.Protect)
	if len(a.pol.Protect) == 0 {
		return nil
	}
	fold := a.pol.foldPaths()
	var globs []string
	for _, p := range a.pol.Protect {
		globs = append(globs, p.Path)
	}
	type link struct{ path, target string }
	var links []link
	seenLink := map[string]bool{}
	for _, c := range commits {
		if c.IsZero() {
			continue
		}
		ci, err := a.r.commit(c)
		if err != nil {
			return err
		}
		var found []string
		seen := map[[2]string]bool{}
		for _, p := range prefixes(globs) {
			if err := a.r.symlinksUnder(ci.tree, p, seen, &found); err != nil {
				return err
			}
		}
		for _, l := range found {
			if !slices.ContainsFunc(globs, func(g string) bool { return matchProtected(g, l, fold) }) {
				continue
			}
			t, ok, err := a.r.resolveLink(ci.tree, l)
			if err != nil {
				return err
			}
			if !ok || t == "" || matchAny(globs, t, fold) || seenLink[l+"\x00"+t] {
				continue
			}
			seenLink[l+"\x00"+t] = true
			links = append(links, link{l, t})
		}
	}
	if len(links) == 0 {
		return nil
	}
	pol := *a.pol
	pol.Protect = slices.Clone(a.pol.Protect)
	added := map[string]bool{}
	for _, l := range links {
		for _, rule := range a.pol.Protect {
			if !matchProtected(rule.Path, l.path, fold) {
				continue
			}
			g := escapeGlob(l.target)
			a.finding(RuleProtectedSymlinkTarget, signing.SeverityNote, l.path, "", fmt.Sprintf(
				"%s, protected by %s, is a symlink to %s, outside every protected path: %s is audited as protected by %s too", l.path, rule.Path, l.target, l.target, rule.Path))
			if added[g+"\x00"+rule.Path] {
				continue
			}
			added[g+"\x00"+rule.Path] = true
			pol.Protect = append(pol.Protect, ProtectRule{Path: g, Owners: rule.Owners, Signers: rule.Signers})
		}
	}
	a.pol = &pol
	return nil
}

// symlinksUnder appends to out the paths of the symlinks at or below p in
// the tree root, skipping subtrees already listed at the same path (seen).
func (r *repo) symlinksUnder(root plumbing.Hash, p string, seen map[[2]string]bool, out *[]string) error {
	e, err := r.entryAt(root, p)
	if err != nil || e.hash.IsZero() {
		return err
	}
	switch e.mode {
	case filemode.Symlink:
		*out = append(*out, p)
		return nil
	case filemode.Dir:
	default:
		return nil
	}
	k := [2]string{p, e.hash.String()}
	if seen[k] {
		return nil
	}
	seen[k] = true
	es, err := r.tree(e.hash)
	if err != nil {
		return err
	}
	for _, c := range es {
		cp := join(p, c.name)
		switch c.mode {
		case filemode.Symlink:
			*out = append(*out, cp)
		case filemode.Dir:
			if err := r.symlinksUnder(root, cp, seen, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveLink returns the path in the tree root that the symlink at p
// leads to, following the symlinks met on the way as a checkout would; ok
// is false for a target outside the repository (absolute, or above its
// root) or a loop.
func (r *repo) resolveLink(root plumbing.Hash, p string) (string, bool, error) {
	dir, _ := path.Split(p)
	resolved := strings.TrimSuffix(dir, "/")
	rest := []string{path.Base(p)}
	for hops := 0; len(rest) > 0; {
		comp := rest[0]
		rest = rest[1:]
		switch comp {
		case "", ".":
			continue
		case "..":
			if resolved == "" {
				return "", false, nil
			}
			resolved, _ = path.Split(resolved)
			resolved = strings.TrimSuffix(resolved, "/")
			continue
		}
		cand := join(resolved, comp)
		e, err := r.entryAt(root, cand)
		if err != nil {
			return "", false, err
		}
		if e.mode != filemode.Symlink || e.hash.IsZero() {
			resolved = cand
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", false, nil
		}
		b, _, err := r.blobPrefix(e.hash, 4096)
		if err != nil {
			return "", false, err
		}
		t := string(b)
		if strings.HasPrefix(t, "/") || strings.ContainsRune(t, 0) {
			return "", false, nil
		}
		rest = append(strings.Split(t, "/"), rest...)
	}
	return resolved, true, nil
}

// escapeGlob escapes the glob characters of a path so that a glob of it
// matches the path alone (and what is below it).
func escapeGlob(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
