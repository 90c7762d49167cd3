package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sparse1Tar returns a tarball holding a GNU sparse 1.0 entry "f" (its
// segments "hello" at 0 and "world" at 100000) and then a file
// "after.txt", with the offset of the map's block and of its data's end.
func sparse1Tar(t testing.TB) (b []byte, mapAt, dataEnd int) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// archive/tar writes no GNU.sparse record: the pax header is written
	// as a file whose type is then set to 'x'.
	var recs string
	for _, kv := range [][2]string{{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"}, {"GNU.sparse.name", "f"}, {"GNU.sparse.realsize", "100005"}} {
		r := " " + kv[0] + "=" + kv[1] + "\n"
		n := len(r) + 2
		recs += fmt.Sprint(n) + r
	}
	if err := tw.WriteHeader(&tar.Header{Name: "PaxHeaders.0/f", Mode: 0o644, Size: int64(len(recs)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(recs))
	tw.Flush()
	buf.Bytes()[156] = tar.TypeXHeader
	reseal(buf.Bytes())
	m := make([]byte, 512)
	copy(m, "2\n0\n5\n100000\n5\n")
	data := append(m, "helloworld"...)
	if err := tw.WriteHeader(&tar.Header{Name: "GNUSparseFile.0/f", Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	mapAt = buf.Len()
	tw.Write(data)
	tw.Flush()
	dataEnd = mapAt + len(data)
	if err := tw.WriteHeader(&tar.Header{Name: "after.txt", Mode: 0o644, Size: 2, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("ok"))
	tw.Close()
	return buf.Bytes(), mapAt, dataEnd
}

// readAllTar reads every entry of b (gzip'd when compress) and returns
// the names with their content's length, and the problems.
func readAllTar(t testing.TB, b []byte, compress bool) (string, []Problem) {
	t.Helper()
	if compress {
		b = gz(t, b)
	}
	tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for {
		e, err := tr.Next()
		if err != nil {
			break
		}
		if e == nil {
			continue
		}
		n := int64(0)
		if e.Source != nil {
			r, err := e.Source.Open()
			if err != nil {
				t.Fatal(err)
			}
			n, _ = io.Copy(io.Discard, r)
		}
		names = append(names, fmt.Sprintf("%s:%d", e.Name, n))
	}
	return strings.Join(names, ","), tr.Problems()
}

// scanTar reads every entry header of b and returns how many Next
// returned without an error, and the problems.
func scanTar(t testing.TB, b []byte) (int, []Problem) {
	t.Helper()
	tr, err := OpenTar(bytes.NewReader(b), int64(len(b)), TarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := tr.Next(); err == nil; _, err = tr.Next() {
		n++
	}
	return n, tr.Problems()
}

// checkTarRead reads b as readAllTar does and fails t unless its entries
// are names and it has no problem (want "") or one hidden-data problem
// whose message holds want.
func checkTarRead(t testing.TB, b []byte, compress bool, names, want string) {
	t.Helper()
	got, ps := readAllTar(t, b, compress)
	if got != names {
		t.Errorf("entries %s", got)
	}
	if want == "" {
		if len(ps) != 0 {
			t.Errorf("problems %+v", ps)
		}
		return
	}
	if len(ps) != 1 || ps[0].Kind != ProblemHiddenData || !strings.Contains(ps[0].Message, want) {
		t.Errorf("problems %+v, want one hidden-data problem saying %s", ps, want)
	}
}

// TestAttackTarSparseMapPadding: a GNU sparse 1.0 entry's map is text
// padded to a 512-byte block; archive/tar, GNU tar and bsdtar read up to
// its last number and ignore the rest of the block, and no one checked
// the padding after a sparse entry's data: up to ~500 bytes hidden in
// each. Both are reported now, in plain and gzip'd tarballs; the same
// entry with zero padding has no problem.
func TestAttackTarSparseMapPadding(t *testing.T) {
	for _, c := range []struct {
		name string
		at   func(mapAt, dataEnd int) int
		want string
	}{
		{"clean", nil, ""},
		{"map padding", func(m, _ int) int { return m + 400 }, "sparse 1.0 map holds non-zero bytes"},
		{"map padding last byte", func(m, _ int) int { return m + 511 }, "sparse 1.0 map holds non-zero bytes"},
		{"data padding", func(_, d int) int { return d + 7 }, "padding after tar entry 0's data"},
	} {
		for _, compress := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/%v", c.name, compress), func(t *testing.T) {
				b, mapAt, dataEnd := sparse1Tar(t)
				if c.at != nil {
					b[c.at(mapAt, dataEnd)] = 'X'
				}
				checkTarRead(t, b, compress, "f:100005,after.txt:2", c.want)
			})
		}
	}
}

// TestTarSparseGNUTar: the sparse files GNU tar writes (tar --sparse
// --posix, in each sparse version, and the old GNU format) have zero map
// and data padding: no problem, and the file reads back whole (skipped
// when GNU tar is not installed).
func TestTarSparseGNUTar(t *testing.T) {
	bin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("tar not installed")
	}
	if out, err := exec.Command(bin, "--version").Output(); err != nil || !bytes.Contains(out, []byte("GNU tar")) {
		t.Skip("tar is not GNU tar")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(src, "f"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		at int64
		s  string
	}{{0, "hello"}, {600000, "world"}, {2000000, "end"}} {
		f.WriteAt([]byte(w.s), w.at)
	}
	for k := int64(1); k <= 12; k++ { // more segments than an old GNU header holds
		f.WriteAt([]byte("x"), 1000000+k*50000)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(src, "z.txt"), []byte("after"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--posix"}, {"--posix", "--sparse-version=1.0"}, {"--posix", "--sparse-version=0.1"}, {"--posix", "--sparse-version=0.0"}, {"--format=gnu"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := filepath.Join(dir, "a.tar")
			cmd := append([]string{"--sparse", "-cf", out, "-C", src}, args...)
			if msg, err := exec.Command(bin, append(cmd, "f", "z.txt")...).CombinedOutput(); err != nil {
				t.Skipf("tar %v: %v: %s", cmd, err, msg)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte("GNU.sparse")) && args[0] != "--format=gnu" {
				t.Skip("GNU tar wrote no sparse entry")
			}
			for _, compress := range []bool{false, true} {
				names, ps := readAllTar(t, b, compress)
				if names != "f:2000003,z.txt:5" {
					t.Errorf("compress %v: entries %s", compress, names)
				}
				if len(ps) != 0 {
					t.Errorf("compress %v: problems %+v", compress, ps)
				}
			}
			// A byte set in the padding before z.txt's headers (GNU tar
			// stores "end", 3 bytes, last) is reported.
			if args[0] == "--format=gnu" { // f's first extension block's unused bytes
				bad := bytes.Clone(b)
				bad[512+505] = 'X'
				if _, ps := readAllTar(t, bad, false); len(ps) != 1 || !strings.Contains(ps[0].Message, "sparse extension header") {
					t.Errorf("extension block byte set: problems %+v", ps)
				}
			}
			z := bytes.Index(b, []byte("z.txt\x00"))
			if args[0] == "--posix" {
				z = bytes.LastIndex(b[:z], []byte("PaxHeaders"))
			}
			z = z / 512 * 512
			bad := bytes.Clone(b)
			bad[z-1] = 'X'
			for _, compress := range []bool{false, true} {
				_, ps := readAllTar(t, bad, compress)
				if len(ps) != 1 || !strings.Contains(ps[0].Message, "padding after tar entry") {
					t.Errorf("compress %v: byte %d set: problems %+v", compress, z-1, ps)
				}
			}
		})
	}
}
