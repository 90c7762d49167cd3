package verify

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestSFXOverlayReadOnce checks that a signed 7-Zip self-extractor whose
// archive follows 3 MiB of padding is read about once: its hashing pass
// feeds the search for NSIS data and for the archive, which walking it as
// a PE with attached data used to repeat (nsis.Find read the whole file
// again to tell it from an NSIS installer).
func TestSFXOverlayReadOnce(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pad := make([]byte, 3<<20)
	testpki.NewRand(2).Read(pad)
	pad = bytes.ReplaceAll(pad, []byte(sevenz.Signature[:2]), []byte("xx"))
	img := append(append([]byte(nil), f.peUnsigned...), pad...)
	img = append(img, sevenz.Build([]sevenz.BuildFile{{Name: "app.exe", Data: f.peValid}})...)
	setup, err := pefile.SignAttach(img, pefile.SignSpec{Signer: f.winLeaf, Certs: []*testpki.Cert{f.winRoot}})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string][]byte{"setup.exe": setup})
	c := countReads(t)
	r := run(t, Options{hooks: c.hooks()}, dir)
	if fi := fileByPath(r, "setup.exe/app.exe"); fi == nil || r.Summary.Errors != 0 {
		t.Fatalf("setup.exe/app.exe: %+v, findings %+v", fi, r.Findings)
	}
	size := int64(len(setup))
	got := c.n[filepath.Join(dir, "setup.exe")]
	t.Logf("read %d bytes of a %d-byte file (%.2fx)", got, size, float64(got)/float64(size))
	// One pass, then the archive (and app.exe in it) once more, and
	// headers.
	if want := size + 2*int64(len(f.peValid)) + 64<<10; got > want {
		t.Errorf("read %d bytes of a %d-byte file, want at most %d", got, size, want)
	}
}
