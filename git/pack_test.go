package git

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/internal/glob"
)

// TestPackAndGraphReaders audits a repository with loose objects, then packs
// it with deep delta chains and writes a commit-graph (with an octopus merge,
// which uses the EDGE chunk) and checks that the audit is byte-identical and
// that the fast readers were used.
func TestPackAndGraphReaders(t *testing.T) {
	t.Parallel()
	h := buildHistory(t)
	tr := h.tr
	a := tr.commit(commitSpec{files: map[string]string{"vendor/lib/a.c": "oct-a\n"}, parents: []plumbing.Hash{h.same}})
	b := tr.commit(commitSpec{files: map[string]string{"vendor/lib/a.c": "oct-b\n"}, parents: []plumbing.Hash{h.same}})
	oct := tr.commit(commitSpec{files: map[string]string{"vendor/lib/a.c": "oct\n"}, parents: []plumbing.Hash{h.same, a, b}})
	tr.head(oct)
	opts := Options{Since: "v1", Backend: BackendGoGit, Now: epoch,
		Policy: &Policy{Protect: []ProtectRule{{Path: "vendor/**"}}}}
	audit := func() []byte {
		res, err := Audit(context.Background(), tr.dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	loose := audit()
	runGit(t, tr.dir, "repack", "-a", "-d", "-f", "--depth=50", "--window=250")
	runGit(t, tr.dir, "prune-packed")
	runGit(t, tr.dir, "commit-graph", "write", "--reachable")
	r, err := openRepo(tr.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.packs.list) != 1 || r.graph1 == nil {
		t.Fatalf("packs %d, graph %v", len(r.packs.list), r.graph1 != nil)
	}
	ci, ok := r.graph1.commit(oct)
	if !ok || !slices.Equal(ci.parents, []plumbing.Hash{h.same, a, b}) {
		t.Fatalf("octopus from graph: %+v", ci)
	}
	// Every reachable commit and tree reads the same through the pack
	// reader as through go-git.
	for _, id := range lines(runGit(t, tr.dir, "rev-list", "--objects", "--all")) {
		hh := plumbing.NewHash(id[:40])
		typ, got, err := r.packs.read(hh)
		if err != nil {
			t.Fatalf("%s: %v", hh, err)
		}
		o, err := r.r.Storer.EncodedObject(plumbing.AnyObject, hh)
		if err != nil {
			t.Fatal(err)
		}
		rd, _ := o.Reader()
		var want bytes.Buffer
		want.ReadFrom(rd)
		rd.Close()
		if typ != o.Type() || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%s: pack reader gives %s %q, go-git %s %q", hh, typ, got, o.Type(), want.Bytes())
		}
	}
	r.close()
	if packed := audit(); !bytes.Equal(packed, loose) {
		t.Errorf("audit differs after packing:\nloose  %s\npacked %s", loose, packed)
	}
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 5, 0x91, 0, 5, 3, 'a', 'b', 'c'})
	f.Add([]byte{}, []byte{0, 0})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err == nil && len(out) > maxPackObject {
			t.Fatal("result over the cap")
		}
	})
}

func FuzzCommitGraph(f *testing.F) {
	f.Add([]byte("CGPH\x01\x01\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseCommitGraph(b)
		if err != nil {
			return
		}
		var h plumbing.Hash
		for i := 0; i < g.n && i < 8; i++ {
			copy(h[:], g.oids[i*20:])
			g.commit(h)
		}
	})
}

func FuzzParseTree(f *testing.F) {
	f.Add([]byte("100644 a\x00aaaaaaaaaaaaaaaaaaaa40000 d\x00bbbbbbbbbbbbbbbbbbbb"))
	f.Add([]byte("100644 A\x00aaaaaaaaaaaaaaaaaaaa40000 a\x00bbbbbbbbbbbbbbbbbbbb40000 \xc3\x84\x00cccccccccccccccccccc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := parseTree(b)
		// The merge join's check accepts only what parseTree accepts, in
		// git's order: never a tree with one name twice.
		sorted, serr := (&repo{}).checkTreeOrder(b)
		if err != nil {
			if sorted && serr == nil {
				t.Fatalf("parseTree: %v, but checkTreeOrder accepts the tree as sorted", err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("parseTree accepts the tree, checkTreeOrder: %v", serr)
		}
		for i := 1; sorted && i < len(es); i++ {
			if compareTreeNames([]byte(es[i-1].name), es[i-1].mode == filemode.Dir, []byte(es[i].name), es[i].mode == filemode.Dir) >= 0 {
				t.Fatalf("checkTreeOrder calls %q before %q sorted", es[i-1].name, es[i].name)
			}
		}
		for _, e := range es {
			if got, ok, err := findInTree(b, e.name); err != nil || !ok || got.hash == (plumbing.Hash{}) && e.hash != (plumbing.Hash{}) {
				t.Fatalf("findInTree(%q) = %v %v %v", e.name, got, ok, err)
			}
			// Callers look names up folded as glob.Fold does (ϵ and ε
			// are one name), not lower-cased.
			vs, err := findFoldInTree(b, glob.Fold(e.name), true)
			if err != nil || !slices.Contains(vs, namedRef{e.name, entryRef{e.hash, e.mode}}) {
				t.Fatalf("findFoldInTree(%q) = %v %v", glob.Fold(e.name), vs, err)
			}
		}
	})
}

// TestPackFindEveryObject looks up every object of a 30,000-object pack
// (over a hundred per fanout range, where find interpolates) and ids next
// to each that the pack lacks.
func TestPackFindEveryObject(t *testing.T) {
	t.Parallel()
	var stream bytes.Buffer
	for i := range 30000 {
		c := fmt.Sprintf("blob %d\n", i)
		fmt.Fprintf(&stream, "blob\nmark :%d\ndata %d\n%s\n", i+1, len(c), c)
	}
	dir := fastImportRepo(t, stream.Bytes())
	ids := lines(runGit(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"))
	if len(ids) != 30000 {
		t.Fatalf("%d objects", len(ids))
	}
	ps := openPacks(dir)
	defer ps.close()
	if len(ps.list) != 1 {
		t.Fatalf("%d packs", len(ps.list))
	}
	p := ps.list[0]
	have := map[plumbing.Hash]bool{}
	for _, id := range ids {
		have[plumbing.NewHash(id)] = true
	}
	for _, id := range ids {
		h := plumbing.NewHash(id)
		if _, ok := p.find(h); !ok {
			t.Fatalf("%s not found", h)
		}
		for _, flip := range []int{19, 7, 1} {
			g := h
			g[flip] ^= 1
			if _, ok := p.find(g); ok != have[g] {
				t.Fatalf("%s: found %v, in pack %v", g, ok, have[g])
			}
		}
	}
}
