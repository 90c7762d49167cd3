package verify

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
)

// unpackedLayouts writes the asar arc with the unpacked files files in a
// release folder and in a zip of it, and returns each input by name.
func unpackedLayouts(t *testing.T, arc []byte, files map[string][]byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	tree := map[string][]byte{"resources/app.asar": arc}
	var ents []zipEntry
	for p, b := range files {
		tree["resources/app.asar.unpacked/"+p] = b
	}
	for p, b := range tree {
		ents = append(ents, zipEntry{name: p, data: b})
	}
	writeTree(t, filepath.Join(dir, "folder"), tree)
	z := filepath.Join(dir, "app.zip")
	if err := os.WriteFile(z, makeZip(t, ents), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"folder": filepath.Join(dir, "folder"), "zip": z}
}

// unpackedFiles are the files of the unpacked integrity fixtures: a small
// native module and one larger than an integrity block.
func unpackedFiles() []electronfix.AsarFile {
	big := bytes.Repeat([]byte("big native data "), (electronfix.AsarBlockSize+300<<10)/16)
	return []electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name":"app","main":"index.js"}`)},
		{Path: "native/x.node", Data: []byte("native module bytes"), Unpacked: true},
		{Path: "native/big.node", Data: big, Unpacked: true},
	}
}

// TestAttackAsarUnpackedIntegrity: a file of app.asar.unpacked whose bytes
// differ from the integrity app.asar's header records for it fails verify
// with asar/integrity-mismatch on its report path, and one the header
// lists that is missing fails with file/unreadable (as sbom reports both),
// in a release folder and in a zip. verify used to check the unpacked
// files as ordinary files only, so a swapped native module passed.
func TestAttackAsarUnpackedIntegrity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, entry string
		rule        signing.Rule
		change      func(files map[string][]byte)
	}{
		{"small", "native/x.node", "asar/integrity-mismatch", func(f map[string][]byte) { f["native/x.node"] = []byte("native module EVIL!") }},
		{"second block", "native/big.node", "asar/integrity-mismatch", func(f map[string][]byte) {
			b := bytes.Clone(f["native/big.node"])
			b[electronfix.AsarBlockSize+100] ^= 1
			f["native/big.node"] = b
		}},
		{"missing", "native/x.node", ruleUnreadable, func(f map[string][]byte) { delete(f, "native/x.node") }},
	} {
		arc, files := electronfix.PackAsar(unpackedFiles())
		tc.change(files)
		for layout, in := range unpackedLayouts(t, arc, files) {
			t.Run(tc.name+"/"+layout, func(t *testing.T) {
				r := run(t, Options{}, in)
				want := "resources/app.asar.unpacked/" + tc.entry
				var hits int
				for _, f := range r.Findings {
					if f.Rule == tc.rule && f.Path == want && f.Severity == signing.SeverityError {
						hits++
					}
				}
				if hits != 1 || r.Summary.Passed {
					t.Errorf("%d %s findings on %s, passed %v; want 1, false: %v", hits, tc.rule, want, r.Summary.Passed, r.Findings)
				}
			})
		}
	}
}

// TestAsarUnpackedIntegrityLegitimate: unpacked files that match the
// header's integrity, one larger than a block, have no finding and pass.
func TestAsarUnpackedIntegrityLegitimate(t *testing.T) {
	t.Parallel()
	arc, files := electronfix.PackAsar(unpackedFiles())
	for layout, in := range unpackedLayouts(t, arc, files) {
		t.Run(layout, func(t *testing.T) {
			wantAsarClean(t, run(t, Options{}, in))
		})
	}
}

// TestAttackLoneAsarUnpackedIntegrity: an app.asar given on its own is
// checked with its sibling app.asar.unpacked as its entries; an unpacked
// entry whose bytes differ from the header's integrity (a small file, or
// the second block of a large one) fails with asar/integrity-mismatch on
// the entry's path, and matching ones stay clean.
func TestAttackLoneAsarUnpackedIntegrity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, entry string
		change      func(files map[string][]byte)
	}{
		{"legitimate", "", func(map[string][]byte) {}},
		{"small", "native/x.node", func(f map[string][]byte) { f["native/x.node"] = []byte("native module EVIL!") }},
		{"second block", "native/big.node", func(f map[string][]byte) {
			b := bytes.Clone(f["native/big.node"])
			b[electronfix.AsarBlockSize+100] ^= 1
			f["native/big.node"] = b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arc, files := electronfix.PackAsar(unpackedFiles())
			tc.change(files)
			dir := t.TempDir()
			tree := map[string][]byte{"app.asar": arc}
			for p, b := range files {
				tree["app.asar.unpacked/"+p] = b
			}
			writeTree(t, dir, tree)
			r := run(t, Options{}, filepath.Join(dir, "app.asar"))
			var hits []string
			for _, f := range r.Findings {
				if f.Rule == "asar/integrity-mismatch" {
					hits = append(hits, f.Path)
				}
			}
			switch {
			case tc.entry == "" && (len(hits) != 0 || !r.Summary.Passed):
				t.Errorf("legitimate unpacked files: mismatches %v, findings %v", hits, r.Findings)
			case tc.entry != "" && (len(hits) != 1 || !strings.HasSuffix(hits[0], "/"+tc.entry) || r.Summary.Passed):
				t.Errorf("mismatches %v, passed %v; want one on %s", hits, r.Summary.Passed, tc.entry)
			}
		})
	}
}
