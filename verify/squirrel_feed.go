package verify

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// A Squirrel.Windows release folder holds RELEASES, the feed Update.exe
// reads from the update URL: one line per package, "SHA1 NAME SIZE".
// Update.exe installs the newest version it lists, downloading NAME from
// beside RELEASES — or from anywhere, when NAME is an absolute http(s)
// URL (ReleaseEntry.ParseReleaseEntry splits it into a base URL and a
// file name) — and keeps the package when its size and SHA-1 are the
// line's. The packages verify checks are the release's .nupkg files; a
// feed that names another (a URL, a file the release does not hold, or a
// size or SHA-1 that is not the release's file's) has clients install
// bytes verify never saw.

// maxFeedSize bounds the RELEASES file kept for checkSquirrelFeeds: a
// feed lists a line per package (about 100 bytes each).
const maxFeedSize = 4 << 20

// squirrelFeed is a feed of the release (a RELEASES file, or YAML that
// may be an electron-updater feed): its report path and its bytes.
type squirrelFeed struct {
	path string
	data []byte
	over bool // more than maxFeedSize bytes: not kept
}

// keptBytes keeps the first max bytes written to it; over records that
// more were written.
type keptBytes struct {
	b    []byte
	max  int
	over bool
}

func (k *keptBytes) write(p []byte) {
	if room := k.max - len(k.b); len(p) > room {
		k.over = true
		p = p[:room]
	}
	k.b = append(k.b, p...)
}

func (k *keptBytes) reset() { k.b, k.over = k.b[:0], false }

// isFeedName reports whether report path p is a Squirrel.Windows feed:
// a file named RELEASES in any case. Update.exe asks for that name, and
// a Windows file share or an IIS server (both read names ignoring case)
// serves "Releases" or "releases" for it.
func isFeedName(p string) bool { return strings.EqualFold(path.Base(p), "RELEASES") }

// isNupkgName reports whether report path p is a NuGet package, which a
// feed may list.
func isNupkgName(p string) bool { return strings.HasSuffix(strings.ToLower(p), ".nupkg") }

// squirrelWants returns, for the file at report path p of size bytes
// (negative when the walk did not stat it), whether its check computes
// its SHA-1 (a package a feed may list) and the buffer that keeps its
// first maxFeedSize bytes (a feed, Squirrel's or electron-updater's),
// else nil.
func squirrelWants(p string, size int64) (sha1 bool, keep *keptBytes) {
	if isFeedName(p) || isYAMLName(p) || isMacFeedName(p) {
		return false, &keptBytes{max: maxFeedSize}
	}
	if isNuspecName(p) {
		return false, &keptBytes{max: maxNuspecSize}
	}
	return isNupkgName(p), nil
}

// noteSquirrel records what checkSquirrelFeeds needs of the checked file
// c: a feed's bytes, a package's SHA-1; each only when the check hashed
// the whole file.
func (e *engine) noteSquirrel(c *check) {
	e.noteFeedDigest(c)
	h := c.h
	whole := !c.readProblem && h.n == c.f.Size
	switch {
	case h.keep != nil && isNuspecName(c.f.Path):
		if whole && !h.keep.over {
			e.noteNuspec(c)
		}
	case h.keep != nil && whole && int64(len(h.keep.b)) == min(h.n, maxFeedSize) &&
		(isFeedName(c.f.Path) || h.keep.over || mayHoldKey(h.keep.b, "sha") || isAppUpdateYAML(c.f.Path) || isMacFeedName(c.f.Path)):
		// Of YAML, only what may be an electron-updater feed (a sha512
		// or sha2 key, however spelled) is kept: node_modules hold many
		// .yml files. A
		// file too large to keep is recorded as such (squirrelFeed.over),
		// whatever its first bytes: a feed's keys may follow padding.
		fd := squirrelFeed{path: c.f.Path, over: h.keep.over}
		if !fd.over {
			fd.data = bytes.Clone(h.keep.b)
		}
		e.mu.Lock()
		e.feeds = append(e.feeds, fd)
		e.mu.Unlock()
	case h.sha1 != nil && whole && (isNupkgName(c.f.Path) || c.j.feedSHA1):
		e.mu.Lock()
		if e.feedSHA1 == nil {
			e.feedSHA1 = map[string]string{}
		}
		e.feedSHA1[c.f.Path] = hexSum(h.sha1)
		e.mu.Unlock()
	}
}

// feedEntry is a line of a feed.
type feedEntry struct {
	sha1, name, url string // url: the line's http(s) URL, name its file name
	size            int64
	version         []int // the version in name; nil when none reads
}

// Squirrel's ReleaseEntry regular expressions. .NET's \s and \S are
// Unicode's white space, not ASCII's alone.
var (
	feedLine    = regexp.MustCompile(`^([0-9a-fA-F]{40})[\s\p{Z}\x85]+([^\s\p{Z}\x85]+)[\s\p{Z}\x85]+([0-9]+)\r*$`)
	feedComment = regexp.MustCompile(`[\s\p{Z}\x85]*#.*$`)
	feedVersion = regexp.MustCompile(`(\d+(?:\.\d+){0,3})(?:-[A-Za-z][0-9A-Za-z-]*)?$`)
	feedSuffix  = regexp.MustCompile(`(?i)(-full|-delta)?\.nupkg$`)
)

