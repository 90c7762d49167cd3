package verify

import (
	"github.com/shipgate/shipgate/signing"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// feedSHA1Hex is a parsed feed line's SHA-1: lowercase hex.
var feedSHA1Hex = regexp.MustCompile(`^[0-9a-f]{40}$`)

// FuzzSquirrelFeed reads hostile Squirrel RELEASES feeds: no panic; a feed
// that reads has lines of a lowercase SHA-1, a size of zero or more and a
// file name that names no folder (a URL's last element for a URL line);
// the feed written back from its entries reads the same; and a line
// feedProblem is given never passes against an empty release.
func FuzzSquirrelFeed(f *testing.F) {
	pkg := []byte("PK\x03\x04 a package")
	good := feedLineFor("App-1.0.1-full.nupkg", pkg)
	f.Add([]byte("\xef\xbb\xbf" + good + "\r\n# comment\n\n"))
	f.Add([]byte(good + "\n" + feedLineFor("App-1.0.2-delta.nupkg", pkg) + "\n"))
	f.Add([]byte(strings.Replace(good, "App-1.0.1", "https://evil.example/x/App-1.0.1", 1)))
	f.Add([]byte(strings.Replace(good, "App-1.0.1", `http:\\evil.example\App-1.0.1`, 1) + "?q#f"))
	f.Add([]byte(feedLineFor("App-1.0.0-beta1-full.nupkg", pkg) + "\u00a0#x\u2028\n"))
	f.Add([]byte(feedLineFor("a/b.nupkg", pkg)))
	f.Add([]byte(feedLineFor("..", pkg) + "\n" + feedLineFor("App-99999999999999999999.1-full.nupkg", pkg)))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, ok := parseFeed(b)
		if !ok {
			if entries != nil {
				t.Fatalf("a feed that does not read has %d entries", len(entries))
			}
			return
		}
		var again strings.Builder
		for _, en := range entries {
			if !feedSHA1Hex.MatchString(en.sha1) || en.size < 0 || en.name == "" && en.url == "" {
				t.Fatalf("entry %+v", en)
			}
			if strings.ContainsAny(en.name, `/\`) || (en.url == "" && strings.ContainsAny(en.name, "\"<>|:*?")) {
				t.Fatalf("entry %+v names a folder", en)
			}
			// Against a release holding no file, every line is a problem:
			// an error, or a note for an older version's package.
			if msg, sev := (&engine{}).feedProblem(en, nil, "d", nil); msg == "" || sev != signing.SeverityError && sev != signing.SeverityNote {
				t.Fatalf("entry %+v against no files: %q, severity %v", en, msg, sev)
			}
			name := en.name
			if en.url != "" {
				name = en.url
			}
			again.WriteString(strings.ToUpper(en.sha1) + " " + name + " " + strconv.FormatInt(en.size, 10) + "\n")
		}
		back, ok := parseFeed([]byte(again.String()))
		if !ok || !reflect.DeepEqual(back, entries) {
			t.Fatalf("feed written back reads %+v, %v; was %+v", back, ok, entries)
		}
	})
}
