package verify

import (
	"bytes"
	"path"
	"strings"
	"testing"
)

// FuzzUpdaterFeed reads hostile electron-updater feeds: no panic; a feed
// that reads lists a file or more, none of a negative size the check
// would take for a size; YAML holding a key as written may hold it; and
// each url resolves to a path inside the feed's folder or to none.
func FuzzUpdaterFeed(f *testing.F) {
	feed := func(url string, size int) string {
		return "version: 1.4.1\nfiles:\n  - url: " + url + "\n    sha512: c2hhNTEy\n    size: " + strings.Repeat("9", size) + "\npath: " + url + "\nsha512: c2hhNTEy\nreleaseDate: '2024-01-01T00:00:00.000Z'\n"
	}
	f.Add([]byte(feed("Chatterbox-Setup-1.4.1.exe", 3)))
	f.Add([]byte(feed("https://evil.example/Chatterbox-Setup-1.4.1.exe", 1)))
	f.Add([]byte(feed(`'\\evil.example\Chatterbox-Setup-1.4.1.exe'`, 2)))
	f.Add([]byte(feed("../x.exe", 20)))
	f.Add([]byte("version: 1.4.1\npath: https://evil.example/x.exe\nsha512: c2hhNTEy\n"))
	f.Add([]byte("version: 1.4.1\nx: &u https://evil.example/x.exe\nfiles:\n  - url: *u\n    sha512: c2hhNTEy\n"))
	f.Add([]byte("\"\\x76ersion\": 1\nfiles:\n  - {url: 7, \"\\u0073ha2\": x, size: -1}\n"))
	f.Add([]byte("version: 1\nfiles: [{url: [a], sha2: x}, {url: {a: b}, sha512: null}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		files, ok := parseUpdaterFeed(b)
		if ok != (len(files) > 0) {
			t.Fatalf("ok %v with %d files", ok, len(files))
		}
		for _, k := range []string{"version", "sha512"} {
			if bytes.Contains(b, []byte(k)) && !mayHoldKey(b, k) {
				t.Fatalf("YAML holding %q as written may not hold it", k)
			}
		}
		for _, x := range files {
			checkFeedURL(t, x.url)
		}
		checkFeedURL(t, string(b))
	})
}

// FuzzResolveFeedURL resolves hostile feed urls: no panic, and a local
// file is a clean path inside the feed's folder.
func FuzzResolveFeedURL(f *testing.F) {
	for _, u := range []string{"a.exe", "./a b.exe", "../a.exe", "sub/../../a.exe", `\\evil\a.exe`, "//evil/a.exe", "https://evil/a.exe",
		"\t/a.exe", "%2e%2e/a.exe", "a.exe?x=1#y", "/r/../a.exe", "file:a.exe", "a:b", " \x00..\\\n/x", "https://feed.shipgate.invalid/r/a.exe", "@evil/x"} {
		f.Add(u)
	}
	f.Fuzz(checkFeedURL)
}

// checkFeedURL fails t when u resolves to a path outside the feed's
// folder, for a feed at the root and one in a folder.
func checkFeedURL(t *testing.T, u string) {
	for _, dir := range []string{".", "r/feeds"} {
		p, local := resolveFeedURL(dir, u)
		if !local {
			if p != "" {
				t.Fatalf("%q in %q: not local, but path %q", u, dir, p)
			}
			continue
		}
		// A name of any bytes (a release's paths need not be UTF-8), but
		// clean, relative and inside dir.
		if p != path.Clean(p) || path.IsAbs(p) || p == "." || p == ".." || strings.HasPrefix(p, "../") ||
			(dir != "." && !strings.HasPrefix(p, dir+"/")) {
			t.Fatalf("%q in %q resolves to %q", u, dir, p)
		}
	}
}
