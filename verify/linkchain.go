package verify

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// chainLink is a symbolic link as its folder or archive holds it, for
// following chains of links (see checkLinkChains).
type chainLink struct {
	root   string // report path of the folder or archive the link is in
	rel    string // the link's path in root
	target string // the link's target as stored
	// escapes says the link's own target points out of root; it has its
	// finding already.
	escapes bool
}

// maxChainSteps bounds the path components resolved for one link, hops
// through other links included: a path the kernel would refuse as too long
// or too deep in links (ELOOP) reaches nothing.
const maxChainSteps = 4096

// maxChainWays bounds the ways followed at once when links share a path
// (case twins, a name held twice), each holding up to maxChainSteps
// components still to resolve.
const maxChainWays = 64

// addSymlink records the symbolic link at rel in the folder or archive at
// report path root (where names what root is, "the archive"), whose target
// is target, for the checks every link gets wherever it is (a folder, tar,
// zip, 7-Zip, an installer package's payload): a target that points out of
// root is returned as a finding and not followed; others are held to the
// policy (addLink); all are followed in chains (addChainLink).
func (e *engine) addSymlink(root, rel, target, where string) []signing.Finding {
	escapes := release.LinkEscapes(rel, target)
	e.addChainLink(root, rel, target, escapes)
	if escapes {
		return []signing.Finding{finding(ruleSymlinkEscape, signing.SeverityError, joinPath(root, rel), fmt.Sprintf("symbolic link to %q points out of %s; it was not followed", target, where))}
	}
	e.addLink(root, rel, target)
	return nil
}

// addChainLink records the symbolic link at rel in the folder or archive at
// report path root, whose target is target; escapes says its target alone
// points out of root (and was reported).
func (e *engine) addChainLink(root, rel, target string, escapes bool) {
	e.mu.Lock()
	e.chains = append(e.chains, chainLink{root: root, rel: rel, target: target, escapes: escapes})
	e.mu.Unlock()
}

// checkLinkChains reports the symbolic links whose targets look inside
// their folder or archive but that lead out of it through other links: with
// "up" a link to "..", a link to "up/../secret" is "../secret" once
// extracted. Links are resolved as a file system resolves them, a component
// at a time, following each link on the way; a chain that loops or runs too
// long reaches nothing and is not reported.
func (e *engine) checkLinkChains() {
	if len(e.chains) == 0 {
		return
	}
	chains := append([]chainLink(nil), e.chains...)
	sort.Slice(chains, func(a, b int) bool {
		if chains[a].root != chains[b].root {
			return chains[a].root < chains[b].root
		}
		return chains[a].rel < chains[b].rel
	})
	// Links by root, by path as it is and by path as a case-insensitive
	// file system finds it (APFS, NTFS, see linkKey): "UP/.." and "up./.."
	// go through the link "up" there. A path held by several links (case
	// twins, a name held twice) has each of their targets: which one is
	// extracted last is the extractor's choice.
	byRoot := map[string]map[string][]string{}
	folded := map[string]map[string][]string{}
	for _, l := range chains {
		if byRoot[l.root] == nil {
			byRoot[l.root], folded[l.root] = map[string][]string{}, map[string][]string{}
		}
		if m, k := byRoot[l.root], l.rel; !slices.Contains(m[k], l.target) {
			m[k] = append(m[k], l.target)
		}
		if m, k := folded[l.root], linkKey(l.rel); !slices.Contains(m[k], l.target) {
			m[k] = append(m[k], l.target)
		}
	}
	finds := e.throughLinks(chains)
	reaches := map[string]string{} // link report path to the path it reaches
	for _, l := range chains {
		if l.escapes {
			continue
		}
		to, via, out, ok := resolveChain(byRoot[l.root], l.rel, l.target, nil)
		if ok && !out {
			reaches[joinPath(l.root, l.rel)] = joinPath(l.root, to)
		}
		if !out {
			_, via, out, ok = resolveChain(folded[l.root], l.rel, l.target, linkKey)
		}
		if !ok && via != "" {
			finds = append(finds, finding(ruleSymlinkEscape, signing.SeverityError, joinPath(l.root, l.rel),
				fmt.Sprintf("symbolic link to %q goes through links whose names differ only in case, or are held twice, in more ways than are followed (from %s); it was not followed", l.target, joinPath(l.root, via))))
		}
		if out {
			finds = append(finds, finding(ruleSymlinkEscape, signing.SeverityError, joinPath(l.root, l.rel),
				fmt.Sprintf("symbolic link to %q leads out of the release once the links on its way are followed (the last, %s); it was not followed", l.target, joinPath(l.root, via))))
		}
	}
	e.addFindings(finds...)
	// The policy holds what a link reaches to the rules for its path (see
	// checkLinks): what the file system reaches, not the target cleaned
	// as text ("up/../x" is not "x" when up is a link).
	for i := range e.links {
		if to, ok := reaches[e.links[i].path]; ok {
			e.links[i].target = to
		}
	}
}

