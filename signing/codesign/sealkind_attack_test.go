package codesign

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"testing"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSealEntryKind: a seal entry was read by what shipgate looked
// at first (a cdhash, else hashes, else a symlink target), not as
// Security's ResourceSeal reads it (nested code when it has a
// requirement, else a symlink when it names a target, else a file by its
// hashes), so entries macOS finds altered passed: a regular file sealed
// with a symlink target beside its right hashes, a Mach-O file sealed by
// its cdhash without a requirement (no nested code to macOS, which then
// finds no hash), a symlink sealed with a requirement (nested code to
// macOS). Each is codesign/resource-modified now; the entries codesign
// writes stay valid, and a cdhash beside right hashes is a file.
func TestAttackSealEntryKind(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	data := []byte("sealed data\n")
	s1, s2 := sha1.Sum(data), sha256.Sum256(data)
	tool, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 88, CodeSize: 5000}), p.DeveloperIDSpec("com.example.tool"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Verify(bytes.NewReader(tool), int64(len(tool)), Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	cdhash, err := hex.DecodeString(tr.Slices[0].CDHashes[len(tr.Slices[0].CDHashes)-1])
	if err != nil {
		t.Fatal(err)
	}
	const req = `identifier "com.example.tool" and anchor apple generic`
	base := map[string]any{
		"Resources/data.txt": map[string]any{"hash": s1[:], "hash2": s2[:]},
		"Resources/link":     map[string]any{"symlink": "data.txt"},
		"Resources/tool":     map[string]any{"cdhash": cdhash, "requirement": req},
	}
	for _, c := range []struct {
		name  string
		entry string
		value map[string]any
		bad   bool
	}{
		{"as codesign writes", "", nil, false},
		{"file with a symlink target", "Resources/data.txt", map[string]any{"hash": s1[:], "hash2": s2[:], "symlink": "data.txt"}, true},
		{"cdhash without requirement", "Resources/tool", map[string]any{"cdhash": cdhash}, true},
		{"symlink with a requirement", "Resources/link", map[string]any{"symlink": "data.txt", "requirement": req}, true},
		{"file with a cdhash beside its hashes", "Resources/data.txt", map[string]any{"hash": s1[:], "hash2": s2[:], "cdhash": cdhash}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := maps.Clone(base)
			if c.entry != "" {
				files[c.entry] = c.value
			}
			seal, err := plist.MarshalIndent(map[string]any{"files": map[string]any{}, "files2": files, "rules": map[string]any{"^Resources/": true}, "rules2": machofile.Rules2}, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			info := machofile.InfoPlist("Example", "com.example.app")
			spec := p.DeveloperIDSpec("com.example.app")
			spec.InfoPlist, spec.CodeResources = info, seal
			exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 89, CodeSize: 6000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			app := "Example.app/Contents/"
			res, err := VerifyBundle(bundleFS(map[string]machofile.BundleFile{
				app + "Info.plist":                   {Data: info},
				app + "MacOS/Example":                {Data: exe, Mode: 0o755},
				app + "Resources/data.txt":           {Data: data},
				app + "Resources/link":               {Link: "data.txt"},
				app + "Resources/tool":               {Data: tool, Mode: 0o755},
				app + "_CodeSignature/CodeResources": {Data: seal},
			}), "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range res.Findings {
				found = found || (f.Rule == RuleResourceModified && f.Path == app+c.entry)
			}
			if found != c.bad || (res.Status() == signing.StatusValid) == c.bad {
				t.Errorf("status %s, resource-modified at the entry %t, want %t\n%s", res.Status(), found, c.bad, dumpBundle(res))
			}
		})
	}
}
