package verify

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// addSymlink records the symbolic link at rel in the folder or archive at
// report path root (where names what root is, "the archive"), whose target
// is target, for the checks every link gets wherever it is (a folder, tar,
// zip, 7-Zip, an installer package's payload): a target that points out of
// root is returned as a finding and not followed; others are held to the
// policy (addLink); all are followed in chains (addChainLink).
func (e *engine) addSymlink(root, rel, target, where string) []signing.Finding {
	f, escapes := walk.LinkEscape(root, rel, target, where)
	e.addChainLink(root, rel, target, escapes)
	if escapes {
		return []signing.Finding{f}
	}
	e.addLink(root, rel, target)
	return nil
}

// addChainLink records the symbolic link at rel in the folder or archive at
// report path root, whose target is target; escapes says its target alone
// points out of root (and was reported).
func (e *engine) addChainLink(root, rel, target string, escapes bool) {
	e.mu.Lock()
	e.chains = append(e.chains, walk.ChainLink{Root: root, Rel: rel, Target: target, Escapes: escapes})
	e.mu.Unlock()
}

// checkLinkChains reports the symbolic links whose targets look inside
// their folder or archive but that lead out of it through other links
// (walk.LinkChains, sbom's check too), and the files whose paths go
// through a link (throughLinks); the policy then holds what a link reaches
// to the rules for its path.
func (e *engine) checkLinkChains() {
	if len(e.chains) == 0 {
		return
	}
	chains := append([]walk.ChainLink(nil), e.chains...)
	sort.Slice(chains, func(a, b int) bool {
		if chains[a].Root != chains[b].Root {
			return chains[a].Root < chains[b].Root
		}
		return chains[a].Rel < chains[b].Rel
	})
	finds := e.throughLinks(chains)
	more, reaches := walk.LinkChains(chains)
	e.addFindings(append(finds, more...)...)
	// The policy holds what a link reaches to the rules for its path (see
	// checkLinks): what the file system reaches, not the target cleaned
	// as text ("up/../x" is not "x" when up is a link).
	for i := range e.links {
		if to, ok := reaches[e.links[i].path]; ok {
			e.links[i].target = to
		}
	}
}

// throughLinks reports the files of a folder or archive whose paths go
// (or links, hard or symbolic) go through one of its own symbolic links: a tarball holding the link "w" to
// "windows" and the file "w/evil.dll". Extractors that follow links in the
// folders of a path (GNU tar, Python's tarfile, unzip) write the file to
// windows/evil.dll, so it was checked, and held to the policy, under a path
// it does not have once installed. Links are matched as case-insensitive
// file systems and Windows find them too (linkKey): the link "w." is "w". The caller holds no lock; chains is sorted.
func (e *engine) throughLinks(chains []walk.ChainLink) []signing.Finding {
	type held struct{ root, path, target string }
	byKey := make(map[string]held, len(chains))
	for _, l := range chains {
		p := joinPath(l.Root, l.Rel)
		if _, ok := byKey[linkKey(p)]; !ok {
			byKey[linkKey(p)] = held{l.Root, p, l.Target}
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
		paths = append(paths, joinPath(l.Root, l.Rel))
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
