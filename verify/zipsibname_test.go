package verify

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
)

// writtenNameEntry is a zip entry whose header name is raw, written
// without the UTF-8 flag, with a Unicode Path extra field naming it up
// when up is set.
type writtenNameEntry struct {
	raw, up string
	data    []byte
}

// writtenNameZip returns a zip archive of entries, each named by its raw
// header name (code page 437, no UTF-8 flag) and its Unicode Path field,
// as writtenNameEntry says.
func writtenNameZip(t testing.TB, entries ...writtenNameEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.raw, NonUTF8: true, Method: zip.Deflate}
		if e.up != "" {
			h.Extra = walktest.UnicodePathField(e.raw, e.up)
		}
		w, err := zw.CreateHeader(h)
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

// zipNamingCases are the two ways an entry's written name differs from
// its raw one: a name in code page 437 without the UTF-8 flag
// ("caf\x82" is café) and a Unicode Path extra field.
// A Unicode Path field is file/malformed whatever it names (see
// walk.ZipName.Findings): unicodePathNote tells that finding.
var zipNamingCases = []struct {
	name string
	// entry names the entry written as café+rest.
	entry func(rest string, data []byte) writtenNameEntry
}{
	{"code page 437", func(rest string, data []byte) writtenNameEntry {
		return writtenNameEntry{raw: "caf\x82" + rest, data: data}
	}},
	{"Unicode Path field", func(rest string, data []byte) writtenNameEntry {
		return writtenNameEntry{raw: "cafe" + rest, up: "caf\u00e9" + rest, data: data}
	}},
	// The field alone names setup.msi and data1.cab as a Windows
	// Installer file and a cabinet (container.ZipEntryIsCabinet).
	{"Unicode Path field, another extension", func(rest string, data []byte) writtenNameEntry {
		return writtenNameEntry{raw: "cafe" + rest + ".bin", up: "caf\u00e9" + rest, data: data}
	}},
}

// TestZipCabinetSiblingUnderWrittenName: an MSI zipped in a folder with a
// non-ASCII name (code page 437 without the UTF-8 flag, or a Unicode Path
// field) with its external cabinet beside it failed msi/missing-cabinet:
// the cabinet was looked up beside the MSI's listed name among Go's raw
// names. It is found among the listed names (walk.ZipFS): the clean
// release has no error, a readme other than MsiFileHash's fails, whether
// the zip is a file of the release or the input (read whole, or a chunk
// of its central directory at a time, which leaves an archive naming a
// cabinet to the whole reader).
func TestZipCabinetSiblingUnderWrittenName(t *testing.T) {
	t.Parallel()
	f := getFixtures(t)
	setup, good := externalInstaller(t, f.peValid, []byte("read me, v1"))
	_, bad := externalInstaller(t, f.peValid, []byte("read me, v2"))
	inputs := []struct {
		name   string
		input  func(dir string) string
		prefix string
		opts   Options
	}{
		{"in a folder", func(dir string) string { return dir }, "release.zip/", Options{}},
		{"input", func(dir string) string { return filepath.Join(dir, "release.zip") }, "", Options{}},
		{"input by chunks", func(dir string) string { return filepath.Join(dir, "release.zip") }, "", Options{hooks: testHooks{zipChunkLen: 1}}},
	}
	for _, c := range zipNamingCases {
		for _, in := range inputs {
			for _, cab := range [][]byte{good, bad} {
				dir := t.TempDir()
				writeTree(t, dir, map[string][]byte{"release.zip": writtenNameZip(t, c.entry("/setup.msi", setup), c.entry("/data1.cab", cab))})
				zipCabinetCase(t, c.name+", "+in.name, in.opts, in.input(dir), in.prefix, bytes.Equal(cab, bad))
			}
		}
	}
}

// zipCabinetCase verifies input, whose files lie under prefix, for
// TestZipCabinetSiblingUnderWrittenName: bad says its cabinet's readme is
// not the one MsiFileHash records.
func zipCabinetCase(t *testing.T, name string, opts Options, input, prefix string, bad bool) {
	t.Helper()
	if bad {
		mustFail(t, opts, prefix+"caf\u00e9/setup.msi/data1.cab/Acme App/readme.txt", RuleMSIFileTableMismatch, input)
		return
	}
	r := run(t, opts, input)
	if fi := fileByPath(r, prefix+"caf\u00e9/setup.msi/data1.cab/Acme App/app.dll"); fi == nil || len(fi.Signatures) != 1 || fi.Signatures[0].Status != signing.StatusValid {
		t.Errorf("%s: app.dll: %+v", name, fi)
	}
	for _, x := range errorsBut(r, unicodePathNote) {
		t.Errorf("%s: %s %s %s: %s", name, x.Severity, x.Rule, x.Path, x.Message)
	}
}

// unicodePathNote says f is the file/malformed finding every entry named
// by a Unicode Path field gets (walk.ZipName.Findings).
func unicodePathNote(f signing.Finding) bool {
	return f.Rule == ruleMalformed && strings.Contains(f.Message, "Unicode Path extra field")
}

// errorsBut returns r's error findings that skip does not tell.
func errorsBut(r *Report, skip func(signing.Finding) bool) []signing.Finding {
	var out []signing.Finding
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError && !skip(f) {
			out = append(out, f)
		}
	}
	return out
}
