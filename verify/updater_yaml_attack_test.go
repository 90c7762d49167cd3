package verify

import (
	"fmt"
	"slices"
	"testing"
)

// TestAttackUpdaterFeedYAMLSpelling: electron-updater reads its feed with
// js-yaml, which takes in a double-quoted scalar the escape "\/" (a slash)
// that yaml.v3 refuses, and reads a mapping key that is a sequence as its
// string form ("? [url]" is url). A feed naming another server's
// installer as "https:\/\/evil.example\/…", or through "? [url]", did not
// read, and was only a warning, uncompared. "\/" in double-quoted scalars
// is now read as js-yaml reads it and the feed compared (an error for
// another server's installer; electron-builder's feed with an escaped
// slash in another value passes); a key that is a sequence, and "\/" in
// both double-quoted and other scalars, which verify does not tell apart,
// are errors.
func TestAttackUpdaterFeedYAMLSpelling(t *testing.T) {
	t.Parallel()
	exe := getFixtures(t).peValid
	sum := sha512B64(exe)
	feed := func(url, extra string) string {
		return fmt.Sprintf("version: 1.4.1\nfiles:\n  - url: %s\n    sha512: %s\n    size: %d\npath: %s\nsha512: %s\n%s", url, sum, len(exe), url, sum, extra)
	}
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"an escaped slash elsewhere", feed("Chatterbox-Setup-1.4.1.exe", "releaseNotes: \"fixes\\/changes\"\n"), nil},
		{"escaped slashes in the url", feed(`"https:\/\/evil.example\/Chatterbox-Setup-1.4.1.exe"`, ""), []string{"error latest.yml"}},
		{"escaped slashes in a local url", feed(`"sub\/..\/Chatterbox-Setup-1.4.1.exe"`, ""), nil},
		{"an escaped slash in a plain scalar too", feed(`"https:\/\/evil.example\/x.exe"`, "releaseNotes: a\\/b\n"), []string{"error latest.yml"}},
		{"a key that is a sequence", "version: 1.4.1\nfiles:\n  - ? [url]\n    : https://evil.example/x.exe\n    sha512: " + sum + "\n", []string{"error latest.yml"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Chatterbox-Setup-1.4.1.exe": exe, "latest.yml": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
