// Package vuln matches the inventory of a release (package sbom) against
// known-vulnerability and known-malicious records in the OSV format
// (https://ossf.github.io/osv-schema/), offline, and applies OpenVEX
// statements that declare a vulnerability not to affect a product.
//
// Records are read from a directory of OSV JSON files or of the
// per-ecosystem zip exports OSV publishes (npm/all.zip); every input is size
// capped and parsed strictly enough to refuse a record whose ranges cannot be
// evaluated. Only the npm ecosystem is matched today: the packages inside
// app.asar and node_modules, and the Electron runtime as the npm package
// "electron". Native binaries are not matched: OSV has no ecosystem their
// version resources map to.
//
// The OSV schema is read directly rather than through osv-scanner's or
// osv-scalibr's packages: those pull in their whole scanning stacks (and
// their own semver and lockfile parsers) for a record type and a range
// evaluator of a few hundred lines.
package vuln

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Record is one OSV record, the fields shipgate reads.
type Record struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Summary   string   `json:"summary"`
	Withdrawn string   `json:"withdrawn"`
	Severity  []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	Affected []Affected `json:"affected"`
	// DatabaseSpecific holds the GitHub advisory severity (LOW, MODERATE,
	// HIGH, CRITICAL) when the record comes from GHSA.
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
}

// Affected is one affected package of a record.
type Affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges   []Range  `json:"ranges"`
	Versions []string `json:"versions"`
	// DatabaseSpecific may carry a per-package severity.
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
}

// Range is one OSV range: events over one version ordering.
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Limits on the inputs of Load.
const (
	// MaxRecordSize caps one OSV JSON record.
	MaxRecordSize = 4 << 20
	// MaxArchiveSize caps one zip export read from disk.
	MaxArchiveSize = 2 << 30
	// MaxRecords caps the records of one DB.
	MaxRecords = 2_000_000
)

// DB is a set of OSV records indexed by ecosystem and package name. It is
// safe for concurrent use once loaded.
type DB struct {
	records []*Record
	// index maps "ecosystem\x00name" to positions in records.
	index map[string][]int
	// Sources are the files the records came from, sorted.
	Sources []string
}

// ErrRecord results when an OSV record cannot be used.
var ErrRecord = errors.New("osv record")

// Load reads the OSV records under each of dirs: *.json files (one record
// each) and *.zip files (OSV's exports: one record per *.json entry),
// recursively. A file that is not a valid record is an error naming it:
// a database the gate relies on must not be half read.
func Load(dirs ...string) (*DB, error) {
	db := &DB{index: map[string][]int{}}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".json":
				db.Sources = append(db.Sources, p)
				return db.loadFile(p)
			case ".zip":
				db.Sources = append(db.Sources, p)
				return db.loadZip(p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("osv: %w", err)
		}
	}
	sort.Strings(db.Sources)
	return db, nil
}

func (db *DB) loadFile(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxRecordSize+1))
	if err != nil {
		return err
	}
	if len(b) > MaxRecordSize {
		return fmt.Errorf("%w %s: larger than %d bytes", ErrRecord, p, MaxRecordSize)
	}
	return db.add(b, p)
}

func (db *DB) loadZip(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > MaxArchiveSize {
		return fmt.Errorf("%s: larger than %d bytes", p, int64(MaxArchiveSize))
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || path.Ext(zf.Name) != ".json" {
			continue
		}
		where := p + "/" + zf.Name
		if zf.UncompressedSize64 > MaxRecordSize {
			return fmt.Errorf("%w %s: larger than %d bytes", ErrRecord, where, MaxRecordSize)
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, MaxRecordSize+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if len(b) > MaxRecordSize {
			return fmt.Errorf("%w %s: larger than %d bytes", ErrRecord, where, MaxRecordSize)
		}
		if err := db.add(b, where); err != nil {
			return err
		}
	}
	return nil
}

// add parses one record and indexes it.
func (db *DB) add(b []byte, where string) error {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return fmt.Errorf("%w %s: %w", ErrRecord, where, err)
	}
	if dec.More() {
		return fmt.Errorf("%w %s: data after the record", ErrRecord, where)
	}
	if r.ID == "" {
		return fmt.Errorf("%w %s: no id", ErrRecord, where)
	}
	for i, a := range r.Affected {
		for j, rg := range a.Ranges {
			if err := checkRange(rg); err != nil {
				return fmt.Errorf("%w %s: %s: affected[%d].ranges[%d]: %w", ErrRecord, where, r.ID, i, j, err)
			}
		}
	}
	if r.Withdrawn != "" {
		return nil
	}
	if len(db.records) >= MaxRecords {
		return fmt.Errorf("osv: more than %d records", MaxRecords)
	}
	pos := len(db.records)
	db.records = append(db.records, &r)
	seen := map[string]bool{}
	for _, a := range r.Affected {
		k := key(a.Package.Ecosystem, a.Package.Name)
		if !seen[k] {
			seen[k] = true
			db.index[k] = append(db.index[k], pos)
		}
	}
	return nil
}

