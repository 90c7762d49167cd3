package git

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// forgeGraph writes a commit-graph for tr with git and passes its bytes and
// the graph parsed from them to edit, then writes the edited file back.
func forgeGraph(t *testing.T, tr *testRepo, edit func(b []byte, g *commitGraph)) {
	t.Helper()
	runGit(t, tr.dir, "commit-graph", "write", "--reachable")
	name := filepath.Join(tr.dir, ".git", "objects", "info", "commit-graph")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	g, err := parseCommitGraph(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(b, g)
	os.Chmod(name, 0o644)
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cdatOf returns the offset in b of commit h's CDAT record, found by its
// tree id (the record's first 20 bytes).
func cdatOf(t *testing.T, tr *testRepo, b []byte, h plumbing.Hash) int {
	t.Helper()
	c, err := parseCommitHeader(tr.rawCommitBytes(h))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, c.tree[:])
	if i < 0 || bytes.Index(b[i+1:], c.tree[:]) >= 0 {
		t.Fatalf("tree of %s not once in the graph", h)
	}
	return i
}

// rawCommitBytes returns the content of commit h.
func (tr *testRepo) rawCommitBytes(h plumbing.Hash) []byte {
	tr.t.Helper()
	o, err := tr.r.Storer.EncodedObject(plumbing.CommitObject, h)
	if err != nil {
		tr.t.Fatal(err)
	}
	rd, _ := o.Reader()
	defer rd.Close()
	var b bytes.Buffer
	b.ReadFrom(rd)
	return b.Bytes()
}

// TestAttackForgedCommitGraphTree: a commit-graph naming the tree of v1 for
// a, which changes vendor/ unsigned, made the walk see no change; one
// giving v1 a as a parent excluded a from the range; one naming a's tree for
// v1 (the boundary) made a's change vanish. Each is refused with
// ErrCommitGraphMismatch, by Audit with every backend and by PathHistory.
func TestAttackForgedCommitGraphTree(t *testing.T) {
	t.Parallel()
	gitBin(t)
	for _, c := range []struct {
		name string
		edit func(t *testing.T, tr *testRepo, root, a plumbing.Hash, b []byte, g *commitGraph)
	}{
		{"tree of a", func(t *testing.T, tr *testRepo, root, a plumbing.Hash, b []byte, g *commitGraph) {
			ra, rr := cdatOf(t, tr, b, a), cdatOf(t, tr, b, root)
			copy(b[ra:ra+20], slicesClone(b[rr:rr+20]))
		}},
		{"parent of since", func(t *testing.T, tr *testRepo, root, a plumbing.Hash, b []byte, g *commitGraph) {
			pos, ok := g.pos(a)
			if !ok {
				t.Fatal("a not in the graph")
			}
			binary.BigEndian.PutUint32(b[cdatOf(t, tr, b, root)+20:], uint32(pos))
		}},
		{"tree of since", func(t *testing.T, tr *testRepo, root, a plumbing.Hash, b []byte, g *commitGraph) {
			ra, rr := cdatOf(t, tr, b, a), cdatOf(t, tr, b, root)
			copy(b[rr:rr+20], slicesClone(b[ra:ra+20]))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTestRepo(t)
			root, a, _ := graftHistory(tr)
			forgeGraph(t, tr, func(b []byte, g *commitGraph) { c.edit(t, tr, root, a, b, g) })
			r, err := openRepo(tr.dir)
			if err != nil {
				t.Fatal(err)
			}
			if r.graph1 == nil {
				t.Fatal("forged graph not read")
			}
			r.close()
			for _, be := range []Backend{BackendGoGit, BackendAuto} {
				_, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: be, Now: epoch.Add(365 * 24 * time.Hour), Policy: &Policy{Protect: rtVendor}})
				if !errors.Is(err, ErrCommitGraphMismatch) {
					t.Errorf("%s: Audit error %v, want ErrCommitGraphMismatch", be, err)
				}
			}
			if _, err := PathHistory(t.Context(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: BackendGoGit}); !errors.Is(err, ErrCommitGraphMismatch) {
				t.Errorf("PathHistory error %v, want ErrCommitGraphMismatch", err)
			}
		})
	}
}

// TestCommitGraphTrueStillAudits: with a true commit-graph the audit reads
// it and finds a's unsigned change.
func TestCommitGraphTrueStillAudits(t *testing.T) {
	t.Parallel()
	gitBin(t)
	tr := newTestRepo(t)
	_, a, _ := graftHistory(tr)
	forgeGraph(t, tr, func([]byte, *commitGraph) {})
	rtAudit(t, tr.dir, Options{Since: "v1"}, func(t *testing.T, res *Result) {
		rtHas(t, res, RuleUnsignedProtected, a)
	})
	hist, err := PathHistory(t.Context(), tr.dir, "v1", "", []string{"vendor"}, HistoryOptions{Backend: BackendGoGit})
	if err != nil || len(hist) != 1 || hist[0] != a.String() {
		t.Errorf("PathHistory: %v, %v; want [%s]", hist, err, a)
	}
}

func slicesClone(b []byte) []byte { return append([]byte(nil), b...) }
