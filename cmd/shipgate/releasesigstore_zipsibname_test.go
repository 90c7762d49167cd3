package main

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/verify"
)

// TestZipSigstoreSiblingUnderWrittenName: an artifact zipped under a
// non-ASCII name (code page 437 without the UTF-8 flag, or a Unicode Path
// field) with its Sigstore bundle beside it failed sigstore/missing: the
// entries are listed under the names extractors write
// (walk.NameZipEntry), and the bundle was looked up under that name among
// Go's raw names. It is looked up among the listed names (walk.ZipFS), and
// verified; a bundle of other bytes still fails.
func TestZipSigstoreSiblingUnderWrittenName(t *testing.T) {
	t.Parallel()
	art := sigstoreTestdata(t, "artifact.txt")
	bundle := sigstoreTestdata(t, "keyless.sigstore.json")
	for _, unicodePath := range []bool{false, true} {
		for _, tampered := range []bool{false, true} {
			data := art
			if tampered {
				data = append(bytes.Clone(art), '!')
			}
			z := writtenNameZip(t, unicodePath, map[string][]byte{"/libffmpeg.tar.gz": data, "/libffmpeg.tar.gz.sigstore.json": bundle})
			policy := strings.Replace(sigstoreKeylessPolicy, `"dist/**"`, `"caf`+"\u00e9"+`/**"`, 1)
			r := sigstoreCase(t, policy, map[string][]byte{"release.zip": z}, func(dir string) string { return filepath.Join(dir, "release.zip") })
			missing, invalid := findingsOf(r, verify.RuleSigstoreMissing), findingsOf(r, verify.RuleSigstoreInvalid)
			switch {
			case !tampered && (len(missing)+len(invalid) != 0 || len(errorsBut(r, unicodePathNote)) != 0):
				t.Errorf("unicode path %v: findings %v", unicodePath, r.Findings)
			case tampered && (r.Summary.Passed || len(missing) != 0 || len(invalid) != 1 || !strings.HasPrefix(invalid[0], "caf\u00e9/libffmpeg.tar.gz: ")):
				t.Errorf("unicode path %v, tampered: passed %v, missing %q, invalid %q", unicodePath, r.Summary.Passed, missing, invalid)
			}
		}
	}
}

// writtenNameZip returns a zip archive of entries named café+rest, each
// written under a raw code-page-437 name without the UTF-8 flag ("caf\x82"),
// and with a Unicode Path field naming it when unicodePath is set.
func writtenNameZip(t testing.TB, unicodePath bool, entries map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, rest := range sortedKeys(entries) {
		h := &zip.FileHeader{Name: "caf\x82" + rest, NonUTF8: true, Method: zip.Deflate}
		if unicodePath {
			h.Name = "cafe" + rest
			h.Extra = walktest.UnicodePathField(h.Name, "caf\u00e9"+rest)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(entries[rest])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// unicodePathNote says f is the file/malformed finding every entry named
// by a Unicode Path field gets (walk.ZipName.Findings).
func unicodePathNote(f signing.Finding) bool {
	return f.Rule == verify.RuleMalformed && strings.Contains(f.Message, "Unicode Path extra field")
}

// errorsBut returns r's error findings that skip does not tell.
func errorsBut(r *verify.Report, skip func(signing.Finding) bool) []signing.Finding {
	var out []signing.Finding
	for _, f := range r.Findings {
		if f.Severity == signing.SeverityError && !skip(f) {
			out = append(out, f)
		}
	}
	return out
}
