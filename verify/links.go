package verify

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// link is a symbolic link that stays inside the release, or a tarball's
// hard link (hard): the report paths of the link and of what it points
// to.
type link struct {
	path, target string
	hard         bool
}

// Bounds on link resolution: hops through links to links, and link paths
// judged by the policy (those that reach native code, or any file when a
// rule forbids kinds; a link to a directory stands for every such file in
// it). A release that needs more is refused rather than checked for
// minutes: each link to the root multiplies the files.
const (
	maxLinkHops    = 40
	maxLinkAliases = 1 << 14
)

// addLink records the symbolic link at report path p whose target, relative
// to the link's directory, is target; prefix is the report path of the
// directory or archive the link's path is relative to.
//
// A bundle's Contents (or a framework's Versions) that is a link is
// reported: macOS follows it and runs the bundle, but shipgate does not
// take the directory for a bundle, so its seal would go unchecked while the
// files behind the link were walked one by one.
func (e *engine) addLink(prefix, rel, target string) {
	t := path.Join(path.Dir(rel), strings.ReplaceAll(target, `\`, "/"))
	if b := path.Base(rel); (b == "Contents" || b == "Versions") && codesign.HasBundleExt(path.Dir(rel)) {
		e.addFindings(finding(codesign.RuleMalformed, signing.SeverityError, joinPath(prefix, rel),
			fmt.Sprintf("the bundle's %s is a symbolic link (to %q): macOS follows it, but the bundle is not verified through it, so its seal is not checked", b, target)))
	}
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
	if len(e.links) == 0 || len(e.pol.Rules) == 0 {
		return
	}
	forbids, sig := false, false
	for _, r := range e.pol.Rules {
		forbids = forbids || len(r.ForbidKinds) > 0
		sig = sig || r.Sigstore != nil
	}
	// Only native code (and any file when a rule forbids kinds or requires
	// a Sigstore bundle) can get a finding from the rules for its path.
	// Files and links are found as a case-sensitive file system finds
	// them, else by their keys on case-insensitive ones (APFS, NTFS),
	// where a link to "EVIL.DLL" reaches "evil.dll", and as Windows finds
	// them, where one to "lib./x.dll" reaches lib/x.dll (see linkIndex).
	var files []*File
	for i := range e.files {
		if f := &e.files[i]; f.Kind.Native() || forbids || sig {
			files = append(files, f)
		}
	}
	x := newLinkIndex(files, e.links)
	links := append([]link(nil), e.links...)
	sort.SliceStable(links, func(a, b int) bool { return links[a].path < links[b].path })
	var finds []signing.Finding
	judged := 0
	// alias judges file f at link path p; it reports false once the bound
	// is passed, with a finding at the link l.
	alias := func(l link, p string, f *File) bool {
		if !f.Kind.Native() && !forbids && e.pol.settingsFor(p).sigstore == nil {
			return true // only a Sigstore requirement applies to other files
		}
		if judged++; judged > maxLinkAliases {
			finds = append(finds, finding(ruleUnreadable, signing.SeverityError, l.path, fmt.Sprintf("symbolic links reach native code under more than %d paths; the policy was not applied to the rest", maxLinkAliases)))
			return false
		}
		finds = append(finds, e.aliasPolicy(p, f)...)
		return true
	}
	defer func() { e.addFindings(finds...) }()
	for _, l := range links {
		if l.hard {
			continue // a file of its own, judged at its path (addHardLink)
		}
		reached, complete := x.resolve(l.target)
		if !complete {
			finds = append(finds, finding(ruleUnreadable, signing.SeverityError, l.path, fmt.Sprintf("symbolic link to %s leads through links whose names differ only in case, or are held twice, in more ways than are followed; the policy was not applied to what it reaches", l.target)))
		}
		for _, t := range reached {
			for _, f := range x.file(t) {
				if !alias(l, l.path, f) {
					return
				}
			}
			n := strings.Count(t, "/") + 1
			if t == "" {
				n = 0
			}
			for _, f := range x.under(t) {
				if !alias(l, joinPath(l.path, below(f.Path, n)), f) {
					return
				}
			}
		}
	}
}

// below returns the part of path p after its first n elements.
func below(p string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return ""
		}
		p = p[i+1:]
	}
	return p
}

// aliasPolicy returns the findings of the policy's settings for path alias
// about file f, which a link at alias reaches, when they differ from f's own.
func (e *engine) aliasPolicy(alias string, f *File) []signing.Finding {
	s := e.pol.settingsSeen(alias, e.ruleSeen)
	if reflect.DeepEqual(s, e.pol.settingsFor(f.Path)) {
		return nil
	}
	g := *f
	g.Path = alias
	finds := e.applyPolicy(&g, s, nil, false)
	if own := e.pol.settingsFor(f.Path).sigstore; s.sigstore != nil && !reflect.DeepEqual(s.sigstore, own) {
		finds = append(finds, finding(ruleSigstoreMissing, signing.SeverityError, alias,
			fmt.Sprintf("the policy rule at line %d requires a Sigstore bundle for %s, but the file it reaches is not held to that rule's bundle and identity", s.sigstoreLine, alias)))
	}
	for i := range finds {
		finds[i].Message += fmt.Sprintf(" (%s is a symbolic link to %s)", alias, f.Path)
	}
	return finds
}
