package release

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// zipMadeOn returns a zip archive of one entry, name, holding data, made
// on host system host with the Unix mode unix in its external attributes.
func zipMadeOn(t *testing.T, host byte, name string, unix uint32, data string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, CreatorVersion: uint16(host) << 8, ExternalAttrs: unix << 16})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(data))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ZipMode sees a symbolic link and set-ID bits wherever Info-ZIP's unzip
// (with -K, which keeps set-ID bits) installs them, whatever host system
// made the entry; only for macOS (19), where Go's reader makes a link and
// unzip does not, does it see more, and ZipLinkDisagreement reports that.
func TestZipModeMatchesUnzip(t *testing.T) {
	unzip, err := exec.LookPath("unzip")
	if err != nil {
		t.Skip("unzip not installed: ZipMode is not compared with Info-ZIP's unzip")
	}
	for host := range byte(32) {
		for _, c := range []struct {
			name string
			unix uint32
			want func(fs.FileMode) bool
		}{
			{"link", 0o120777, func(m fs.FileMode) bool { return m&fs.ModeSymlink != 0 }},
			{"tool", 0o104755, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
			{"fifo", 0o014755, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
			// The owner bits MS-DOS entries need.
			{"doslink", 0o120600, func(m fs.FileMode) bool { return m&fs.ModeSymlink != 0 }},
			{"dostool", 0o104655, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
		} {
			if host == 18 {
				continue // THEOS: unzip reads its own attribute layout
			}
			dir := t.TempDir()
			z := zipMadeOn(t, host, c.name, c.unix, "target.dll")
			zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, "a.zip")
			if err := os.WriteFile(in, z, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(unzip, "-K", "-q", "-d", filepath.Join(dir, "x"), in).CombinedOutput(); err != nil {
				t.Fatalf("host %d: unzip: %v\n%s", host, err, out)
			}
			st, err := os.Lstat(filepath.Join(dir, "x", c.name))
			if err != nil {
				t.Fatal(err)
			}
			got, unz := c.want(ZipMode(zr.File[0])), c.want(st.Mode())
			_, disagree := ZipLinkDisagreement(zr.File[0], "checked")
			switch {
			case unz && !got:
				t.Errorf("host %d %s: unzip installs mode %v, ZipMode gives %v", host, c.name, st.Mode(), ZipMode(zr.File[0]))
			case got && !unz && host != 19:
				t.Errorf("host %d %s: ZipMode gives %v, unzip installs mode %v", host, c.name, ZipMode(zr.File[0]), st.Mode())
			case c.want(fs.ModeSymlink) && got && disagree != (host != 3):
				t.Errorf("host %d: ZipLinkDisagreement says %v", host, disagree)
			}
		}
	}
}
