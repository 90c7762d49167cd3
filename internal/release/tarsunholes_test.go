package release

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// sunHolesTar is a tarball of one file, f, holding "ABCDEFGH", whose pax
// record SUN.holesdata makes its bytes 2 to 6 a hole.
func sunHolesTar(t *testing.T) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Size: 8, Mode: 0o644, PAXRecords: map[string]string{sunHoles: " 0 2 6 8"}, Format: tar.FormatPAX}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("ABCDEFGH"))
	tw.Close()
	return b.Bytes()
}

// A Solaris sparse map (pax record SUN.holesdata) was reported as a
// record no extractor applies (file/tar-hidden-data), but bsdtar applies
// it: the file it installs has zeros where the one checked has bytes. It
// is file/malformed, saying so.
func TestTarSunHolesdata(t *testing.T) {
	if _, ps := scanTar(t, sunHolesTar(t)); !oneProblem(ps, ProblemMalformed, "bsdtar writes zeros over the holes") {
		t.Errorf("problems %+v", ps)
	}
}

// bsdtar writes zeros over the holes a SUN.holesdata record names.
func TestTarSunHolesdataBsdtar(t *testing.T) {
	bsdtar, err := exec.LookPath("bsdtar")
	if err != nil {
		t.Skip("bsdtar not installed: SUN.holesdata is not checked against libarchive")
	}
	dir := t.TempDir()
	in := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(in, sunHolesTar(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bsdtar, "-xf", in)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bsdtar: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "AB\x00\x00\x00\x00GH" {
		t.Errorf("bsdtar wrote %q (%v)", b, err)
	}
}
