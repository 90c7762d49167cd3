package verify

import (
	"fmt"
	"slices"
	"testing"

	"howett.net/plist"
)

// macFeed is a latest-mac.yml as electron-builder writes it, giving
// version for the release's file name of bytes b.
func macFeed(version, name string, b []byte) string {
	return fmt.Sprintf("version: %s\nfiles:\n  - url: %s\n    sha512: %s\n    size: %d\npath: %s\nsha512: %s\nreleaseDate: '2026-12-01T10:00:00.000Z'\n",
		version, name, sha512B64(b), len(b), name, sha512B64(b))
}

// TestAttackUpdaterMacFeedVersion: electron-updater's MacUpdater
// installs the zip latest-mac.yml lists when the feed's version is newer
// than the running app's, and keeps it when its digest is the feed's. A
// release whose latest-mac.yml gives version 1.4.1 for a zip of the
// older, validly signed 1.0.0 build passed: url, size and sha512 all named
// the release's zip. The feed's version is now compared with the
// CFBundleShortVersionString of the app at the zip's root (Example.app
// says 1.0.0): another is file/update-not-in-release. A feed of the app's
// own version, or of it with build metadata, passes.
func TestAttackUpdaterMacFeedVersion(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	writeBundle(t, tree)
	zb := zipTree(t, tree, false)
	const name = "Example-1.4.1-mac.zip"
	for _, c := range []struct {
		version string
		want    []string
	}{
		{"1.0.0", nil},
		{"v1.0.0+build.7", nil},
		{"1.4.1", []string{"error latest-mac.yml"}},
		{"1.0.0-beta.1", []string{"error latest-mac.yml"}},
	} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: zb, "latest-mac.yml": []byte(macFeed(c.version, name, zb))})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("feed version %s: findings %q, want %q", c.version, got, c.want)
		}
	}
}

// TestAttackUpdaterMacFeedVersionDMG: the same replay with the disk image
// latest-mac.yml lists (electron-updater takes it when the feed lists no
// zip): the app at the image's root says 1.0.0.
func TestAttackUpdaterMacFeedVersionDMG(t *testing.T) {
	t.Parallel()
	img := apfsDMG(t, exampleBundle(t), nil)
	const name = "Example-1.4.1.dmg"
	for _, c := range []struct {
		version string
		want    []string
	}{
		{"1.0.0", nil},
		{"1.4.1", []string{"error latest-mac.yml"}},
	} {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: img, "latest-mac.yml": []byte(macFeed(c.version, name, img))})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("feed version %s: findings %q, want %q", c.version, got, c.want)
		}
	}
}

// TestUpdaterMacFeedVersionNotSemver: an app whose
// CFBundleShortVersionString is no semantic version (electron-builder's
// mac.bundleShortVersion "1.4", or a number) is not compared with the
// feed's version: no file/update-not-in-release for a guess.
func TestUpdaterMacFeedVersionNotSemver(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"1.4", 141, "1.04.1"} {
		tree := t.TempDir()
		writeBundle(t, tree)
		info, err := plist.MarshalIndent(map[string]any{
			"CFBundleExecutable": "Example", "CFBundleIdentifier": "com.example.app",
			"CFBundlePackageType": "APPL", "CFBundleShortVersionString": v,
		}, plist.XMLFormat, "\t")
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, tree, map[string][]byte{"Example.app/Contents/Info.plist": info})
		zb := zipTree(t, tree, false)
		const name = "Example-1.4.1-mac.zip"
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: zb, "latest-mac.yml": []byte(macFeed("1.4.1", name, zb))})
		if got := feedFindings(run(t, Options{}, dir)); len(got) != 0 {
			t.Errorf("app version %v: findings %q, want none", v, got)
		}
	}
}
