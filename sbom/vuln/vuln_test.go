package vuln

import (
	"archive/zip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/signing"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lodashRecord is modeled on GHSA-p6mc-m468-83gw (lodash prototype
// pollution, fixed in 4.17.19).
const lodashRecord = `{
  "id": "GHSA-p6mc-m468-83gw",
  "aliases": ["CVE-2020-8203"],
  "summary": "Prototype Pollution in lodash",
  "affected": [{
    "package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "3.7.0"}, {"fixed": "4.17.19"}]}],
    "database_specific": {"severity": "HIGH"}
  }],
  "database_specific": {"severity": "HIGH"}
}`

const cveDuplicate = `{
  "id": "CVE-2020-8203",
  "aliases": ["GHSA-p6mc-m468-83gw"],
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.19"}]}]}]
}`

const malRecord = `{
  "id": "MAL-2025-1234",
  "summary": "Malicious code in event-streamer (npm)",
  "affected": [{"package": {"ecosystem": "npm", "name": "event-streamer"}, "versions": ["3.3.6"]}]
}`

const electronRecord = `{
  "id": "GHSA-7x97-j373-85x5",
  "summary": "Electron vulnerable to out-of-package code execution",
  "affected": [{"package": {"ecosystem": "npm", "name": "electron"},
    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "22.0.0"}, {"fixed": "22.3.24"}, {"introduced": "23.0.0"}, {"last_affected": "23.3.13"}]}],
    "database_specific": {"severity": "MODERATE"}}]
}`

func TestInRange(t *testing.T) {
	ev := func(kv ...string) []Event {
		var out []Event
		for i := 0; i < len(kv); i += 2 {
			switch kv[i] {
			case "i":
				out = append(out, Event{Introduced: kv[i+1]})
			case "f":
				out = append(out, Event{Fixed: kv[i+1]})
			case "l":
				out = append(out, Event{LastAffected: kv[i+1]})
			case "x":
				out = append(out, Event{Limit: kv[i+1]})
			}
		}
		return out
	}
	for _, tc := range []struct {
		events  []Event
		version string
		want    bool
	}{
		{ev("i", "0", "f", "1.2.3"), "1.2.2", true},
		{ev("i", "0", "f", "1.2.3"), "1.2.3", false},
		{ev("i", "0", "f", "1.2.3"), "1.2.3-beta.1", true},
		{ev("i", "1.0.0", "f", "1.2.3"), "0.9.9", false},
		{ev("i", "1.0.0", "f", "1.2.3"), "1.0.0", true},
		{ev("i", "1.0.0", "l", "1.2.3"), "1.2.3", true},
		{ev("i", "1.0.0", "l", "1.2.3"), "1.2.4", false},
		{ev("i", "1.0.0"), "99.0.0", true},
		// Events out of order are sorted first.
		{ev("f", "2.0.0", "i", "1.0.0", "f", "4.0.0", "i", "3.0.0"), "3.5.0", true},
		{ev("f", "2.0.0", "i", "1.0.0", "f", "4.0.0", "i", "3.0.0"), "2.5.0", false},
		{ev("i", "0", "x", "2.0.0"), "2.0.0", false},
		{ev("i", "0", "x", "2.0.0"), "1.0.0", true},
		// Events that are not semver are ignored, never matched.
		{ev("i", "0", "f", "not-a-version"), "1.0.0", true},
	} {
		if got := inRange(tc.events, tc.version); got != tc.want {
			t.Errorf("%+v @ %s: %v, want %v", tc.events, tc.version, got, tc.want)
		}
	}
}

func TestLoadJSONAndZipAndSkipWithdrawn(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "npm", "GHSA-p6mc-m468-83gw.json"), lodashRecord)
	write(t, filepath.Join(dir, "withdrawn.json"), `{"id": "GHSA-xxxx", "withdrawn": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "lodash"}, "versions": ["4.17.15"]}]}`)
	write(t, filepath.Join(dir, "README.txt"), "not a record")
	zf, err := os.Create(filepath.Join(dir, "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for name, rec := range map[string]string{"MAL-2025-1234.json": malRecord, "GHSA-7x97-j373-85x5.json": electronRecord} {
		w, _ := zw.Create(name)
		w.Write([]byte(rec))
	}
	zw.Close()
	zf.Close()
	db, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if db.Len() != 3 {
		t.Errorf("%d records, want 3 (the withdrawn one skipped)", db.Len())
	}
	if m := db.Lookup("npm", "lodash", "4.17.15"); len(m) != 1 || m[0].Record.ID != "GHSA-p6mc-m468-83gw" || strings.Join(m[0].Fixed, ",") != "4.17.19" {
		t.Errorf("lodash 4.17.15: %+v", m)
	}
	if m := db.Lookup("npm", "lodash", "4.17.19"); len(m) != 0 {
		t.Errorf("lodash 4.17.19 (fixed) matched %+v", m)
	}
	if m := db.Lookup("npm", "event-streamer", "3.3.6"); len(m) != 1 {
		t.Errorf("malicious version not matched: %+v", m)
	}
	if m := db.Lookup("PyPI", "lodash", "4.17.15"); len(m) != 0 {
		t.Errorf("another ecosystem matched: %+v", m)
	}
}

func TestLoadRefusesBadRecord(t *testing.T) {
	for name, rec := range map[string]string{
		"not json":      `{"id": `,
		"no id":         `{"affected": []}`,
		"two fields":    `{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}]}`,
		"no introduced": `{"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}]}]}`,
		"data after":    `{"id": "X"} {"id": "Y"}`,
	} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "r.json"), rec)
		if _, err := Load(dir); !errors.Is(err, ErrRecord) || !strings.Contains(err.Error(), "r.json") {
			t.Errorf("%s: error %v, want ErrRecord naming the file", name, err)
		}
	}
}

