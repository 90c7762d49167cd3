package verify

import (
	"path"
	"sort"

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

// throughLinks reports the files of a folder or archive whose paths (or
// links, hard or symbolic) go through one of its own symbolic links
// (walk.ThroughLinks, sbom's check too). The caller holds no lock.
func (e *engine) throughLinks(chains []walk.ChainLink) []signing.Finding {
	e.mu.Lock()
	paths := make([]string, 0, len(e.files)+len(e.links))
	for i := range e.files {
		paths = append(paths, e.files[i].Path)
	}
	for _, l := range e.links { // hard links too
		paths = append(paths, l.path)
	}
	e.mu.Unlock()
	return walk.ThroughLinks(chains, paths, "checked")
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
