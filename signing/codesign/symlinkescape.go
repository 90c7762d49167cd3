package codesign

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// systemLinkDirs are the only places outside a bundle an absolute symlink
// in it may point to (Security framework, validateSymlinkResource's
// allowedDestinations).
var systemLinkDirs = []string{"/System/", "/Library/"}

// maxLinkHops bounds the symlinks resolveLink follows, as MAXSYMLINKS
// bounds realpath.
const maxLinkHops = 32

// symlinkEscape judges the target of the sealed symlink p (a path in fsys)
// in a bundle stack sealed from root (the outermost bundle's root: an
// app's Contents). macOS's strict validation, which Gatekeeper applies,
// refuses a link that resolves outside every enclosing bundle's root,
// unless it is absolute and under /System/ or /Library/
// (errSecCSInvalidSymlink), whatever the seal says: the seal holds the
// link's text, and no signature covers what it reaches.
//
// It returns ok when the target stays inside root; otherwise the severity
// (a warning for the system locations macOS allows) and a message.
func symlinkEscape(fsys fs.FS, p, target, root string) (ok bool, sev signing.Severity, msg string) {
	to, resolved := resolveLink(fsys, path.Dir(p), target)
	if !resolved {
		return false, signing.SeverityError, fmt.Sprintf("sealed symlink %q (to %q) goes through more than %d symlinks: macOS cannot resolve it inside the bundle", p, target, maxLinkHops)
	}
	if path.IsAbs(to) {
		for _, d := range systemLinkDirs {
			if strings.HasPrefix(to, d) && to+"/" != d {
				return false, signing.SeverityWarning, fmt.Sprintf("sealed symlink %q points outside the bundle to %q: macOS allows links into %s, but no signature covers what it reaches", p, to, strings.Join(systemLinkDirs, " and "))
			}
		}
		return false, signing.SeverityError, fmt.Sprintf("sealed symlink %q points outside the bundle to %q: macOS refuses it (errSecCSInvalidSymlink; only %s are allowed), and no signature covers what it reaches", p, to, strings.Join(systemLinkDirs, " and "))
	}
	if root == "." {
		if to != ".." && !strings.HasPrefix(to, "../") {
			return true, 0, ""
		}
	} else if to == root || strings.HasPrefix(to, root+"/") {
		return true, 0, ""
	}
	return false, signing.SeverityError, fmt.Sprintf("sealed symlink %q points to %q, which resolves to %q outside %q, the part of the bundle the signature seals: macOS refuses it (errSecCSInvalidSymlink), and no signature covers what it reaches", p, target, to, root)
}

// resolveLink resolves target from the directory dir of fsys as realpath
// does, following each symlink along the way (fs.ReadLink) in place, up to
// maxLinkHops; components that do not exist are taken as they are. It
// returns a path of fsys, one starting with ".." when the target climbs
// above fsys's root, or an absolute path when a link is absolute; false
// when there are too many links.
func resolveLink(fsys fs.FS, dir, target string) (string, bool) {
	cur := dir
	queue := strings.Split(target, "/")
	if path.IsAbs(target) {
		return path.Clean(target), true
	}
	for hops := 0; len(queue) > 0; {
		c := queue[0]
		queue = queue[1:]
		switch {
		case c == "" || c == ".":
			continue
		case c == "..":
			if cur == "." || cur == ".." || strings.HasPrefix(cur, "../") {
				cur = path.Join(cur, "..")
			} else {
				cur = path.Dir(cur)
			}
			continue
		}
		next := path.Join(cur, c)
		if cur == ".." || strings.HasPrefix(cur, "../") {
			cur = next // outside fsys: nothing to read
			continue
		}
		t, err := fs.ReadLink(fsys, next)
		if err != nil {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", false
		}
		if path.IsAbs(t) {
			return path.Clean(path.Join(append([]string{t}, queue...)...)), true
		}
		queue = append(strings.Split(t, "/"), queue...)
	}
	return cur, true
}
