package cab

import (
	"bytes"
	"compress/flate"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttackMSZIPHiddenBlock: an MSZIP block whose deflate stream is
// followed by a second "CK" and stream (the harmful next block), or whose
// stream has no final block, read as its declared bytes and passed, while
// cabextract decodes the hidden stream as the next block's data (shown
// when it is installed): the file extracted was not the file checked.
// Both are a FormatError now; the same cabinet without the hidden bytes
// reads.
func TestAttackMSZIPHiddenBlock(t *testing.T) {
	t.Parallel()
	a1 := bytes.Repeat([]byte("benign first frame "), 2000)[:maxBlockUncomp]
	a2, b2 := []byte("benign second block\n"), []byte("HARMFUL second block\n")[:20]
	build := func(first func() []byte) []byte {
		return Build([]BuildFile{{Name: "app.txt", Data: append(append([]byte{}, a1...), a2...)}}, BuildOptions{Method: MethodMSZIP,
			Encode: func([]byte) ([][]byte, []int) {
				return [][]byte{first(), mszipBlock(a2, a1)}, []int{len(a1), len(a2)}
			}})
	}
	read := func(b []byte) ([]byte, error) {
		c, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, err
		}
		return fs.ReadFile(c, "app.txt")
	}
	if got, err := read(build(func() []byte { return mszipBlock(a1, nil) })); err != nil || !bytes.Equal(got, append(append([]byte{}, a1...), a2...)) {
		t.Fatalf("clean cabinet: %d bytes, %v", len(got), err)
	}
	hidden := build(func() []byte { return append(mszipBlock(a1, nil), mszipBlock(b2, a1)...) })
	noFinal := build(func() []byte {
		var b bytes.Buffer
		b.WriteString("CK")
		w, _ := flate.NewWriter(&b, flate.BestSpeed)
		w.Write(a1)
		w.Flush() // a sync flush: no block with BFINAL
		return b.Bytes()
	})
	for name, c := range map[string]struct {
		cab  []byte
		want string
	}{"hidden": {hidden, "after its deflate stream's final block"}, "no final block": {noFinal, "no final block"}} {
		_, err := read(c.cab)
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a FormatError saying %q", name, err, c.want)
		}
	}
	ce, err := exec.LookPath("cabextract")
	if err != nil {
		t.Skip("cabextract is not installed; what it extracts from the hidden block was not shown")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "hidden.cab")
	os.WriteFile(in, hidden, 0o644)
	if out, err := exec.Command(ce, "-q", "-d", dir, in).CombinedOutput(); err != nil {
		t.Fatalf("cabextract: %v: %s", err, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "app.txt")); !bytes.HasSuffix(got, b2) {
		t.Logf("cabextract no longer decodes the hidden stream (ends %q)", got[max(0, len(got)-20):])
	}
}
