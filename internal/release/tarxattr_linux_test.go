package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTarXattrRealTools: a file with a user.payload extended attribute,
// archived by bsdtar (pax, where it writes LIBARCHIVE.xattr. and
// SCHILY.xattr. records) and GNU tar --xattrs, has the attribute reported
// once (file/tar-hidden-data); skipped for a tool not installed or a file
// system without user attributes.
func TestTarXattrRealTools(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	if err := os.WriteFile(f, []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setxattr(f, "user.payload", []byte("secret code"), 0); err != nil {
		t.Skipf("setxattr: %v", err)
	}
	for _, c := range []struct{ tool, name string }{
		{"bsdtar", "bsdtar"}, {"tar", "GNU tar"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bin, err := exec.LookPath(c.tool)
			if err != nil {
				t.Skipf("%s not installed", c.tool)
			}
			out := filepath.Join(dir, c.tool+".tar")
			args := []string{"--format", "pax", "-cf", out, "-C", dir, "f"}
			if c.tool == "tar" {
				args = []string{"--xattrs", "--posix", "-cf", out, "-C", dir, "f"}
			}
			if msg, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
				t.Skipf("%s %v: %v: %s", c.tool, args, err, msg)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "xattr.user.payload") {
				t.Skipf("%s stored no extended attribute", c.name)
			}
			checkTarRead(t, b, false, "f:3", `"user.payload"`)
		})
	}
}
