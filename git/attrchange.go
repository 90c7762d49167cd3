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

// checkAttributeChanges reports commit h (c, signed by sig) when it
// changes, in a .gitattributes above a protected path, the lines that can
// apply to that path: export-ignore leaves protected files out of a
// git archive release, and eol, ident, filter and working-tree-encoding
// change the bytes a checkout writes for them, all from a file no protect
// glob covers. Such a commit is held to the rule as a change to the
// protected path is (RuleProtectedAttributes, then the rule's signing
// checks). A .gitattributes inside the protected path is protected
// already.
func (a *auditor) checkAttributeChanges(h plumbing.Hash, c *rawCommit, sig *Signature) error {
	if len(a.pol.Protect) == 0 {
		return nil
	}
	tree := plumbing.NewHash(c.tree)
	var parents []plumbing.Hash
	for _, p := range c.parents {
		pc, err := a.r.commit(plumbing.NewHash(p))
		if err != nil {
			return err
		}
		parents = append(parents, pc.tree)
	}
	if len(parents) == 0 {
		parents = []plumbing.Hash{plumbing.ZeroHash}
	}
	// Most commits change no .gitattributes: look each one up once.
	touched := map[string]bool{}
	for _, rule := range a.pol.Protect {
		if p := globPrefix(rule.Path); p != "" {
			for _, d := range ancestorDirs(p) {
				ap := join(d, ".gitattributes")
				if _, done := touched[ap]; done {
					continue
				}
				ch, err := a.r.changedFromAll(tree, parents, ap)
				if err != nil {
					return err
				}
				touched[ap] = ch
			}
		}
	}
	id := h.String()
	for _, rule := range a.pol.Protect {
		p := globPrefix(rule.Path)
		if p == "" {
			continue
		}
		for _, d := range ancestorDirs(p) {
			ap := join(d, ".gitattributes")
			if !touched[ap] {
				continue
			}
			changed, err := a.attrLinesChanged(tree, parents, ap, d, p)
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
			if hit, err := a.attrChangeHits(tree, parents, ap, d, p); err != nil || !hit {
				if err != nil {
					return err
				}
				continue
			}
			what := "commit " + id[:12]
			a.finding(RuleProtectedAttributes, signing.SeverityWarning, ap, id, fmt.Sprintf(
				"%s by %s <%s> changes the lines of %s that apply to %s (protected by %s): export-ignore, eol, ident, filter or working-tree-encoding there change what a release or a checkout holds at the protected path",
				what, c.author.Name, c.author.Email, ap, p, rule.Path))
			switch {
			case sig == nil:
				a.finding(RuleUnsignedProtected, signing.SeverityError, ap, id, fmt.Sprintf("%s changes the attributes of %s in %s and is not signed", what, rule.Path, ap))
			case sig.Multiple || sig.Status == signing.StatusInvalid || sig.Status == signing.StatusMalformed:
			default:
				signers := rule.Signers
				if signers == nil {
					signers = []string{}
				}
				a.signatureFindings(sig, signers, ap, id, what)
			}
			if len(rule.Owners) > 0 && !ownerMatch(rule.Owners, c.author) {
				a.finding(RuleUnexpectedAuthor, signing.SeverityWarning, ap, id, fmt.Sprintf("%s: author %s <%s> is not an owner of %s (%s)",
					what, c.author.Name, c.author.Email, rule.Path, strings.Join(rule.Owners, ", ")))
			}
			break
		}
	}
	return nil
}

// changedFromAll reports whether the entry at path ap in tree differs
// from the one in every parent tree (a zero parent holds nothing).
func (r *repo) changedFromAll(tree plumbing.Hash, parents []plumbing.Hash, ap string) (bool, error) {
	e, err := r.entryAt(tree, ap)
	if err != nil {
		return false, err
	}
	for _, pt := range parents {
		var pe entryRef
		if !pt.IsZero() {
			if pe, err = r.entryAt(pt, ap); err != nil {
				return false, err
			}
		}
		if pe == e {
			return false, nil
		}
	}
	return true, nil
}

// ancestorDirs returns the proper ancestor directories of p, root ("")
// first.
func ancestorDirs(p string) []string {
	out := []string{""}
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}

// attrLinesChanged reports whether the lines of the .gitattributes at ap
// (in directory d) that can apply to paths under prefix p differ between
// tree and every one of parents (a merge is charged only with what it
// changes itself).
func (a *auditor) attrLinesChanged(tree plumbing.Hash, parents []plumbing.Hash, ap, d, p string) (bool, error) {
	cur, err := a.attrLinesAt(tree, ap, d, p)
	if err != nil {
		return false, err
	}
	for _, pt := range parents {
		var old []string
		if !pt.IsZero() {
			if old, err = a.attrLinesAt(pt, ap, d, p); err != nil {
				return false, err
			}
		}
		if slices.Equal(old, cur) {
			return false, nil
		}
	}
	return true, nil
}

