package verify

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sha512B64 is the sha512 electron-builder writes in a feed for b.
func sha512B64(b []byte) string {
	s := sha512.Sum512(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// builderFeed is a latest.yml as electron-builder writes it, listing the
// installer name of the digest lines digest (each "key: value").
func builderFeed(name string, size int, digest ...string) string {
	d := strings.Join(digest, "\n    ")
	return fmt.Sprintf("version: 1.4.1\nfiles:\n  - url: %s\n    %s\n    size: %d\npath: %s\n%s\nreleaseDate: '2026-12-01T10:00:00.000Z'\n",
		name, d, size, name, strings.Join(digest, "\n"))
}

// TestAttackUpdaterFeedDigest: electron-updater keeps a download only
// when its SHA-512 is the feed's sha512 (base64, or 128 lowercase hex
// digits), else, with no sha512, its SHA-256 the feed's sha2 (lowercase
// hex), compared as strings. verify compared a feed's url and size with
// the release's file, never its digest: a latest.yml naming the release's
// installer, of its size, with the SHA-512 of other bytes passed, though
// clients refuse the release's installer and install only those other
// bytes (a swapped download of the same size). So did an NSIS web
// installer's feed naming another server's package under packages. Each
// is now file/update-not-in-release, an error; a sha512 of a file whose
// SHA-512 was not computed (not beside the feed) is a warning.
// electron-builder's own layouts pass.
func TestAttackUpdaterFeedDigest(t *testing.T) {
	t.Parallel()
	exe := getFixtures(t).peValid
	other := append(slices.Clone(exe[:len(exe)-1]), exe[len(exe)-1]^1)
	const name = "Chatterbox-Setup-1.4.1.exe"
	n := len(exe)
	s512 := sha512.Sum512(exe)
	s256 := sha256.Sum256(exe)
	o256 := sha256.Sum256(other)
	hex512, hex256 := hex.EncodeToString(s512[:]), hex.EncodeToString(s256[:])
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"the installer's sha512", builderFeed(name, n, "sha512: "+sha512B64(exe)), nil},
		{"the installer's sha512 in hex", builderFeed(name, n, "sha512: "+hex512), nil},
		{"the installer's sha2", builderFeed(name, n, "sha2: "+hex256), nil},
		{"the installer's sha512, another sha2", builderFeed(name, n, "sha512: "+sha512B64(exe), "sha2: "+hex.EncodeToString(o256[:])), nil},
		{"another file's sha512", builderFeed(name, n, "sha512: "+sha512B64(other)), []string{"error dist/latest.yml"}},
		{"another file's sha512, the installer's sha2", builderFeed(name, n, "sha512: "+sha512B64(other), "sha2: "+hex256), []string{"error dist/latest.yml"}},
		{"the sha512 in upper-case hex", builderFeed(name, n, "sha512: "+strings.ToUpper(hex512)), []string{"error dist/latest.yml"}},
		{"the sha512 unpadded", builderFeed(name, n, "sha512: "+strings.TrimRight(sha512B64(exe), "=")), []string{"error dist/latest.yml"}},
		{"a sha512 that is a number", builderFeed(name, n, "sha512: 12"), []string{"error dist/latest.yml"}},
		{"another file's sha2", builderFeed(name, n, "sha2: "+hex.EncodeToString(o256[:])), []string{"error dist/latest.yml"}},
		{"the sha2 in upper case", builderFeed(name, n, "sha2: "+strings.ToUpper(hex256)), []string{"error dist/latest.yml"}},
		{"a file under the feed's folder", builderFeed("sub/"+name, n, "sha512: "+sha512B64(exe)), []string{"warning dist/latest.yml"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		tree := map[string][]byte{"dist/" + name: exe, "dist/sub/" + name: exe, "dist/latest.yml": []byte(c.feed),
			"dist/builder-debug.yml": []byte("x64:\n  firstOrDefaultFilePatterns:\n    - '**/*'\n")}
		writeTree(t, dir, tree)
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
		z := makeZip(t, []zipEntry{{name: "dist/" + name, data: exe}, {name: "dist/sub/" + name, data: exe}, {name: "dist/latest.yml", data: []byte(c.feed)}})
		writeTree(t, dir, map[string][]byte{"release.zip": z})
		if got := feedFindings(run(t, Options{}, filepath.Join(dir, "release.zip"))); !slices.Equal(got, c.want) {
			t.Errorf("%s, in a zip: findings %q, want %q", c.name, got, c.want)
		}
	}
}

// TestUpdaterFeedDigestLargeInstaller: the SHA-512 of an installer too
// large to be read whole (checked after the small files, from disk, in a
// folder or a zip) is computed in its one pass and compared.
func TestUpdaterFeedDigestLargeInstaller(t *testing.T) {
	t.Parallel()
	exe := getFixtures(t).peValid
	big := append(slices.Clone(exe), make([]byte, 6<<20)...)
	big[len(big)-1] = 1
	const name = "Chatterbox-Setup-1.4.1.exe"
	for _, c := range []struct {
		name, sum string
		want      []string
	}{
		{"the installer's sha512", sha512B64(big), nil},
		{"another file's sha512", sha512B64(exe), []string{"error latest.yml"}},
	} {
		feed := []byte(builderFeed(name, len(big), "sha512: "+c.sum))
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{name: big, "latest.yml": feed})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
		z := makeZip(t, []zipEntry{{name: name, data: big}, {name: "latest.yml", data: feed}})
		writeTree(t, dir, map[string][]byte{"release.zip": z})
		if got := feedFindings(run(t, Options{}, filepath.Join(dir, "release.zip"))); !slices.Equal(got, c.want) {
			t.Errorf("%s, in a zip: findings %q, want %q", c.name, got, c.want)
		}
	}
}

// TestAttackUpdaterFeedPackages: an NSIS web installer's feed lists, under
// packages, the package of each architecture (path, sha512, size), which
// electron-updater resolves against the feed's URL as it does a file's
// url, downloads and hands to the installer. verify read only files and
// path: a package at https://evil.example/… passed. A package is now
// compared as a file is; electron-builder's nsis-web folder passes.
func TestAttackUpdaterFeedPackages(t *testing.T) {
	t.Parallel()
	exe := getFixtures(t).peValid
	pkg := []byte("7z\xbc\xaf\x27\x1c\x00\x04 a package of the application")
	const web, p7z = "Chatterbox-Web-Setup-1.4.1.exe", "chatterbox-1.4.1-x64.nsis.7z"
	feed := func(pkgPath, pkgSum string) string {
		return fmt.Sprintf("version: 1.4.1\nfiles:\n  - url: %s\n    sha512: %s\n    size: %d\npackages:\n  x64:\n    size: %d\n    sha512: %s\n    blockMapSize: 120\n    path: %s\n    file: C:\\build\\dist\\nsis-web\\%s\npath: %s\nsha512: %s\nreleaseDate: '2026-12-01T10:00:00.000Z'\n",
			web, sha512B64(exe), len(exe), len(pkg), pkgSum, pkgPath, p7z, web, sha512B64(exe))
	}
	cases := []struct {
		name, feed string
		want       []string
	}{
		{"electron-builder's feed", feed(p7z, sha512B64(pkg)), nil},
		{"a package elsewhere", feed("https://evil.example/"+p7z, sha512B64(pkg)), []string{"error nsis-web/latest.yml"}},
		{"a package not in the release", feed("chatterbox-1.4.2-x64.nsis.7z", sha512B64(pkg)), []string{"error nsis-web/latest.yml"}},
		{"another package's sha512", feed(p7z, sha512B64(exe)), []string{"error nsis-web/latest.yml"}},
	}
	for _, c := range cases {
		dir := t.TempDir()
		writeTree(t, dir, map[string][]byte{"nsis-web/" + web: exe, "nsis-web/" + p7z: pkg, "nsis-web/latest.yml": []byte(c.feed)})
		if got := feedFindings(run(t, Options{}, dir)); !slices.Equal(got, c.want) {
			t.Errorf("%s: findings %q, want %q", c.name, got, c.want)
		}
	}
}