// parseFeed reads a feed as Update.exe does (ReleaseEntry.ParseReleaseFile):
// in the encoding its byte order mark names (feedText), blank and comment
// lines ignored. ok is false when a line does not read, which makes
// Update.exe refuse the whole feed.
func parseFeed(data []byte) (entries []feedEntry, ok bool) {
	data = feedText(data)
	for _, line := range strings.Split(string(data), "\n") {
		line = feedComment.ReplaceAllString(line, "")
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := feedLine.FindStringSubmatch(line)
		if m == nil {
			return nil, false
		}
		size, err := strconv.ParseInt(m[3], 10, 64)
		if err != nil {
			return nil, false
		}
		en := feedEntry{sha1: strings.ToLower(m[1]), name: m[2], size: size}
		if l := strings.ToLower(en.name); strings.HasPrefix(l, "http:") || strings.HasPrefix(l, "https:") {
			// Whatever follows the scheme: .NET's Uri, which tells
			// Update.exe a URL, reads a backslash as a slash
			// ("http:\\host\x.nupkg"); a name it does not read has
			// Update.exe refuse the feed, and the error costs nothing.
			en.url = en.name
			u := strings.ReplaceAll(en.name, `\`, "/")
			if i := strings.IndexAny(u, "?#"); i >= 0 {
				u = u[:i]
			}
			en.name = u[strings.LastIndexByte(u, '/')+1:]
		} else if strings.ContainsAny(en.name, "\"<>|:*?\\/") || strings.ContainsFunc(en.name, func(r rune) bool { return r < 0x20 }) {
			return nil, false // not a file name: Update.exe throws
		}
		if v := feedVersion.FindStringSubmatch(feedSuffix.ReplaceAllString(en.name, "")); v != nil {
			for _, n := range strings.Split(v[1], ".") {
				x, _ := strconv.Atoi(n)
				en.version = append(en.version, x)
			}
		}
		entries = append(entries, en)
	}
	return entries, true
}

// checkSquirrelFeeds compares each line of the release's Squirrel feeds
// with the package of that name beside the feed: a URL, a package the
// release does not hold, or one whose size or SHA-1 is not the line's is
// file/update-not-in-release, an error but for a file name of an older
// version than the newest the feed lists, which the release need not
// hold (Squirrel's releasify keeps every earlier release's lines): a
// note; each file an
// electron-updater feed lists likewise (updaterFeedFindings). It runs
// once every file has been checked.
func (e *engine) checkSquirrelFeeds() {
	if len(e.feeds) == 0 {
		return
	}
	files := make(map[string]*File, len(e.files))
	for i := range e.files {
		files[e.files[i].Path] = &e.files[i]
	}
	var finds []signing.Finding
	for _, fd := range e.feeds {
		if fd.over {
			finds = append(finds, finding(RuleUpdateNotInRelease, signing.SeverityWarning, fd.path,
				fmt.Sprintf("an update feed (or YAML that may be one) of more than %d bytes: the packages it lists were not compared with the release's", maxFeedSize)))
			continue
		}
		if isMacFeedName(fd.path) {
			finds = append(finds, macFeedFindings(fd, files)...)
			continue
		}
		if isAppUpdateYAML(fd.path) {
			finds = append(finds, appUpdateFindings(fd, files)...)
			continue
		}
		if !isFeedName(fd.path) {
			finds = append(finds, updaterFeedFindings(fd, files, e.feedSHA512)...)
			finds = append(finds, feedVersionFindings(fd, files, e.feedVersions)...)
			finds = append(finds, appVersionFindings(fd, files, e.feedAppVersions)...)
			continue
		}
		entries, ok := parseFeed(fd.data)
		if !ok {
			continue
		}
		var newest []int
		for _, en := range entries {
			if en.version != nil && slices.Compare(en.version, newest) > 0 {
				newest = en.version
			}
		}
		dir := path.Dir(fd.path)
		for _, en := range entries {
			if msg, sev := e.feedProblem(en, files, dir, newest); msg != "" {
				finds = append(finds, finding(RuleUpdateNotInRelease, sev, fd.path, msg))
			}
		}
	}
	e.addFindings(finds...)
}

// feedProblem says why the package the feed's line en names is not the
// release's own file beside the feed (in folder dir), with the severity:
// an error, but a note for a file name the release does not hold of an
// older version than newest (Squirrel's releasify keeps the lines of
// every earlier release, whose packages were published with them), and a
// warning for a file whose SHA-1 was not computed; "" when it is.
func (e *engine) feedProblem(en feedEntry, files map[string]*File, dir string, newest []int) (string, signing.Severity) {
	if en.url != "" {
		return fmt.Sprintf("Squirrel feed lists %s: Update.exe downloads that package from the URL, and it was not checked", en.url), signing.SeverityError
	}
	p := joinPath(dir, en.name)
	if dir == "." {
		p = en.name
	}
	f := files[p]
	if f == nil {
		sev := signing.SeverityError
		if en.version != nil && slices.Compare(en.version, newest) < 0 {
			sev = signing.SeverityNote
		}
		return fmt.Sprintf("Squirrel feed lists %s, which the release does not hold beside it: Update.exe downloads it, and it was not checked", en.name), sev
	}
	if f.Size != en.size {
		return fmt.Sprintf("Squirrel feed lists %s of %d bytes, but the release's file has %d: Update.exe refuses it and installs only a package of the feed's size and SHA-1, which was not checked", en.name, en.size, f.Size), signing.SeverityError
	}
	sum, ok := e.feedSHA1[p]
	if !ok {
		return fmt.Sprintf("Squirrel feed lists %s with SHA-1 %s, but the SHA-1 of the release's file was not computed (it was not read whole): the line was not compared with it", en.name, en.sha1), signing.SeverityWarning
	}
	if sum != en.sha1 {
		return fmt.Sprintf("Squirrel feed lists %s with SHA-1 %s, but the release's file has SHA-1 %s: Update.exe installs only a package of the feed's SHA-1, which was not checked", en.name, en.sha1, sum), signing.SeverityError
	}
	return e.nuspecProblem(en, p)
}
