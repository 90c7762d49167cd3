package verify

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/testpki"
)

// unicodePathZip returns a zip of win/a.txt, win/readme.txt holding data
// with an Info-ZIP Unicode Path extra field (0x7075) naming it up, in its
// local header, central record or both (where), and win/z.txt.
func unicodePathZip(t *testing.T, data []byte, up, where string) []byte {
	t.Helper()
	const hdr = "win/readme.txt"
	field := binary.LittleEndian.AppendUint16(nil, release.ZipUnicodePathID)
	field = binary.LittleEndian.AppendUint16(field, uint16(5+len(up)))
	field = append(field, 1)
	field = binary.LittleEndian.AppendUint32(field, crc32.ChecksumIEEE([]byte(hdr)))
	field = append(field, up...)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range []struct {
		name  string
		data  []byte
		extra []byte
	}{{"win/a.txt", []byte("first"), nil}, {hdr, data, field}, {"win/z.txt", []byte("last"), nil}} {
		// Stored, sizes in the local header: Debian's unzip takes the data
		// descriptors archive/zip writes otherwise for overlapping entries.
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, Modified: testpki.Epoch, Extra: e.extra,
			CRC32: crc32.ChecksumIEEE(e.data), CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	z := buf.Bytes()
	// The local header's field comes first, the central record's last:
	// the other one's tag is made one no tool reads.
	tag := []byte{0x75, 0x70, byte(5 + len(up)), 0, 1}
	switch where {
	case "central":
		copy(z[bytes.Index(z, tag):], "\xfe\xca")
	case "local":
		copy(z[bytes.LastIndex(z, tag):], "\xfe\xca")
	}
	return z
}

// TestAttackZipUnicodePathName: an entry named win/readme.txt in its
// headers whose Unicode Path extra field names it win/readme.dll. Go's
// archive/zip ignores the field, so shipgate checked a text file; unzip,
// 7-Zip and bsdtar all install the unsigned DLL as win/readme.dll, which
// the rule for *.dll never judged. The same field can name an entry
// WIN/A.TXT, a second win/a.txt the name-collision and duplicate checks
// never saw. Each placement (local header, central record, both) is
// zip/malformed; the extractors that are installed are asked which name
// they use. The entry is checked under the name the central record's
// field gives, the one extractors write (walk.NameZipEntry, as sbom lists
// it): the rule for *.dll judges the DLL (policy/unsigned). A field in the
// local header alone leaves it under its header name.
func TestAttackZipUnicodePathName(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	pol := &Policy{Rules: []Rule{{Match: []string{"**/*.dll"}, Require: RequireValid}}}
	for _, where := range []string{"both", "central", "local"} {
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), unicodePathZip(t, f.peUnsigned, "win/readme.dll", where))
		if where == "local" {
			mustFail(t, Options{Policy: pol}, "win/readme.txt", ruleMalformed, p)
			continue
		}
		mustFail(t, Options{Policy: pol}, "win/readme.dll", ruleMalformed, p)
		mustFail(t, Options{Policy: pol}, "win/readme.dll", RuleUnsigned, p)
	}
	// A field that repeats the header's name is no second name.
	ok := writeFile(t, filepath.Join(t.TempDir(), "ok.zip"), unicodePathZip(t, []byte("text"), "win/readme.txt", "both"))
	if r := run(t, Options{Policy: pol}, ok); len(r.Findings) != 0 {
		t.Errorf("Unicode Path equal to the name: %v", r.Findings)
	}

	z := filepath.Join(t.TempDir(), "x.zip")
	writeFile(t, z, unicodePathZip(t, []byte("payload"), "win/readme.dll", "both"))
	extractEach(t, z, func(tool, dir string) {
		if _, err := os.Stat(filepath.Join(dir, "win", "readme.dll")); err != nil {
			t.Errorf("%s did not extract the entry under its Unicode Path name: %v", tool, err)
		}
	})
}

