package walk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDirTreeEntries walks a tree of a file, a directory and a link and
// checks each entry's path, kind and, for the link, its target as recorded.
func TestDirTreeEntries(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "b", "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "b", "c", "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../b/c/f.txt", filepath.Join(root, "b", "l")); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	var got []string
	err := DirTreeTypes(context.Background(), root, func(e Entry) error {
		got = append(got, e.Path+" "+kindName(e.Kind)+" "+e.Target)
		if e.Kind == Regular && e.Full != filepath.Join(root, "b", "c", "f.txt") {
			t.Errorf("Full = %q", e.Full)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{". dir ", "b dir ", "b/c dir ", "b/c/f.txt regular ", "b/l link ../b/c/f.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("entries\n got %q\nwant %q", got, want)
	}
}

// TestDirTreeLinkRoot checks that a root that is a link is reported as one,
// not followed.
func TestDirTreeLinkRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "real", "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Skipf("cannot make a symbolic link: %v", err)
	}
	var got []string
	if err := DirTreeTypes(context.Background(), filepath.Join(dir, "link"), func(e Entry) error {
		got = append(got, e.Path+" "+kindName(e.Kind))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{". link"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestDirTreeMissingRoot is the failing case: a root that does not exist is
// one Unreadable entry, ".", whose error names it.
func TestDirTreeMissingRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "absent")
	var got []Entry
	if err := DirTreeTypes(context.Background(), root, func(e Entry) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "." || got[0].Kind != Unreadable || !errors.Is(got[0].Err, os.ErrNotExist) {
		t.Fatalf("got %+v", got)
	}
}

// TestDirTreeStops checks that a visit's error and a done context end the
// walk and are returned.
func TestDirTreeStops(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(root, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := DirTreeTypes(context.Background(), root, func(e Entry) error {
		n++
		if e.Path == "a" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("visit error: err %v after %d entries, want stop after 2", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := DirTreeTypes(ctx, root, func(Entry) error { t.Error("visited after cancel"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: err %v", err)
	}
}

func kindName(k Kind) string {
	return [...]string{"regular", "dir", "link", "special", "unreadable"}[k]
}

// TestRelPath: the walk's relative paths are filepath.Rel's.
func TestRelPath(t *testing.T) {
	sep := string(filepath.Separator)
	for _, c := range []struct{ root, full string }{
		{"a", "a"}, {"a", filepath.Join("a", "b")}, {"a", filepath.Join("a", "b", "c")},
		{sep, sep + "b"}, {"a" + sep, "a" + sep + "b"}, {"a" + sep + "." + sep + "b", filepath.Join("a", "b", "c")},
		{"ab", "ab" + sep + "c"}, {"/tmp/x", "/tmp/x/.hidden"},
	} {
		want, werr := filepath.Rel(c.root, c.full)
		got, err := relPath(c.root, filepath.Clean(c.root) == c.root, c.full)
		if got != want || (err == nil) != (werr == nil) {
			t.Errorf("relPath(%q, %q) = %q, %v; Rel gives %q, %v", c.root, c.full, got, err, want, werr)
		}
	}
}
