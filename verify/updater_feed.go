package verify

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/strictyaml"
	"github.com/shipgate/shipgate/signing"
)

// electron-updater (electron-builder's auto-updater) reads a YAML feed
// from the update URL — latest.yml, latest-mac.yml, latest-linux.yml, or
// <channel>.yml — and downloads each file it lists by its url, resolved
// against the feed's own URL as WHATWG's URL parser does (new URL(url,
// base)): a name is the file beside the feed, an absolute or
// protocol-relative URL any server's. It keeps the download when its
// SHA-512 is the feed's. A feed whose url names a file the release does
// not hold, or another server, or whose size is not the release's file's,
// has clients install bytes verify never saw.

// isYAMLName reports whether report path p may be an electron-updater
// feed: YAML outside node_modules and asar archives (the feed lies on
// the update server beside the installers, not in the application).
func isYAMLName(p string) bool {
	l := strings.ToLower(p)
	return (strings.HasSuffix(l, ".yml") || strings.HasSuffix(l, ".yaml")) &&
		!strings.Contains(l, "node_modules/") && !strings.Contains(l, ".asar/")
}

// mayHoldKey reports whether YAML data may hold a key spelled as one of
// keys: as its characters are, or through the escapes with which a
// double-quoted scalar spells any character ("\x73ha512", "\u0073ha2",
// a line break escaped inside the key), which js-yaml, electron-updater's
// reader, decodes. Every other way YAML writes a key holds its characters
// as they are.
func mayHoldKey(data []byte, keys ...string) bool {
	unescaped := data
	if bytes.IndexByte(data, '\\') >= 0 {
		unescaped = yamlEscape.ReplaceAllFunc(data, func(m []byte) []byte {
			if m[1] == '\r' || m[1] == '\n' {
				return nil
			}
			r, err := strconv.ParseUint(string(m[2:]), 16, 32)
			if err != nil || !utf8.ValidRune(rune(r)) {
				return m
			}
			return utf8.AppendRune(nil, rune(r))
		})
	}
	for _, k := range keys {
		if bytes.Contains(unescaped, []byte(k)) {
			return true
		}
	}
	return false
}

// yamlEscape is a double-quoted YAML scalar's escape of a character by its
// code (\xXX, \uXXXX, \UXXXXXXXX) or of a line break, which drops the
// break and the next line's leading white space.
var yamlEscape = regexp.MustCompile(`\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|\r?\n[ \t]*)`)

// updaterFeedFile is a file an electron-updater feed lists: its url and
// size (0: not given), and the digests it gives as YAML reads them (nil:
// not given).
type updaterFeedFile struct {
	url          string
	size         int64
	sha512, sha2 any
}

// parseUpdaterFeed returns the files the electron-updater feed data lists,
// as electron-updater reads them (js-yaml's load, then
// Provider.resolveFiles: files, else the older path; JavaScript's loose
// types, so a url of another type is its string form, and a missing one
// "undefined"); ok is false for YAML that is no such feed, and for one
// electron-updater refuses: no version, or a file with neither a sha512
// nor a sha2.
func parseUpdaterFeed(data []byte) (files []updaterFeedFile, ok bool) {
	var f map[string]any
	if err := loadUpdaterYAML(data, &f); err != nil || f == nil || jsString(f["version"]) == "" {
		return nil, false
	}
	list, _ := f["files"].([]any)
	if len(list) == 0 {
		if f["path"] == nil {
			return nil, false
		}
		list = []any{map[string]any{"url": f["path"], "sha512": f["sha512"], "sha2": f["sha2"]}}
	}
	for _, x := range list {
		m, _ := x.(map[string]any)
		if m == nil || (m["sha512"] == nil && m["sha2"] == nil) {
			return nil, false // ERR_UPDATER_NO_CHECKSUM: the feed is refused
		}
		files = append(files, feedFileOf(m, "url"))
	}
	return append(files, feedPackages(f["packages"])...), len(files) > 0
}

// feedFileOf returns the file the feed's entry m lists, named by its key
// urlKey as electron-updater's new URL reads it (jsCoerce; "undefined"
// when missing, as JavaScript's String gives it).
func feedFileOf(m map[string]any, urlKey string) updaterFeedFile {
	u := jsCoerce(m[urlKey])
	if m[urlKey] == nil {
		u = "undefined"
	}
	size, _ := m["size"].(int)
	return updaterFeedFile{url: u, size: int64(size), sha512: m["sha512"], sha2: m["sha2"]}
}

