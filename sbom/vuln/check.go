package vuln

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
)

// EcosystemNpm is OSV's name of the npm ecosystem.
const EcosystemNpm = "npm"

// Check matches inv's npm packages, and its Electron runtime as the npm
// package "electron", against db, and returns one finding per package copy
// and record (a record reached again through an alias is reported once),
// sorted by path and rule. A statement of vex saying not_affected or fixed
// turns the finding into a RuleNotAffected note carrying its justification.
// Statements are ranked at the time now: Check is CheckAt with a zero time.
func Check(inv *sbom.Inventory, db *DB, vex *VEX) []signing.Finding {
	return CheckAt(inv, db, vex, time.Time{})
}

// CheckAt is Check with the statements of vex ranked at time at (zero means
// now): one dated after at plus VEXClockSkew outranks no statement that is
// not. [VEX.FutureStatements] reports those statements.
func CheckAt(inv *sbom.Inventory, db *DB, vex *VEX, at time.Time) []signing.Finding {
	at = evalTime(at)
	var out []signing.Finding
	app := product{name: inv.App.Name, version: inv.App.Version}
	for _, p := range inv.Packages {
		out = append(out, checkPackage(db, vex, p.Name, p.Version, p.Path, app, at)...)
		// Node resolves require("x") by the folder node_modules/x, whatever
		// the name package.json declares: a renamed copy is still x.
		if dir := folderName(p.Path); dir != "" && dir != p.Name {
			out = append(out, checkPackage(db, vex, dir, p.Version, p.Path, app, at)...)
		}
	}
	if v := inv.Electron.Version; v != "" {
		out = append(out, checkPackage(db, vex, "electron", v, "", app, at)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Message < out[j].Message
	})
	return out
}

func checkPackage(db *DB, vex *VEX, name, version, where string, app product, at time.Time) []signing.Finding {
	var out []signing.Finding
	covered := map[string]bool{}
	matches := db.Lookup(EcosystemNpm, name, cleanVersion(version))
	// Of records that alias each other, the most severe (then the first
	// by ID) is reported: a GHSA record rather than its bare CVE twin.
	sort.SliceStable(matches, func(i, j int) bool {
		return rank(matches[i].Record, name) > rank(matches[j].Record, name)
	})
	for _, m := range matches {
		r := m.Record
		ids := append([]string{r.ID}, r.Aliases...)
		if covered[r.ID] {
			continue
		}
		for _, id := range ids {
			covered[id] = true
		}
		rule, sev := classify(r, name)
		msg := fmt.Sprintf("%s %s: %s", name, version, describe(r, name))
		switch {
		case len(m.Fixed) > 0:
			msg += "; fixed in " + strings.Join(m.Fixed, ", ")
		case rule == RuleKnownVulnerable:
			msg += "; no fixed version"
		}
		if st := vex.decide(ids, name, version, app, at); st != nil && (st.status == statusNotAffected || st.status == statusFixed) {
			rule, sev = RuleNotAffected, signing.SeverityNote
			msg += fmt.Sprintf(" — OpenVEX %s (%s): %s", strings.ReplaceAll(st.status, "_", " "), st.source, st.why)
		}
		f := signing.NewFinding(rule, sev, msg)
		f.Path = where
		out = append(out, f)
	}
	if !validSemver(cleanVersion(version)) {
		// Node loads the package whatever its version says: records
		// that name it and could not be evaluated are reported.
		var ids []string
		for _, r := range db.Named(EcosystemNpm, name) {
			if !covered[r.ID] {
				ids = append(ids, r.ID)
			}
		}
		if len(ids) > 0 {
			f := signing.NewFinding(RuleUnknownVersion, signing.SeverityWarning,
				fmt.Sprintf("%s %q: the version is not SemVer, so %s cannot be ruled out", name, version, strings.Join(ids, ", ")))
			f.Path = where
			out = append(out, f)
		}
	}
	return out
}

// describe is "ID (aliases) summary [SEVERITY]".
func describe(r *Record, name string) string {
	s := r.ID
	if len(r.Aliases) > 0 {
		a := append([]string(nil), r.Aliases...)
		sort.Strings(a)
		s += " (" + strings.Join(a, ", ") + ")"
	}
	if r.Summary != "" {
		s += " " + strings.TrimSpace(r.Summary)
	}
	if sev := severityLabel(r, name); sev != "" {
		s += " [" + sev + "]"
	}
	return s
}

// rank orders records for reporting: malicious first, then by severity.
func rank(r *Record, name string) int {
	if strings.HasPrefix(r.ID, "MAL-") {
		return 5
	}
	switch severityLabel(r, name) {
	case "CRITICAL":
		return 4
	case "HIGH":
		return 3
	case "MODERATE", "MEDIUM":
		return 2
	case "LOW":
		return 1
	}
	return 0
}

