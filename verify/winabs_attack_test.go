package verify

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// A zip's symbolic link to a Windows path from a drive or a share
// ("C:\...", "\\server\share\...") or with backslashed ".." components
// points out of the archive where Windows extractors make the link, as a
// tarball's does; in a zip it was taken for a relative name on a Unix host.
func TestAttackZipSymlinkWindowsAbsolute(t *testing.T) {
	t.Parallel()
	for _, target := range []string{`C:\Windows\System32\evil.dll`, `c:evil.dll`, `\\server\share\evil.dll`, `\evil.dll`, `..\..\evil.dll`} {
		t.Run(target, func(t *testing.T) {
			z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
				{name: "readme.txt", data: []byte("hi")},
				{name: "app/app.dll", data: []byte(target), mode: fs.ModeSymlink | 0o777},
			}))
			mustFail(t, Options{}, "app/app.dll", ruleSymlinkEscape, z)
		})
	}
}
