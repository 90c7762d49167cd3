package verify

import (
	"fmt"
	"slices"
	"testing"
)

// TestAttackSquirrelMacFeed: electron-forge's zip maker writes
// RELEASES.json beside the app's zip, the feed Squirrel.Mac reads in its
// JSON file mode: it installs the app in the zip at the url of the
// release whose version is currentRelease (or, when none is, at the
// top-level url), checking its code signature and no digest. A feed
// whose current update was http:// (no TLS), a file: URL, or a zip the
// release does not hold, passed: RELEASES.json was a data file. Each is
// now file/update-not-in-release, an error; forge's feed passes, as does
// one whose older releases point elsewhere (forge keeps them) or whose
// currentRelease matches no release and that has no top-level url
// (Squirrel takes no update).
func TestAttackSquirrelMacFeed(t *testing.T) {
	t.Parallel()
	const dir = "out/make/zip/darwin/arm64/"
	zipName := "Chatterbox App-darwin-arm64-1.4.1.zip"
	app := makeZip(t, []zipEntry{{name: "Chatterbox App.app/Contents/Resources/notes.txt", data: []byte("notes\n")}})
	feed := func(cur, u string) string {
		return fmt.Sprintf(`{"currentRelease":%q,"releases":[{"version":"1.4.0","updateTo":{"version":"1.4.0","pub_date":"2026-11-01T10:00:00.000Z","notes":"","name":"1.4.0","url":"https://old.example/Chatterbox-1.4.0.zip"}},{"version":"1.4.1","updateTo":{"version":"1.4.1","pub_date":"2026-12-01T10:00:00.000Z","notes":"","name":"1.4.1","url":%q}}]}`, cur, u)
	}
	const good = "https://updates.example.com/darwin/arm64/Chatterbox%20App-darwin-arm64-1.4.1.zip"
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"forge's feed", feed("1.4.1", good), nil},
		{"no release is current, no url", feed("1.4.9", "http://evil.example/x.zip"), nil},
		{"http", feed("1.4.1", "http://updates.example.com/darwin/arm64/Chatterbox%20App-darwin-arm64-1.4.1.zip"), []string{"error " + dir + "RELEASES.json"}},
		{"a file URL", feed("1.4.1", "file:///tmp/Chatterbox%20App-darwin-arm64-1.4.1.zip"), []string{"error " + dir + "RELEASES.json"}},
		{"a zip not in the release", feed("1.4.1", "https://updates.example.com/darwin/arm64/Chatterbox%20App-darwin-arm64-1.4.2.zip"), []string{"error " + dir + "RELEASES.json"}},
		{"no release is current, a top-level url", `{"currentRelease":"1.4.9","url":"https://evil.example/x.zip","releases":[]}`, []string{"error " + dir + "RELEASES.json"}},
	}
	for _, c := range cases {
		d := t.TempDir()
		writeTree(t, d, map[string][]byte{dir + zipName: app, dir + "RELEASES.json": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, d)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}

// TestAttackSquirrelMacFeedNameCase: verify read only a file named
// RELEASES.json exactly as a Squirrel.Mac feed, so releases.json naming an
// http:// update passed, though a server that reads names ignoring case
// serves it for the feed URL the application names. The name is now taken
// in any case.
func TestAttackSquirrelMacFeedNameCase(t *testing.T) {
	t.Parallel()
	app := makeZip(t, []zipEntry{{name: "Chatterbox.app/Contents/Resources/notes.txt", data: []byte("notes\n")}})
	evil := `{"currentRelease":"1.4.1","releases":[{"version":"1.4.1","updateTo":{"version":"1.4.1","url":"http://updates.example.com/Chatterbox-1.4.1.zip"}}]}`
	for _, name := range []string{"RELEASES.json", "releases.json", "Releases.JSON"} {
		d := t.TempDir()
		writeTree(t, d, map[string][]byte{"Chatterbox-1.4.1.zip": app, name: []byte(evil)})
		if got, want := feedFindings(run(t, Options{}, d)), []string{"error " + name}; !slices.Equal(got, want) {
			t.Errorf("%s: findings %q, want %q", name, got, want)
		}
	}
}
