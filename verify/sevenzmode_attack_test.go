package verify

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// A 7-Zip archive's modes were never looked at: a set-user-ID script in
// it, which bsdtar -xp as root installs so, passed, as did one whose
// attributes give the mode without a file type (the reader then reads DOS
// attributes, bsdtar still the Unix mode). It is file/setuid, a
// world-writable program file/world-writable, as in a tarball or a zip;
// a plain program passes.
func TestAttackSevenZipSetuid(t *testing.T) {
	t.Parallel()
	script := []byte("#!/bin/sh\nexec /bin/sh\n")
	for _, c := range []struct {
		name   string
		attrib uint32
		rule   signing.Rule
	}{
		{"suid", 0x8DED8000, RuleSetuid},
		{"suid without a type", 0x0DED8000, RuleSetuid},
		{"sgid without the Unix flag", 0x85ED0020, RuleSetuid},
		{"world-writable", 0x81FF8000, RuleWorldWritable},
		{"plain", 0x81ED8000, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "rel.7z"), sevenz.Build([]sevenz.BuildFile{{Name: "readme.txt", Data: []byte("hi")}, {Name: "bin/tool", Data: script, Attrib: c.attrib}}))
			r := run(t, Options{}, p)
			got := append(findingsOf(r, RuleSetuid), findingsOf(r, RuleWorldWritable)...)
			if c.rule == "" {
				if len(got) != 0 || !r.Summary.Passed {
					t.Errorf("findings %v", r.Findings)
				}
				return
			}
			if f := findingsOf(r, c.rule); len(got) != 1 || len(f) != 1 || !strings.HasPrefix(f[0], "rel.7z/bin/tool: ") {
				t.Errorf("findings %q, want one %s at rel.7z/bin/tool", got, c.rule)
			}
		})
	}
}

// A set-user-ID entry whose mode gives it another file type than a
// regular file's passed in a zip: unzip -K and bsdtar -p write a FIFO's
// or a socket's entry as a set-user-ID regular file, but only a regular
// file's mode was judged; in a 7-Zip archive, bsdtar writes a socket so.
func TestAttackSetuidOtherFileType(t *testing.T) {
	t.Parallel()
	script := []byte("#!/bin/sh\nexec /bin/sh\n")
	for _, typ := range []fs.FileMode{fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice | fs.ModeCharDevice} {
		z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{{name: "readme.txt", data: []byte("hi")}, {name: "bin/tool", data: script, mode: typ | fs.ModeSetuid | 0o755}}))
		if got := findingsOf(run(t, Options{}, z), RuleSetuid); len(got) != 1 || !strings.HasPrefix(got[0], "bin/tool: ") {
			t.Errorf("zip, type %v: %s findings %q", typ, RuleSetuid, got)
		}
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.7z"), sevenz.Build([]sevenz.BuildFile{{Name: "readme.txt", Data: []byte("hi")}, {Name: "bin/tool", Data: script, Attrib: 0xC9ED8000}}))
	if got := findingsOf(run(t, Options{}, p), RuleSetuid); len(got) != 1 || !strings.HasPrefix(got[0], "rel.7z/bin/tool: ") {
		t.Errorf("7-Zip socket: %s findings %q", RuleSetuid, got)
	}
}
