package sbom

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// zipEntry is one entry of namedZip: its header name, data and extra
// field block.
type zipEntry struct {
	name  string
	data  []byte
	extra []byte
}

// namedZip writes a zip of stored entries to dir/name and returns its path.
func namedZip(t *testing.T, dir, name string, es ...zipEntry) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, rawZip(t, es...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rawZip returns a zip of stored entries, in the order given.
func rawZip(t *testing.T, es ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, Extra: e.extra,
			CRC32: crc32.ChecksumIEEE(e.data), CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// unicodePath returns an extra field block of one Info-ZIP Unicode Path
// field naming the entry up, with the CRC-32 of the header name hdr.
func unicodePath(hdr, up string) []byte {
	f := binary.LittleEndian.AppendUint16(nil, release.ZipUnicodePathID)
	f = binary.LittleEndian.AppendUint16(f, uint16(5+len(up)))
	f = append(f, 1)
	f = binary.LittleEndian.AppendUint32(f, crc32.ChecksumIEEE([]byte(hdr)))
	return append(f, up...)
}

// findingsOf lists inv's findings as "rule path".
func findingsOf(inv *Inventory) string {
	var out []string
	for _, f := range inv.Findings {
		out = append(out, string(f.Rule)+" "+f.Path)
	}
	return strings.Join(out, ",")
}

// pathsOf lists inv's binaries' paths.
func pathsOf(inv *Inventory) string {
	var out []string
	for _, b := range inv.Binaries {
		out = append(out, b.Path)
	}
	return strings.Join(out, ",")
}

// TestAttackSBOMZipUnicodePathName: version 2 of a release ships
// win/readme.txt whose Unicode Path extra field (0x7075) names it
// win/readme.dll. unzip, 7-Zip and bsdtar install it over the DLL of
// version 1 (verify's TestAttackZipUnicodePathName); sbom listed a text
// file, so the diff showed win/readme.dll unchanged. It is now listed as
// win/readme.dll, the file installed, with verify's file/malformed, and the
// diff shows the DLL changed. A field whose CRC-32 is not the header
// name's is ignored by those extractors: the entry stays under its header
// name, still file/malformed. A field that repeats the name is nothing.
func TestAttackSBOMZipUnicodePathName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := openInv(t, namedZip(t, dir, "v1.zip", zipEntry{"README", []byte("hi"), nil},
		zipEntry{"win/readme.dll", peImage(t, "v1"), nil}))
	nw := openInv(t, namedZip(t, dir, "v2.zip", zipEntry{"README", []byte("hi"), nil},
		zipEntry{"win/readme.txt", peImage(t, "v2"), unicodePath("win/readme.txt", "win/readme.dll")}))
	if got := pathsOf(nw); got != "win/readme.dll" {
		t.Errorf("binaries %q, want win/readme.dll", got)
	}
	if got := findingsOf(nw); got != string(release.RuleMalformed)+" win/readme.dll" {
		t.Errorf("findings %q", got)
	}
	d := Diff(old, nw)
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "win/readme.dll" || d.Binaries[0].Change != "changed" {
		t.Errorf("diff binaries %+v, want win/readme.dll changed", d.Binaries)
	}

	bad := unicodePath("other", "win/readme.dll")
	inv := openInv(t, namedZip(t, dir, "crc.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"win/readme.exe", peImage(t, ""), bad}))
	if got, f := pathsOf(inv), findingsOf(inv); got != "win/readme.exe" || f != string(release.RuleMalformed)+" win/readme.exe" {
		t.Errorf("CRC-32 of another name: binaries %q, findings %q", got, f)
	}
	inv = openInv(t, namedZip(t, dir, "same.zip", zipEntry{"README", []byte("hi"), nil},
		zipEntry{"win/readme.exe", peImage(t, ""), unicodePath("win/readme.exe", "win/readme.exe")}))
	if got, f := pathsOf(inv), findingsOf(inv); got != "win/readme.exe" || f != "" {
		t.Errorf("Unicode Path equal to the name: binaries %q, findings %q", got, f)
	}
}

// TestAttackSBOMZipNULInName: version 2 keeps lib/foo.dll as it was and
// adds lib/foo.dll\x00.txt, which unzip, 7-Zip and bsdtar write over
// lib/foo.dll (verify's TestAttackZipNULInName). sbom listed the checked
// lib/foo.dll and a text file, so the diff saw no DLL change. The NUL
// entry is now file/insecure-path, as in verify, and listed as the
// lib/foo.dll it is written as, a second copy of that name
// (file/duplicate-entry; every copy is listed, as extractors disagree on
// which they keep): the diff shows the DLL changed, in either order.
func TestAttackSBOMZipNULInName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dll, evil := peImage(t, "checked"), peImage(t, "installed")
	old := openInv(t, namedZip(t, dir, "v1.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"lib/foo.dll", dll, nil}))
	nw := openInv(t, namedZip(t, dir, "v2.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"lib/foo.dll", dll, nil},
		zipEntry{"lib/foo.dll\x00.txt", evil, nil}))
	if got := pathsOf(nw); got != "lib/foo.dll,lib/foo.dll" {
		t.Errorf("binaries %q, want lib/foo.dll twice", got)
	}
	for _, f := range nw.Files {
		if strings.Contains(f.Path, "\x00") {
			t.Errorf("file listed under a name with a NUL: %q", f.Path)
		}
	}
	want := string(release.RuleInsecurePath) + " ," + string(release.RuleDuplicateEntry) + " lib/foo.dll"
	if got := findingsOf(nw); got != want {
		t.Errorf("findings %q, want %q", got, want)
	}
	d := Diff(old, nw)
	if len(d.Binaries) != 1 || d.Binaries[0].Path != "lib/foo.dll" || d.Binaries[0].Change != "changed" {
		t.Errorf("diff binaries %+v, want lib/foo.dll changed", d.Binaries)
	}
	// The NUL entry first, the plain one last: unzip -o, 7z -y and bsdtar
	// install the plain one, the same bytes as version 1, but unzip
	// without a terminal and 7-Zip's "skip" the NUL entry's.
	nw = openInv(t, namedZip(t, dir, "v3.zip", zipEntry{"README", []byte("hi"), nil}, zipEntry{"lib/foo.dll\x00.txt", evil, nil},
		zipEntry{"lib/foo.dll", dll, nil}))
	if d := Diff(old, nw); len(d.Binaries) != 1 || d.Binaries[0].Change != "changed" || d.Binaries[0].New.SHA256 != sum(evil) {
		t.Errorf("plain entry last: diff binaries %+v, want lib/foo.dll changed to the NUL entry's bytes", d.Binaries)
	}
}

// TestAttackSBOMZipCP437Names: a zip entry without the UTF-8 flag is named
// in code page 437 (as Explorer and 7-Zip read it): "lib/caf\x82.dll" was
// refused as an invalid path and left out of the inventory, though
// Windows installs it as lib/café.dll, one file with lib/CAFÉ.DLL. It is
// listed under the decoded name and the pair is a name collision.
func TestAttackSBOMZipCP437Names(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name string
		data []byte
	}{{"lib/caf\x82.dll", peImage(t, "cp437")}, {"lib/CAF\u00c9.DLL", peImage(t, "utf8")}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "r.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := openInv(t, p)
	if got := pathsOf(inv); !strings.Contains(got, "caf\u00e9.dll") || !strings.Contains(got, "CAF\u00c9.DLL") {
		t.Errorf("binaries %q, want caf\u00e9.dll and CAF\u00c9.DLL", got)
	}
	if got := findingsOf(inv); !strings.HasPrefix(got, string(release.RuleNameCollision)+" ") || strings.Contains(got, ",") {
		t.Errorf("findings %q, want one name collision", got)
	}
}
