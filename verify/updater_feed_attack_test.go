package verify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestAttackUpdaterFeedElsewhere: electron-builder's release folder holds
// the installer, which verify checks, and latest.yml, the feed
// electron-updater reads: it downloads each file's url resolved against
// the feed's URL as WHATWG's parser does, and keeps it when its SHA-512
// is the feed's. A feed naming https://evil.example/…, a
// protocol-relative //evil.example/… (or \\evil.example\…, a backslash
// being a slash), a file above the feed's folder or one the release does
// not hold, or the release's installer with another size, passed: the
// feed was a data file. Each is now file/update-not-in-release; a feed
// that lists the release's installer (however its url spells the name),
// YAML that is no feed, and a feed electron-updater refuses (a file
// with no checksum) have no finding.
func TestAttackUpdaterFeedElsewhere(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	exe := f.peValid
	sum := sha512B64(exe)
	feed := func(url string, size int) string {
		return fmt.Sprintf("version: 1.4.1\nfiles:\n  - url: %s\n    sha512: %s\n    size: %d\npath: %s\nsha512: %s\nreleaseDate: '2026-12-01T00:00:00.000Z'\n", url, sum, size, url, sum)
	}
	n := len(exe)
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"the release's installer", feed("Chatterbox-Setup-1.4.1.exe", n), nil},
		{"the installer by another spelling", feed("'./sub/../Chatterbox-Setup-1.4.1.exe?x=1'", n), nil},
		{"YAML that is no feed", "version: 1\nfiles:\n  - '**/*'\n  - url: x.exe\n", nil},
		{"a feed electron-updater refuses", "version: 1.4.1\nfiles:\n  - url: https://evil.example/x.exe\n", nil},
		{"an absolute URL", feed("https://evil.example/Chatterbox-Setup-1.4.1.exe", n), []string{"error latest.yml"}},
		{"a protocol-relative URL", feed("//evil.example/Chatterbox-Setup-1.4.1.exe", n), []string{"error latest.yml"}},
		{"backslashes", feed(`'\\evil.example\Chatterbox-Setup-1.4.1.exe'`, n), []string{"error latest.yml"}},
		{"above the feed's folder", feed("../Chatterbox-Setup-1.4.1.exe", n), []string{"error latest.yml"}},
		{"a file the release does not hold", feed("Chatterbox-Setup-1.4.2.exe", n), []string{"error latest.yml"}},
		{"another size", feed("Chatterbox-Setup-1.4.1.exe", n+1), []string{"error latest.yml"}},
		{"a feed that does not read", "version: 1.4.1\nfiles:\n  - url: https://evil.example/x.exe\n    sha512: [\n", []string{"warning latest.yml"}},
		{"a feed with an alias", "version: 1.4.1\nx: &u https://evil.example/x.exe\nfiles:\n  - url: *u\n    sha512: c2hhNTEy\n", []string{"error latest.yml"}},
		{"a feed too large to compare", "#" + strings.Repeat("x", maxFeedSize) + "\n" + feed("https://evil.example/x.exe", n), []string{"warning latest.yml"}},
		{"the older path form", "version: 1.4.1\npath: https://evil.example/x.exe\nsha512: c2hhNTEy\n", []string{"error latest.yml"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Chatterbox-Setup-1.4.1.exe": exe, "latest.yml": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
