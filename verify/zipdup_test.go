package verify

import (
	"crypto/sha256"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestZipDuplicateNamesSameInBoth: a zip holding win/app.exe three times
// has every copy checked at win/app.exe, each with its digest and in
// digest order, and file/duplicate-entry once at that path (the report drops the
// identical findings of the later copies), as sbom's
// TestZipDuplicateNamesSameInBoth finds in its inventory (one rule: every
// copy, since extractors disagree on which they keep), the archive named
// by its file name in both.
func TestZipDuplicateNamesSameInBoth(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	other := append(slices.Clone(f.peUnsigned), 0)
	copies := [][]byte{f.peValid, f.peUnsigned, other}
	z := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), makeZip(t, []zipEntry{
		{name: "README", data: []byte("hi")},
		{name: "win/app.exe", data: copies[0]},
		{name: "win/app.exe", data: copies[1]},
		{name: "win/app.exe", data: copies[2]},
	}))
	r := run(t, Options{}, z)
	var sums, want []string
	for _, fr := range r.Files {
		if fr.Path == "win/app.exe" {
			sums = append(sums, fr.SHA256.String())
		}
	}
	for _, c := range copies {
		s := sha256.Sum256(c)
		want = append(want, Digest(s).String())
	}
	slices.Sort(want)
	if !slices.Equal(sums, want) {
		t.Errorf("win/app.exe digests %q, want %q", sums, want)
	}
	dups := 0
	for _, fd := range r.Findings {
		if fd.Rule != ruleDuplicateEntry {
			continue
		}
		if fd.Path == "win/app.exe" && fd.Message == release.ZipDuplicateMessage("rel.zip", "win/app.exe", "checked") {
			dups++
		} else {
			t.Errorf("finding %s %s: %s", fd.Rule, fd.Path, fd.Message)
		}
	}
	if dups != 1 {
		t.Errorf("%d duplicate-entry findings, want 1", dups)
	}
}
