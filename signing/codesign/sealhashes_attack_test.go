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

// TestAttackWrongHashBesideHash2: a files2 entry whose SHA-1 "hash" does
// not match the file passed when its SHA-256 "hash2" did, since only
// hash2 was read. SecStaticCode::validateResource hashes the file with
// every hash type of the signature's CodeDirectories and checks each
// against the seal's hash of that type (ResourceSeal::hash: "hash" for
// SHA-1, "hash2" for SHA-256), so a main executable with a SHA-1
// CodeDirectory beside its SHA-256 one (what codesign writes for older
// deployment targets) makes macOS reject the file whatever hash2 says.
// With a SHA-256 directory only, macOS never reads "hash", and the bundle
// stays valid; an entry without the hash a directory needs (hash2 only,
// under a SHA-1 directory) is rejected too.
func TestAttackWrongHashBesideHash2(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	res := []byte("a resource sealed by two hashes\n")
	s1, s2 := sha1.Sum(res), sha256.Sum256(res)
	bad1 := sha1.Sum([]byte("another file\n"))
	bad2 := sha256.Sum256([]byte("another file\n"))
	both := []uint8{machofile.HashSHA1, machofile.HashSHA256}
	for _, c := range []struct {
		name   string
		hashes []uint8
		entry  map[string]any
		status signing.Status
	}{
		{"wrong hash, both directories", both, map[string]any{"hash": bad1[:], "hash2": s2[:]}, signing.StatusInvalid},
		{"wrong hash2, both directories", both, map[string]any{"hash": s1[:], "hash2": bad2[:]}, signing.StatusInvalid},
		{"wrong hash, sha256 directory", []uint8{machofile.HashSHA256}, map[string]any{"hash": bad1[:], "hash2": s2[:]}, signing.StatusValid},
		{"wrong hash, sha1 directory", []uint8{machofile.HashSHA1}, map[string]any{"hash": bad1[:], "hash2": s2[:]}, signing.StatusInvalid},
		{"hash2 only, sha1 directory", []uint8{machofile.HashSHA1}, map[string]any{"hash2": s2[:]}, signing.StatusInvalid},
		{"hash not data, both directories", both, map[string]any{"hash": "x", "hash2": s2[:]}, signing.StatusInvalid},
		{"both right, both directories", both, map[string]any{"hash": s1[:], "hash2": s2[:]}, signing.StatusValid},
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
			exe, _, err := machofile.Sign(machofile.Build(machofile.Spec{Seed: 86, CodeSize: 6000}), spec)
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
			if r.Status() != c.status {
				t.Fatalf("status %s, want %s\n%s", r.Status(), c.status, dumpBundle(r))
			}
			if c.status == signing.StatusValid {
				return
			}
			for _, f := range r.Findings {
				if f.Path == app+"Resources/data.txt" && f.Severity == signing.SeverityError && strings.Contains(f.Message, "data.txt") {
					return
				}
			}
			t.Errorf("no error names Resources/data.txt\n%s", dumpBundle(r))
		})
	}
}
