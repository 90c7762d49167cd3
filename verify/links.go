package verify

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// link is a symbolic link that stays inside the release: the report paths
// of the link and of what it points to.
type link struct{ path, target string }

// Bounds on link resolution: hops through links to links, and link paths
// checked in all (a link to a large directory stands for every file in it).
const (
	maxLinkHops    = 40
	maxLinkAliases = 1 << 20
)

// addLink records the symbolic link at report path p whose target, relative
// to the link's directory, is target; prefix is the report path of the
// directory or archive the link's path is relative to.
func (e *engine) addLink(prefix, rel, target string) {
	t := path.Join(path.Dir(rel), strings.ReplaceAll(target, `\`, "/"))
	e.mu.Lock()
	e.links = append(e.links, link{path: joinPath(prefix, rel), target: joinPath(prefix, t)})
	e.mu.Unlock()
}

// checkLinks holds the files that links reach to the policy's settings for
// the links' paths. A link is a file where it lies to whatever installs the
// release (an installer that copies the tree, macOS running a bundle), so a
// rule for "windows/*.exe" must judge "windows/app.exe" even when it is a
// link to a DLL signed by someone else. Findings already given under the
// target's own settings are not repeated: a link whose path has the same
// settings as its target adds nothing.
func (e *engine) checkLinks() {
	if len(e.links) == 0 {
		return
	}
	byPath := make(map[string]*File, len(e.files))
	paths := make([]string, 0, len(e.files))
	for i := range e.files {
		f := &e.files[i]
		byPath[f.Path] = f
		paths = append(paths, f.Path)
	}
	sort.Strings(paths)
	to := make(map[string]string, len(e.links))
	for _, l := range e.links {
		to[l.path] = l.target
	}
	links := append([]link(nil), e.links...)
	sort.Slice(links, func(a, b int) bool { return links[a].path < links[b].path })
	var finds []signing.Finding
	n := 0
	for _, l := range links {
		t, ok := resolveLink(to, l.target)
		if !ok {
			continue
		}
		if f := byPath[t]; f != nil {
			n++
			finds = append(finds, e.aliasPolicy(l.path, f)...)
		}
		under := t + "/"
		if t == "" {
			under = ""
		}
		for i := sort.SearchStrings(paths, under); i < len(paths) && strings.HasPrefix(paths[i], under); i++ {
			if n++; n > maxLinkAliases {
				finds = append(finds, finding(ruleUnreadable, signing.SeverityError, l.path, fmt.Sprintf("symbolic links reach more than %d files; the policy was not applied to the paths of the rest", maxLinkAliases)))
				e.addFindings(finds...)
				return
			}
			finds = append(finds, e.aliasPolicy(joinPath(l.path, paths[i][len(under):]), byPath[paths[i]])...)
		}
	}
	e.addFindings(finds...)
}

// resolveLink follows links through to (link path to target), for the path
// itself and for directories on its way, and reports false for a loop.
func resolveLink(to map[string]string, p string) (string, bool) {
	for hop := 0; hop < maxLinkHops; hop++ {
		if t, ok := to[p]; ok {
			p = t
			continue
		}
		moved := false
		for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
			if t, ok := to[p[:i]]; ok {
				p = joinPath(t, p[i+1:])
				moved = true
				break
			}
		}
		if !moved {
			return p, true
		}
	}
	return "", false
}

// aliasPolicy returns the findings of the policy's settings for path alias
// about file f, which a link at alias reaches, when they differ from f's own.
func (e *engine) aliasPolicy(alias string, f *File) []signing.Finding {
	s := e.pol.settingsFor(alias)
	if reflect.DeepEqual(s, e.pol.settingsFor(f.Path)) {
		return nil
	}
	g := *f
	g.Path = alias
	finds := e.applyPolicy(&g, s, nil, false)
	for i := range finds {
		finds[i].Message += fmt.Sprintf(" (%s is a symbolic link to %s)", alias, f.Path)
	}
	return finds
}
