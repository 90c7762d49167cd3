package walk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"
)

// failDirFS is a file system whose folder bad cannot be listed.
type failDirFS struct{ fstest.MapFS }

func (f failDirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "bad" {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("corrupt folder")}
	}
	return f.MapFS.ReadDir(name)
}

// TestArchiveFSEntries walks an archive's file system of a file with its
// set-user-ID bit, a folder, a link, a special file and a folder that
// cannot be listed, and checks each entry's path, kind, size, mode,
// target, and the message of the unreadable one (naming no path).
func TestArchiveFSEntries(t *testing.T) {
	fsys := failDirFS{fstest.MapFS{
		"Payload/bin/tool":  {Data: []byte("abc"), Mode: fs.ModeSetuid | 0o755},
		"Payload/bin/link":  {Data: []byte("tool"), Mode: fs.ModeSymlink},
		"Payload/pipe":      {Mode: fs.ModeNamedPipe},
		"bad/hidden.dylib":  {Data: []byte("x")},
		"Scripts/preflight": {Data: []byte("#!/bin/sh\n"), Mode: 0o755},
	}}
	var got []string
	err := ArchiveFS(context.Background(), fsys, func(e Entry) error {
		s := fmt.Sprintf("%s %s", e.Path, kindName(e.Kind))
		switch e.Kind {
		case Regular:
			s += fmt.Sprintf(" %d %v", e.Size, e.Perm)
		case Link:
			s += " " + e.Target
		case Unreadable:
			s += fmt.Sprintf(" %v %v", e.IsDir, e.Err)
		}
		if e.Full != "" {
			t.Errorf("%s: Full = %q", e.Path, e.Full)
		}
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Payload dir",
		"Payload/bin dir",
		"Payload/bin/link link tool",
		"Payload/bin/tool regular 3 urwxr-xr-x",
		"Payload/pipe special",
		"Scripts dir",
		"Scripts/preflight regular 10 -rwxr-xr-x",
		"bad dir",
		"bad unreadable true cannot read archive entry: readdir: corrupt folder",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries\n got %q\nwant %q", got, want)
	}
}

// TestArchiveFSStops checks that an error a visit returns, and a done
// context, end the walk and are returned.
func TestArchiveFSStops(t *testing.T) {
	fsys := fstest.MapFS{"a": {}, "b": {}}
	stop := errors.New("stop")
	n := 0
	if err := ArchiveFS(context.Background(), fsys, func(Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("visit's error: %v after %d entries, want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ArchiveFS(ctx, fsys, func(Entry) error { t.Error("visited after cancel"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: %v", err)
	}
}
