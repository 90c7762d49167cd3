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

// zipEntry is one entry of a zipMadeOn archive: its name and the Unix mode
// in its external attributes.
type zipEntry struct {
	name string
	unix uint32
}

// zipMadeOn returns a zip archive made on host system host whose entries
// each hold data.
func zipMadeOn(t *testing.T, host byte, entries []zipEntry, data string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store, CreatorVersion: uint16(host) << 8, ExternalAttrs: e.unix << 16})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(data))
	}
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
	cases := []struct {
		zipEntry
		want func(fs.FileMode) bool
	}{
		{zipEntry{"link", 0o120777}, func(m fs.FileMode) bool { return m&fs.ModeSymlink != 0 }},
		{zipEntry{"tool", 0o104755}, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
		{zipEntry{"fifo", 0o014755}, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
		// The owner bits MS-DOS entries need.
		{zipEntry{"doslink", 0o120600}, func(m fs.FileMode) bool { return m&fs.ModeSymlink != 0 }},
		{zipEntry{"dostool", 0o104655}, func(m fs.FileMode) bool { return m&fs.ModeSetuid != 0 }},
	}
	var entries []zipEntry
	for _, c := range cases {
		entries = append(entries, c.zipEntry)
	}
	for host := range byte(32) {
		if host == 18 {
			continue // THEOS: unzip reads its own attribute layout
		}
		// One archive per host holds every case, each entry unzipped
		// with its own attributes: one unzip run per host, not per case.
		dir := t.TempDir()
		z := zipMadeOn(t, host, entries, "target.dll")
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
		for i, c := range cases {
			st, err := os.Lstat(filepath.Join(dir, "x", c.name))
			if err != nil {
				t.Fatal(err)
			}
			f := zr.File[i]
			if f.Name != c.name {
				t.Fatalf("entry %d is %s, want %s", i, f.Name, c.name)
			}
			got, unz := c.want(ZipMode(f)), c.want(st.Mode())
			_, disagree := ZipLinkDisagreement(f, "checked")
			switch {
			case unz && !got:
				t.Errorf("host %d %s: unzip installs mode %v, ZipMode gives %v", host, c.name, st.Mode(), ZipMode(f))
			case got && !unz && host != 19:
				t.Errorf("host %d %s: ZipMode gives %v, unzip installs mode %v", host, c.name, ZipMode(f), st.Mode())
			case c.want(fs.ModeSymlink) && got && disagree != (host != 3):
				t.Errorf("host %d: ZipLinkDisagreement says %v", host, disagree)
			}
		}
	}
}
