package verify

import (
	"slices"
	"testing"
)

// TestAttackUpdaterFeedEscapedKeys: of the release's YAML, only files
// holding "sha" (a sha512 or sha2 key) were kept for the feed check, and
// a feed that does not read only when it held "version" and "sha512" or
// "sha2". A double-quoted YAML key may spell them with escapes
// ("\x73ha512", "\u0073ha2", a "\"-newline line break inside the key),
// which js-yaml decodes, so electron-updater read a feed naming another
// server's installer while verify passed it unseen. A feed with such
// keys is now compared, or reported when it does not read; other YAML
// with a backslash is not.
func TestAttackUpdaterFeedEscapedKeys(t *testing.T) {
	t.Parallel()
	exe := getFixtures(t).peValid
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"\\x escapes", "version: 1.4.1\nfiles:\n  - url: https://evil.example/x.exe\n    \"\\x73ha512\": c2hhNTEy\n", []string{"error latest.yml"}},
		{"\\u escapes", "version: 1.4.1\npath: https://evil.example/x.exe\n\"\\u0073ha2\": ab\n", []string{"error latest.yml"}},
		{"an escaped line break", "version: 1.4.1\npath: https://evil.example/x.exe\n? \"s\\\n  ha512\"\n: c2hhNTEy\n", []string{"error latest.yml"}},
		{"escapes and an alias", "\"\\x76ersion\": 1.4.1\nx: &u https://evil.example/x.exe\nfiles:\n  - url: *u\n    \"\\x73ha512\": c2hhNTEy\n", []string{"error latest.yml"}},
		{"escapes in no feed", "name: \"\\x41pp\"\n", nil},
		{"a backslash in other YAML that does not read", "dir: C:\\out\\sha\nx: &a 1\ny: *a\n", nil},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"Chatterbox-Setup-1.4.1.exe": exe, "latest.yml": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
