package dmg

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
)

// TestCrossCheckDmg2img converts the generator's image with dmg2img, an
// independent UDIF reader (Debian package dmg2img), and compares the raw
// disk it writes with the sectors this package decodes: the block tables,
// chunk offsets and codecs are read the same way by both. dmg2img checks
// no signature, so the signed image must convert like the unsigned one.
func TestCrossCheckDmg2img(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("dmg2img")
	if err != nil {
		t.Skip("dmg2img is not installed (apt-get install dmg2img); cross-check skipped")
	}
	img, lay := dmgfile.Build(dmgfile.Spec{})
	signedImg, _, err := dmgfile.Sign(img, lay, dmgfile.SignSpec(testPKI, "x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"unsigned": img, "signed": signedImg} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in, out := filepath.Join(dir, "in.dmg"), filepath.Join(dir, "out.img")
			if err := os.WriteFile(in, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if msg, err := exec.Command(tool, "-i", in, "-o", out).CombinedOutput(); err != nil {
				t.Fatalf("dmg2img: %v\n%s", err, msg)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			im, err := NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			v := &verifier{im: im, r: bytes.NewReader(b), size: int64(len(b)), budget: 1 << 30, res: &Result{}}
			var want bytes.Buffer
			for i := range im.Partitions {
				if _, err := v.decode(&im.Partitions[i], &want); err != nil {
					t.Fatal(err)
				}
			}
			if len(v.finds) != 0 {
				t.Fatalf("findings decoding: %v", v.finds)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("dmg2img wrote %d bytes, this package decodes %d; first difference at %d", len(got), want.Len(), firstDiff(got, want.Bytes()))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
