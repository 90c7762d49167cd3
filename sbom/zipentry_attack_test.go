package sbom

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// headerZip writes a zip of stored entries, each header edited by edit
// before it is written, and a README (so that lib/ stays in the paths), to
// dir/name and returns its path.
func headerZip(t *testing.T, dir, name string, edit func(i int, h *zip.FileHeader), es ...zipEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, e := range es {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store,
			CRC32: crc32.ChecksumIEEE(e.data), CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))}
		edit(i, h)
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if w, err := zw.Create("README"); err != nil {
		t.Fatal(err)
	} else {
		w.Write([]byte("hi"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantZipFinding checks that the inventory of the zip at p lists the
// binaries want and has a finding of rule at path at whose message holds
// msg.
func wantZipFinding(t *testing.T, p, want string, rule, at, msg string) {
	t.Helper()
	inv := openInv(t, p)
	if got := pathsOf(inv); got != want {
		t.Errorf("binaries %q, want %q", got, want)
	}
	for _, f := range inv.Findings {
		if string(f.Rule) == rule && f.Path == at && strings.Contains(f.Message, msg) {
			return
		}
	}
	t.Errorf("findings %q, want %s at %q saying %q", findingsOf(inv), rule, at, msg)
}

// TestAttackSBOMZipStructure: the entries verify does not read as files
// (release/zipentry.go) were listed by sbom as if they were, or skipped
// silently: lib/evil.dll with directory attributes holding a DLL, which
// unzip writes as a file; a link out of the archive; an encrypted DLL
// (its bytes inventoried are ciphertext); two DLLs sharing their data; a
// zip declaring terabytes. Each is now verify's finding, and the entry is
// not inventoried; the same archive with plain entries has no finding.
func TestAttackSBOMZipStructure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dll := peImage(t, "v1")
	plain := func(int, *zip.FileHeader) {}
	clean := openInv(t, headerZip(t, dir, "clean.zip", plain, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/b.dll", dll, nil}))
	if got := findingsOf(clean); got != "" || pathsOf(clean) != "lib/a.dll,lib/b.dll" {
		t.Fatalf("clean archive: findings %q, binaries %q", got, pathsOf(clean))
	}

	p := headerZip(t, dir, "dirdata.zip", func(i int, h *zip.FileHeader) {
		if i == 1 {
			h.SetMode(fs.ModeDir | 0o755)
		}
	}, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/evil.dll", dll, nil})
	wantZipFinding(t, p, "lib/a.dll", string(release.RuleMalformed), "lib/evil.dll", "is marked as a directory but holds")

	p = headerZip(t, dir, "link.zip", func(i int, h *zip.FileHeader) {
		if i == 1 {
			h.SetMode(fs.ModeSymlink | 0o777)
		}
	}, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/ffmpeg.dll", []byte("../../../usr/lib/evil.dll"), nil})
	wantZipFinding(t, p, "lib/a.dll", string(RuleSymlinkEscape), "lib/ffmpeg.dll", "points out of the archive")

	p = headerZip(t, dir, "inside.zip", func(i int, h *zip.FileHeader) {
		if i == 1 {
			h.SetMode(fs.ModeSymlink | 0o777)
		}
	}, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/b.dll", []byte("a.dll"), nil})
	if inv := openInv(t, p); findingsOf(inv) != "" {
		t.Errorf("a link inside the archive: findings %q, want none", findingsOf(inv))
	}

	p = headerZip(t, dir, "encrypted.zip", func(i int, h *zip.FileHeader) {
		if i == 1 {
			h.Flags |= 0x1
		}
	}, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/b.dll", dll, nil})
	wantZipFinding(t, p, "lib/a.dll", string(release.RuleUnreadable), "lib/b.dll", "encrypted")

	p = headerZip(t, dir, "overlap.zip", plain, zipEntry{"lib/a.dll", dll, nil}, zipEntry{"lib/b.dll", dll, nil})
	z, _ := os.ReadFile(p)
	first := bytes.Index(z, []byte("PK\x01\x02")) // lib/a.dll's central record
	second := first + 4 + bytes.Index(z[first+4:], []byte("PK\x01\x02"))
	binary.LittleEndian.PutUint32(z[second+42:], 0) // lib/b.dll's data is lib/a.dll's
	if err := os.WriteFile(p, z, 0o644); err != nil {
		t.Fatal(err)
	}
	wantZipFinding(t, p, "", string(release.RuleMalformed), "lib/b.dll", "overlaps another entry's")

	p = headerZip(t, dir, "bomb.zip", func(i int, h *zip.FileHeader) {
		h.UncompressedSize64 = 1 << 40
		h.Method = zip.Deflate
	}, zipEntry{"lib/a.dll", []byte{3, 0}, nil})
	wantZipFinding(t, p, "", string(release.RuleUnreadable), "bomb.zip", "a zip bomb?")
}

// TestAttackSBOMZipUnlistedEntry: the release's zip starts with the local
// header and data of lib/hidden.dll, which its central directory does not
// list: extractors that stream local headers (Java's ZipInputStream,
// bsdtar reading a pipe) install it, the others do not. verify reports it
// (release.ZipUnlisted); sbom listed the directory's files without a word.
// It now reports file/zip-unlisted-entry at offset 0, at the archive's
// path as verify does, and the archive
// without the prefix has no finding.
func TestAttackSBOMZipUnlistedEntry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dll := peImage(t, "v1")
	plain := func(int, *zip.FileHeader) {}
	hidden, _ := os.ReadFile(headerZip(t, dir, "hidden.zip", plain, zipEntry{"lib/hidden.dll", peImage(t, "evil"), nil}))
	hidden = hidden[:4+bytes.Index(hidden[4:], []byte("PK\x03\x04"))] // lib/hidden.dll's header and data, up to README's
	listed := headerZip(t, dir, "listed.zip", plain, zipEntry{"lib/a.dll", dll, nil})
	if inv := openInv(t, listed); findingsOf(inv) != "" {
		t.Fatalf("plain archive: findings %q", findingsOf(inv))
	}
	z, _ := os.ReadFile(listed)
	p := filepath.Join(dir, "prefixed.zip")
	if err := os.WriteFile(p, append(hidden, z...), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	if got := pathsOf(inv); got != "lib/a.dll" {
		t.Errorf("binaries %q, want lib/a.dll", got)
	}
	for _, f := range inv.Findings {
		if f.Rule == release.RuleZipUnlisted && f.Path == "prefixed.zip" && f.Offset != nil && *f.Offset == 0 {
			return
		}
	}
	t.Errorf("findings %q, want %s at offset 0", findingsOf(inv), release.RuleZipUnlisted)
}
