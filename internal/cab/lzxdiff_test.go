package cab

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestLZXFlippedBitsMatchSevenZip: an attacker writes the LZX bits, so
// what the decoder makes of streams no encoder wrote must be what 7-Zip
// makes of them. Cabinets of the test's encoder with a few bits flipped
// are read by both; when both read a file, its bytes must agree. (Either
// may refuse a stream the other reads: 7-Zip refuses nonzero padding bits
// at a frame's end, which shipgate and libmspack skip; no byte of output
// depends on them.)
func TestLZXFlippedBitsMatchSevenZip(t *testing.T) {
	t.Parallel()
	sz, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7-Zip is not installed (apt-get install p7zip-full); the LZX cross-check was skipped")
	}
	rng := rand.New(rand.NewPCG(11, 3))
	dir := t.TempDir()
	cfgs := lzxConfigs()
	var names []string
	for k := range cfgs {
		names = append(names, k)
	}
	slices.Sort(names)
	both := 0
	for iter := range 60 {
		o := cfgs[names[rng.IntN(len(names))]]
		n := 1000 + rng.IntN(80000)
		data := lzxSample(n, uint64(iter))
		files := []BuildFile{{Name: "a", Data: data[:n/2]}, {Name: "b", Data: data[n/2:]}}
		b := Build(files, BuildOptions{Method: MethodLZX, LZXWindow: o.window, Encode: func(all []byte) ([][]byte, []int) {
			fr, sizes := lzxEncode(all, o)
			for k := 1 + rng.IntN(3); k > 0; k-- {
				if i := rng.IntN(len(fr)); len(fr[i]) > 0 {
					fr[i][rng.IntN(len(fr[i]))] ^= 1 << rng.IntN(8)
				}
			}
			return fr, sizes
		}})
		got := map[string][]byte{}
		werr := open(t, b).Walk(func(f *File, r io.Reader) error {
			d, err := io.ReadAll(r)
			got[f.Name] = d
			return err
		})
		f := filepath.Join(dir, "t.cab")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "x")
		os.RemoveAll(out)
		if _, zerr := exec.Command(sz, "x", "-y", "-o"+out, f).CombinedOutput(); werr != nil || zerr != nil {
			continue
		}
		both++
		for _, fl := range files {
			if d, _ := os.ReadFile(filepath.Join(out, fl.Name)); !bytes.Equal(d, got[fl.Name]) {
				t.Errorf("cabinet %d: 7-Zip extracts %s as %d bytes, shipgate as %d, or other bytes", iter, fl.Name, len(d), len(got[fl.Name]))
			}
		}
	}
	if both == 0 {
		t.Fatal("no flipped cabinet was read by both")
	}
}
