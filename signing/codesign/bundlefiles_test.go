package codesign

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/machofile"
)

// knownSums is a BundleFiles that knows some digests and records what it
// was asked.
type knownSums struct {
	sums  map[string][]byte
	asked []string
}

func (k *knownSums) SHA256(p string) ([]byte, bool) {
	k.asked = append(k.asked, p)
	s, ok := k.sums[p]
	return s, ok
}

// TestBundleFiles checks that VerifyBundle takes sealed files' digests from
// Options.Files instead of hashing them, and hashes the files Files does
// not know.
func TestBundleFiles(t *testing.T) {
	t.Parallel()
	app := "Example.app"
	res := app + "/Contents/Resources/app.txt"
	base := machofile.ExampleBundle(machofile.NewPKI())
	sum := sha256.Sum256(base[res].Data)
	opts := Options{Trust: testTrust(t), Time: checkTime}

	cases := []struct {
		name     string
		sums     map[string][]byte
		modified bool
	}{
		// The digest given is the file's: the seal holds.
		{"known", map[string][]byte{res: sum[:]}, false},
		// The digest given is what is judged, not the file: a caller's
		// digest of other bytes is a changed resource.
		{"known-other", map[string][]byte{res: make([]byte, 32)}, true},
		// Unknown: VerifyBundle hashes the file itself.
		{"unknown", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := &knownSums{sums: c.sums}
			o := opts
			o.Files = k
			r, err := VerifyBundle(bundleFS(base), app, o)
			if err != nil {
				t.Fatal(err)
			}
			modified := false
			for _, f := range r.Findings {
				if f.Rule == RuleResourceModified && f.Path == res {
					modified = true
				}
			}
			if modified != c.modified {
				t.Errorf("resource-modified %v, want %v\n%s", modified, c.modified, dumpBundle(r))
			}
			asked := strings.Join(k.asked, ",")
			if !strings.Contains(asked, res) {
				t.Errorf("Files was asked for %s, not %s", asked, res)
			}
			// Mach-O files sealed by hash2 (addon.node) are hashed by
			// their own verification: Files is not asked for them.
			if strings.Contains(asked, "addon.node") {
				t.Errorf("Files was asked for a Mach-O item: %s", asked)
			}
		})
	}
}

// TestBundleItemDigest checks each item's size and SHA-256, and Malformed.
func TestBundleItemDigest(t *testing.T) {
	t.Parallel()
	app := "Example.app"
	base := machofile.ExampleBundle(machofile.NewPKI())
	m := bundleFS(base)
	// A Mach-O file whose header does not parse: cut after 64 bytes, its
	// load commands run past its end.
	bad := append([]byte(nil), base[app+"/Contents/Resources/addon.node"].Data[:64]...)
	m[app+"/Contents/Resources/bad.node"] = &fstest.MapFile{Data: bad, Mode: 0o755}
	r, err := VerifyBundle(m, app, Options{Trust: testTrust(t), Time: checkTime})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, it := range r.Items {
		if it.Result == nil {
			t.Errorf("%s: %s", it.Path, it.Err)
			continue
		}
		data := m[it.Path].Data
		sum := sha256.Sum256(data)
		if it.Size != int64(len(data)) || it.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: size %d sha256 %s, want %d %x", it.Path, it.Size, it.SHA256, len(data), sum)
		}
		if want := strings.HasSuffix(it.Path, "bad.node"); it.Malformed != want {
			t.Errorf("%s: malformed %v, want %v", it.Path, it.Malformed, want)
		}
		seen++
	}
	if seen != 5 {
		t.Errorf("%d items, want 5\n%s", seen, dumpBundle(r))
	}
}
