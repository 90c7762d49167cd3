package verify

import (
	"testing"
)

// FuzzUpdaterFeeds feeds hostile bytes to the readers of update feeds and
// settings: none may panic, and a publisher name read as a distinguished
// name matches a subject only through its attributes.
func FuzzUpdaterFeeds(f *testing.F) {
	for _, s := range []string{
		"version: 1.4.1\nfiles:\n  - url: \"a\\/b.exe\"\n    sha512: x\npackages:\n  x64:\n    path: p.7z\n    sha512: y\n",
		"provider: generic\nurl: http://x\npublisherName: ['CN=\"A, B\"\\2C; O=x']\n",
		`{"currentRelease":"1","releases":[{"version":"1","updateTo":{"url":"https://h/a%20b.zip"}}],"url":"x"}`,
		`CN=a\4g+O=\`,
		"0123456789ABCDEF0123456789abcdef01234567 App-1.0.0-full.nupkg 12\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		parseUpdaterFeed(b)
		macFeedUpdate(b)
		parseFeed(b)
		nuspecVersion(b)
		versionNumbers(s)
		jsCoerce([]any{s, []any{s}})
		var cfg map[string]any
		if loadUpdaterYAML(b, &cfg) == nil {
			updateURLFindings("resources/app-update.yml", cfg)
			publisherProblem(cfg["publisherName"], []string{"CN=Example Vendor Ltd,O=Example Vendor Ltd"})
		}
		dn := parseDN(s)
		dotnetSubject(s)
		if len(dn) > 0 && publisherMatches(s, "CN=Example Vendor Ltd") {
			for k, v := range dn {
				if k != "CN" || v != "Example Vendor Ltd" {
					t.Fatalf("%q matched CN=Example Vendor Ltd through %s=%q", s, k, v)
				}
			}
		}
	})
}
