package walk

import (
	"io/fs"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestSpecialFinding pins the one finding verify and sbom make for a
// special file of a folder or of an installer package's payload
// (file/unreadable, in words that differ only by the walker's verb), and
// that a tarball's keep their own public rule ID, file/tar-special-entry
// (see SpecialFinding; TestTarHandsOverEveryEntry checks Tar reports it).
func TestSpecialFinding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		m           fs.FileMode
		where, done string
		want        string
	}{
		{fs.ModeNamedPipe, "", "checked", "named pipe (FIFO), not a regular file; it was not read or checked"},
		{fs.ModeDevice | fs.ModeCharDevice, "", "inventoried", "character device, not a regular file; it was not read or inventoried"},
		{fs.ModeSocket, "installer package", "", "socket in the installer package, not a regular file: the installer creates it as such, and it holds no file to read"},
	} {
		f := SpecialFinding("a/x", c.m, c.where, c.done)
		if f.Rule != release.RuleUnreadable || f.Path != "a/x" || f.Message != c.want || f.Signature != -1 {
			t.Errorf("%v %q: %+v", c.m, c.where, f)
		}
	}
	if release.RuleTarSpecialEntry != "file/tar-special-entry" {
		t.Errorf("tar's rule ID changed: %s", release.RuleTarSpecialEntry)
	}
}