// TestAttackZipNULInName: "lib/foo.dll\x00.txt" was a valid relative path
// to shipgate, checked as a text file apart from lib/foo.dll; unzip, 7-Zip
// and bsdtar end the name at the NUL and write its bytes over
// lib/foo.dll. It is file/insecure-path, and its bytes are checked as
// the second copy of lib/foo.dll they are written as
// (file/duplicate-entry), as sbom lists them (walk.NameZipEntry): before,
// the bytes that land on disk were not checked at all. The installed
// extractors are asked what they write.
func TestAttackZipNULInName(t *testing.T) {
	t.Parallel()
	z := makeZip(t, []zipEntry{{name: "lib/foo.dll", data: []byte("checked"), store: true}, {name: "lib/foo.dll\x00.txt", data: []byte("installed"), store: true}})
	p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), z)
	r := mustFail(t, Options{}, "", ruleInsecurePath, p)
	var sums []string
	for _, f := range r.Files {
		if f.Path == "lib/foo.dll" {
			sums = append(sums, f.SHA256.String())
		}
	}
	if want := fmt.Sprintf("%x", sha256.Sum256([]byte("installed"))); len(sums) != 2 || !slices.Contains(sums, want) {
		t.Errorf("lib/foo.dll checked with digests %q, want twice, once %s (the NUL entry's bytes)", sums, want)
	}
	if !has(rulesFor(r, "lib/foo.dll"), "error "+string(ruleDuplicateEntry)) {
		t.Errorf("no file/duplicate-entry at lib/foo.dll: %v", rulesFor(r, "lib/foo.dll"))
	}
	extractEach(t, p, func(tool, dir string) {
		if b, err := os.ReadFile(filepath.Join(dir, "lib", "foo.dll")); err != nil || string(b) != "installed" {
			t.Errorf("%s wrote lib/foo.dll as %q (%v), not the NUL-named entry's bytes", tool, b, err)
		}
	})
}

// extractEach extracts the zip at path with each of unzip, 7-Zip and
// bsdtar that is installed (overwriting, as a later entry of one name
// does), each into its own folder, and calls check with the tool's name and
// that folder; a missing tool is logged and skipped.
func extractEach(t *testing.T, path string, check func(tool, dir string)) {
	t.Helper()
	for _, tool := range [][]string{{"unzip", "-oq", path}, {"7z", "x", "-y", path}, {"bsdtar", "-xf", path}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("%s not installed: cross-check skipped", tool[0])
			continue
		}
		dir := t.TempDir()
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", tool[0], err, out)
		}
		check(tool[0], dir)
	}
}

// TestZipUnicodePathReportedOnce: a Unicode Path field carried by both
// headers of an entry was reported twice, once from the central record and
// once as a local header that disagrees with it. It is one finding; the
// field in one header only, or two fields naming the entry differently,
// still are findings of their own.
func TestZipUnicodePathReportedOnce(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	// The entry's path is the name extractors write: the central
	// record's field's (see TestAttackZipUnicodePathName).
	count := func(z []byte, at string) int {
		p := writeFile(t, filepath.Join(t.TempDir(), "rel.zip"), z)
		n := 0
		for _, fd := range run(t, Options{}, p).Findings {
			if fd.Path == at && fd.Rule == ruleMalformed {
				n++
			}
		}
		return n
	}
	for where, at := range map[string]string{"both": "win/readme.dll", "central": "win/readme.dll", "local": "win/readme.txt"} {
		if got := count(unicodePathZip(t, f.peUnsigned, "win/readme.dll", where), at); got != 1 {
			t.Errorf("Unicode Path in %s: %d zip/malformed findings at %s, want 1", where, got, at)
		}
	}
	// The local header names it win/readme.dll, the central record
	// win/readme.exe: two names, two findings.
	z := unicodePathZip(t, f.peUnsigned, "win/readme.dll", "both")
	i := bytes.LastIndex(z, []byte("win/readme.dll"))
	copy(z[i:], "win/readme.exe")
	if got := count(z, "win/readme.exe"); got != 2 {
		t.Errorf("Unicode Path fields that differ: %d zip/malformed findings, want 2", got)
	}
}

// TestAttackZipFileNamedDot: a zip file entry named "." (or "./.") names
// no path inside the archive, but unzip writes its bytes as "_"; it was
// file/insecure-path until the walk took sbom's naming, which listed it
// as the archive's root and skipped it without a word, so an MZ payload
// there was neither checked nor reported. It is file/insecure-path again
// (a folder entry "./", the archive's root, is not).
func TestAttackZipFileNamedDot(t *testing.T) {
	t.Parallel()
	for _, name := range []string{".", "./."} {
		z := makeZip(t, []zipEntry{{name: "./", store: true}, {name: "app/readme.txt", data: []byte("hi"), store: true}, {name: name, data: []byte("MZ hidden payload"), store: true}})
		p := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), z)
		mustFail(t, Options{}, "", ruleInsecurePath, p)
	}
	z := makeZip(t, []zipEntry{{name: "./", store: true}, {name: "app/readme.txt", data: []byte("hi"), store: true}})
	if r := run(t, Options{}, writeFile(t, filepath.Join(t.TempDir(), "r.zip"), z)); !r.Summary.Passed {
		t.Errorf("a zip with a root folder entry failed: %v", r.Findings)
	}
}
