package verify

import (
	"slices"
	"testing"
)

// TestAttackSquirrelFeedOtherName: Update.exe takes any file name on a
// RELEASES line (ReleaseEntry asks for no .nupkg), downloads it from
// beside the feed and keeps it when its size and SHA-1 are the line's,
// then opens it as a package (a zip). verify computed the SHA-1 of .nupkg
// files alone, and compared a line's SHA-1 only when it had one: a line
// naming the release's App-1.0.2-full.zip, of its size, with the SHA-1 of
// other bytes passed, though clients refuse the release's file and
// install only those bytes. The SHA-1 of every file beside a RELEASES is
// now computed and compared (an error when it differs); a SHA-1 that was
// not computed is a warning, never a pass.
func TestAttackSquirrelFeedOtherName(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	full := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	other := append(slices.Clone(full[:len(full)-1]), full[len(full)-1]^1)
	good := feedLineFor("App-1.0.1-full.nupkg", full)
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"the release's zip", good + "\n" + feedLineFor("App-1.0.2-full.zip", full) + "\n", nil},
		{"another SHA-1", good + "\n" + feedLineFor("App-1.0.2-full.zip", other) + "\n", []string{"error RELEASES"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": full, "App-1.0.2-full.zip": full, "RELEASES": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
		z := makeZip(t, []zipEntry{{name: "App-1.0.1-full.nupkg", data: full}, {name: "App-1.0.2-full.zip", data: full}, {name: "RELEASES", data: []byte(c.feed)}})
		writeTree(t, dir, map[string][]byte{"release.zip": z})
		if got := feedFindings(run(t, Options{}, dir+"/release.zip")); !slices.Equal(got, c.want) {
			t.Errorf("%s, in a zip: findings %q, want %q", c.name, got, c.want)
		}
	}
}
