package apfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// sample is a small tree: files, folders, a link, a compressed file, a
// hard link.
func sample() map[string]BuildFile {
	return map[string]BuildFile{
		"Example.app/Contents/Info.plist":     {Data: []byte("<plist/>\n")},
		"Example.app/Contents/MacOS/Example":  {Data: bytes.Repeat([]byte("mach-o bytes "), 1000), Mode: 0o755},
		"Example.app/Contents/Resources/big":  {Data: bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 3000)},
		"Example.app/Contents/Resources/zip":  {Data: []byte("squeezed squeezed squeezed"), Compressed: true},
		"Example.app/Contents/Resources/hard": {HardLink: "Example.app/Contents/Info.plist"},
		"Applications":                        {Link: "Example.app/Contents"},
		"empty":                               {},
		"Dir/Sub":                             {Dir: true},
	}
}

func build(t testing.TB, s BuildSpec) []byte {
	t.Helper()
	b, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func open(t testing.TB, b []byte) *Volume {
	t.Helper()
	v, err := Open(bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRoundTrip: what Build writes reads back, byte for byte, through
// fs.FS (fstest.TestFS), with one leaf or with many nodes.
func TestRoundTrip(t *testing.T) {
	for _, per := range []int{0, 3} {
		files := sample()
		v := open(t, build(t, BuildSpec{Files: files, Name: "Example", LeafRecords: per}))
		if len(v.Problems) > 0 || len(v.Skipped) > 0 {
			t.Fatalf("problems %v skipped %v", v.Problems, v.Skipped)
		}
		if v.Name != "Example" || !v.CaseInsensitive || v.Volumes != 1 {
			t.Errorf("volume %q %v %d", v.Name, v.CaseInsensitive, v.Volumes)
		}
		for p, f := range files {
			switch {
			case f.Link != "":
				if got, err := v.ReadLink(p); err != nil || got != f.Link {
					t.Errorf("%s: link %q %v", p, got, err)
				}
				continue
			case f.Dir:
				if st, err := fs.Stat(v, p); err != nil || !st.IsDir() {
					t.Errorf("%s: %v %v", p, st, err)
				}
				continue
			case f.HardLink != "":
				f = files[f.HardLink]
			}
			got, err := fs.ReadFile(v, p)
			if err != nil || !bytes.Equal(got, f.Data) {
				t.Errorf("%s: %d bytes, want %d (%v)", p, len(got), len(f.Data), err)
			}
		}
		if err := fstest.TestFS(v, "Example.app/Contents/Info.plist", "Example.app/Contents/MacOS/Example", "empty"); err != nil {
			t.Error(err)
		}
		if st, _ := fs.Stat(v, "Example.app/Contents/MacOS/Example"); st.Mode().Perm() != 0o755 {
			t.Errorf("mode %v", st.Mode())
		}
	}
}

// TestNotAPFS: a file without the magic is ErrNotAPFS.
func TestNotAPFS(t *testing.T) {
	b := make([]byte, 8192)
	if _, err := Open(bytes.NewReader(b), int64(len(b)), Options{}); !errors.Is(err, ErrNotAPFS) {
		t.Errorf("err %v", err)
	}
}

// TestReadPastEnd: reads past a file's end are EOF.
func TestReadPastEnd(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: sample()}))
	f, _ := v.Open("Example.app/Contents/Info.plist")
	ra := f.(io.ReaderAt)
	buf := make([]byte, 100)
	n, err := ra.ReadAt(buf, 4)
	if n != 5 || err != io.EOF || !strings.HasPrefix(string(buf[:n]), "st/>") {
		t.Errorf("%d %v %q", n, err, buf[:n])
	}
}

// TestAttributesInventoried: extended attributes other than those the
// reader uses are listed, once per inode, with their paths; a compressed
// file's header is not.
func TestAttributesInventoried(t *testing.T) {
	files := sample()
	f := files["Example.app/Contents/Info.plist"]
	f.Xattrs = map[string][]byte{"com.example.payload": bytes.Repeat([]byte("p"), 300), "com.apple.ResourceFork": []byte("rsrc")}
	files["Example.app/Contents/Info.plist"] = f
	v := open(t, build(t, BuildSpec{Files: files}))
	got := fmt.Sprint(v.Attributes)
	if len(v.Attributes) != 2 || !strings.Contains(got, "Example.app/Contents/Info.plist com.apple.ResourceFork 4") || !strings.Contains(got, "com.example.payload 300") {
		t.Errorf("attributes %s", got)
	}
}

// TestCompressedNotInlineSkipped: a compressed file whose data is not
// inline in com.apple.decmpfs is listed in Skipped, not read as empty.
func TestCompressedNotInlineSkipped(t *testing.T) {
	v := open(t, build(t, BuildSpec{Files: map[string]BuildFile{"a/packed": {Compressed: true}}}))
	if len(v.Skipped) != 1 || v.Skipped[0].Path != "a/packed" || !strings.Contains(v.Skipped[0].Reason, "resource fork") {
		t.Errorf("skipped %v", v.Skipped)
	}
	if _, err := fs.Stat(v, "a/packed"); err == nil {
		t.Error("listed")
	}
}

// TestMaxInline: compressed files decoded past Options.MaxInline are
// skipped, so that many small zlib bombs cannot fill memory on Open.
func TestMaxInline(t *testing.T) {
	files := map[string]BuildFile{}
	for i := range 4 {
		files[fmt.Sprintf("z%d", i)] = BuildFile{Data: make([]byte, 1<<20), Compressed: true}
	}
	b := build(t, BuildSpec{Files: files})
	v, err := Open(bytes.NewReader(b), int64(len(b)), Options{MaxInline: 3 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Skipped) != 1 || !strings.Contains(v.Skipped[0].Reason, "limit") || len(v.Paths()) != 4 {
		t.Errorf("skipped %v paths %v", v.Skipped, v.Paths())
	}
}