// feedPackages returns the files of an NSIS web installer's feed's
// packages (packages: {x64: {path, sha512, size}}): electron-updater
// resolves the path of the client's architecture's (or ia32's) as it does
// a file's url, downloads it and hands it to the installer. Every
// architecture's is listed, sorted by architecture.
func feedPackages(v any) []updaterFeedFile {
	m, _ := v.(map[string]any)
	var files []updaterFeedFile
	for _, arch := range slices.Sorted(maps.Keys(m)) {
		if p, _ := m[arch].(map[string]any); p != nil {
			files = append(files, feedFileOf(p, "path"))
		}
	}
	return files
}

// jsString is v's string form as JavaScript's String() gives it for a
// scalar; "" for nil and collections.
func jsString(v any) string {
	switch v := v.(type) {
	case nil, map[string]any, []any:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// feedBase is the URL a feed's folder stands for when its urls are
// resolved: a host no url names by chance.
var feedBase = &url.URL{Scheme: "https", Host: "feed.shipgate.invalid", Path: "/r/"}

// resolveFeedURL returns the release path (under the feed's folder dir)
// of the file electron-updater downloads for u, or local false when it
// downloads it from elsewhere: another server, or above the feed's
// folder. u is read as WHATWG's URL parser reads an http(s) URL: leading
// and trailing controls and spaces stripped, tabs and newlines removed,
// a backslash a slash.
func resolveFeedURL(dir, u string) (p string, local bool) {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= ' ' })
	u = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(u)
	ref, err := url.Parse(u)
	if err != nil || ref.Scheme != "" || ref.Host != "" || ref.User != nil {
		return "", false
	}
	r := feedBase.ResolveReference(ref)
	if r.Host != feedBase.Host {
		return "", false
	}
	rel, ok := strings.CutPrefix(path.Clean(r.Path), feedBase.Path)
	if !ok || rel == "" {
		return "", false
	}
	if dir == "." {
		return rel, true
	}
	return joinPath(dir, rel), true
}

// updaterFeedFindings returns the file/update-not-in-release errors of
// the electron-updater feed fd (none when it is other YAML).
func updaterFeedFindings(fd squirrelFeed, files map[string]*File, sums map[string][]byte) []signing.Finding {
	list, ok := parseUpdaterFeed(fd.data)
	if !ok {
		var probe any
		if err := loadUpdaterYAML(fd.data, &probe); err != nil &&
			mayHoldKey(fd.data, "version") && mayHoldKey(fd.data, "sha512", "sha2") {
			// What may be a feed that the strict reader refuses (an
			// anchor, an alias, a tag), and electron-updater's js-yaml
			// reads: electron-builder writes none of those.
			// js-yaml refuses what is not YAML, a second document and a
			// duplicate key too: a warning for those. It reads a key that
			// is a sequence or a mapping as its string form ("? [url]" is
			// url): an error.
			sev := signing.SeverityWarning
			if errors.Is(err, strictyaml.ErrAlias) || errors.Is(err, strictyaml.ErrTag) || errors.Is(err, strictyaml.ErrKey) || errors.Is(err, errEscapedSlash) {
				sev = signing.SeverityError
			}
			return []signing.Finding{finding(RuleUpdateNotInRelease, sev, fd.path,
				"this looks like an electron-updater feed (a version, a sha512 or sha2) but is not plain YAML ("+err.Error()+"), as electron-builder writes it; electron-updater reads it all the same, and the files it lists were not compared with the release's")}
		}
		return nil
	}
	var finds []signing.Finding
	for _, f := range list {
		if sev, msg := updaterFeedProblem(f, files, sums, path.Dir(fd.path)); msg != "" {
			finds = append(finds, finding(RuleUpdateNotInRelease, sev, fd.path, msg))
		}
	}
	return finds
}

// updaterFeedProblem says why the file electron-updater downloads for f,
// listed by a feed in folder dir, is not the release's own (sums holds
// the SHA-512 of files by report path, see noteFeedDigest), with its
// severity; "" when it is.
func updaterFeedProblem(f updaterFeedFile, files map[string]*File, sums map[string][]byte, dir string) (signing.Severity, string) {
	p, local := resolveFeedURL(dir, f.url)
	if !local {
		return signing.SeverityError, fmt.Sprintf("electron-updater feed lists %q, which is not a file beside the feed: clients download it from there, and it was not checked", f.url)
	}
	x := files[p]
	if x == nil {
		return signing.SeverityError, fmt.Sprintf("electron-updater feed lists %q, which the release does not hold at %s: clients download it, and it was not checked", f.url, p)
	}
	if f.size > 0 && x.Size != f.size {
		return signing.SeverityError, fmt.Sprintf("electron-updater feed lists %q of %d bytes, but the release's file has %d: clients keep only a download of the feed's SHA-512, which was not checked", f.url, f.size, x.Size)
	}
	return feedDigestProblem(f, x, sums, p)
}
