package blocklist

import (
	"errors"
	"strings"
	"testing"
)

// TestAttackLockDuplicateKeys: encoding/json keeps the last of duplicate
// keys and matches them ignoring case, so a lock file could show a reviewer
// one hash, entry count or list of sources and have shipgate read another.
// A lock with a duplicate key, in any object and in any case, is refused.
func TestAttackLockDuplicateKeys(t *testing.T) {
	h := strings.Repeat("a", 64)
	src := func(extra string) string {
		return `{"name": "x", "file": "x.json", "url": "https://example.com/x.json", "format": "native", "fetched": "2026-01-01T00:00:00Z", "sha256": "` + h + `", "size": 1, "entries": 1` + extra + `}`
	}
	good := `{"version": 1, "sources": [` + src("") + `]}`
	if _, err := ParseLock([]byte(good), "good"); err != nil {
		t.Fatalf("the base lock does not parse: %v", err)
	}
	for name, lock := range map[string]string{
		"sha256 twice":        `{"version": 1, "sources": [` + src(`, "sha256": "`+strings.Repeat("b", 64)+`"`) + `]}`,
		"entries as Entries":  `{"version": 1, "sources": [` + src(`, "Entries": 9`) + `]}`,
		"sources twice":       `{"version": 1, "sources": [` + src("") + `], "sources": []}`,
		"version in capitals": `{"version": 1, "VERSION": 1, "sources": [` + src("") + `]}`,
	} {
		_, err := ParseLock([]byte(lock), "sources.lock.json")
		if !errors.Is(err, ErrLock) || !strings.Contains(err.Error(), "duplicate key") {
			t.Errorf("%s: error %v, want ErrLock naming the duplicate key", name, err)
		}
	}
}
