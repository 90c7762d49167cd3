package verify

import (
	"slices"
	"testing"
)

// TestAttackSquirrelFeedBackslashURL: Update.exe takes a feed line's name
// for a URL when .NET's Uri reads it as an absolute http(s) one, and
// .NET's Uri reads a backslash in an http(s) URL as a slash:
// "http:\\evil.example\App-1.0.2-full.nupkg" is downloaded from
// evil.example. verify took a URL only by its "http://" or "https://"
// prefix, and a name holding a backslash or a colon for a line Update.exe
// refuses, which made the whole feed pass uncompared. A name starting
// "http:" or "https:" is now a URL, an error.
func TestAttackSquirrelFeedBackslashURL(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	full := makeZip(t, []zipEntry{{name: "lib/net45/App.exe", data: f.peValid}})
	good := feedLineFor("App-1.0.1-full.nupkg", full)
	for _, name := range []string{
		`http:\\evil.example\App-1.0.2-full.nupkg`,
		`HTTPS:\\evil.example\x\App-1.0.2-full.nupkg?q=1`,
		`https:/evil.example/App-1.0.2-full.nupkg`,
	} {
		dir := t.TempDir()
		feed := good + "\n" + feedLineFor(name, full) + "\n"
		writeTree(t, dir, map[string][]byte{"App-1.0.1-full.nupkg": full, "RELEASES": []byte(feed)})
		if got, want := feedFindings(run(t, Options{}, dir)), []string{"error RELEASES"}; !slices.Equal(got, want) {
			t.Errorf("%s: findings %q, want %q", name, got, want)
		}
	}
}
