package hfsplus

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCrossCheck7zStreams: 7-Zip lists a volume's resource forks and
// extended attributes as alternate streams ("file:rsrc", "file:name",
// with -sns): the reader's inventory (Extras, with the tolerated
// attributes) names the same streams with the same sizes.
func TestCrossCheck7zStreams(t *testing.T) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z (7-Zip) not installed: resource forks and attributes are not cross-checked")
	}
	img := build(t, BuildSpec{Files: map[string]BuildFile{
		"a.txt": {Data: []byte("a"), Rsrc: []byte("resource fork payload"), Xattrs: map[string][]byte{
			"com.example.blob": []byte("xattr payload"), "com.example.big": bytes.Repeat([]byte("big"), 2000),
			"com.apple.quarantine": []byte("0081;00000000;Safari;")}},
		"d/b": {Data: []byte("b"), Rsrc: bytes.Repeat([]byte{1}, 10*4096+5)},
	}, Name: "Vol", Fragment: true})
	p := filepath.Join(t.TempDir(), "v.hfs")
	os.WriteFile(p, img, 0o644)
	out, err := exec.Command(sz, "l", "-slt", "-sns", p).CombinedOutput()
	if err != nil {
		t.Fatalf("7z l: %v\n%s", err, out)
	}
	// Alternate streams by "path:stream" (under the volume's folder).
	streams := map[string]int64{}
	var path string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if v, ok := strings.CutPrefix(l, "Path = "); ok {
			path = strings.TrimPrefix(v, "Vol/")
		}
		if v, ok := strings.CutPrefix(l, "Size = "); ok && strings.Contains(path, ":") {
			streams[path], _ = strconv.ParseInt(v, 10, 64)
		}
	}
	v := open(t, img)
	mine := map[string]int64{"a.txt:com.apple.quarantine": 21}
	for _, e := range v.Extras {
		switch e.Kind {
		case ExtraResourceFork:
			mine[e.Path+":rsrc"] = e.Size
		case ExtraAttribute:
			mine[e.Path+":"+e.Name] = e.Size
		}
	}
	if len(streams) != len(mine) {
		t.Errorf("7z lists streams %v, the reader %v", streams, mine)
	}
	for k, n := range mine {
		if streams[k] != n {
			t.Errorf("%s: 7z %d bytes, the reader %d", k, streams[k], n)
		}
	}
}
