package release

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackTarUnknownTypeContent: an entry of a type no standard defines
// ('Z', 'q', '8') was reported as a device or pipe with no file to check,
// while GNU tar ("Unknown file type, extracted as normal file") and bsdtar
// write its data as a regular file: its bytes reached the disk unchecked
// (a blocklisted binary, a script). It is a file now, checked, and still
// reported; the vendor types the tools disagree on ('A', 'V')
// stay special entries.
func TestAttackTarUnknownTypeContent(t *testing.T) {
	for _, c := range []struct {
		flag byte
		file bool
	}{{'Z', true}, {'q', true}, {'8', true}, {'A', false}, {'V', false}} {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		tw.WriteHeader(&tar.Header{Name: "run.sh", Typeflag: tar.TypeReg, Size: 4, Mode: 0o755, Format: tar.FormatUSTAR})
		tw.Write([]byte("EVIL"))
		tw.WriteHeader(&tar.Header{Name: "ok.txt", Typeflag: tar.TypeReg, Size: 2, Mode: 0o644, Format: tar.FormatUSTAR})
		tw.Write([]byte("ok"))
		tw.Close()
		raw := b.Bytes()
		raw[156] = c.flag
		reseal(raw)
		for _, compress := range []bool{false, true} {
			data := raw
			if compress {
				data = gz(t, raw)
			}
			got, ps, err := readAll(t, data, TarOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := "run.sh tar type '" + string(c.flag) + "'|ok.txt=ok"
			if c.file {
				want = "run.sh=EVIL|ok.txt=ok"
			}
			bad := oneProblem(ps, ProblemMalformed, "extract as a regular file")
			if strings.Join(got, "|") != want || bad != c.file || (!c.file && len(ps) != 0) {
				t.Errorf("type %q, compressed %v: entries %q, problems %+v", c.flag, compress, got, ps)
			}
		}
		if !c.file {
			continue
		}
		dir := t.TempDir()
		f := filepath.Join(dir, "a.tar")
		os.WriteFile(f, raw, 0o644)
		for _, tool := range []string{"tar", "bsdtar"} {
			bin, err := exec.LookPath(tool)
			if err != nil {
				t.Logf("%s not installed: cross-check skipped", tool)
				continue
			}
			out := filepath.Join(dir, tool)
			os.Mkdir(out, 0o755)
			exec.Command(bin, "-xf", f, "-C", out).Run()
			if b, err := os.ReadFile(filepath.Join(out, "run.sh")); err != nil || string(b) != "EVIL" {
				t.Errorf("type %q: %s extracted run.sh as %q, %v", c.flag, tool, b, err)
			}
		}
	}
}
