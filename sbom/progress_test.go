package sbom

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func progressRelease(t *testing.T, n int) (string, int64) {
	t.Helper()
	dir := t.TempDir()
	var total int64
	for i := range n {
		b := []byte(strings.Repeat("x", 100+i))
		total += int64(len(b))
		if err := os.WriteFile(filepath.Join(dir, "f"+string(rune('a'+i))+".txt"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, total
}

// TestOpenProgress checks that Progress counts every file read and its
// bytes, in calls that never overlap (the test appends without a lock:
// -race would see overlapping calls).
func TestOpenProgress(t *testing.T) {
	t.Parallel()
	dir, total := progressRelease(t, 7)
	var got []Progress
	if _, err := Open(dir, Options{Workers: 4, Progress: func(p Progress) { got = append(got, p) }}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 || got[6].Files != 7 || got[6].Bytes != total {
		t.Fatalf("progress %+v, want 7 calls ending at 7 files, %d bytes", got, total)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Files != got[i-1].Files+1 || got[i].Bytes <= got[i-1].Bytes {
			t.Errorf("progress not increasing: %+v", got)
		}
	}
}

// TestDiffReleasesProgressSumsBothSides checks that a diff reports one
// running total over both releases.
func TestDiffReleasesProgressSumsBothSides(t *testing.T) {
	t.Parallel()
	oldDir, oldTotal := progressRelease(t, 3)
	newDir, newTotal := progressRelease(t, 5)
	var last Progress
	calls := 0
	opts := DiffOptions{Inventory: Options{Progress: func(p Progress) { last = p; calls++ }}}
	if _, err := DiffReleases(context.Background(), oldDir, newDir, opts); err != nil {
		t.Fatal(err)
	}
	if calls != 8 || last.Files != 8 || last.Bytes != oldTotal+newTotal {
		t.Errorf("%d calls, last %+v; want 8 calls ending at 8 files, %d bytes", calls, last, oldTotal+newTotal)
	}
}
