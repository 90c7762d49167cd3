package walk

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDirTreeListing: each Dir entry carries its directory's listing,
// the entries the walk then visits under it (empty, not nil, for an empty
// directory), and the walk visits what filepath.WalkDir visits, in its
// order.
func TestDirTreeListing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"a/x", "a/y", "b", "empty"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a/f", "a/x/g", "b/h", "z"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got, listings []string
	err := DirTreeTypes(context.Background(), root, func(e Entry) error {
		got = append(got, e.Path)
		if e.Kind == Dir {
			if e.Listing == nil {
				t.Errorf("%s: no listing", e.Path)
			}
			names := make([]string, len(e.Listing))
			for i, d := range e.Listing {
				names[i] = d.Name()
			}
			listings = append(listings, e.Path+":"+strings.Join(names, ","))
		} else if e.Listing != nil {
			t.Errorf("%s: a listing on a %s", e.Path, kindName(e.Kind))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		want = append(want, filepath.ToSlash(rel))
		return err
	})
	if !slices.Equal(got, want) {
		t.Errorf("visited %q, filepath.WalkDir %q", got, want)
	}
	wantListings := []string{".:a,b,empty,z", "a:f,x,y", "a/x:g", "a/y:", "b:h", "empty:"}
	if !slices.Equal(listings, wantListings) {
		t.Errorf("listings %q, want %q", listings, wantListings)
	}
}
