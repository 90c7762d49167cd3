package sbom

import (
	"bytes"
	"context"
	"fmt"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// zip64Of rewrites the end of the zip archive z (no comment, offsets from
// its start) in ZIP64 form: a ZIP64 end record where the end record was,
// its locator, and an end record whose fields say "see ZIP64".
func zip64Of(t *testing.T, z []byte) []byte {
	t.Helper()
	out, err := fixtures.Zip64(z, 0)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// endFindings returns the findings of the zip end checks (file/malformed,
// file/zip-invalid, file/zip-trailing-data) as "rule path offset message".
func endFindings(fs []signing.Finding) []string {
	var out []string
	for _, f := range fs {
		switch f.Rule {
		case release.RuleMalformed, release.RuleZipInvalid, release.RuleZipTrailing:
			off := int64(-1)
			if f.Offset != nil {
				off = *f.Offset
			}
			out = append(out, fmt.Sprintf("%s %s %d %s", f.Rule, f.Path, off, f.Message))
		}
	}
	slices.Sort(out)
	return out
}

// A zip's end structures are checked by sbom as by verify (release.ZipEnds),
// with byte-identical findings: bytes after the end record, and a ZIP64
// locator pointing at no record, in a zip given on its own and in a zip
// nested in a folder.
func TestSBOMZipEndChecks(t *testing.T) {
	t.Parallel()
	z := zipBytes(t, map[string][]byte{"a.txt": []byte("a")})
	z64 := zip64Of(t, z)
	loc := len(z64) - zipend.Len - 20
	garbage := append([]byte(nil), z64...)
	copy(garbage[loc-56:], "XXXX") // no record where the locator points, nor before it
	trailing := append(append([]byte(nil), z...), "hidden payload"...)
	for _, c := range []struct {
		name string
		data []byte
		rule signing.Rule
	}{
		{"trailing data", trailing, release.RuleZipTrailing},
		{"zip64 locator", garbage, release.RuleMalformed},
	} {
		dir := t.TempDir()
		lone := filepath.Join(dir, "x.zip")
		if err := os.WriteFile(lone, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		folder := writeFolder(t, map[string][]byte{"outer/inner.zip": c.data, "app.txt": []byte("a")})
		for _, p := range []string{lone, folder} {
			inv := openInv(t, p)
			rep, err := verify.Release(context.Background(), verify.Options{}, p)
			if err != nil {
				t.Fatal(err)
			}
			got, want := endFindings(inv.Findings), endFindings(rep.Findings)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("%s, %s: sbom reports %q, verify %q", c.name, filepath.Base(p), got, want)
			}
			if !slices.ContainsFunc(inv.Findings, func(f signing.Finding) bool { return f.Rule == c.rule }) {
				t.Errorf("%s, %s: no %s finding in %+v", c.name, filepath.Base(p), c.rule, inv.Findings)
			}
		}
	}
}

// The findings about a whole zip given on its own (its declared size past
// the expansion budget, a local header its directory does not list) are at
// the archive's file name in sbom, as in verify, not at the root "".
func TestSBOMZipArchiveFindingPath(t *testing.T) {
	t.Parallel()
	z := zipBytes(t, map[string][]byte{"a.txt": []byte("a")})
	hidden := zipBytes(t, map[string][]byte{"lib/hidden.dll": []byte("MZ hidden")})
	hidden = hidden[:bytes.Index(hidden, []byte("PK\x01\x02"))] // the local header and data only
	for _, c := range []struct {
		name string
		data []byte
		rule signing.Rule
	}{
		{"bomb", bombZip(t), release.RuleUnreadable},
		{"unlisted", append(hidden, z...), release.RuleZipUnlisted},
	} {
		p := filepath.Join(t.TempDir(), "x.zip")
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		inv := openInv(t, p)
		rep, err := verify.Release(context.Background(), verify.Options{}, p)
		if err != nil {
			t.Fatal(err)
		}
		got, want := ruleFindings(inv.Findings, c.rule, ""), ruleFindings(rep.Findings, c.rule, "")
		if w := []string{string(c.rule) + " x.zip"}; !slices.Equal(got, w) || !slices.Equal(want, w) {
			t.Errorf("%s: sbom reports %q, verify %q, want %q", c.name, got, want, w)
		}
	}
}
