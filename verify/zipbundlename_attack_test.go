package verify

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/walk/walktest"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// renamedZip returns the zip z with each entry's leading "Example.app"
// renamed raw in its headers, written without the UTF-8 flag when
// nonUTF8 is set, and given a Unicode Path extra field (0x7075) naming
// it with up in place of Example.app when up is set.
func renamedZip(t *testing.T, z []byte, raw string, nonUTF8 bool, up string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		h := f.FileHeader
		rest, ok := strings.CutPrefix(f.Name, "Example.app")
		if !ok {
			t.Fatalf("entry %q is not in Example.app", f.Name)
		}
		h.Name, h.NonUTF8 = raw+rest, nonUTF8
		if up != "" {
			h.Extra = walktest.UnicodePathField(h.Name, up+rest)
		}
		w, err := zw.CreateRaw(&h)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttackZipNonUTF8BundleName: an app zipped under a non-ASCII folder
// name without the UTF-8 flag ("\x9an\x8bcode.app", which unzip, 7-Zip and
// bsdtar write as Ünïcode.app, code page 437), or under a name its Unicode
// Path extra field gives otherwise, was found as no bundle: bundles were
// found by Go's raw names, which are no valid path (not UTF-8) or not the
// names the entries are listed under (walk.NameZipEntry). Its Mach-O files
// were checked one by one and its seal never, so a changed resource or a removed
// nested dylib passed
// `require: valid`. Bundles are found under the names extractors write.
func TestAttackZipNonUTF8BundleName(t *testing.T) {
	t.Parallel()
	edit := func(app string) {
		if err := os.WriteFile(filepath.Join(app, "Contents", "Resources", "app.txt"), []byte("trojan\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removeDylib := func(app string) {
		if err := os.Remove(filepath.Join(app, "Contents", "Frameworks", "Example Framework.framework", "Versions", "A", "Libraries", "libffmpeg.dylib")); err != nil {
			t.Fatal(err)
		}
	}
	const written = "\u00dcn\u00efcode.app"
	for _, c := range []struct {
		name, raw string
		nonUTF8   bool
		up        string
		honestOK  bool // the honest zip has no error (no second name)
	}{
		{"cp437", "\x9an\x8bcode.app", true, "", true},
		{"unicode path over cp437", "\x9an\x8bcode.app", true, written, false},
		{"unicode path over ascii", "Example.app", false, written, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tampered := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), renamedZip(t, zippedAppBytes(t, edit), c.raw, c.nonUTF8, c.up))
			r := run(t, Options{Policy: requireValid()}, tampered)
			if r.Summary.Passed {
				t.Error("require: valid passed")
			}
			p := written + "/Contents/Resources/app.txt"
			if got := rulesFor(r, p); !has(got, "error "+string(codesign.RuleResourceModified)) {
				t.Errorf("%s: findings %q; all %q", p, got, allFindings(r))
			}
			removed := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), renamedZip(t, zippedAppBytes(t, removeDylib), c.raw, c.nonUTF8, c.up))
			r = run(t, Options{Policy: requireValid()}, removed)
			if r.Summary.Passed {
				t.Error("removed dylib: require: valid passed")
			}
			if !slices.ContainsFunc(r.Findings, func(f signing.Finding) bool {
				return f.Rule == codesign.RuleResourceModified && strings.HasPrefix(f.Path, written+"/") && strings.Contains(f.Message, "libffmpeg.dylib")
			}) {
				t.Errorf("removed dylib: no seal finding; all %q", allFindings(r))
			}
			honest := writeFile(t, filepath.Join(t.TempDir(), "r.zip"), renamedZip(t, zippedAppBytes(t, nil), c.raw, c.nonUTF8, c.up))
			r = run(t, Options{}, honest)
			for _, f := range r.Findings {
				if f.Severity == signing.SeverityError && (c.honestOK || strings.HasPrefix(string(f.Rule), "codesign/")) {
					t.Errorf("honest: %s %s: %s", f.Path, f.Rule, f.Message)
				}
			}
			if fb := fileByPath(r, written+"/Contents/MacOS/Example"); fb == nil || len(fb.Signatures) == 0 || fb.Signatures[0].Status != signing.StatusValid {
				t.Errorf("main executable %+v", fb)
			}
		})
	}
}

// allFindings returns r's findings as "path rule" lines.
func allFindings(r *Report) []string {
	var all []string
	for _, f := range r.Findings {
		all = append(all, f.Path+" "+string(f.Rule))
	}
	return all
}
