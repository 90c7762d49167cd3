package verify

import (
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// A package payload's files got file/setuid but not file/world-writable:
// an installer package could install a program every user may replace
// (mode 0777) and pass, where the same file in a tarball, zip, folder or
// disk image is a warning. Both cpio formats (odc, newc) are checked; the
// same file without o+w, and a world-writable file that is not
// executable, pass.
func TestAttackPkgWorldWritable(t *testing.T) {
	t.Parallel()
	script := []byte("#!/bin/sh\necho hi\n")
	for _, c := range []struct {
		name string
		mode uint32
		want bool
	}{{"o+w", 0o777, true}, {"plain", 0o755, false}, {"data", 0o666, false}} {
		for _, format := range []string{"odc", "newc"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				files := []pkgfile.CPIOFile{{Name: "./bin", Mode: 0o040755}, {Name: "./bin/tool", Mode: 0o100000 | c.mode, Data: script}}
				cpio := pkgfile.CPIO(files)
				if format == "newc" {
					cpio = pkgfile.CPIONewc(files, false)
				}
				b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: "Payload", Data: pkgfile.Gzip(cpio)}}})
				got := findingsOf(run(t, Options{}, writePkg(t, b)), RuleWorldWritable)
				at := "Example-1.4.0.pkg/Payload/bin/tool"
				if c.want && (len(got) != 1 || !strings.HasPrefix(got[0], at+": package payload entry is executable and writable by every user")) {
					t.Errorf("%s findings %q, want one at %s", RuleWorldWritable, got, at)
				}
				if !c.want && len(got) != 0 {
					t.Errorf("%s findings %q", RuleWorldWritable, got)
				}
			})
		}
	}
}
