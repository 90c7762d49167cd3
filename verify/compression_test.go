package verify

import (
	"archive/zip"
	"bytes"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// bzip2Hex is bzip2Plain as `bzip2 -9` compresses it (the Go standard
// library has no bzip2 writer).
const (
	bzip2Plain = "hello bzip2, as 7-Zip writes it\n"
	bzip2Hex   = "425a683931415926535923cac3e5000007db8000104006108000103264dc902000314c269a034c42234d0c806d23ba74fcac6ad32e3633151e040a0250ad1f17724538509023cac3e5"
)

// bzip2Zip returns a zip archive holding one bzip2 entry (method 12) named
// name whose header declares size bytes and the checksum crc.
func bzip2Zip(t *testing.T, name string, size uint64, crc uint32) string {
	t.Helper()
	data, err := hex.DecodeString(bzip2Hex)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zipMethodBzip2, Modified: testpki.Epoch,
		CRC32: crc, CompressedSize64: uint64(len(data)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "release.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestZipBzip2Legitimate checks a zip whose entries are bzip2-compressed,
// as 7-Zip (-mm=BZip2) and WinZip write them: the entries are read and
// checked, where each failed as file/unreadable.
func TestZipBzip2Legitimate(t *testing.T) {
	t.Parallel()
	r := run(t, Options{}, bzip2Zip(t, "notes.txt", uint64(len(bzip2Plain)), crc32.ChecksumIEEE([]byte(bzip2Plain))))
	if !r.Summary.Passed || len(r.Findings) != 0 {
		t.Errorf("bzip2 zip: passed %v, findings %+v", r.Summary.Passed, r.Findings)
	}
	f := fileByPath(r, "notes.txt")
	if f == nil || f.Size != int64(len(bzip2Plain)) {
		t.Errorf("bzip2 entry not checked: %+v", f)
	}
}

// TestAttackZipBzip2Sizes keeps the bounds of a bzip2 entry: one that
// inflates past its declared size, or whose checksum is wrong, fails.
func TestAttackZipBzip2Sizes(t *testing.T) {
	t.Parallel()
	crc := crc32.ChecksumIEEE([]byte(bzip2Plain))
	for name, z := range map[string]string{
		"short size": bzip2Zip(t, "notes.txt", 5, crc),
		"bad crc":    bzip2Zip(t, "notes.txt", uint64(len(bzip2Plain)), crc^1),
	} {
		r := run(t, Options{}, z)
		if r.Summary.Passed {
			t.Errorf("%s: passed, findings %+v", name, r.Findings)
		}
	}
}

// TestZipBzip2SevenZip cross-checks with 7-Zip: a zip it packs with bzip2
// is read, and one with LZMA (not decompressed) fails with a message that
// names the cause.
func TestZipBzip2SevenZip(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{"a.txt": bytes.Repeat([]byte("release notes\n"), 100)}
	for _, c := range []struct {
		method string
		pass   bool
	}{{"BZip2", true}, {"LZMA", false}} {
		p := filepath.Join(t.TempDir(), "a.zip")
		if err := os.WriteFile(p, sevenZip(t, files, "-tzip", "-mm="+c.method), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, Options{}, p)
		if r.Summary.Passed != c.pass {
			t.Errorf("%s: passed %v, findings %+v", c.method, r.Summary.Passed, r.Findings)
		}
		if !c.pass {
			for _, f := range r.Findings {
				if f.Rule != ruleUnreadable || f.Severity != signing.SeverityError || !bytes.Contains([]byte(f.Message), []byte("compression method")) {
					t.Errorf("%s: finding %+v", c.method, f)
				}
			}
		}
	}
}
