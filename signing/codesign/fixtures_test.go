package codesign

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/signing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtureDir = "../../testdata/codesign"

// TestCommittedFixtures checks that the committed fixtures are what the
// generator makes (go run ./testdata/codesign/gen rewrites them) and
// verifies them from disk through Open.
func TestCommittedFixtures(t *testing.T) {
	t.Parallel()
	trust, err := signing.NewTrustStore(signing.TrustStoreOptions{PEMFiles: []string{filepath.Join(fixtureDir, "test-root.pem")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range machofile.Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			path := filepath.Join(fixtureDir, f.Name)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, f.Data) {
				t.Fatalf("%s differs from the generator's output: run go run ./testdata/codesign/gen", path)
			}
			r, err := Open(path, Options{Trust: trust, Time: checkTime})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(statusesOf(r), ","); got != strings.Join(f.Want, ",") {
				t.Errorf("statuses %s, want %v", got, f.Want)
			}
			golden(t, filepath.Join("testdata", "golden", strings.TrimSuffix(f.Name, ".macho")+".json"), r)
		})
	}
	t.Run("Example.app", func(t *testing.T) {
		res, err := VerifyBundle(os.DirFS(fixtureDir), "Example.app", Options{Trust: trust, Time: checkTime})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 4 || len(res.Findings) != 0 {
			t.Errorf("Example.app: %d items, findings %v\n%s", len(res.Items), res.Findings, dumpBundle(res))
		}
		for _, it := range res.Items {
			if it.Path == "Example.app/Contents/Resources/addon.node" {
				continue
			}
			if it.Result.Status() != signing.StatusValid {
				t.Errorf("%s: %s", it.Path, it.Result.Status())
			}
		}
		golden(t, filepath.Join("testdata", "golden", "Example.app.json"), res)
	})
}

// golden compares v's JSON with a golden file; -update rewrites it.
func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n%s", path, got)
	}
}
