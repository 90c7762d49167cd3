package vuln

import (
	"context"
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
