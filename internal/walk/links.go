package walk

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// ChainLink is a symbolic link as its folder or archive holds it, for
// LinkChains.
type ChainLink struct {
	Root   string // report path of the folder or archive the link is in
	Rel    string // the link's path in Root
	Target string // the link's target as stored
	// Escapes says the link's own target points out of Root
	// (LinkEscape); it has its finding already.
	Escapes bool
}

// LinkEscape returns the finding for the symbolic link at rel in the
// folder or archive at report path root (where names what root is: "the
// release", "the archive") whose target points out of root, and whether
// it does (release.LinkEscapes). Such a link is never followed. verify and
// sbom report a link out of a release so, wherever it lies.
func LinkEscape(root, rel, target, where string) (signing.Finding, bool) {
	if !release.LinkEscapes(rel, target) {
		return signing.Finding{}, false
	}
	return finding(release.RuleSymlinkEscape, signing.SeverityError, release.JoinPath(root, rel),
		fmt.Sprintf("symbolic link to %q points out of %s; it was not followed", target, where)), true
}

// maxChainSteps bounds the path components resolved for one link, hops
// through other links included: a path the kernel would refuse as too long
// or too deep in links (ELOOP) reaches nothing.
const maxChainSteps = 4096

// MaxChainWays bounds the ways followed at once when links share a path
// (case twins, a name held twice), each holding up to maxChainSteps
// components still to resolve.
const MaxChainWays = 64

// LinkChains reports the symbolic links whose targets look inside their
// folder or archive but that lead out of it through other links: with
// "up" a link to "..", a link to "up/../secret" is "../secret" once
// extracted (file/symlink-escape). Links are resolved as a file system
// resolves them, a component at a time, following each link on the way,
// by their paths as they are and as a case-insensitive file system finds
// them (LinkKey); a chain that loops or runs too long reaches nothing and
// is not reported. reaches maps the report path of each link that stays
// inside to the report path it reaches. links is not modified.
func LinkChains(links []ChainLink) (finds []signing.Finding, reaches map[string]string) {
	chains := slices.Clone(links)
	sort.Slice(chains, func(a, b int) bool {
		if chains[a].Root != chains[b].Root {
			return chains[a].Root < chains[b].Root
		}
		return chains[a].Rel < chains[b].Rel
	})
	// Links by root, by path as it is and by path as a case-insensitive
	// file system finds it (APFS, NTFS, see LinkKey): "UP/.." and "up./.."
	// go through the link "up" there. A path held by several links (case
	// twins, a name held twice) has each of their targets: which one is
	// extracted last is the extractor's choice.
	byRoot := map[string]map[string][]string{}
	folded := map[string]map[string][]string{}
	for _, l := range chains {
		if byRoot[l.Root] == nil {
			byRoot[l.Root], folded[l.Root] = map[string][]string{}, map[string][]string{}
		}
		if m, k := byRoot[l.Root], l.Rel; !slices.Contains(m[k], l.Target) {
			m[k] = append(m[k], l.Target)
		}
		if m, k := folded[l.Root], LinkKey(l.Rel); !slices.Contains(m[k], l.Target) {
			m[k] = append(m[k], l.Target)
		}
	}
	reaches = map[string]string{}
	for _, l := range chains {
		if l.Escapes {
			continue
		}
		p := release.JoinPath(l.Root, l.Rel)
		to, via, out, ok := resolveChain(byRoot[l.Root], l.Rel, l.Target, nil)
		if ok && !out {
			reaches[p] = release.JoinPath(l.Root, to)
		}
		if !out {
			_, via, out, ok = resolveChain(folded[l.Root], l.Rel, l.Target, LinkKey)
		}
		if !ok && via != "" {
			finds = append(finds, finding(release.RuleSymlinkEscape, signing.SeverityError, p,
				fmt.Sprintf("symbolic link to %q goes through links whose names differ only in case, or are held twice, in more ways than are followed (from %s); it was not followed", l.Target, release.JoinPath(l.Root, via))))
		}
		if out {
			finds = append(finds, finding(release.RuleSymlinkEscape, signing.SeverityError, p,
				fmt.Sprintf("symbolic link to %q leads out of the release once the links on its way are followed (the last, %s); it was not followed", l.Target, release.JoinPath(l.Root, via))))
		}
	}
	return finds, reaches
}

// LinkKey returns the key under which a link's target finds a file or a
// link on a case-insensitive file system (foldname.Key), once each path
// element has lost its trailing dots and spaces as Windows drops them
// (kept whole if nothing else is left, as foldname's NTFS key keeps
// them): "../Other./x.dll" and "../Other /x.dll" reach Other/x.dll there.
// A key's prefix up to a slash is the key of the path's prefix.
func LinkKey(p string) string {
	if !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, " ") &&
		!strings.Contains(p, "./") && !strings.Contains(p, " /") {
		return foldname.Key(p)
	}
	elems := strings.Split(p, "/")
	for i, e := range elems {
		if t := strings.TrimRight(e, ". "); t != "" {
			elems[i] = t
		}
	}
	return foldname.Key(strings.Join(elems, "/"))
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
			p := release.JoinPath(w.cur, c)
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
				if branched = p; len(ways)+len(ts) > MaxChainWays {
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
