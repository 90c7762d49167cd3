package git

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"
)

// TestAuditGeneratedRepoIdenticalSerialParallel audits the generated
// repository (merges, side branches, a vendored directory) with one CPU,
// where the history walk and every per-commit check run serially, and with
// more, where the binary scan runs ahead on several goroutines and git
// rev-list alongside the walk: the reports must be byte-identical, with
// both backends.
func TestAuditGeneratedRepoIdenticalSerialParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 6,000-commit repository")
	}
	dir := generatedRepo(t, checkCommits)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, be := range []Backend{BackendGoGit, BackendGitCLI} {
		opts := Options{Since: bigSince, Until: "master", Backend: be, Now: time.Unix(1800000000, 0),
			Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}}
		var want []byte
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			res, err := Audit(context.Background(), dir, opts)
			if err != nil {
				t.Fatalf("%s, GOMAXPROCS %d: %v", be, procs, err)
			}
			got, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if want == nil {
				if len(res.Commits) < 150 || res.RangeSize < checkCommits/2 {
					t.Fatalf("%s: %d protected commits in a range of %d", be, len(res.Commits), res.RangeSize)
				}
				want = got
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: GOMAXPROCS %d: report differs from GOMAXPROCS 1", be, procs)
			}
		}
	}
}
