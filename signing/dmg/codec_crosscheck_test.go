package dmg

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
)

// TestCrossCheck7zADCLZMA extracts the file system partition of the
// generator's ADC, LZMA and LZFSE (LZVN, v2 blocks) images with 7-Zip, an
// independent UDIF reader (it names 0x80000008 "XZ"), and compares it with
// the volume stored:
// the fixture encoders and this package's decoders agree with it.
// lzfseBlocks chooses the LZFSE image's blocks by subtest: LZVN and v2
// blocks are cross-checked. Raw ("bvx-") blocks are not: 7-Zip's
// DecodeUncompressed never counts down the bytes it copied, so it reads
// on to the end of the chunk and reports a data error on any non-empty
// raw block (see the package doc of internal/lzfse).
var lzfseBlocks = map[string]lzfsetest.Kind{"LZFSE-raw": lzfsetest.Raw, "LZFSE-lzvn": lzfsetest.LZVN, "LZFSE-v2": lzfsetest.V2}

func TestCrossCheck7zADCLZMA(t *testing.T) {
	t.Parallel()
	tool, err := exec.LookPath("7z")
	if err != nil {
		t.Skip("7z is not installed (apt-get install p7zip-full); cross-check skipped")
	}
	vol := volume(200 << 10)
	for _, codec := range []string{"ADC", "XZ", "LZFSE-lzvn", "LZFSE-v2"} {
		t.Run(codec, func(t *testing.T) {
			img, _ := dmgfile.Build(dmgfile.Spec{HFS: vol, ADC: codec == "ADC", LZMA: codec == "XZ", LZFSEChunks: strings.HasPrefix(codec, "LZFSE"), LZFSEBlocks: lzfseBlocks[codec]})
			dir := t.TempDir()
			in := filepath.Join(dir, "in.dmg")
			if err := os.WriteFile(in, img, 0o644); err != nil {
				t.Fatal(err)
			}
			msg, err := exec.Command(tool, "x", "-tdmg", "-o"+filepath.Join(dir, "out"), in).CombinedOutput()
			if err != nil {
				t.Fatalf("7z: %v\n%s", err, msg)
			}
			if !strings.Contains(string(msg), strings.Split(codec, "-")[0]) {
				t.Errorf("7z does not list the %s method:\n%s", codec, msg)
			}
			got, err := os.ReadFile(filepath.Join(dir, "out", "1.hfs"))
			if err != nil || !bytes.Equal(got, vol) {
				t.Fatalf("7z's partition differs from the volume (%v)", err)
			}
			pr, err := openFS(t, img, PartitionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mine := make([]byte, len(vol))
			if _, err := pr.ReadAt(mine, 0); err != nil || !bytes.Equal(mine, got) {
				t.Errorf("this package decodes otherwise than 7z (%v)", err)
			}
		})
	}
}
