package verify

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// feedLineFor is the RELEASES line Squirrel writes for package b named
// name.
func feedLineFor(name string, b []byte) string {
	s := sha1.Sum(b)
	return fmt.Sprintf("%s %s %d", strings.ToUpper(hex.EncodeToString(s[:])), name, len(b))
}

// otherSHA1 returns the feed line l with another SHA-1.
func otherSHA1(l string) string {
	c := "0"
	if l[0] == '0' {
		c = "1"
	}
	return c + l[1:]
}

// feedFindings returns the file/update-not-in-release findings of r as
// "severity path".
func feedFindings(r *Report) []string {
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleUpdateNotInRelease {
			got = append(got, f.Severity.String()+" "+f.Path)
		}
	}
	slices.Sort(got)
	return got
}

// TestAttackSquirrelFeedElsewhere: a Squirrel.Windows release folder
// holds App-1.0.1-full.nupkg, which verify checks, and RELEASES, the feed
// Update.exe reads: it installs the newest package the feed lists,
// downloading the name on its line from beside the feed, or from any
// server when the name is an absolute URL, and keeps it when its size and
// SHA-1 are the line's. A feed listing https://evil.example/App-1.0.1-full.nupkg,
// or a 1.0.2 package the release does not hold, or the release's package
// with another SHA-1 or size (so that only another file is installed)
// passed: RELEASES was a data file. Each is now
// file/update-not-in-release, an error (a note for an older version's
// file name the release does not hold: Squirrel's releasify keeps every
// earlier release's lines); a feed that lists the release's own packages
// (large or small, in a folder or a zip) passes.
func TestAttackSquirrelFeedElsewhere(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	full := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	pad := make([]byte, 200<<10) // a package checked from disk, not read whole
	rand.Read(pad)
	big := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}, {name: "lib/net45/data.bin", data: pad, store: true}})
	good := feedLineFor("App-1.0.1-full.nupkg", full)
	other := append([]byte{}, full...)
	other[len(other)-1] ^= 1
	cases := []struct {
		name string
		feed string
		want []string
	}{
		{"the release's package", "\xef\xbb\xbf" + good + "\r\n# comment\n\n", nil},
		{"the release's large package", feedLineFor("App-1.0.0-full.nupkg", big) + "\n" + good + "\n", nil},
		{"a URL", strings.Replace(good, "App-1.0.1", "https://evil.example/x/App-1.0.1", 1), []string{"error RELEASES"}},
		{"a newer package not in the release", good + "\n" + feedLineFor("App-1.0.2-full.nupkg", other) + "\n", []string{"error RELEASES"}},
		{"an older package not in the release", good + "\n" + feedLineFor("App-1.0.0-delta.nupkg", other) + "\n", []string{"note RELEASES"}},
		{"an older package at a URL", good + "\n" + feedLineFor("https://evil.example/App-1.0.0-delta.nupkg", other) + "\n", []string{"error RELEASES"}},
		{"another SHA-1", feedLineFor("App-1.0.1-full.nupkg", other), []string{"error RELEASES"}},
		{"another size", feedLineFor("App-1.0.1-full.nupkg", append(full, 0)), []string{"error RELEASES"}},
		{"another SHA-1 of the large package", otherSHA1(feedLineFor("App-1.0.0-full.nupkg", big)) + "\n" + good + "\n", []string{"error RELEASES"}},
		{"a feed too large to compare", good + "\n#" + strings.Repeat("x", maxFeedSize) + "\n" + feedLineFor("https://evil.example/App-1.0.2-full.nupkg", other), []string{"warning RELEASES"}},
		// A line Update.exe cannot read makes it refuse the feed.
		{"a feed Update.exe refuses", good + "\nnot a line\n" + feedLineFor("App-1.0.2-full.nupkg", other), nil},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": full, "App-1.0.0-full.nupkg": big, "RELEASES": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
	// The same in a zip of the release folder.
	for _, c := range append(cases[2:4], cases[5]) {
		z := makeZip(t, []zipEntry{{name: "rel/App-1.0.1-full.nupkg", data: full}, {name: "rel/RELEASES", data: []byte(c.feed)}})
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"release.zip": z})
		got := feedFindings(run(t, Options{}, filepath.Join(dir, "release.zip")))
		if !slices.Equal(got, []string{"error rel/RELEASES"}) {
			t.Errorf("%s, in a zip: findings %q", c.name, got)
		}
	}
	z := makeZip(t, []zipEntry{{name: "rel/App-1.0.1-full.nupkg", data: full}, {name: "rel/RELEASES", data: []byte(good)}})
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"release.zip": z})
	if got := feedFindings(run(t, Options{}, filepath.Join(dir, "release.zip"))); len(got) > 0 {
		t.Errorf("the release's package, in a zip: findings %q", got)
	}
}
