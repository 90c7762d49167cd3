package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// TestBatchedAsarReadsSameReport checks that reading an app.asar's small
// packed files many at a time (see batches) gives the inventory, and the
// diff's report, byte for byte the JSON that reading each on its own does:
// on thousands of files over several batches, a PE among them, an empty
// file, one too big to batch, one whose bytes differ from its integrity,
// and, in an archive of its own, files without integrity, one far from the
// others and one overlapping another.
func TestBatchedAsarReadsSameReport(t *testing.T) {
	t.Parallel()
	pe, err := pefile.Build(pefile.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	release := func(name string, tamper bool) string {
		files := []electronfix.AsarFile{{Path: "package.json", Data: []byte(`{"name":"app","version":"1.0.0"}`)}}
		for i := range 3000 {
			data := make([]byte, 500+i%1500)
			testpki.NewRand(uint64(i)).Read(data)
			dir := fmt.Sprintf("node_modules/pkg%03d", i/20)
			if i%20 == 0 {
				files = append(files, electronfix.AsarFile{Path: dir + "/package.json", Data: []byte(fmt.Sprintf(`{"name":"pkg%03d","version":"1.0.0"}`, i/20))})
			}
			files = append(files, electronfix.AsarFile{Path: fmt.Sprintf("%s/f%04d.bin", dir, i), Data: data})
		}
		files = append(files,
			electronfix.AsarFile{Path: "node_modules/pkg001/tool.exe", Data: pe},
			electronfix.AsarFile{Path: "node_modules/pkg002/empty.js", Data: nil},
			electronfix.AsarFile{Path: "node_modules/pkg003/big.bin", Data: bytes.Repeat([]byte("big "), batchFile/4+1)},
			electronfix.AsarFile{Path: "node_modules/pkg004/marked.js", Data: []byte("module.exports = 'MARKER-0123456789';\n")})
		arc, _ := electronfix.PackAsar(files)
		if tamper {
			i := bytes.LastIndex(arc, []byte("MARKER-0123456789"))
			arc[i] ^= 0x20
		}
		root := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(filepath.Join(root, "resources"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "resources", "app.asar"), arc, 0o644); err != nil {
			t.Fatal(err)
		}
		return root
	}
	raw := filepath.Join(t.TempDir(), "raw")
	if err := os.MkdirAll(filepath.Join(raw, "resources"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3*batchGap)
	testpki.NewRand(99).Read(data)
	header := fmt.Sprintf(`{"files":{"a.js":{"size":10,"offset":"0"},"b.js":{"size":10,"offset":"%d"},"c.js":{"size":3,"offset":"5"},"d.js":{"size":0,"offset":"20"}}}`, 2*batchGap)
	if err := os.WriteFile(filepath.Join(raw, "resources", "app.asar"), electronfix.PackAsarRaw([]byte(header), data), 0o644); err != nil {
		t.Fatal(err)
	}
	oldDir, newDir := release("old", false), release("new", true)
	sigs := fixtureSignatures(t)
	for _, dir := range []string{newDir, raw} {
		var out [2][]byte
		for k, noBatch := range []bool{true, false} {
			inv, err := Open(dir, Options{Signatures: sigs, noBatch: noBatch})
			if err != nil {
				t.Fatal(err)
			}
			if out[k], err = json.Marshal(inv); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out[0], out[1]) {
			t.Errorf("%s: the inventory's JSON differs when files are read in batches:\n%s\n%s", filepath.Base(dir), out[0], out[1])
		}
		if dir == newDir && !bytes.Contains(out[1], []byte(`"path":"resources/app.asar/node_modules/pkg001/tool.exe"`)) {
			t.Errorf("the inventory lists no binary tool.exe: %s", out[1])
		}
	}
	var out [2][]byte
	for k, noBatch := range []bool{true, false} {
		r, err := DiffReleases(context.Background(), oldDir, newDir, DiffOptions{Inventory: Options{Signatures: sigs, noBatch: noBatch}})
		if err != nil {
			t.Fatal(err)
		}
		if out[k], err = json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Errorf("the diff report's JSON differs when files are read in batches:\n%s\n%s", out[0], out[1])
	}
	if !bytes.Contains(out[1], []byte("marked.js")) {
		t.Errorf("the diff report does not name marked.js: %s", out[1])
	}
}