// classify returns the rule and severity of a match: malicious-package
// records are errors; vulnerabilities follow the advisory's severity
// (critical and high: error, moderate or unknown: warning, low: note).
func classify(r *Record, name string) (signing.Rule, signing.Severity) {
	if strings.HasPrefix(r.ID, "MAL-") {
		return RuleKnownMalicious, signing.SeverityError
	}
	switch severityLabel(r, name) {
	case "CRITICAL", "HIGH":
		return RuleKnownVulnerable, signing.SeverityError
	case "LOW":
		return RuleKnownVulnerable, signing.SeverityNote
	}
	return RuleKnownVulnerable, signing.SeverityWarning
}

// severityLabel is the advisory's severity word, upper-case: the affected
// package's own when name is given and it has one, else the record's.
func severityLabel(r *Record, name string) string {
	if name != "" {
		for _, a := range r.Affected {
			if strings.EqualFold(a.Package.Name, name) && a.DatabaseSpecific.Severity != "" {
				return strings.ToUpper(a.DatabaseSpecific.Severity)
			}
		}
	}
	return strings.ToUpper(r.DatabaseSpecific.Severity)
}

// Scanner checks releases against OSV records in directories and OpenVEX
// files, loading each set once. It is what verify.Options.Vulnerabilities
// takes; the zero Scanner is ready to use and safe for concurrent use.
type Scanner struct {
	// Inventory configures the inventory of each release.
	Inventory sbom.Options
	// Time is the evaluation time OpenVEX statements are ranked at; zero
	// means now. A statement dated after it plus VEXClockSkew is reported
	// (RuleVEXFutureStatement) and outranks no statement that is not.
	Time time.Time

	mu    sync.Mutex
	dbs   map[string]*DB
	vexes map[string]*VEX
}

// Scan inventories the release at path (what sbom.Open takes) and checks
// it against the records under osvDirs with the statements of vexFiles,
// ranked at s.Time.
func (s *Scanner) Scan(ctx context.Context, path string, osvDirs, vexFiles []string) ([]signing.Finding, error) {
	return s.ScanAt(ctx, path, osvDirs, vexFiles, time.Time{})
}

// ScanAt is Scan with the statements ranked at at; zero means s.Time (and
// now when that is zero too). verify.Release calls it with its
// Options.Time, so a release judged as of a time is not judged by
// statements made after it.
func (s *Scanner) ScanAt(ctx context.Context, path string, osvDirs, vexFiles []string, at time.Time) ([]signing.Finding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	db, vex, err := s.load(osvDirs, vexFiles)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = s.Time
	}
	at = evalTime(at)
	future := vex.FutureStatements(at)
	inv, err := sbom.Open(path, s.Inventory)
	if errors.Is(err, sbom.ErrNotRelease) {
		// A lone binary or document has no package inventory; an
		// installer package or disk image has one nobody read.
		if opaqueRelease(filepath.ToSlash(path)) {
			w := signing.NewFinding(RuleNotInventoried, signing.SeverityWarning,
				fmt.Sprintf("%s was not opened for vulnerability matching: the npm packages it holds were not matched against the OSV records", filepath.Base(path)))
			return append([]signing.Finding{w}, future...), nil
		}
		return future, nil
	}
	if errors.Is(err, sbom.ErrEmptyRelease) {
		// No file, no package to match (verify fails such an input itself).
		return future, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vuln: %w", err)
	}
	var nested []string
	if st, err := os.Stat(path); err == nil && st.IsDir() && inv.Layout == sbom.LayoutFiles {
		if nested, err = nestedReleases(path); err != nil {
			return nil, fmt.Errorf("vuln: %w", err)
		}
	}
	out := future
	for _, f := range append(CheckAt(inv, db, vex, at), notInventoried(inv, nested)...) {
		if !inside(f.Path, nested) {
			out = append(out, f)
		}
	}
	more, err := s.scanNested(path, nested, db, vex, at)
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	sortFindings(out)
	return out, nil
}

func (s *Scanner) load(osvDirs, vexFiles []string) (*DB, *VEX, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbs == nil {
		s.dbs, s.vexes = map[string]*DB{}, map[string]*VEX{}
	}
	k := strings.Join(osvDirs, "\x00")
	db := s.dbs[k]
	if db == nil {
		var err error
		if db, err = Load(osvDirs...); err != nil {
			return nil, nil, err
		}
		s.dbs[k] = db
	}
	k = strings.Join(vexFiles, "\x00")
	vex := s.vexes[k]
	if vex == nil {
		var err error
		if vex, err = LoadVEX(vexFiles...); err != nil {
			return nil, nil, err
		}
		s.vexes[k] = vex
	}
	return db, vex, nil
}

// folderName returns the package name Node resolves the folder p by: the
// part after its last node_modules/ ("@scope/name" for scoped packages), or
// "" when p is not under node_modules.
func folderName(p string) string {
	i := strings.LastIndex(p, "node_modules/")
	if i < 0 {
		return ""
	}
	rest := p[i+len("node_modules/"):]
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return parts[0]
	case len(parts) == 2 && strings.HasPrefix(parts[0], "@"):
		return rest
	}
	return ""
}