// Len returns the number of records loaded (withdrawn ones are skipped).
func (db *DB) Len() int { return len(db.records) }

// key is the index key of a package: npm names are unique regardless of
// case, and macOS and Windows resolve require("x") to a folder X.
func key(ecosystem, name string) string { return ecosystem + "\x00" + strings.ToLower(name) }

// Named returns the records naming the package name in ecosystem, in ID
// order, whatever version they affect.
func (db *DB) Named(ecosystem, name string) []*Record {
	var out []*Record
	for _, pos := range db.index[key(ecosystem, name)] {
		out = append(out, db.records[pos])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// checkRange refuses a range whose events cannot be evaluated: an event
// with no field or several, or a SEMVER/ECOSYSTEM range with no
// introduced event.
func checkRange(rg Range) error {
	introduced := false
	for k, e := range rg.Events {
		n := 0
		for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("events[%d]: want exactly one of introduced, fixed, last_affected, limit", k)
		}
		if e.Introduced != "" {
			introduced = true
		}
	}
	if !introduced && (rg.Type == "SEMVER" || rg.Type == "ECOSYSTEM") {
		return errors.New("no introduced event")
	}
	return nil
}

// Match is a record affecting a package version.
type Match struct {
	Record *Record
	// Fixed lists the versions the record's ranges name as fixed, sorted.
	Fixed []string
}

// Lookup returns the records that affect version of the package name in
// ecosystem, in ID order. Ranges of types other than SEMVER and ECOSYSTEM
// (GIT) are not evaluated; the versions list is matched exactly.
func (db *DB) Lookup(ecosystem, name, version string) []Match {
	var out []Match
	for _, pos := range db.index[key(ecosystem, name)] {
		r := db.records[pos]
		hit := false
		var fixed []string
		for _, a := range r.Affected {
			if a.Package.Ecosystem != ecosystem || !strings.EqualFold(a.Package.Name, name) {
				continue
			}
			if affected(a, version) {
				hit = true
			}
			for _, rg := range a.Ranges {
				for _, e := range rg.Events {
					if e.Fixed != "" {
						fixed = append(fixed, e.Fixed)
					}
				}
			}
		}
		if hit {
			sort.Slice(fixed, func(i, j int) bool { return compareSemver(fixed[i], fixed[j]) < 0 })
			out = append(out, Match{Record: r, Fixed: dedupeStrings(fixed)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Record.ID < out[j].Record.ID })
	return out
}

func dedupeStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// affected evaluates one affected entry for version.
func affected(a Affected, version string) bool {
	for _, v := range a.Versions {
		if v == version {
			return true
		}
	}
	if !validSemver(version) {
		// A range from "0" with no end affects every version, whatever
		// the version says.
		for _, rg := range a.Ranges {
			if (rg.Type == "SEMVER" || rg.Type == "ECOSYSTEM") && everyVersion(rg.Events) {
				return true
			}
		}
		return false
	}
	for _, rg := range a.Ranges {
		if (rg.Type == "SEMVER" || rg.Type == "ECOSYSTEM") && inRange(rg.Events, version) {
			return true
		}
	}
	return false
}

// everyVersion reports whether events are only introduced "0" events.
func everyVersion(events []Event) bool {
	for _, e := range events {
		if e.Introduced != "0" {
			return false
		}
	}
	return len(events) > 0
}

// inRange applies the OSV evaluation: events sorted by version, a version
// is affected after an introduced event at or below it until a fixed event
// at or below it, or a last_affected event below it. Events whose versions
// are not semver are ignored; "0" is below every version.
func inRange(events []Event, version string) bool {
	type ev struct {
		v    string
		kind int // 0 introduced, 1 fixed, 2 last_affected, 3 limit
	}
	var evs []ev
	for _, e := range events {
		switch {
		case e.Introduced != "":
			evs = append(evs, ev{e.Introduced, 0})
		case e.Fixed != "":
			evs = append(evs, ev{e.Fixed, 1})
		case e.LastAffected != "":
			evs = append(evs, ev{e.LastAffected, 2})
		case e.Limit != "":
			evs = append(evs, ev{e.Limit, 3})
		}
	}
	cmpv := func(a, b string) int {
		switch {
		case a == "0" && b == "0":
			return 0
		case a == "0":
			return -1
		case b == "0":
			return 1
		}
		return compareSemver(a, b)
	}
	valid := evs[:0]
	for _, e := range evs {
		if e.v == "0" || e.v == "*" && e.kind == 3 || validSemver(e.v) {
			valid = append(valid, e)
		}
	}
	evs = valid
	sort.SliceStable(evs, func(i, j int) bool { return cmpv(evs[i].v, evs[j].v) < 0 })
	state := false
	for _, e := range evs {
		if e.kind == 3 {
			if e.v != "*" && cmpv(version, e.v) >= 0 {
				return false
			}
			continue
		}
		c := cmpv(e.v, version)
		switch e.kind {
		case 0:
			if c <= 0 {
				state = true
			}
		case 1:
			if c <= 0 {
				state = false
			}
		case 2:
			if c < 0 {
				state = false
			}
		}
	}
	return state
}
