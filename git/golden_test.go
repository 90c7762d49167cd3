package git

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestAuditGolden pins the JSON form of an audit of the history fixture and
// checks that two runs give identical bytes.
func TestAuditGolden(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	run := func(b Backend) []byte {
		res, err := Audit(context.Background(), h.tr.dir, Options{Since: "v1", Backend: b, Now: epoch.Add(30 * 24 * time.Hour),
			Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**", Owners: []string{"alice@example.com"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		res.Backend = ""
		j, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return append(j, '\n')
	}
	got := run(BackendGoGit)
	if again := run(BackendAuto); !bytes.Equal(got, again) {
		t.Fatal("two runs (go-git and auto backends) differ")
	}
	golden := filepath.Join("testdata", "history.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("audit JSON differs from %s (run with -update to rewrite):\n%s", golden, got)
	}
}
