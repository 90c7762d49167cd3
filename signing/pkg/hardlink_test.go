package pkg

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
)

// hardlinkSpec is the signed example product archive whose component
// Payload the table of contents gives as a hard link, made by tweak.
func hardlinkSpec(t *testing.T, stash bool, tweak func(x string) string) pkgfile.Spec {
	p, _ := testPKI(t)
	s := signedSpec(t)
	s.Files = pkgfile.ExamplePackage(p.PKI, false)
	if stash {
		for i := range s.Files {
			if s.Files[i].Path == "app.pkg/Payload" {
				s.Files[i].Path = "app.pkg/Stash"
			}
		}
	}
	s.TweakTOC = tweak
	return s
}

// linkTo adds, beside the entry named target, an entry named name of type
// hardlink whose link is target's id (or id when not empty).
func linkTo(x, target, name, id string) string {
	m := regexp.MustCompile(`(?m)^( *)<file id="(\d+)">\n *<name>` + target + `</name>`).FindStringSubmatchIndex(x)
	if m == nil {
		panic("no entry " + target)
	}
	indent, tid := x[m[2]:m[3]], x[m[4]:m[5]]
	if id == "" {
		id = tid
	}
	entry := indent + `<file id="900">` + "\n" + indent + " <name>" + name + "</name>\n" + indent + ` <type link="` + id + `">hardlink</type>` + "\n" + indent + "</file>\n"
	return x[:m[0]] + entry + x[m[0]:]
}

// TestAttackHardlinkPayload: libxar stores a hard-linked file's data on
// its first name, typed "hardlink" with link="original", and extracts the
// other names as links to it. A component Payload given as either was a
// warning and never opened, so the app it installs went unchecked while
// pkgutil --expand and the installer write it out.
func TestAttackHardlinkPayload(t *testing.T) {
	t.Parallel()
	const exe = "app.pkg/Payload/Applications/Example.app/Contents/MacOS/Example"
	cases := []struct {
		name   string
		stash  bool
		tweak  func(string) string
		opened bool // the Payload's files are in the file system
		rule   string
	}{
		{"plain-file", false, nil, true, ""},
		{"original", false, func(x string) string {
			return regexp.MustCompile(`(<name>Payload</name>\n *)<type>file</type>`).ReplaceAllString(x, `$1<type link="original">hardlink</type>`)
		}, true, ""},
		{"second-name", true, func(x string) string { return linkTo(x, "Stash", "Payload", "") }, true, ""},
		{"second-name-of-nothing", true, func(x string) string { return linkTo(x, "Stash", "Payload", "77") }, false, string(RuleUnsupportedEntry)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, _ := pkgfile.Build(hardlinkSpec(t, c.stash, c.tweak))
			res := verifyBytes(t, b, machofile.SignTime)
			var errs []string
			for _, f := range res.Findings {
				if f.Severity.String() == "error" {
					errs = append(errs, string(f.Rule)+": "+f.Message)
				}
			}
			if got := strings.Join(errs, "\n"); (c.rule == "") != (got == "") || !strings.Contains(got, c.rule) {
				t.Errorf("errors:\n%s\nwant %q", got, c.rule)
			}
			fsys, _ := OpenFS(open(t, b), FSOptions{})
			_, err := fs.Stat(fsys, exe)
			if (err == nil) != c.opened {
				t.Errorf("%s: %v, want opened %t", exe, err, c.opened)
			}
		})
	}
}
