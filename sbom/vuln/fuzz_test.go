package vuln

import (
	"testing"
	"time"
)

// FuzzRecord feeds OSV records to the loader and looks up the versions they
// name: no panic, and a record that loads can be evaluated.
func FuzzRecord(f *testing.F) {
	for _, s := range []string{lodashRecord, cveDuplicate, malRecord, electronRecord, `{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"*"}]}]}]}`} {
		f.Add([]byte(s), "4.17.15")
	}
	f.Fuzz(func(t *testing.T, b []byte, version string) {
		db := &DB{index: map[string][]int{}}
		if err := db.add(b, "fuzz.json"); err != nil {
			return
		}
		for _, r := range db.records {
			for _, a := range r.Affected {
				db.Lookup(a.Package.Ecosystem, a.Package.Name, version)
				for _, v := range a.Versions {
					if len(db.Lookup(a.Package.Ecosystem, a.Package.Name, v)) == 0 {
						t.Fatalf("version %q listed in %s is not matched", v, r.ID)
					}
				}
			}
		}
	})
}

// FuzzVEX feeds OpenVEX documents to the parser and decides with them.
func FuzzVEX(f *testing.F) {
	f.Add([]byte(`{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1", "aliases": ["GHSA-1"]}, "products": [{"@id": "pkg:npm/%40a/b@1.0.0", "subcomponents": [{"@id": "pkg:npm/c"}]}], "status": "not_affected", "justification": "component_not_present"}]}`))
	f.Add([]byte(`{"@context": "https://openvex.dev/ns", "statements": [{"vulnerability": "CVE-1", "products": ["pkg:npm/c@1"], "status": "fixed"}]}`))
	f.Add([]byte(`{"@context": "https://openvex.dev/ns", "timestamp": "2099-01-01T00:00:00Z", "statements": [{"vulnerability": "CVE-1", "products": ["pkg:npm/c@1"], "status": "fixed"}, {"vulnerability": "CVE-1", "products": ["pkg:npm/c@1"], "status": "affected", "timestamp": "2026-01-01T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := &VEX{}
		if err := v.parse(b, "fuzz.json"); err != nil {
			return
		}
		at := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
		v.decide([]string{"CVE-1", "GHSA-1"}, "@a/b", "1.0.0", product{name: "@a/b", version: "1.0.0"}, at)
		v.decide([]string{"CVE-1"}, "c", "1", product{name: "@a/b", version: "1.0.0"}, at)
		v.FutureStatements(at)
	})
}