func TestLoadRefusesOversizedRecord(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.json"), `{"id": "X", "details": "`+strings.Repeat("a", MaxRecordSize)+`"}`)
	if _, err := Load(dir); !errors.Is(err, ErrRecord) {
		t.Fatalf("error %v", err)
	}
}

// release writes a directory release with npm packages and an Electron
// version file.
func release(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0", "dependencies": {"lodash": "^4"}}`)
	write(t, filepath.Join(dir, "resources", "app", "node_modules", "lodash", "package.json"), `{"name": "lodash", "version": "4.17.15"}`)
	write(t, filepath.Join(dir, "resources", "app", "node_modules", "lodash", "index.js"), "module.exports = {}\n")
	write(t, filepath.Join(dir, "resources", "app", "node_modules", "event-streamer", "package.json"), `{"name": "event-streamer", "version": "3.3.6"}`)
	write(t, filepath.Join(dir, "resources", "app", "node_modules", "safe", "package.json"), `{"name": "safe", "version": "1.0.0"}`)
	write(t, filepath.Join(dir, "version"), "22.3.1")
	return dir
}

func osvDir(t *testing.T, records ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, r := range records {
		write(t, filepath.Join(dir, string(rune('a'+i))+".json"), r)
	}
	return dir
}

func TestScanReleaseFindsVulnerableAndMaliciousPackagesAndElectron(t *testing.T) {
	var s Scanner
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord, cveDuplicate, malRecord, electronRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range finds {
		got = append(got, string(f.Rule)+" "+f.Severity.String()+" "+f.Path+" "+f.Message)
	}
	want := []string{
		"vuln/known-vulnerable warning  electron 22.3.1: GHSA-7x97-j373-85x5 Electron vulnerable to out-of-package code execution [MODERATE]; fixed in 22.3.24",
		"vuln/known-malicious error resources/app/node_modules/event-streamer event-streamer 3.3.6: MAL-2025-1234 Malicious code in event-streamer (npm)",
		"vuln/known-vulnerable error resources/app/node_modules/lodash lodash 4.17.15: GHSA-p6mc-m468-83gw (CVE-2020-8203) Prototype Pollution in lodash [HIGH]; fixed in 4.17.19",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestVEXNotAffectedTurnsFindingIntoNote(t *testing.T) {
	vex := filepath.Join(t.TempDir(), "app.openvex.json")
	write(t, vex, `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/1",
  "author": "Vendor Security",
  "timestamp": "2026-11-01T00:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "CVE-2020-8203"},
    "products": [{"@id": "pkg:npm/demo@1.0.0", "subcomponents": [{"@id": "pkg:npm/lodash@4.17.15"}]}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path"
  }]
}`)
	var s Scanner
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{vex})
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != RuleNotAffected || finds[0].Severity != signing.SeverityNote || !strings.Contains(finds[0].Message, "vulnerable_code_not_in_execute_path") {
		t.Fatalf("findings %+v", finds)
	}
}

func TestVEXForAnotherVersionDoesNotSuppress(t *testing.T) {
	vex := filepath.Join(t.TempDir(), "v.json")
	write(t, vex, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "GHSA-p6mc-m468-83gw"},
  "products": [{"@id": "pkg:npm/lodash@4.17.21"}], "status": "not_affected", "justification": "component_not_present"}]}`)
	var s Scanner
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{vex})
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != RuleKnownVulnerable {
		t.Fatalf("findings %+v", finds)
	}
}

func TestVEXLatestStatementWins(t *testing.T) {
	vex := filepath.Join(t.TempDir(), "v.json")
	write(t, vex, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "affected", "timestamp": "2026-12-01T00:00:00Z"},
  {"vulnerability": {"name": "CVE-2020-8203"}, "products": ["pkg:npm/lodash@4.17.15"], "status": "not_affected", "justification": "inline_mitigations_already_exist", "timestamp": "2026-11-01T00:00:00Z"}]}`)
	var s Scanner
	finds, err := s.Scan(context.Background(), release(t), []string{osvDir(t, lodashRecord)}, []string{vex})
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != RuleKnownVulnerable {
		t.Fatalf("an older not_affected overrode a newer affected: %+v", finds)
	}
}

