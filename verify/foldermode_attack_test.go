package verify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
)

// TestAttackFolderSetuid: a release folder's set-user-ID and set-group-ID
// files were not reported, where a tarball of the same folder has them
// reported (file/setuid): the modes of a folder's files were never read.
// verify now finds the same in both forms, and warns of a world-writable
// program in both (file/world-writable).
func TestAttackFolderSetuid(t *testing.T) {
	t.Parallel()
	dir, tarball := walktest.ModeRelease(t)
	folder, tarred := modeFindings(run(t, Options{}, dir), ""), modeFindings(run(t, Options{}, tarball), "")
	if !slices.Equal(folder, tarred) {
		t.Errorf("folder findings %q, tarball findings %q: want the same", folder, tarred)
	}
	want := slices.Sorted(slices.Values(walktest.ModeFindings))
	if !slices.Equal(folder, want) {
		t.Errorf("folder findings %q, want %q", folder, want)
	}
}

// modeFindings lists r's findings as "rule path", the path without
// prefix, sorted.
func modeFindings(r *Report, prefix string) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Rule)+" "+strings.TrimPrefix(f.Path, prefix))
	}
	slices.Sort(out)
	return out
}

// TestFolderModeReadOnOpen: the walk of a folder no longer lstat's each
// file for its mode; its check reads it from the open file. A set-user-ID
// file is reported once whether it is small (read whole), large (queued
// again with its size: see engine.postpone) or cannot be opened (its mode
// is then lstat's, so it is still reported beside the read error).
func TestFolderModeReadOnOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := make([]byte, smallFile+1)
	for name, data := range map[string][]byte{"small.sh": []byte("#!/bin/sh\n"), "big.sh": big, "locked.sh": []byte("#!/bin/sh\n"), "plain.sh": []byte("#!/bin/sh\n")} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o755) | os.ModeSetuid
		if name == "plain.sh" {
			mode = 0o755
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeSetuid == 0 && name != "plain.sh" {
			t.Skipf("the file system does not keep the set-user-ID bit (%v)", err)
		}
	}
	locked := filepath.Join(dir, "locked.sh")
	hooks := testHooks{
		readWhole: func(name string, buf []byte) (int, bool, int64, os.FileMode) {
			if name == locked {
				return 0, false, -1, 0
			}
			return readWholeFile(nil, name, 0, buf)
		},
		openFile: func(name string) (diskFile, error) {
			if name == locked {
				return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrPermission}
			}
			return os.Open(name)
		},
	}
	got := modeFindings(run(t, Options{hooks: hooks}, dir), "")
	want := []string{"file/setuid big.sh", "file/setuid locked.sh", "file/setuid small.sh", "file/unreadable locked.sh"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}
