package verify_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestZipWalkAgreesWithSbom: verify checks the files of each shared zip
// release (walktest.ZipCases) under the paths sbom inventories them by,
// its central directory read whole or by chunks.
func TestZipWalkAgreesWithSbom(t *testing.T) {
	t.Parallel()
	for _, c := range walktest.ZipCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p := walktest.WriteTemp(t, "release.zip", c.Zip)
			opts := verify.OptionsForTest(t)
			if c.ChunkLen > 0 {
				opts = verify.WithZipChunkLenForTest(opts, c.ChunkLen)
			}
			agreeOnWith(t, opts, p, c.Paths)
		})
	}
}

// TestTarWalkAgreesWithSbom: an input tarball (walktest.TarCases), plain or
// compressed, is the release, as an input zip is: both name its files by
// their paths in the archive, and neither lists the tarball.
func TestTarWalkAgreesWithSbom(t *testing.T) {
	t.Parallel()
	for _, c := range walktest.TarCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			name, data := "release.tar", c.Tar
			if c.Gzip {
				name, data = "release.tar.gz", walktest.Gzip(t, c.Tar)
			}
			agreeOn(t, walktest.WriteTemp(t, name, data), c.Paths)
		})
	}
}

// TestFolderWalkAgreesWithSbom: verify checks the files of each shared folder
// holding an asar with unpacked files or symbolic links
// (walktest.AsarCases, walktest.LinkCases) under the paths
// sbom inventories them: the asar itself, its packed files under it, its
// unpacked files at their paths on disk; a link is no file, and one out of
// the release is file/symlink-escape.
func TestFolderWalkAgreesWithSbom(t *testing.T) {
	for _, c := range append(walktest.AsarCases(t), walktest.LinkCases(t)...) {
		t.Run(c.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "release")
			walktest.WriteTree(t, dir, c.Entries)
			agreeOn(t, dir, c.Paths)
		})
	}
}

// TestPkgWalkAgreesWithSbom: an installer package whose payload holds set-ID
// and world-writable programs (walktest.ModePkg), in both cpio formats,
// has the same files and the same mode findings (file/setuid,
// file/world-writable) in sbom's inventory as in verify's report.
func TestPkgWalkAgreesWithSbom(t *testing.T) {
	for _, format := range []string{"odc", "newc"} {
		t.Run(format, func(t *testing.T) {
			p := walktest.WriteTemp(t, walktest.ModePkgName, walktest.ModePkg(t, format))
			walktest.CheckModePkgFindings(t, "verify", agreeOn(t, p, walktest.ModePkgPaths()))
		})
	}
}

// TestPkgLinksWalkAgreesWithSbom: the symbolic links of an installer package's
// payload (walktest.LinkPkg) are no files, and those that leave the
// payload, directly or through another link, are file/symlink-escape in
// the same words in sbom's inventory and verify's report.
func TestPkgLinksWalkAgreesWithSbom(t *testing.T) {
	p := walktest.WriteTemp(t, walktest.ModePkgName, walktest.LinkPkg(t))
	walktest.CheckLinkPkgEscapes(t, agreeOn(t, p, walktest.LinkPkgPaths))
}

// agreeOn checks that verify checks the files of the release p, and sbom
// inventories them, under the paths want, with the same digests and walk
// findings (walktest.Agree); it returns verify's findings.
func agreeOn(t *testing.T, p string, want []string) []signing.Finding {
	t.Helper()
	return agreeOnWith(t, verify.OptionsForTest(t), p, want)
}

// agreeOnWith is agreeOn with verify run under opts.
func agreeOnWith(t *testing.T, opts verify.Options, p string, want []string) []signing.Finding {
	t.Helper()
	r, err := verify.Release(context.Background(), opts, p)
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
	return r.Findings
}

// TestSpecialEntriesWalkAgreeWithSbom: the devices and FIFOs of an
// installer package's payload and of a disk image's volume
// (walktest.SpecialCases) are no files, and file/unreadable errors at
// their paths, in the same words in sbom's inventory and verify's report.
func TestSpecialEntriesWalkAgreeWithSbom(t *testing.T) {
	for _, c := range walktest.SpecialCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p := walktest.WriteTemp(t, c.File, c.Data)
			walktest.CheckSpecials(t, "verify", c, agreeOn(t, p, c.Paths))
		})
	}
}