func TestVEXRefusesNotAffectedWithoutJustification(t *testing.T) {
	vex := filepath.Join(t.TempDir(), "v.json")
	write(t, vex, `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "products": ["pkg:npm/a@1.0.0"], "status": "not_affected"}]}`)
	if _, err := LoadVEX(vex); !errors.Is(err, ErrVEX) {
		t.Fatalf("error %v", err)
	}
	write(t, vex, `{"@context": "https://example.com/not-vex", "statements": []}`)
	if _, err := LoadVEX(vex); !errors.Is(err, ErrVEX) {
		t.Fatalf("error %v", err)
	}
}

func TestScopedPackageURL(t *testing.T) {
	var st statement
	st.addProduct("pkg:npm/%40electron/remote@2.0.1")
	if !st.covers("@electron/remote", "2.0.1", product{}) || st.covers("remote", "2.0.1", product{}) {
		t.Errorf("products %+v", st.products)
	}
}

// TestScanMatchesPackageByFolderName: a vulnerable package whose
// package.json declares another name is still the package Node loads from
// its folder, and is still matched.
func TestScanMatchesPackageByFolderName(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "resources", "app", "package.json"), `{"name": "demo", "version": "1.0.0"}`)
	write(t, filepath.Join(dir, "resources", "app", "node_modules", "lodash", "package.json"), `{"name": "lodash-renamed", "version": "4.17.15"}`)
	var s Scanner
	finds, err := s.Scan(context.Background(), dir, []string{osvDir(t, lodashRecord)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(finds) != 1 || finds[0].Rule != RuleKnownVulnerable || !strings.Contains(finds[0].Message, "lodash 4.17.15") {
		t.Fatalf("findings %+v", finds)
	}
}

func TestFolderName(t *testing.T) {
	for p, want := range map[string]string{
		"resources/app/node_modules/lodash":          "lodash",
		"resources/app.asar/node_modules/@scope/pkg": "@scope/pkg",
		"node_modules/a/node_modules/b":              "b",
		"resources/app":                              "",
		"node_modules/a/lib":                         "",
	} {
		if got := folderName(p); got != want {
			t.Errorf("folderName(%q) = %q, want %q", p, got, want)
		}
	}
}
