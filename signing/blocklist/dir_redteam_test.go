package blocklist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lockedDir writes a blocklist directory holding one hashes list with the
// given lines, and a lock recording it with entries and fetched.
func lockedDir(t *testing.T, lines []string, entries int, fetched time.Time) string {
	t.Helper()
	dir := t.TempDir()
	b := []byte(strings.Join(lines, "\n") + "\n")
	sum := sha256.Sum256(b)
	if err := os.WriteFile(filepath.Join(dir, "iocs.txt"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	l := &Lock{Sources: []LockedSource{{Name: "iocs", File: "iocs.txt", URL: "https://example.com/iocs.txt", Format: FormatHashes,
		Fetched: fetched, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Entries: entries}}}
	lb, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, LockName), lb, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var twoHashes = []string{strings.Repeat("a", 64), strings.Repeat("b", 64)}

// TestLoadDirRefusesEmptyLock: a lock naming no list would load an empty
// blocklist and let every file pass.
func TestLoadDirRefusesEmptyLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockName), []byte(`{"version": 1, "sources": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir, LoadOptions{}); !errors.Is(err, ErrLock) {
		t.Fatalf("error %v, want ErrLock", err)
	}
}

// TestLoadDirRefusesFewerEntriesThanLocked: a list that parses into fewer
// entries than the lock recorded has lost entries (another format, another
// hash kind, a parser that drops lines).
func TestLoadDirRefusesFewerEntriesThanLocked(t *testing.T) {
	t.Parallel()
	now := time.Now()
	if _, err := LoadDir(lockedDir(t, twoHashes, 2, now), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(lockedDir(t, twoHashes, 5, now), LoadOptions{}); !errors.Is(err, ErrLock) {
		t.Fatalf("error %v, want ErrLock", err)
	}
}

// TestLoadDirWarnsWhenFetchedInTheFuture: a fetch time after now would
// keep a list from ever going stale.
func TestLoadDirWarnsWhenFetchedInTheFuture(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	l, err := LoadDir(lockedDir(t, twoHashes, 2, now.AddDate(5, 0, 0)), LoadOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(l, "future") {
		t.Fatalf("warnings %+v", l.Warnings())
	}
}

// TestLoadDirWarnsOfUnlockedFiles: a list copied into the directory by
// hand is not loaded, and LoadDir says so.
func TestLoadDirWarnsOfUnlockedFiles(t *testing.T) {
	t.Parallel()
	dir := lockedDir(t, twoHashes, 2, time.Now())
	if err := os.WriteFile(filepath.Join(dir, "extra.txt"), []byte(strings.Repeat("c", 64)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".iocs.txt.123"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LoadDir(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 2 || len(l.Warnings()) != 1 || !hasWarning(l, "not named by "+LockName) || !strings.HasSuffix(l.Warnings()[0].Source, "extra.txt") {
		t.Fatalf("%d entries, warnings %+v", l.Len(), l.Warnings())
	}
}
