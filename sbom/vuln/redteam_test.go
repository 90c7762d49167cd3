package vuln

import (
	"strings"

	"context"
	"github.com/shipgate/shipgate/internal/electronfix"
	"github.com/shipgate/shipgate/signing"
	"path/filepath"
	"testing"
)

// scanOne writes a release holding one package folder with package.json
// body pj and returns what Scan reports against lodashRecord.
func scanOne(t *testing.T, folder, pj string) []string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0"}`)
	write(t, filepath.Join(dir, "resources", "app", "node_modules", folder, "package.json"), pj)
	var s Scanner
	finds, err := s.Scan(context.Background(), dir, []string{osvDir(t, lodashRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range finds {
		out = append(out, string(f.Rule)+" "+f.Message)
	}
	return out
}

// TestScanVersionSpellingsNodeIgnores: Node loads a package whatever its
// package.json version says; a vulnerable copy whose version is spelled so
// that it is not SemVer must not pass unreported.
func TestScanVersionSpellingsNodeIgnores(t *testing.T) {
	for _, v := range []string{"4.17.15", "v4.17.15", "=4.17.15", " 4.17.15 ", "4.17.15+build.1", "04.17.15", "4.17.15.0", "4.17", "latest", "4.17.15-0"} {
		got := scanOne(t, "lodash", `{"name": "lodash", "version": "`+v+`"}`)
		if len(got) == 0 {
			t.Errorf("version %q: no finding", v)
		}
	}
}

// TestScanPackageNameCase: npm names are case-insensitive unique and
// macOS and Windows resolve require("lodash") to a folder Lodash.
func TestScanPackageNameCase(t *testing.T) {
	if got := scanOne(t, "Lodash", `{"name": "Lodash", "version": "4.17.15"}`); len(got) == 0 {
		t.Error("Lodash 4.17.15: no finding")
	}
}

// TestScanMaliciousEveryVersionWithoutVersion: a record affecting every
// version matches a copy with no version or a nonsense one.
func TestScanMaliciousEveryVersionWithoutVersion(t *testing.T) {
	const allVersions = `{"id": "MAL-2026-1", "affected": [{"package": {"ecosystem": "npm", "name": "evil"},
  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`
	for _, pj := range []string{`{"name": "evil"}`, `{"name": "evil", "version": "latest"}`} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0"}`)
		write(t, filepath.Join(dir, "resources", "app", "node_modules", "evil", "package.json"), pj)
		var s Scanner
		finds, err := s.Scan(context.Background(), dir, []string{osvDir(t, allVersions)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(finds) != 1 || finds[0].Rule != RuleKnownMalicious {
			t.Errorf("%s: findings %+v", pj, finds)
		}
	}
}

// TestScanUnknownVersionNamesRecords: a version that cannot be evaluated
// is reported with the records that name the package.
func TestScanUnknownVersionNamesRecords(t *testing.T) {
	got := scanOne(t, "lodash", `{"name": "lodash", "version": "4.17"}`)
	if len(got) != 1 || got[0] != `vuln/unknown-version lodash "4.17": the version is not SemVer, so GHSA-p6mc-m468-83gw cannot be ruled out` {
		t.Errorf("findings %q", got)
	}
	if got := scanOne(t, "lodash", `{"name": "lodash", "version": "4.17.21"}`); len(got) != 0 {
		t.Errorf("fixed version: findings %q", got)
	}
}

// asarRelease packs an app.asar holding lodash 4.17.15.
func asarBytes(t *testing.T) []byte {
	t.Helper()
	a, _ := electronfix.PackAsar([]electronfix.AsarFile{
		{Path: "package.json", Data: []byte(`{"name": "demo", "version": "1.0.0"}`)},
		{Path: "node_modules/lodash/package.json", Data: []byte(`{"name": "lodash", "version": "4.17.15"}`)},
		{Path: "node_modules/lodash/index.js", Data: []byte("module.exports = {}\n")},
	})
	return a
}

// TestScanFindsAppsInsideAFolderOfReleases: a folder holding the
// releases of several platforms (dist/mac/Demo.app, dist/win-unpacked)
// has its apps' archives matched, not only the files at known places.
func TestScanFindsAppsInsideAFolderOfReleases(t *testing.T) {
	dir := t.TempDir()
	a := asarBytes(t)
	write(t, filepath.Join(dir, "mac", "Demo.app", "Contents", "Info.plist"), "<plist/>")
	write(t, filepath.Join(dir, "mac", "Demo.app", "Contents", "Resources", "app.asar"), string(a))
	write(t, filepath.Join(dir, "win-unpacked", "resources", "app.asar"), string(a))
	var s Scanner
	finds, err := s.Scan(context.Background(), dir, []string{osvDir(t, lodashRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range finds {
		got = append(got, f.Path+" "+string(f.Rule))
	}
	want := []string{
		"mac/Demo.app/Contents/Resources/app.asar/node_modules/lodash vuln/known-vulnerable",
		"win-unpacked/resources/app.asar/node_modules/lodash vuln/known-vulnerable",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestScanSaysWhatItDidNotOpen: an installer package is named rather than
// passed in silence, given on its own or found in a folder; a loose asar
// archive that is not the application's (plugins/extra.asar) is opened as
// verify opens it, so its packages are matched, and it is not named,
// though listed as a file; one cut short (plugins/cut.asar) cannot be
// opened and is named.
func TestScanSaysWhatItDidNotOpen(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Demo.pkg"), "xar!\x00\x1c\x00\x01")
	var s Scanner
	finds, err := s.Scan(context.Background(), filepath.Join(dir, "Demo.pkg"), []string{osvDir(t, lodashRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != RuleNotInventoried {
		t.Errorf("Demo.pkg: findings %+v", finds)
	}
	write(t, filepath.Join(dir, "tree", "plugins", "extra.asar"), string(asarBytes(t)))
	write(t, filepath.Join(dir, "tree", "plugins", "cut.asar"), string(asarBytes(t)[:40]))
	write(t, filepath.Join(dir, "tree", "Demo.pkg"), "xar!\x00\x1c\x00\x01")
	finds, err = s.Scan(context.Background(), filepath.Join(dir, "tree"), []string{osvDir(t, lodashRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range finds {
		got = append(got, f.Path+" "+string(f.Rule))
	}
	want := []string{
		"Demo.pkg " + string(RuleNotInventoried),
		"plugins/cut.asar " + string(RuleNotInventoried),
		"plugins/extra.asar/node_modules/lodash " + string(RuleKnownVulnerable),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tree: findings\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestVEXSubcomponentHoldsOnlyInItsProduct: "lodash is not affected in
// demo 1.0.0" does not suppress lodash in demo 2.0.0 or in another
// application, nor under a product that is not an npm package URL.
func TestVEXSubcomponentHoldsOnlyInItsProduct(t *testing.T) {
	vexFor := func(product string) string {
		p := filepath.Join(t.TempDir(), "v.json")
		write(t, p, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-2020-8203"},
  "products": [{"@id": "`+product+`", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]}],
  "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`)
		return p
	}
	for product, want := range map[string]signing.Rule{
		"pkg:npm/demo@1.0.0":           RuleNotAffected,
		"pkg:npm/demo":                 RuleNotAffected,
		"pkg:npm/demo@0.9.0":           RuleKnownVulnerable,
		"pkg:npm/other-app@1.0.0":      RuleKnownVulnerable,
		"https://example.com/demo/1.0": RuleKnownVulnerable,
	} {
		var s Scanner
		finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{vexFor(product)})
		if err != nil {
			t.Fatal(err)
		}
		var rules []string
		for _, f := range finds {
			if strings.Contains(f.Message, "lodash") {
				rules = append(rules, string(f.Rule))
			}
		}
		if len(rules) != 1 || rules[0] != string(want) {
			t.Errorf("product %s: lodash findings %v, want %s", product, rules, want)
		}
	}
}
