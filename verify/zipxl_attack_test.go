package verify

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// zipXL returns libarchive's "xl" extra field giving host system 3 and the
// Unix mode unix as external attributes.
func zipXL(unix uint32) []byte {
	b := []byte{0x78, 0x6c, 7, 0, 0x05, 20, 3}
	return binary.LittleEndian.AppendUint32(b, unix<<16)
}

// A zip entry whose "xl" extra field (0x6c78) gives other external
// attributes than its central record is a plain file to Go's reader,
// unzip and 7-Zip, and whatever the field says to bsdtar (libarchive,
// also Windows' tar.exe and macOS tar), which made it a symbolic link out
// of the release, or a set-user-ID program, that passed: the field is
// file/malformed, in the central record or in the local header alone. An
// "xl" field that agrees passes.
func TestAttackZipXLField(t *testing.T) {
	t.Parallel()
	link := walktest.ZipEntry{Name: "app/app.dll", Data: []byte("../../outside/evil.dll"), Extra: zipXL(0o120777)}
	tool := walktest.ZipEntry{Name: "bin/tool", Data: []byte("#!/bin/sh\n"), Mode: 0o755, Extra: zipXL(0o104755)}
	for _, e := range []walktest.ZipEntry{link, tool} {
		both := walktest.Zip(t, []walktest.ZipEntry{{Name: "readme.txt", Data: []byte("hi")}, e})
		// The same field in the local header alone: its central copy's
		// tag made unknown.
		local := bytes.Clone(both)
		cd := bytes.LastIndex(local, []byte("PK\x01\x02"))
		i := bytes.LastIndex(local, []byte{0x78, 0x6c, 7, 0})
		if cd < 0 || i < cd {
			t.Fatal("no xl field in the central directory")
		}
		local[i], local[i+1] = 0xfe, 0xca
		// And in the central record alone.
		central := bytes.Clone(both)
		j := bytes.Index(central, []byte{0x78, 0x6c, 7, 0})
		central[j], central[j+1] = 0xfe, 0xca
		for name, z := range map[string][]byte{"both": both, "local": local, "central": central} {
			r := mustFail(t, Options{}, e.Name, RuleMalformed, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z))
			if got := findingsOf(r, RuleMalformed); len(got) != 1 || !strings.Contains(got[0], `"xl" extra field`) {
				t.Errorf("%s, %s: %s findings %q", e.Name, name, RuleMalformed, got)
			}
		}
	}
	agree := walktest.Zip(t, []walktest.ZipEntry{{Name: "bin/tool", Data: []byte("#!/bin/sh\n"), Mode: 0o755, Extra: zipXL(0o100755)}})
	if r := run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), agree)); !r.Summary.Passed {
		t.Errorf("an xl field that agrees fails: %v", r.Findings)
	}
}

// bsdtar makes the link and the set-user-ID program an "xl" field gives.
func TestZipXLFieldBsdtar(t *testing.T) {
	bsdtar, err := exec.LookPath("bsdtar")
	if err != nil {
		t.Skip("bsdtar not installed: the xl field is not checked against libarchive")
	}
	z := walktest.Zip(t, []walktest.ZipEntry{{Name: "link", Data: []byte("target"), Extra: zipXL(0o120777)}})
	dir := t.TempDir()
	cmd := exec.Command(bsdtar, "-xf", writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bsdtar: %v\n%s", err, out)
	}
	if st, err := os.Lstat(filepath.Join(dir, "link")); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("bsdtar wrote %v (%v), not a symbolic link", st, err)
	}
}
