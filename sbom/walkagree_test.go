package sbom_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestZipInventoryAgreesWithVerify: sbom inventories the files of each shared zip
// release (walktest.ZipCases) under the paths verify checks them by,
// its central directory read whole or by chunks.
func TestZipInventoryAgreesWithVerify(t *testing.T) {
	for _, c := range walktest.ZipCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "release.zip")
			if err := os.WriteFile(p, c.Zip, 0o644); err != nil {
				t.Fatal(err)
			}
			if c.ChunkLen > 0 {
				defer sbom.SetZipChunkLenForTest(c.ChunkLen)()
			}
			agreeOn(t, p, c.Paths)
		})
	}
}

// TestTarInventoryAgreesWithVerify: an input tarball (walktest.TarCases), plain or
// compressed, is the release, as an input zip is: both name its files by
// their paths in the archive, and neither lists the tarball.
func TestTarInventoryAgreesWithVerify(t *testing.T) {
	for _, c := range walktest.TarCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			name, data := "release.tar", c.Tar
			if c.Gzip {
				name, data = "release.tar.gz", walktest.Gzip(t, c.Tar)
			}
			p := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			agreeOn(t, p, c.Paths)
		})
	}
}

// agreeOn checks that verify checks the files of the release p, and sbom
// inventories them, under the paths want, with the same walk findings.
func agreeOn(t *testing.T, p string, want []string) {
	t.Helper()
	r, err := verify.Release(context.Background(), verify.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Files {
		got = append(got, f.Path)
	}
	slices.Sort(got)
	inv, err := sbom.Open(p, sbom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var inventoried []string
	for _, f := range inv.Files {
		inventoried = append(inventoried, f.Path)
	}
	slices.Sort(inventoried)
	if !slices.Equal(got, want) || !slices.Equal(got, inventoried) {
		t.Errorf("verify checked %q, sbom inventoried %q; want %q", got, inventoried, want)
	}
	// Each file has the same digest in both (a tarball's hard link its
	// target's).
	var a, b []string
	for _, f := range r.Files {
		a = append(a, f.Path+" "+f.SHA256.String())
	}
	for _, f := range inv.Files {
		b = append(b, f.Path+" "+f.SHA256)
	}
	if slices.Sort(a); !slices.Equal(a, slices.Sorted(slices.Values(b))) {
		t.Errorf("verify's digests:\n%s\nsbom's:\n%s", strings.Join(a, "\n"), strings.Join(slices.Sorted(slices.Values(b)), "\n"))
	}
	// The same findings, on the same paths, in the same words
	// but for what was not done.
	if a, b := findingLines(r.Findings, "checked"), findingLines(inv.Findings, "inventoried"); !slices.Equal(a, b) {
		t.Errorf("verify found:\n%s\nsbom found:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// findingLines returns fs's file/… findings (those of the walk, not of a
// file's signature or the policy) as sorted lines of rule, path and
// message, the message's word for what was done or not with an entry
// (verb) put as "—".
func findingLines(fs []signing.Finding, verb string) []string {
	var out []string
	for _, f := range fs {
		if !strings.HasPrefix(string(f.Rule), "file/") {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, f.Path, strings.ReplaceAll(f.Message, verb, "—")))
	}
	slices.Sort(out)
	return out
}
