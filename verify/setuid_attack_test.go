package verify

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// An archive entry's mode was never looked at: a tarball, zip or package
// payload could carry a set-user-ID script, which tar -p as root and macOS
// Installer install as such, and pass. It is a file/setuid error; the
// same file with plain permissions passes.
func TestAttackSetuidEntry(t *testing.T) {
	t.Parallel()
	script := []byte("#!/bin/sh\nexec /bin/sh\n")
	for _, c := range []struct {
		name string
		mode int64
		want bool
	}{{"suid", 0o4755, true}, {"sgid", 0o2755, true}, {"plain", 0o755, false}, {"sticky", 0o1755, false}} {
		t.Run(c.name, func(t *testing.T) {
			tarball := writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), makeTar(t, tarEntry{name: "bin/tool", data: script, mode: c.mode}))
			zipped := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "bin/tool", data: script, mode: zipMode(c.mode)}}))
			payload := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{{Name: "./bin", Mode: 0o040755}, {Name: "./bin/tool", Mode: 0o100000 | uint32(c.mode), Data: script}}))
			b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: payload}}})
			for in, at := range map[string]string{tarball: "bin/tool", zipped: "bin/tool" /* an input archive is the release */, writePkg(t, b): "Example-1.4.0.pkg/Payload/bin/tool"} {
				got := findingsOf(run(t, Options{}, in), RuleSetuid)
				if c.want && (len(got) != 1 || !strings.HasPrefix(got[0], at+": ")) {
					t.Errorf("%s: %s findings %q, want one at %s", at, RuleSetuid, got, at)
				}
				if !c.want && len(got) != 0 {
					t.Errorf("%s: %s findings %q", at, RuleSetuid, got)
				}
			}
		})
	}
}

// zipMode returns the fs.FileMode of a Unix mode's permission and special
// bits.
func zipMode(m int64) fs.FileMode {
	f := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		f |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		f |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		f |= fs.ModeSticky
	}
	return f
}

// File capabilities in a tar entry's pax records are root's powers as a
// set-user-ID bit is; other extended attributes are not reported.
func TestAttackTarFileCapabilities(t *testing.T) {
	t.Parallel()
	tarWith := func(recs map[string]string) string {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		if err := tw.WriteHeader(&tar.Header{Name: "bin/tool", Typeflag: tar.TypeReg, Size: 3, Mode: 0o755, PAXRecords: recs, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte("#!\n"))
		tw.Close()
		return writeFile(t, filepath.Join(t.TempDir(), "rel.tar"), b.Bytes())
	}
	for _, k := range []string{"SCHILY.xattr.security.capability", "LIBARCHIVE.xattr.security.capability"} {
		if got := findingsOf(run(t, Options{}, tarWith(map[string]string{k: "\x01\x00\x00\x02\x80"})), RuleSetuid); len(got) != 1 || !strings.HasPrefix(got[0], "bin/tool: ") {
			t.Errorf("%s: %s findings %q", k, RuleSetuid, got)
		}
	}
	if got := findingsOf(run(t, Options{}, tarWith(map[string]string{"SCHILY.xattr.user.comment": "x"})), RuleSetuid); len(got) != 0 {
		t.Errorf("user xattr: %s findings %q", RuleSetuid, got)
	}
}
