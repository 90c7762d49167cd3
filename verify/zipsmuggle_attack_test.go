package verify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackZipEntrySmugglesLocalEntry: the central directory lists
// readme.txt alone, and its data, as the central record sizes it, holds a
// local header and an unsigned ffmpeg.dll after the text: after the end
// of its deflate stream (with a data descriptor), or past the size its
// local header gives. verify read readme.txt by the central record and
// passed; bsdtar reading the archive from a pipe (as Java's
// ZipInputStream streams one) installs ffmpeg.dll. Or the one entry is
// ffmpeg.dll, stored by its central record (deflate bytes, not code, to
// verify) and deflated by its local header, which unzip, 7-Zip and bsdtar
// all go by: they install the DLL. Each archive now fails at the listed
// entry, as the input and inside a release; a plain zip of the same files
// has no error.
func TestAttackZipEntrySmugglesLocalEntry(t *testing.T) {
	f := getFixtures(t)
	for _, tc := range []struct {
		name string
		how  walktest.Smuggle
		rule signing.Rule
	}{
		{"deflate stream ends early", walktest.SmuggleDeflateTail, ruleUnreadable},
		{"stored, local size short", walktest.SmuggleStoredSizes, ruleMalformed},
		{"deflated, local size short", walktest.SmuggleDeflateSizes, ruleMalformed},
		{"stored in the directory, deflated locally", walktest.SmuggleLocalMethod, ruleMalformed},
		{"stored with a descriptor that ends it early", walktest.SmuggleStoredDescriptor, ruleMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := walktest.SmuggledZip(t, tc.how, f.peUnsigned)
			dir := t.TempDir()
			p := writeFile(t, filepath.Join(dir, "rel", "app.zip"), z)
			listed := tc.how.Listed()
			mustFail(t, Options{}, listed, tc.rule, p)
			mustFail(t, Options{}, "app.zip/"+listed, tc.rule, filepath.Dir(p))
			streamed(t, p, f.peUnsigned)
			if tc.how == walktest.SmuggleLocalMethod {
				installed(t, p, f.peUnsigned)
			}
		})
	}
	plain := makeZip(t, []zipEntry{{name: "readme.txt", data: []byte(walktest.SmuggleText)}, {name: "ffmpeg.dll", data: f.peUnsigned, store: true}})
	r := run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "ok.zip"), plain))
	for _, fd := range r.Findings {
		if fd.Severity == signing.SeverityError {
			t.Errorf("plain zip: %s %s: %s", fd.Rule, fd.Path, fd.Message)
		}
	}
}

// streamed checks, when bsdtar is installed, that it extracts the zip at
// p read from a pipe with ffmpeg.dll holding dll: what the attack
// smuggles past readers of the central directory.
func streamed(t *testing.T, p string, dll []byte) {
	t.Helper()
	if _, err := exec.LookPath("bsdtar"); err != nil {
		t.Log("bsdtar not installed: streaming cross-check skipped")
		return
	}
	cmd := exec.Command("sh", "-c", `cat "$1" | bsdtar -xOf - ffmpeg.dll`, "sh", p)
	out, err := cmd.Output()
	if err != nil || !bytes.Equal(out, dll) {
		t.Errorf("bsdtar reading a pipe did not extract the smuggled ffmpeg.dll (%v, %d bytes)", err, len(out))
	}
}

// installed checks, with each of unzip, 7-Zip and bsdtar that is
// installed, that extracting the zip at p writes ffmpeg.dll holding dll.
// 7-Zip warns about the headers and exits with an error, having written
// the file all the same.
func installed(t *testing.T, p string, dll []byte) {
	t.Helper()
	for _, tool := range [][]string{{"unzip", "-oq", p}, {"7z", "x", "-y", p}, {"bsdtar", "-xf", p}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("%s not installed: cross-check skipped", tool[0])
			continue
		}
		dir := t.TempDir()
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir = dir
		cmd.Run() // the file written is the answer, whatever the status
		if b, err := os.ReadFile(filepath.Join(dir, "ffmpeg.dll")); err != nil || !bytes.Equal(b, dll) {
			t.Errorf("%s did not install the DLL by the local header's method (%v)", tool[0], err)
		}
	}
}
