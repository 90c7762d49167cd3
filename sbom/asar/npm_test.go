package asar

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
)

// asarCLI finds the @electron/asar command line tool, or skips.
func asarCLI(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("asar")
	if err != nil {
		t.Skip("@electron/asar CLI not on PATH (npm install -g @electron/asar): skipping the cross-check")
	}
	if out, err := exec.Command(p, "--version").CombinedOutput(); err != nil {
		t.Skipf("asar CLI does not run: %v: %s", err, out)
	}
	return p
}

// TestCrossCheckAsarCLI lists and extracts an archive made by our writer with
// @electron/asar, and reads an archive @electron/asar packed, comparing both
// with what the Reader sees.
func TestCrossCheckAsarCLI(t *testing.T) {
	cli := asarCLI(t)
	dir := t.TempDir()
	files := []electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"x","version":"1.0.0"}`)},
		{Path: "lib/a.js", Data: []byte("a")},
		{Path: "lib/deep/b.js", Data: bytes.Repeat([]byte("b"), 10000)},
		{Path: "node_modules/@s/p/index.js", Data: []byte("p")},
		{Path: "empty", Data: nil},
	}
	b, _ := electronfix.PackAsar(files)
	name := filepath.Join(dir, "ours.asar")
	os.WriteFile(name, b, 0o644)

	// Their listing of our archive equals ours.
	out, err := exec.Command(cli, "list", name).CombinedOutput()
	if err != nil {
		t.Fatalf("asar list: %v: %s", err, out)
	}
	ar, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listing(ar), cliListing(string(out)); got != want {
		t.Errorf("listing differs:\nours:\n%s\nasar list:\n%s", got, want)
	}
	// Their extraction of our archive gives our bytes.
	ext := filepath.Join(dir, "ext")
	if out, err := exec.Command(cli, "extract", name, ext).CombinedOutput(); err != nil {
		t.Fatalf("asar extract: %v: %s", err, out)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(ext, filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("extracted %s = %d bytes, %v", f.Path, len(got), err)
		}
	}

	// Our reading of their archive (packed from the extracted tree, with an
	// unpacked glob) gives the tree's bytes and verifies their integrity.
	theirs := filepath.Join(dir, "theirs.asar")
	if out, err := exec.Command(cli, "pack", ext, theirs, "--unpack", "*.js").CombinedOutput(); err != nil {
		t.Fatalf("asar pack: %v: %s", err, out)
	}
	ar2, err := Open(theirs)
	if err != nil {
		t.Fatal(err)
	}
	defer ar2.Close()
	if p := ar2.Problems(); len(p) != 0 {
		t.Errorf("problems in asar-packed archive: %v", p)
	}
	for _, f := range files {
		got, err := ar2.ReadFile(f.Path)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("ReadFile(%s) = %d bytes, %v", f.Path, len(got), err)
		}
		if _, err := ar2.VerifyFile(f.Path); err != nil {
			t.Errorf("VerifyFile(%s): %v", f.Path, err)
		}
	}
	e, err := ar2.Entry("lib/a.js")
	if err != nil || !e.Unpacked {
		t.Errorf("lib/a.js should be unpacked: %+v, %v", e, err)
	}
}

func listing(ar *Reader) string {
	var paths []string
	ar.Walk(func(e *Entry) error {
		if e.Path != "." {
			paths = append(paths, "/"+e.Path)
		}
		return nil
	})
	sort.Strings(paths)
	return strings.Join(paths, "\n")
}

func cliListing(out string) string {
	var paths []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		paths = append(paths, strings.ReplaceAll(strings.TrimSpace(l), "\\", "/"))
	}
	sort.Strings(paths)
	return strings.Join(paths, "\n")
}

// TestAsarCLIArchivesHaveNoUnownedData packs trees with @electron/asar so
// that the JSON header takes every length modulo 4, and checks that its
// archives have no unowned data: the header's padding is zero and the
// files' data are back to back to the end.
func TestAsarCLIArchivesHaveNoUnownedData(t *testing.T) {
	cli := asarCLI(t)
	dir := t.TempDir()
	for n := range 4 {
		src := filepath.Join(dir, fmt.Sprint("src", n))
		for p, data := range map[string]string{
			"package.json":                    `{"name":"x"}`,
			"lib/" + strings.Repeat("n", n+1): "x",
			"empty":                           "",
			"big.bin":                         strings.Repeat("b", 70000),
			"native.node":                     "unpacked",
		} {
			full := filepath.Join(src, filepath.FromSlash(p))
			os.MkdirAll(filepath.Dir(full), 0o755)
			if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		name := filepath.Join(dir, fmt.Sprint(n, ".asar"))
		if out, err := exec.Command(cli, "pack", src, name, "--unpack", "*.node").CombinedOutput(); err != nil {
			t.Fatalf("asar pack: %v: %s", err, out)
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		ar, probs := unownedProblems(t, b)
		if len(probs) != 0 {
			t.Errorf("JSON length %d: unowned problems %v", len(ar.Header()), probs)
		}
	}
}
