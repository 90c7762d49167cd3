package verify

import (
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/pkgfile"
)

// The symbolic links of an installer package's payload (a cpio archive in
// the xar) were only held to the policy: one to "../../etc", to an absolute
// path or out through another link passed, where the same links in a
// tarball or zip are file/symlink-escape errors. They are checked as a
// tarball's, relative to the payload, in a component's folder too.
func TestAttackPkgPayloadSymlinkEscape(t *testing.T) {
	t.Parallel()
	link := func(name, target string) pkgfile.CPIOFile {
		return pkgfile.CPIOFile{Name: name, Mode: 0o120755, Data: []byte(target)}
	}
	payload := pkgfile.Gzip(pkgfile.CPIO([]pkgfile.CPIOFile{
		{Name: ".", Mode: 0o040755},
		{Name: "./bin", Mode: 0o040755},
		{Name: "./lib", Mode: 0o040755},
		{Name: "./lib/tool", Mode: 0o100755, Data: []byte("#!/bin/sh\n")},
		link("./bin/tool", "../lib/tool"),     // inside: passes
		link("./bin/etc", "../../etc"),        // climbs out
		link("./bin/passwd", "/etc/passwd"),   // absolute
		link("./bin/win", `C:\Windows`),       // a drive
		link("./lib/up", ".."),                // inside: the payload's root
		link("./bin/chain", "../lib/up/../x"), // out through lib/up
	}))
	for _, at := range []string{"Payload", "app.pkg/Payload"} {
		t.Run(at, func(t *testing.T) {
			b, _ := pkgfile.Build(pkgfile.Spec{Files: []pkgfile.File{{Path: at, Data: payload}}})
			r := run(t, Options{}, writePkg(t, b))
			var got []string
			for _, f := range findingsOf(r, ruleSymlinkEscape) {
				p, _, _ := strings.Cut(f, ": ")
				got = append(got, strings.TrimPrefix(p, "Example-1.4.0.pkg/"+at+"/"))
			}
			slices.Sort(got)
			want := []string{"bin/chain", "bin/etc", "bin/passwd", "bin/win"}
			if !slices.Equal(got, want) {
				t.Errorf("%s findings at %q, want %q:\n%s", ruleSymlinkEscape, got, want, strings.Join(findingsOf(r, ruleSymlinkEscape), "\n"))
			}
		})
	}
}