// resolveChain resolves the link at rel, whose target is target, through
// links (path to targets, both relative to one root) as a file system would.
// It returns the path the link reaches, or reports (out) that it leads out of
// the root, and through which link it does. Backslashes separate components,
// as they do on Windows. With key, links are looked up by key(path). A path
// with several targets (case twins, a name held twice) is followed to each;
// out is reported if any way leads out. A loop, a chain longer than the
// bound, or ways that reach different paths reach nothing (not ok); when
// the ways were too many to follow, via names the path that branched.
func resolveChain(links map[string][]string, rel, target string, key func(string) string) (to, via string, out, ok bool) {
	type way struct {
		cur  string   // the resolved directory, "" for the root
		todo []string // components still to resolve, the next one last
		via  string
	}
	start := way{cur: path.Dir(rel), via: rel}
	if start.cur == "." {
		start.cur = ""
	}
	start.todo = pushTarget(nil, target)
	ways := []way{start}
	steps, branched, reached := 0, "", []string{}
	for len(ways) > 0 {
		w := ways[len(ways)-1]
		ways = ways[:len(ways)-1]
		for len(w.todo) > 0 {
			if steps++; steps > maxChainSteps || len(w.todo) > maxChainSteps {
				return "", branched, false, false
			}
			c := w.todo[len(w.todo)-1]
			w.todo = w.todo[:len(w.todo)-1]
			switch c {
			case "", ".":
				continue
			case "..":
				if w.cur == "" {
					return "", w.via, true, true
				}
				w.cur = w.cur[:max(strings.LastIndexByte(w.cur, '/'), 0)]
				continue
			}
			p := joinPath(w.cur, c)
			k := p
			if key != nil {
				k = key(p)
			}
			ts := links[k]
			if len(ts) == 0 {
				w.cur = p
				continue
			}
			for _, t := range ts {
				if isAbsTarget(t) {
					return "", p, true, true
				}
			}
			if len(ts) > 1 {
				if branched = p; len(ways)+len(ts) > maxChainWays {
					return "", branched, false, false
				}
			}
			for _, t := range ts[1:] {
				ways = append(ways, way{cur: w.cur, todo: pushTarget(slices.Clone(w.todo), t), via: p})
			}
			w.via = p
			w.todo = pushTarget(w.todo, ts[0])
		}
		if !slices.Contains(reached, w.cur) {
			reached = append(reached, w.cur)
		}
	}
	if len(reached) != 1 {
		return "", "", false, false
	}
	return reached[0], "", false, true
}

// pushTarget pushes the components of a link target onto todo, the first
// component last.
func pushTarget(todo []string, t string) []string {
	cs := splitTarget(t)
	for i := len(cs) - 1; i >= 0; i-- {
		todo = append(todo, cs[i])
	}
	return todo
}

// splitTarget splits a link target into components, at slashes and
// backslashes.
func splitTarget(t string) []string {
	return strings.Split(strings.ReplaceAll(t, `\`, "/"), "/")
}

// isAbsTarget reports a link target that names a path from a root or a
// drive, not from the link's directory.
func isAbsTarget(t string) bool {
	t = strings.ReplaceAll(t, `\`, "/")
	return strings.HasPrefix(t, "/") || (len(t) >= 2 && t[1] == ':')
}

// throughLinks reports the files of a folder or archive whose paths go
// (or links, hard or symbolic) go through one of its own symbolic links: a tarball holding the link "w" to
// "windows" and the file "w/evil.dll". Extractors that follow links in the
// folders of a path (GNU tar, Python's tarfile, unzip) write the file to
// windows/evil.dll, so it was checked, and held to the policy, under a path
// it does not have once installed. Links are matched as case-insensitive
// file systems and Windows find them too (linkKey): the link "w." is "w". The caller holds no lock; chains is sorted.
func (e *engine) throughLinks(chains []chainLink) []signing.Finding {
	type held struct{ root, path, target string }
	byKey := make(map[string]held, len(chains))
	for _, l := range chains {
		p := joinPath(l.root, l.rel)
		if _, ok := byKey[linkKey(p)]; !ok {
			byKey[linkKey(p)] = held{l.root, p, l.target}
		}
	}
	e.mu.Lock()
	paths := make([]string, 0, len(e.files)+len(e.links)+len(chains))
	for i := range e.files {
		paths = append(paths, e.files[i].Path)
	}
	for _, l := range e.links { // hard links too
		paths = append(paths, l.path)
	}
	e.mu.Unlock()
	for _, l := range chains { // links out of the archive too
		paths = append(paths, joinPath(l.root, l.rel))
	}
	paths = slices.Compact(slices.Sorted(slices.Values(paths)))
	var finds []signing.Finding
	for _, p := range paths {
		for i := strings.IndexByte(p, '/'); i > 0; i = nextSlash(p, i) {
			// The link's folder or archive is the file's, in the same case.
			if l, ok := byKey[linkKey(p[:i])]; ok && (l.root == "" || strings.HasPrefix(p, l.root+"/")) {
				finds = append(finds, finding(ruleInsecurePath, signing.SeverityError, p,
					fmt.Sprintf("the entry's path goes through the symbolic link %s (to %q) its archive also holds: extractors that follow the link write the file where the link leads, where it was not checked", l.path, l.target)))
				break
			}
		}
	}
	return finds
}

// nextSlash returns the index of the first slash in p after index i, or -1.
func nextSlash(p string, i int) int {
	j := strings.IndexByte(p[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// archiveFSLink records the symbolic link at p in the file system of an
// archive of kind k at report path parent. An installer package's payload
// links get every link's checks (addSymlink), relative to their cpio
// archive; those of other kinds are only held to the policy (addLink).
func (e *engine) archiveFSLink(parent, p, target string, k Kind) []signing.Finding {
	if k == KindPkg {
		if root, ok := pkgPayloadRoot(p); ok {
			return e.addSymlink(joinPath(parent, root), p[len(root)+1:], target, "the package's "+path.Base(root))
		}
	}
	e.addLink(parent, p, target)
	return nil
}
