package git

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// forgeLoose overwrites the loose object file of id with an object of
// type typ and content b, which hash to another id.
func forgeLoose(t *testing.T, tr *testRepo, id plumbing.Hash, typ plumbing.ObjectType, b []byte) {
	t.Helper()
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	fmt.Fprintf(w, "%s %d\x00", typ, len(b))
	w.Write(b)
	w.Close()
	name := filepath.Join(tr.dir, ".git", "objects", id.String()[:2], id.String()[2:])
	os.Chmod(name, 0o644)
	if err := os.WriteFile(name, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAttackObjectContentNotItsID: the release commit m, which changes
// vendor/ unsigned, is pinned by its id (a signed tag, a CI build of that
// id elsewhere), but the audited repository's object file for m's tree
// holds the release v1's tree. The audit saw no change and passed, while
// the commit built elsewhere by its id carries the change. An object whose
// content does not hash to its id is refused, loose or packed.
func TestAttackObjectContentNotItsID(t *testing.T) {
	t.Parallel()
	for _, packed := range []bool{false, true} {
		t.Run(fmt.Sprint("packed=", packed), func(t *testing.T) {
			tr := newTestRepo(t)
			root, base := rtBase(tr)
			m := tr.commit(commitSpec{files: with(base, "vendor/lib/a.c", "a2 (backdoor)\n"), parents: []plumbing.Hash{root}})
			tr.head(m)
			rootTree, err := parseCommitHeader(tr.rawCommitBytes(root))
			if err != nil {
				t.Fatal(err)
			}
			mTree, err := parseCommitHeader(tr.rawCommitBytes(m))
			if err != nil {
				t.Fatal(err)
			}
			o, err := tr.r.Storer.EncodedObject(plumbing.TreeObject, rootTree.tree)
			if err != nil {
				t.Fatal(err)
			}
			rd, _ := o.Reader()
			var clean bytes.Buffer
			clean.ReadFrom(rd)
			rd.Close()
			forgeLoose(t, tr, mTree.tree, plumbing.TreeObject, clean.Bytes())
			if packed {
				// git pack-objects reads the forged file as the object.
				runGit(t, tr.dir, "-c", "core.commitGraph=false", "repack", "-a", "-d", "-q", "--no-write-bitmap-index")
				runGit(t, tr.dir, "prune-packed")
			}
			for _, be := range []Backend{BackendGoGit, BackendAuto} {
				_, err := Audit(t.Context(), tr.dir, Options{Since: "v1", Backend: be, Policy: &Policy{Protect: rtVendor}})
				if !errors.Is(err, ErrObjectHashMismatch) {
					t.Errorf("%s: Audit error %v, want ErrObjectHashMismatch", be, err)
				}
			}
		})
	}
}
