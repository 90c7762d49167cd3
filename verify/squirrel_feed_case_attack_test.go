package verify

import (
	"slices"
	"testing"
)

// TestAttackSquirrelFeedNameCase: Update.exe asks for RELEASES, and a
// Windows file share or an IIS server, which read names ignoring case,
// serves a release folder's "Releases" or "releases" for it; verify read
// only a file named RELEASES exactly as a feed, so one naming a package on
// another server passed. A feed named in any case is now read.
func TestAttackSquirrelFeedNameCase(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pkg := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	evil := feedLineFor("https://evil.example/App-1.0.1-full.nupkg", pkg) + "\n"
	for _, name := range []string{"RELEASES", "Releases", "releases"} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": pkg, name: []byte(evil)})
		if got, want := feedFindings(run(t, Options{}, dir)), []string{"error " + name}; !slices.Equal(got, want) {
			t.Errorf("%s: findings %q, want %q", name, got, want)
		}
		dir = t.TempDir()
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": pkg, name: []byte(feedLineFor("App-1.0.1-full.nupkg", pkg) + "\n")})
		if got := feedFindings(run(t, Options{}, dir)); len(got) != 0 {
			t.Errorf("%s listing the release's package: findings %q, want none", name, got)
		}
	}
}
