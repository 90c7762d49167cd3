package release

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackTarZstdSkippableFirst: a .tar.zst whose stream starts with a
// Zstandard skippable frame (RFC 8878 allows one before any frame) was no
// tarball to shipgate, only a file of unknown kind, and passed unread;
// zstd, GNU tar (by its name) and bsdtar (by its bytes) skip the frame and
// extract the archive. It is opened, its skippable frames reported as data
// no extractor writes; a stream without one is not.
func TestAttackTarZstdSkippableFirst(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "evil.js", Typeflag: tar.TypeReg, Size: 4, Mode: 0o644})
	tw.Write([]byte("EVIL"))
	tw.Close()
	body := zstOf(t, b.Bytes())
	skip := func(n int, data string) []byte {
		h := binary.LittleEndian.AppendUint32(nil, uint32(0x184d2a50+n))
		return append(binary.LittleEndian.AppendUint32(h, uint32(len(data))), data...)
	}
	for _, c := range []struct {
		name string
		b    []byte
		bad  bool
	}{
		{"one skippable frame", append(skip(0, "HIDDEN"), body...), true},
		{"two skippable frames", bytes.Join([][]byte{skip(3, "a"), skip(15, ""), body}, nil), true},
		{"plain", body, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if comp, ok := TarCompression(c.b); !ok || comp != Zstd {
				t.Fatalf("TarCompression = %v, %v", comp, ok)
			}
			names, ps, err := readAll(t, c.b, TarOptions{})
			if err != nil {
				t.Fatal(err)
			}
			bad := oneProblem(ps, ProblemHiddenData, "skippable frames")
			if strings.Join(names, " ") != "evil.js=EVIL" || bad != c.bad || (!c.bad && len(ps) != 0) {
				t.Errorf("entries %q, problems %+v", names, ps)
			}
			bin, err := exec.LookPath("bsdtar")
			if err != nil {
				t.Log("bsdtar not installed: cross-check skipped")
				return
			}
			f := filepath.Join(t.TempDir(), "a.tar.zst")
			os.WriteFile(f, c.b, 0o644)
			if out, err := exec.Command(bin, "-xOf", f).Output(); err != nil || string(out) != "EVIL" {
				t.Errorf("bsdtar -xO: %q, %v", out, err)
			}
		})
	}
	if _, err := OpenTar(bytes.NewReader(skip(0, "x")[:8]), 8, TarOptions{}); err == nil {
		t.Error("a skippable frame running past the file opened")
	}
}
