package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// linkWithBody returns a pax tarball of run.sh and a hard link to it whose
// header declares size bytes and is followed by body: archive/tar reads no
// data for a hard link and takes body as the entries that follow, while
// bsdtar (libarchive, the tar of macOS) takes it as the link's data and
// writes it into the file both names share.
func linkWithBody(t *testing.T, body []byte, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	good := []byte("#!/bin/sh\necho hello\n")
	if err := tw.WriteHeader(&tar.Header{Name: "run.sh", Typeflag: tar.TypeReg, Size: int64(len(good)), Mode: 0o755, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	tw.Write(good)
	if err := tw.WriteHeader(&tar.Header{Name: "run2.sh", Typeflag: tar.TypeLink, Linkname: "run.sh", Mode: 0o755, Format: tar.FormatPAX, PAXRecords: map[string]string{"path": "run2.sh"}}); err != nil {
		t.Fatal(err)
	}
	tw.Flush()
	raw := b.Bytes()
	h := raw[len(raw)-512:]
	copy(h[124:136], fmt.Sprintf("%011o\x00", size))
	reseal(h)
	raw = append(raw, body...)
	return append(raw, make([]byte, 1024)...)
}

// TestAttackTarHardLinkWithBody: a hard link entry of a pax archive
// declaring a size, followed by that many bytes that form a tar entry
// ("notes.txt"), was read by archive/tar as the link and then notes.txt,
// run.sh keeping the bytes checked; bsdtar extracts the bytes as the
// link's data, writing them over run.sh. The archive is malformed; a hard
// link of size zero is not.
func TestAttackTarHardLinkWithBody(t *testing.T) {
	payload := []byte("#!/bin/sh\necho pwned\n")
	body := tarOf(t, member{name: "notes.txt", body: string(payload)})
	body = body[:len(body)-1024] // the entry without its end marker
	for _, c := range []struct {
		name string
		b    []byte
		bad  bool
	}{
		{"link with a body", linkWithBody(t, body, len(body)), true},
		{"link without one", linkWithBody(t, nil, 0), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, ps := scanTar(t, c.b)
			got := oneProblem(ps, ProblemMalformed, "hard link")
			if got != c.bad || (!c.bad && len(ps) != 0) {
				t.Errorf("problems %+v", ps)
			}
			bsdtarRunSh(t, c.b, c.bad)
		})
	}
}

// bsdtarRunSh extracts b with bsdtar, when installed, and checks whether
// run.sh came out changed.
func bsdtarRunSh(t *testing.T, b []byte, changed bool) {
	t.Helper()
	bin, err := exec.LookPath("bsdtar")
	if err != nil {
		t.Log("bsdtar not installed: extraction not cross-checked")
		return
	}
	dir := t.TempDir()
	tarball := filepath.Join(dir, "a.tar")
	if err := os.WriteFile(tarball, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	if msg, err := exec.Command(bin, "-xf", tarball, "-C", out).CombinedOutput(); err != nil {
		t.Fatalf("bsdtar: %v: %s", err, msg)
	}
	got, err := os.ReadFile(filepath.Join(out, "run.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if isGood := string(got) == "#!/bin/sh\necho hello\n"; isGood == changed {
		t.Errorf("bsdtar extracted run.sh as %q", got)
	}
}
