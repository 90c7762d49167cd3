package sbom_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/sbom"
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
	t.Parallel()
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
// inventories them, under the paths want, with the same digests and walk
// findings (walktest.Agree).
func agreeOn(t *testing.T, p string, want []string) {
	t.Helper()
	r, err := verify.Release(context.Background(), verify.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := sbom.Open(p, sbom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var checked, inventoried []walktest.WalkFile
	for _, f := range r.Files {
		checked = append(checked, walktest.WalkFile{Path: f.Path, SHA256: f.SHA256.String()})
	}
	for _, f := range inv.Files {
		inventoried = append(inventoried, walktest.WalkFile{Path: f.Path, SHA256: f.SHA256})
	}
	walktest.Agree(t, want, checked, inventoried, r.Findings, inv.Findings)
}
