package sbom

import (
	"slices"
	"strings"
	"testing"

	pefixtures "github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// sameAsVerify checks that sbom reports the same zip end findings (rule,
// path and offset) about the release folder p as verify, that those
// include rule, and returns the inventory.
func sameAsVerify(t *testing.T, p string, rule signing.Rule) *Inventory {
	t.Helper()
	inv, rep, _, _ := sbomAndVerify(t, p, "")
	got, want := endKeys(inv.Findings), endKeys(rep.Findings)
	if !slices.Equal(got, want) {
		t.Errorf("sbom reports %q, verify %q", got, want)
	}
	if rule != "" && !slices.ContainsFunc(inv.Findings, func(f signing.Finding) bool { return f.Rule == rule }) {
		t.Errorf("no %s finding in %q", rule, got)
	}
	return inv
}

// endKeys is endFindings without the messages, which name what was not
// done ("checked", "inventoried").
func endKeys(fs []signing.Finding) []string {
	var out []string
	for _, f := range endFindings(fs) {
		rule, rest, _ := strings.Cut(f, " ")
		p, rest, _ := strings.Cut(rest, " ")
		off, _, _ := strings.Cut(rest, " ")
		out = append(out, rule+" "+p+" "+off)
	}
	return out
}

// Attack: a zip appended to a file that is neither a zip nor a PE (an
// image, a data file) is opened by verify and was a plain file to sbom,
// whose inventory and diff missed the DLL inside. The decision is one
// (container.FindAppended): sbom lists the archive's files under the
// file's path, as verify checks them.
func TestAttackZipAfterOtherFile(t *testing.T) {
	z := zipBytes(t, sfxPayload(t, "1.0.0.0", "trojan"))
	p := writeFolder(t, map[string][]byte{"dist/logo.png": append([]byte("\x89PNG\r\n\x1a\nimage bytes"), z...)})
	inv := sameAsVerify(t, p, "")
	if binaryAt(inv, "dist/logo.png/app/ffmpeg.dll") == nil {
		t.Errorf("the DLL in the zip after the image is not inventoried: %q", filePaths(t, inv))
	}
	if len(inv.Packages) != 1 || inv.Packages[0].Path != "dist/logo.png/app/node_modules/left-pad" {
		t.Errorf("packages %+v", inv.Packages)
	}
}

// An end record whose central directory is not there, after a file that
// is no zip (a PE, or any other), is file/zip-invalid in sbom as in
// verify; a file starting as a zip with such a record is file/malformed
// in both (its reader's error).
func TestSBOMZipEndRecordWithoutDirectory(t *testing.T) {
	z := zipBytes(t, map[string][]byte{"a.txt": []byte("a")})
	eocd := z[len(z)-22:]
	for name, c := range map[string]struct {
		data []byte
		rule signing.Rule
	}{
		"other": {append([]byte("plain text header bytes\n"), eocd...), release.RuleZipInvalid},
		"pe":    {append(peImage(t, ""), eocd...), release.RuleZipInvalid},
		"zip":   {append([]byte("PK\x03\x04junk"), eocd...), release.RuleMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			sameAsVerify(t, writeFolder(t, map[string][]byte{"dist/f.bin": c.data}), c.rule)
		})
	}
}

// The end structures of a zip appended to an executable, and of a PE's
// resource zip (a Squirrel Setup.exe's package), are checked by sbom as
// by verify (release.CheckZipEnds): bytes after the end record are
// file/zip-trailing-data in both.
func TestSBOMAppendedZipEndChecks(t *testing.T) {
	z := zipBytes(t, map[string][]byte{"a.txt": []byte("a")})
	trailing := append(append([]byte(nil), z...), "hidden payload"...)
	setup, err := pefixtures.SquirrelSetup([]squirrel.BuildResource{{TypeID: 3, ID: 1, Data: []byte("icon")}, {Type: "DATA", ID: squirrel.PackageID, Data: trailing}})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"appended": append(peImage(t, ""), trailing...),
		"resource": setup,
	} {
		t.Run(name, func(t *testing.T) {
			sameAsVerify(t, writeFolder(t, map[string][]byte{"dist/Setup.exe": data}), release.RuleZipTrailing)
		})
	}
}
