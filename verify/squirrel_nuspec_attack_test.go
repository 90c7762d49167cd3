package verify

import (
	"fmt"
	"slices"
	"testing"
)

// TestAttackSquirrelNuspecVersion: Update.exe takes a package's version
// from its name on the RELEASES line and installs it as that version. A
// release whose App-2.0.0-full.nupkg held the 1.0.0 build (its nuspec
// says so: an older signed build republished under a newer name) passed,
// since the line's SHA-1 and size were the file's. The version the name
// gives is now compared with the nuspec's: another is
// file/update-not-in-release; 2.0.0.0 is 2.0.0, and a pre-release suffix
// is not compared.
func TestAttackSquirrelNuspecVersion(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	nuspec := func(v string) []byte {
		return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
  <metadata><id>App</id><version>%s</version><authors>a</authors><description>d</description></metadata>
</package>`, v))
	}
	for _, c := range []struct {
		name, file, version string
		want                []string
	}{
		{"the name's version", "App-2.0.0-full.nupkg", "2.0.0", nil},
		{"four numbers", "App-2.0.0-full.nupkg", "2.0.0.0", nil},
		{"a pre-release", "App-2.0.0-beta1-full.nupkg", "2.0.0-beta1", nil},
		{"an older build under a newer name", "App-2.0.0-full.nupkg", "1.0.0", []string{"error RELEASES"}},
		{"a delta of another version", "App-2.0.1-delta.nupkg", "2.0.0", []string{"error RELEASES"}},
	} {
		pkg := makeZip(t, []zipEntry{{name: "App.nuspec", data: nuspec(c.version)}, {name: "lib/net45/App.exe", data: f.peValid}})
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{c.file: pkg, "RELEASES": []byte(feedLineFor(c.file, pkg) + "\n")})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
