package sbom

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/shipgate/shipgate/report"
)

// DiffOptions configures [DiffReleases] and [DiffUpstream]. The zero value
// reads the releases without examining signatures and gates on errors.
type DiffOptions struct {
	// Inventory configures the reading of each release (signature
	// verifier, workers, logger). [DiffReleases] reads both releases at
	// once, Workers bounding the files hashed at once in both.
	Inventory Options
	// Upstream configures the comparison of [DiffUpstream].
	Upstream UpstreamOptions
	// FailOn is the gate's threshold; empty means report.FailOnError.
	FailOn report.FailOn
	// ToolVersion is the version recorded in the report's tool section.
	ToolVersion string
}

// DiffReleases reads the releases at oldPath and newPath (each as [Open]
// reads it) at the same time and returns the report of what changed: its
// Diff section is the [Diff] of the two inventories, named oldPath and
// newPath as given, and its findings, which the gate judges, are the new
// release's own findings and those of the changes. The report lists no
// files: it is about the change, not a release's contents.
//
// The error is non-nil when either path is no release or ctx is done; it
// is [Open]'s, named as the diff's ("diff: stat old: no such file or
// directory"), not as an inventory's too.
func DiffReleases(ctx context.Context, oldPath, newPath string, opts DiffOptions) (*report.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	// The two inventories are read at once: a single inventory leaves
	// the CPU idle between its phases (walking, reading package.json
	// files, the asar header), which the other one fills. They share one
	// budget of workers, so that the diff hashes no more files at once
	// than one inventory would, and a release done early leaves all of
	// it to the other. Each inventory is built as it would be alone, and
	// sorted, so the report does not depend on which finishes first.
	var (
		wg             sync.WaitGroup
		oldInv, newInv *Inventory
		oldErr, newErr error
	)
	oldOpts, newOpts := opts.Inventory, opts.Inventory
	n := opts.Inventory.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	oldOpts.slots = make(chan struct{}, n)
	newOpts.slots = oldOpts.slots
	if p := opts.Inventory.Progress; p != nil {
		// Both releases report into one total, one call at a time.
		var mu sync.Mutex
		var sides [2]Progress
		side := func(i int) func(Progress) {
			return func(pr Progress) {
				mu.Lock()
				defer mu.Unlock()
				sides[i] = pr
				p(Progress{Files: sides[0].Files + sides[1].Files, Bytes: sides[0].Bytes + sides[1].Bytes})
			}
		}
		oldOpts.Progress, newOpts.Progress = side(0), side(1)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		oldInv, oldErr = Open(oldPath, oldOpts)
	}()
	newInv, newErr = Open(newPath, newOpts)
	wg.Wait()
	if oldErr != nil {
		return nil, diffError{oldErr}
	}
	if newErr != nil {
		return nil, diffError{newErr}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	return diffReport(oldPath, newPath, oldInv, newInv, opts), nil
}

// diffReport is the report of [DiffReleases] on the inventories of the
// releases at oldPath and newPath.
func diffReport(oldPath, newPath string, oldInv, newInv *Inventory, opts DiffOptions) *report.Report {
	oldInv, newInv = versionsFromNames(oldPath, newPath, oldInv, newInv)
	d := Diff(oldInv, newInv)
	d.Old, d.New = oldPath, newPath
	r := &report.Report{Tool: report.Tool{Name: "shipgate", Version: opts.ToolVersion}, Diff: &report.Diff{ReleaseDiff: &d.ReleaseDiff}}
	r.Findings = append(append(r.Findings, newInv.Findings...), d.Findings...)
	r.Finalize(opts.FailOn)
	return r
}

// versionsFromNames returns the inventories of the releases at oldPath and
// newPath with the versions their names give, when neither declares one
// inside (a plain folder or tarball has no package.json) and the two names
// are one name apart from one version number each, and differ there
// (proj-1.0.0.tar.gz and proj-1.1.0.tar.gz): a release published under a
// new version's name declares that version as a package.json would. Names
// that are the same, or that differ elsewhere, declare nothing, and the
// inventories are returned as they are.
func versionsFromNames(oldPath, newPath string, oldInv, newInv *Inventory) (*Inventory, *Inventory) {
	if oldInv.App.Version != "" || newInv.App.Version != "" {
		return oldInv, newInv
	}
	oldName, newName := filepath.Base(filepath.Clean(oldPath)), filepath.Base(filepath.Clean(newPath))
	ov, nv := versionNumber.FindAllString(oldName, -1), versionNumber.FindAllString(newName, -1)
	if len(ov) != 1 || len(nv) != 1 || ov[0] == nv[0] || versionKey(oldName) != versionKey(newName) {
		return oldInv, newInv
	}
	o, n := *oldInv, *newInv
	o.App.Version, o.App.VersionSource = ov[0], VersionSourceName
	n.App.Version, n.App.VersionSource = nv[0], VersionSourceName
	return &o, &n
}

// DiffUpstream reads the release at releasePath (as [Open] does) and
// returns the report of its comparison with the official Electron zip at
// zipPath ([CompareUpstream]): the Diff section's UpstreamDiff, and the
// release's own findings with those of the comparison.
func DiffUpstream(ctx context.Context, zipPath, releasePath string, opts DiffOptions) (*report.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	inv, err := Open(releasePath, opts.Inventory)
	if err != nil {
		return nil, diffError{err}
	}
	res, err := CompareUpstream(zipPath, inv, opts.Upstream)
	if err != nil {
		return nil, diffError{err}
	}
	up := &report.UpstreamDiff{
		Release: releasePath, Zip: res.Zip, SHA256: res.SHA256, Version: res.Version, Platform: res.Platform, Arch: res.Arch,
		Compared: res.Compared, Missing: res.Missing, Extra: res.Extra,
	}
	if res.Modified != nil {
		up.Modified = make([]report.UpstreamFile, len(res.Modified))
		for i, m := range res.Modified {
			up.Modified[i] = report.UpstreamFile(m)
		}
	}
	r := &report.Report{Tool: report.Tool{Name: "shipgate", Version: opts.ToolVersion}, Diff: &report.Diff{UpstreamDiff: up}}
	r.Findings = append(append(r.Findings, inv.Findings...), res.Findings...)
	r.Finalize(opts.FailOn)
	return r, nil
}

// diffError is an error of [Open] or [CompareUpstream] met by a diff: its
// message names the diff as its context in place of the inventory's
// ("diff: stat old", not "diff: sbom: stat old"), and it wraps the error.
type diffError struct{ err error }

func (e diffError) Error() string {
	return "diff: " + strings.TrimPrefix(e.err.Error(), "sbom: ")
}

func (e diffError) Unwrap() error { return e.err }
