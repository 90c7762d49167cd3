package walk

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// ThroughLinks reports, file/insecure-path, each of paths (the report
// paths of a release's files and links, hard or symbolic; repeated paths
// count once) that goes through one of the symbolic links of its own
// folder or archive (links, as LinkChains takes them): a tarball holding
// the link "w" to "windows" and the file "w/evil.dll". Extractors that
// follow links in the folders of a path (GNU tar, Python's tarfile, unzip)
// write the file to windows/evil.dll, so it was checked, or inventoried,
// under a path it does not have once installed (done: the walker's verb,
// "checked", "inventoried"). Links are matched as
// case-insensitive file systems and Windows find them (LinkKey: the link
// "w." is "w"); of two links one key names, the first in (Root, Rel)
// order is named. verify and sbom both call it once every file is
// listed; a link's own path is among those judged.
func ThroughLinks(links []ChainLink, paths []string, done string) []signing.Finding {
	chains := slices.Clone(links)
	sort.SliceStable(chains, func(a, b int) bool {
		if chains[a].Root != chains[b].Root {
			return chains[a].Root < chains[b].Root
		}
		return chains[a].Rel < chains[b].Rel
	})
	type held struct{ root, path, target string }
	byKey := make(map[string]held, len(chains))
	all := slices.Clone(paths)
	for _, l := range chains {
		p := release.JoinPath(l.Root, l.Rel)
		if _, ok := byKey[LinkKey(p)]; !ok {
			byKey[LinkKey(p)] = held{l.Root, p, l.Target}
		}
		all = append(all, p) // links out of the archive too
	}
	all = slices.Compact(slices.Sorted(slices.Values(all)))
	var finds []signing.Finding
	for _, p := range all {
		for i := strings.IndexByte(p, '/'); i > 0; i = nextSlash(p, i) {
			// The link's folder or archive is the file's, in the same case.
			if l, ok := byKey[LinkKey(p[:i])]; ok && (l.root == "" || strings.HasPrefix(p, l.root+"/")) {
				finds = append(finds, finding(release.RuleInsecurePath, signing.SeverityError, p,
					fmt.Sprintf("the entry's path goes through the symbolic link %s (to %q) its archive also holds: extractors that follow the link write the file where the link leads, where it was not %s", l.path, l.target, done)))
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
