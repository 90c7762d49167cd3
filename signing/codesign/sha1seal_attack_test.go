package codesign

import (
	"crypto/sha1"
	"crypto/sha256"
	"strings"
	"testing"
	"testing/fstest"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackSHA1OnlyFiles2Entry: a files2 entry holding only a SHA-1 hash
// (no hash2) was checked with SHA-1 and passed without a finding.
// Security's ResourceSeal::hash falls back to "hash" when the hash of a
// CodeDirectory's type is missing, and validateResource checks every
// CodeDirectory hash type: with a SHA-256 CodeDirectory macOS compares a
// SHA-256 digest with the 20-byte SHA-1 and rejects the bundle (an error);
// with SHA-1 directories only, SHA-1 binds the file, which a chosen-prefix
// collision defeats (a warning). Both name the file. An entry with hash2
// stays clean.
func TestAttackSHA1OnlyFiles2Entry(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	res := []byte("a resource sealed by SHA-1 only\n")
	s1, s2 := sha1.Sum(res), sha256.Sum256(res)
	for _, c := range []struct {
		name   string
		hashes []uint8
		entry  map[string]any
		sev    signing.Severity
		find   bool // a finding is expected
		status signing.Status
	}{
		{"sha256 directory", []uint8{machofile.HashSHA256}, map[string]any{"hash": s1[:]}, signing.SeverityError, true, signing.StatusInvalid},
		{"sha1 directory", []uint8{machofile.HashSHA1}, map[string]any{"hash": s1[:]}, signing.SeverityWarning, true, signing.StatusValid},
		{"hash2 present", []uint8{machofile.HashSHA256}, map[string]any{"hash": s1[:], "hash2": s2[:]}, 0, false, signing.StatusValid},
	} {
		t.Run(c.name, func(t *testing.T) {
			seal, err := plist.MarshalIndent(map[string]any{
				"files":  map[string]any{"Resources/data.txt": s1[:]},
				"files2": map[string]any{"Resources/data.txt": c.entry},
				"rules":  map[string]any{"^.*": true}, "rules2": machofile.Rules2,
			}, plist.XMLFormat, "\t")
			if err != nil {
				t.Fatal(err)
			}
			info := machofile.InfoPlist("Example", "com.example.app")
			spec := p.DeveloperIDSpec("com.example.app")
			spec.InfoPlist, spec.CodeResources, spec.HashTypes = info, seal, c.hashes
			exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 85, CodeSize: 6000}), spec)
			if err != nil {
				t.Fatal(err)
			}
			app := "Example.app/Contents/"
			m := fstest.MapFS{
				app + "Info.plist":                   {Data: info},
				app + "MacOS/Example":                {Data: exe, Mode: 0o755},
				app + "Resources/data.txt":           {Data: res},
				app + "_CodeSignature/CodeResources": {Data: seal},
			}
			r, err := VerifyBundle(m, "Example.app", Options{Trust: testTrust(t), Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			var got signing.Severity
			found := false
			for _, f := range r.Findings {
				if f.Rule == RuleMalformed && strings.Contains(f.Message, "SHA-1 only") && f.Path == app+"Resources/data.txt" {
					got, found = f.Severity, true
				}
			}
			if found != c.find || got != c.sev || r.Status() != c.status {
				t.Errorf("finding %v severity %v status %s, want %v %v %s\n%s", found, got, r.Status(), c.find, c.sev, c.status, dumpBundle(r))
			}
		})
	}
}
