package volfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// tnode is a minimal Node for the tests.
type tnode struct {
	name, target string
	dir, link    bool
	data         string
	children     []*tnode
}

func (n *tnode) Name() string         { return n.name }
func (n *tnode) Root() bool           { return n.name == "" }
func (n *tnode) IsDir() bool          { return n.dir }
func (n *tnode) ModTime() time.Time   { return time.Unix(0, 0).UTC() }
func (n *tnode) Size() int64          { return int64(len(n.data)) }
func (n *tnode) Link() (string, bool) { return n.target, n.link }
func (n *tnode) Children() []*tnode   { return n.children }
func (n *tnode) Mode() fs.FileMode {
	switch {
	case n.dir:
		return fs.ModeDir | 0o755
	case n.link:
		return fs.ModeSymlink | 0o777
	}
	return 0o644
}

// testFS builds: a/f (file), a/up -> .. (link), loop -> loop,
// out -> ../x, abs -> /etc, odd (a folder whose mode says link).
func testFS() FS[*tnode] {
	f := &tnode{name: "f", data: "hello"}
	up := &tnode{name: "up", link: true, target: ".."}
	a := &tnode{name: "a", dir: true, children: []*tnode{f, up}}
	abs := &tnode{name: "abs", link: true, target: "/etc"}
	loop := &tnode{name: "loop", link: true, target: "loop"}
	odd := &tnode{name: "odd", dir: true, link: true, target: "a"}
	out := &tnode{name: "out", link: true, target: "../x"}
	root := &tnode{dir: true, children: []*tnode{a, abs, loop, odd, out}}
	paths := map[string]*tnode{".": root, "a": a, "a/f": f, "a/up": up, "abs": abs, "loop": loop, "odd": odd, "out": out}
	return FS[*tnode]{Prefix: "test", Paths: paths, Data: func(n *tnode) (io.ReaderAt, int64) {
		return strings.NewReader(n.data), int64(len(n.data))
	}}
}

func TestFS(t *testing.T) {
	v := testFS()
	b, err := fs.ReadFile(v, "a/up/a/f")
	if err != nil || string(b) != "hello" {
		t.Fatalf("a/up/a/f: %q, %v", b, err)
	}
	// fstest opens every entry: keep those that resolve.
	v.Paths["."].children = v.Paths["."].children[:1]
	for _, p := range []string{"abs", "loop", "odd", "out"} {
		delete(v.Paths, p)
	}
	if err := fstest.TestFS(v, "a/f"); err != nil {
		t.Fatal(err)
	}
}

func TestLinks(t *testing.T) {
	v := testFS()
	if _, err := v.Open("loop"); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("loop: %v", err)
	}
	for _, name := range []string{"out", "abs", "a/f/x", "nope"} {
		if _, err := v.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want not exist", name, err)
		}
	}
	if fi, err := v.Stat("odd"); err != nil || !fi.IsDir() || fi.Name() != "odd" {
		t.Errorf("a folder whose mode says link is followed: %v, %v", fi, err)
	}
	if s, err := v.ReadLink("a/up"); err != nil || s != ".." {
		t.Errorf("readlink a/up: %q, %v", s, err)
	}
	if _, err := v.ReadLink("a/f"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("readlink a/f: %v", err)
	}
	if fi, err := v.Lstat("loop"); err != nil || fi.Mode().Type() != fs.ModeSymlink {
		t.Errorf("lstat loop: %v, %v", fi, err)
	}
	if fi, _ := v.Stat("."); fi.Name() != "." {
		t.Errorf("root named %q", fi.Name())
	}
}

func TestHandles(t *testing.T) {
	v := testFS()
	f, _ := v.Open("a/f")
	rs := f.(io.ReadSeeker)
	if off, err := rs.Seek(-2, io.SeekEnd); off != 3 || err != nil {
		t.Fatalf("seek: %d, %v", off, err)
	}
	if b, _ := io.ReadAll(rs); !bytes.Equal(b, []byte("lo")) {
		t.Errorf("read after seek: %q", b)
	}
	if _, err := rs.Seek(-9, io.SeekCurrent); err == nil || err.Error() != "test: negative offset" {
		t.Errorf("negative seek: %v", err)
	}
	d, _ := v.Open("a")
	if _, err := d.Read(nil); !errors.Is(err, ErrIsDir) {
		t.Errorf("read folder: %v", err)
	}
	rd := d.(fs.ReadDirFile)
	if es, err := rd.ReadDir(1); err != nil || len(es) != 1 || es[0].Name() != "f" {
		t.Errorf("ReadDir(1): %v, %v", es, err)
	}
	if es, err := rd.ReadDir(5); err != nil || len(es) != 1 || es[0].Name() != "up" {
		t.Errorf("ReadDir(5): %v, %v", es, err)
	}
	if _, err := rd.ReadDir(1); err != io.EOF {
		t.Errorf("ReadDir at end: %v", err)
	}
}

func TestSpecialBits(t *testing.T) {
	for _, c := range []struct {
		mode uint32
		want fs.FileMode
	}{
		{0o100755, 0},
		{0o104755, fs.ModeSetuid},
		{0o102755, fs.ModeSetgid},
		{0o41777, fs.ModeSticky},
		{0o107777, fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky},
	} {
		if got := SpecialBits(c.mode); got != c.want {
			t.Errorf("SpecialBits(%#o) = %v, want %v", c.mode, got, c.want)
		}
	}
}
