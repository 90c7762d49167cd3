package verify

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

// integrityFiles are the files of the asar fixtures of the integrity
// tests: a small file and one of more than one integrity block.
func integrityFiles() []electronfix.AsarFile {
	big := bytes.Repeat([]byte("big block data. "), (electronfix.AsarBlockSize+300<<10)/16)
	return []electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"app","main":"index.js"}`)},
		{Path: "index.js", Data: []byte("require('./lib/evil.js')\n")},
		{Path: "lib/evil.js", Data: []byte("module.exports = 'harmless'\n")},
		{Path: "lib/big.bin", Data: big},
	}
}

// integrityLayouts writes the asar arc alone, in a release folder
// (resources/app.asar) and in a zip of that folder under dir, and returns
// each input by name.
func integrityLayouts(t *testing.T, arc []byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	lone := filepath.Join(dir, "lone", "app.asar")
	writeTree(t, filepath.Join(dir, "lone"), map[string][]byte{"app.asar": arc})
	writeTree(t, filepath.Join(dir, "folder"), map[string][]byte{"resources/app.asar": arc})
	z := filepath.Join(dir, "app.zip")
	if err := os.WriteFile(z, makeZip(t, []zipEntry{{name: "resources/app.asar", data: arc}}), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"alone": lone, "folder": filepath.Join(dir, "folder"), "zip": z}
}

// TestAttackAsarEntryIntegrityVerify: an app.asar whose entry's bytes were
// changed after it was packed, its header's integrity left as it was,
// fails verify with asar/integrity-mismatch on that entry, whether the
// archive is given alone, in a release folder or in a zip, and whether the
// change is in a one-block file or in the second block of a larger one.
// verify used to hash every entry without comparing the header's integrity.
func TestAttackAsarEntryIntegrityVerify(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, entry string
		tamper      func(arc []byte)
	}{
		{"small", "lib/evil.js", func(arc []byte) {
			i := bytes.Index(arc, []byte("'harmless'"))
			copy(arc[i:], "'EVIL!!!!'")
		}},
		{"second block", "lib/big.bin", func(arc []byte) {
			i := bytes.Index(arc, []byte("big block data. "))
			arc[i+electronfix.AsarBlockSize+100] ^= 1
		}},
	} {
		arc := packAsar(integrityFiles())
		tc.tamper(arc)
		for layout, in := range integrityLayouts(t, arc) {
			t.Run(tc.name+"/"+layout, func(t *testing.T) {
				r := run(t, Options{}, in)
				var hits int
				for _, f := range r.Findings {
					if f.Rule != "asar/integrity-mismatch" {
						continue
					}
					if !strings.HasSuffix(f.Path, "app.asar/"+tc.entry) || f.Severity != signing.SeverityError {
						t.Errorf("finding on %s (%s): %s", f.Path, f.Severity, f.Message)
					}
					hits++
				}
				if hits != 1 || r.Summary.Passed {
					t.Errorf("%d asar/integrity-mismatch findings, passed %v; want 1, false: %v", hits, r.Summary.Passed, r.Findings)
				}
			})
		}
	}
}

// wantAsarClean fails t when r has an asar finding or an error, or did
// not pass.
func wantAsarClean(t *testing.T, r *Report) {
	t.Helper()
	for _, f := range r.Findings {
		if strings.HasPrefix(string(f.Rule), "asar/") || f.Severity == signing.SeverityError {
			t.Errorf("finding %s on %s (%s): %s", f.Rule, f.Path, f.Severity, f.Message)
		}
	}
	if !r.Summary.Passed {
		t.Errorf("not passed: %v", r.Findings)
	}
}

// TestAsarEntryIntegrityLegitimate: a packed app.asar whose header's
// integrity matches every entry, one of them larger than a block, has no
// integrity finding and passes, alone, in a folder and in a zip.
func TestAsarEntryIntegrityLegitimate(t *testing.T) {
	t.Parallel()
	arc := packAsar(integrityFiles())
	for layout, in := range integrityLayouts(t, arc) {
		t.Run(layout, func(t *testing.T) {
			wantAsarClean(t, run(t, Options{}, in))
		})
	}
}

// TestAttackAsarEntryIntegrityBlockCount: an entry whose header integrity
// records more blocks than its size needs (its whole-file hash and first
// block right) fails verify with asar/integrity-mismatch, as in sbom,
// rather than being checked against the first block alone.
func TestAttackAsarEntryIntegrityBlockCount(t *testing.T) {
	t.Parallel()
	in := electronfix.Integrity([]byte("alpha"), electronfix.AsarBlockSize)
	hdr := fmt.Sprintf(`{"files":{"a.js":{"size":5,"offset":"0","integrity":{"algorithm":"SHA256","hash":%q,"blockSize":%d,"blocks":[%q,%q]}}}}`,
		in.Hash, in.BlockSize, in.Blocks[0], in.Blocks[0])
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"resources/app.asar": electronfix.PackAsarRaw([]byte(hdr), []byte("alpha"))})
	r := run(t, Options{}, dir)
	for _, f := range r.Findings {
		if f.Rule == "asar/integrity-mismatch" && f.Path == "resources/app.asar/a.js" && !r.Summary.Passed {
			return
		}
	}
	t.Errorf("no asar/integrity-mismatch on resources/app.asar/a.js (passed %v): %v", r.Summary.Passed, r.Findings)
}
