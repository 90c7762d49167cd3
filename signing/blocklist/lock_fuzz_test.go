package blocklist

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParseLock reads hostile blocklist directory lock files: no panic;
// an error is ErrLock; a lock that reads names files that stay in the
// directory, and its Marshal reads back as the same lock, its sources
// sorted by name.
func FuzzParseLock(f *testing.F) {
	h := strings.Repeat("a", 64)
	src := func(name, file, format, extra string) string {
		return `{"name": "` + name + `", "file": "` + file + `", "url": "https://example.com/x", "format": "` + format + `", "fetched": "2026-01-01T00:00:00+02:00", "sha256": "` + h + `", "size": 1, "entries": 1` + extra + `}`
	}
	f.Add([]byte(`{"version": 1, "sources": [` + src("x", "x.json", "native", "") + `]}`))
	f.Add([]byte(`{"version": 1, "sources": [` + src("z.ctl", "z.ctl.stl", "ctl", `, "signed": "microsoft-ctl", "member": "a/b.stl", "fetchedSha256": "`+h+`"`) + `, ` + src("a", "a.csv", "csv", "") + `]}`))
	f.Add([]byte(`{"version": 1, "sources": [` + src("../x", "../x.json", "native", "") + `], "sources": []}`))
	f.Add([]byte(`{"version": 1, "sources": [` + src("w", "w.xml", "wdac", `, "size": -1`) + `]} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLock(b, "sources.lock.json")
		if err != nil {
			if !errors.Is(err, ErrLock) {
				t.Fatalf("error %v is no ErrLock", err)
			}
			return
		}
		for _, s := range l.Sources {
			if !filepath.IsLocal(s.File) || strings.ContainsAny(s.File, `/\`) || s.File == LockName {
				t.Fatalf("source %q stored in %q", s.Name, s.File)
			}
		}
		out, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseLock(out, "marshalled")
		if err != nil {
			t.Fatalf("Marshal of a lock that read does not read: %v\n%s", err, out)
		}
		want := slices.Clone(l.Sources)
		for i := range want {
			want[i].Fetched = want[i].Fetched.UTC()
		}
		slices.SortFunc(want, func(a, b LockedSource) int { return strings.Compare(a.Name, b.Name) })
		if len(want) == 0 && len(back.Sources) == 0 {
			return
		}
		if !reflect.DeepEqual(back.Sources, want) {
			t.Fatalf("lock read back as %+v, was %+v", back.Sources, want)
		}
	})
}
