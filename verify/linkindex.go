package verify

import (
	"slices"
	"sort"
	"strings"
)

// linkIndex finds what symbolic links reach, for checkLinks: files and
// links by their exact report paths, and by the key a case-insensitive
// file system finds them under (linkKey). A path is looked up exactly
// first, as a case-sensitive file system (Linux) finds it; only a path
// with no exact match is looked up by its key, and then every file or
// link of that key is taken, never one of them: "lib/A.so" and "lib/a.so"
// in one tarball (a file/name-collision warning) are one file on APFS or
// NTFS, but which one depends on the extractor, so a link to "LIB/a.SO" is
// judged with both.
type linkIndex struct {
	files     map[string]*File
	fileKeys  map[string][]*File
	paths     []string // sorted exact paths of files
	keys      []string // sorted distinct keys of files
	links     map[string][]string
	linkKeys  map[string][]string
	linkPaths []string // sorted exact paths of links
}

// maxLinkResolveSteps bounds the lookups made to resolve one link through
// the others, over every branch case twins open.
const maxLinkResolveSteps = 4 * maxLinkHops

func newLinkIndex(files []*File, links []link) *linkIndex {
	x := &linkIndex{files: map[string]*File{}, fileKeys: map[string][]*File{}, links: map[string][]string{}, linkKeys: map[string][]string{}}
	for _, f := range files {
		x.files[f.Path] = f
		k := linkKey(f.Path)
		if len(x.fileKeys[k]) == 0 {
			x.keys = append(x.keys, k)
		}
		x.fileKeys[k] = append(x.fileKeys[k], f)
		x.paths = append(x.paths, f.Path)
	}
	sort.Strings(x.paths)
	sort.Strings(x.keys)
	for _, fs := range x.fileKeys {
		sort.Slice(fs, func(a, b int) bool { return fs[a].Path < fs[b].Path })
	}
	for _, l := range links {
		x.linkPaths = append(x.linkPaths, l.path)
		// A name held twice (duplicate entries) keeps both targets:
		// which one an extractor keeps is its choice.
		if !slices.Contains(x.links[l.path], l.target) {
			x.links[l.path] = append(x.links[l.path], l.target)
		}
		if k := linkKey(l.path); !slices.Contains(x.linkKeys[k], l.target) {
			x.linkKeys[k] = append(x.linkKeys[k], l.target)
		}
	}
	sort.Strings(x.linkPaths)
	return x
}

// targets returns the targets of the link at p: exactly; by key when
// nothing (a file, a link, a directory of them) has the exact path p.
func (x *linkIndex) targets(p string) []string {
	if t, ok := x.links[p]; ok {
		return t
	}
	if x.files[p] != nil || hasUnder(x.paths, p) || hasUnder(x.linkPaths, p) {
		return nil
	}
	return x.linkKeys[linkKey(p)]
}

// hasUnder reports whether the sorted paths hold one below directory p.
func hasUnder(paths []string, p string) bool {
	i := sort.SearchStrings(paths, p+"/")
	return i < len(paths) && strings.HasPrefix(paths[i], p+"/")
}

// resolve follows links from p, for the path itself and for directories on
// its way, and returns the paths it reaches, one for each way case twins
// and duplicate names leave open. A loop reaches nothing; complete is
// false when the ways were too many to follow.
func (x *linkIndex) resolve(p string) (reached []string, complete bool) {
	steps := 0
	var walk func(p string, hops int)
	walk = func(p string, hops int) {
		if hops >= maxLinkHops {
			return // a loop
		}
		if steps++; steps > maxLinkResolveSteps {
			return
		}
		if ts := x.targets(p); len(ts) > 0 {
			for _, t := range ts {
				walk(t, hops+1)
			}
			return
		}
		for i := strings.LastIndexByte(p, '/'); i > 0; i = strings.LastIndexByte(p[:i], '/') {
			if ts := x.targets(p[:i]); len(ts) > 0 {
				for _, t := range ts {
					walk(joinPath(t, p[i+1:]), hops+1)
				}
				return
			}
		}
		if !slices.Contains(reached, p) {
			reached = append(reached, p)
		}
	}
	walk(p, 0)
	return reached, steps <= maxLinkResolveSteps
}

// file returns the files at path p: the one of that exact path, else every
// file of its key.
func (x *linkIndex) file(p string) []*File {
	if f := x.files[p]; f != nil {
		return []*File{f}
	}
	return x.fileKeys[linkKey(p)]
}

// under returns the files below the directory p: those below its exact
// path, else those below its key. p == "" is the root.
func (x *linkIndex) under(p string) []*File {
	var out []*File
	if p == "" {
		for _, q := range x.paths {
			out = append(out, x.files[q])
		}
		return out
	}
	for i := sort.SearchStrings(x.paths, p+"/"); i < len(x.paths) && strings.HasPrefix(x.paths[i], p+"/"); i++ {
		out = append(out, x.files[x.paths[i]])
	}
	if len(out) > 0 {
		return out
	}
	k := linkKey(p) + "/"
	for i := sort.SearchStrings(x.keys, k); i < len(x.keys) && strings.HasPrefix(x.keys[i], k); i++ {
		out = append(out, x.fileKeys[x.keys[i]]...)
	}
	return out
}
