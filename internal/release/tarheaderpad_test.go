package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackTarHeaderUnusedBytes: a tar header has bytes no extractor
// reads: a V7 header's last 255 (past the link name), a ustar or pax
// header's 12-byte pad, a GNU header's 17-byte pad. Data there went
// unreported, unlike the same data in an entry's padding. Reported, in
// plain and compressed tarballs; a star header's "tar" trailer, a ustar
// prefix and a GNU header's times are not.
func TestAttackTarHeaderUnusedBytes(t *testing.T) {
	hdrOf := func(format tar.Format, typ byte) []byte {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		h := &tar.Header{Name: "dir/a.txt", Typeflag: typ, Size: 5, Mode: 0o644, Format: format}
		if typ == tar.TypeSymlink {
			h.Size, h.Linkname = 0, "b"
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("hello"))
		}
		tw.Close()
		return b.Bytes()
	}
	v7 := func() []byte { // a ustar header with its magic and the rest cleared
		b := hdrOf(tar.FormatUSTAR, tar.TypeReg)
		clear(b[257:512])
		reseal(b)
		return b
	}
	for _, c := range []struct {
		name string
		b    func() []byte
		at   int
		bad  bool
	}{
		{"v7 past the link name", v7, 300, true},
		{"ustar pad", func() []byte { return hdrOf(tar.FormatUSTAR, tar.TypeReg) }, 505, true},
		{"gnu pad", func() []byte { return hdrOf(tar.FormatGNU, tar.TypeReg) }, 500, true},
		{"symlink ustar pad", func() []byte { return hdrOf(tar.FormatUSTAR, tar.TypeSymlink) }, 511, true},
		{"ustar prefix", func() []byte { return hdrOf(tar.FormatUSTAR, tar.TypeReg) }, 345, false},
		{"star trailer", func() []byte { return hdrOf(tar.FormatUSTAR, tar.TypeReg) }, -1, false},
		{"clean", func() []byte { return hdrOf(tar.FormatUSTAR, tar.TypeReg) }, 0, false},
	} {
		for _, compress := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%v", c.name, compress), func(t *testing.T) {
				b := c.b()
				switch {
				case c.at > 0:
					b[c.at] = 'X'
				case c.at < 0:
					copy(b[508:512], "tar\x00")
				}
				reseal(b)
				if compress {
					b = gz(t, b)
				}
				n, ps := scanTar(t, b)
				got := oneProblem(ps, ProblemHiddenData, "header")
				if n != 1 || got != c.bad || (!c.bad && len(ps) != 0) {
					t.Errorf("%d entries, problems %+v", n, ps)
				}
			})
		}
	}
}

// TestTarHeaderUnusedRealTools: the tarballs GNU tar and bsdtar write, in
// each format they offer, leave every header's unused bytes zero (skipped
// for a tool not installed). A tree with a name too long for ustar and V7
// is archived where the format can hold it.
func TestTarHeaderUnusedRealTools(t *testing.T) {
	dir := t.TempDir()
	tree := func(name string, files ...string) string {
		src := filepath.Join(dir, name)
		for _, f := range files {
			p := filepath.Join(src, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("content of "+f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("a.txt", filepath.Join(src, "link")); err != nil {
			t.Fatal(err)
		}
		return src
	}
	short := tree("short", "a.txt", "sub/b.txt")
	long := tree("long", "a.txt", "sub/"+strings.Repeat("long-name-", 12)+"/b.txt")
	for _, c := range []struct {
		tool, format string
		src          string
	}{
		{"tar", "gnu", long}, {"tar", "posix", long}, {"tar", "oldgnu", long}, {"tar", "ustar", short}, {"tar", "v7", short},
		{"bsdtar", "pax", long}, {"bsdtar", "gnutar", long}, {"bsdtar", "ustar", short}, {"bsdtar", "v7", short},
	} {
		t.Run(c.tool+"-"+c.format, func(t *testing.T) {
			bin, err := exec.LookPath(c.tool)
			if err != nil {
				t.Skipf("%s not installed", c.tool)
			}
			out := filepath.Join(dir, c.tool+"-"+c.format+".tar")
			if msg, err := exec.Command(bin, "-cf", out, "--format="+c.format, "-C", c.src, ".").CombinedOutput(); err != nil {
				t.Skipf("%s --format=%s: %v: %s", c.tool, c.format, err, msg)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			n, ps := scanTar(t, b)
			if n < 4 {
				t.Errorf("%d entries read", n)
			}
			for _, p := range ps {
				if strings.Contains(p.Message, "unused field") {
					t.Errorf("%+v", p)
				}
			}
		})
	}
}