// attrLinesAt returns, in order, the lines of the .gitattributes at ap in
// tree root that can apply to a path under prefix p: macro definitions,
// patterns without a slash, and patterns whose literal leading elements
// lead to p or below it.
func (a *auditor) attrLinesAt(root plumbing.Hash, ap, d, p string) ([]string, error) {
	e, err := a.r.entryAt(root, ap)
	if err != nil || e.hash.IsZero() || !e.mode.IsFile() {
		return nil, err
	}
	b, size, err := a.r.blobPrefix(e.hash, maxAttrFile)
	if err != nil {
		return nil, err
	}
	if size > maxAttrFile {
		return []string{fmt.Sprintf("\x00too large %s", e.hash)}, nil
	}
	rel := p
	if d != "" {
		rel = strings.TrimPrefix(p, d+"/")
	}
	var out []string
	for _, l := range (&gitAttrs{macros: map[string][]attrState{}}).parse(string(b), d == "") {
		if l.macro || l.basename || pathsMeet(literalElems(l.pattern), rel) {
			out = append(out, l.raw)
		}
	}
	return out, nil
}

// checkoutAttrs are the attributes that change what git archive or a
// checkout writes for a path.
var checkoutAttrs = []string{"export-ignore", "export-subst", "eol", "text", "crlf", "ident", "filter", "working-tree-encoding"}

// attrChangeHits reports whether a line of the .gitattributes at ap (in
// directory d) that is in tree or in a parent but not in both sets an
// attribute of checkoutAttrs (or defines a macro) on a path that exists
// under prefix p in either tree.
func (a *auditor) attrChangeHits(tree plumbing.Hash, parents []plumbing.Hash, ap, d, p string) (bool, error) {
	g := &gitAttrs{macros: map[string][]attrState{}}
	lines := map[string]attrLine{}
	count := map[string]int{}
	roots := append([]plumbing.Hash{tree}, parents...)
	n := len(roots) // a zero root (no parent) holds no line
	for _, root := range roots {
		if root.IsZero() {
			continue
		}
		e, err := a.r.entryAt(root, ap)
		if err != nil {
			return false, err
		}
		if e.hash.IsZero() || !e.mode.IsFile() {
			continue
		}
		b, _, err := a.r.blobPrefix(e.hash, maxAttrFile)
		if err != nil {
			return false, err
		}
		seen := map[string]bool{}
		for _, l := range g.parse(string(b), d == "") {
			lines[l.raw] = l
			if !seen[l.raw] {
				seen[l.raw] = true
				count[l.raw]++
			}
		}
	}
	var files []string
	for _, root := range roots {
		if root.IsZero() {
			continue
		}
		fs, err := a.filesUnder(root, p)
		if err != nil {
			return false, err
		}
		files = append(files, fs...)
	}
	for raw, l := range lines {
		if count[raw] == n {
			// In tree and in every parent.
			continue
		}
		if l.macro {
			return true, nil
		}
		relevant := false
		for _, st := range l.states {
			relevant = relevant || slices.Contains(checkoutAttrs, st.name) || g.macros[st.name] != nil || st.name == "binary"
		}
		if !relevant {
			continue
		}
		for _, f := range files {
			rel := f
			if d != "" {
				rel = strings.TrimPrefix(f, d+"/")
			}
			if l.matches(rel, false) {
				return true, nil
			}
			for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
				if l.matches(dir, true) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// filesUnder lists the paths of the files at or under p in tree root.
func (a *auditor) filesUnder(root plumbing.Hash, p string) ([]string, error) {
	e, err := a.r.entryAt(root, p)
	if err != nil || e.hash.IsZero() {
		return nil, err
	}
	switch {
	case e.mode == filemode.Dir:
	case e.mode.IsFile():
		return []string{p}, nil
	default:
		return nil, nil
	}
	m := map[string]entryRef{}
	if err := a.r.flattenTree(e.hash, p, m); err != nil {
		return nil, err
	}
	return slices.Sorted(mapKeys(m)), nil
}

// literalElems returns the leading elements of glob g without a wildcard.
func literalElems(g string) string {
	var lit []string
	for el := range strings.SplitSeq(g, "/") {
		if strings.ContainsAny(el, `*?[\`) {
			break
		}
		lit = append(lit, el)
	}
	return path.Join(lit...)
}

// pathsMeet reports whether x and y are equal or one lies below the other
// ("" lies above everything).
func pathsMeet(x, y string) bool {
	return x == "" || y == "" || x == y || strings.HasPrefix(x, y+"/") || strings.HasPrefix(y, x+"/")
}
