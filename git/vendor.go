package git

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/signing"
)

// subtreePin is a git-subtree-split trailer found in the range.
type subtreePin struct {
	split string
	when  time.Time
	from  string
}

var (
	reSubtreeDir   = regexp.MustCompile(`(?m)^git-subtree-dir: *(\S+) *$`)
	reSubtreeSplit = regexp.MustCompile(`(?m)^git-subtree-split: *([0-9a-f]{40}) *$`)
)

// collectPins remembers the newest git-subtree-split trailer per directory.
func (a *auditor) collectPins(c *rawCommit) {
	d := reSubtreeDir.FindStringSubmatch(c.message)
	s := reSubtreeSplit.FindStringSubmatch(c.message)
	if d == nil || s == nil {
		return
	}
	dir := strings.Trim(d[1], "/")
	if !fsValid(dir) {
		return
	}
	if a.pins == nil {
		a.pins = map[string]subtreePin{}
	}
	if old, ok := a.pins[dir]; ok && !c.committer.When.After(old.when) {
		return
	}
	a.pins[dir] = subtreePin{split: s[1], when: c.committer.When}
}

// vendorCheck is one pin to verify.
type vendorCheck struct {
	pin    VendorPin
	source string
	// fromPolicy is true for a pin of the policy's vendor list. Other pins
	// come from the audited tree or history, which an attacker writes: their
	// upstream is only ever a clone the policy maps their URL or directory to.
	fromPolicy bool
	// ignore are file names in the vendored directory that are local by
	// design (the metadata file that declares the pin).
	ignore []string
}

var (
	reChromiumURL      = regexp.MustCompile(`(?m)^URL: *(\S+)`)
	reChromiumRevision = regexp.MustCompile(`(?m)^Revision: *([0-9a-fA-F]{40})\s*$`)
	reMetadataURL      = regexp.MustCompile(`value: *"([^"]+://[^"]+)"`)
	reMetadataVersion  = regexp.MustCompile(`version: *"([0-9a-fA-F]{40})"`)
)

// findMetadataPins looks for README.chromium and METADATA files in the
// protected directories (and two levels below them) of the tree.
func (a *auditor) findMetadataPins(tree plumbing.Hash) ([]vendorCheck, error) {
	var out []vendorCheck
	var globs []string
	for _, p := range a.pol.Protect[:a.userRules] {
		globs = append(globs, p.Path)
	}
	var visit func(dir string, h plumbing.Hash, depth int) error
	visit = func(dir string, h plumbing.Hash, depth int) error {
		es, err := a.r.tree(h)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.mode == filemode.Dir {
				if depth < 2 {
					if err := visit(join(dir, e.name), e.hash, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			if e.name != "README.chromium" && e.name != "METADATA" {
				continue
			}
			b, _, err := a.r.blobPrefix(e.hash, 64<<10)
			if err != nil {
				return err
			}
			var url, rev []string
			if e.name == "README.chromium" {
				url, rev = reChromiumURL.FindStringSubmatch(string(b)), reChromiumRevision.FindStringSubmatch(string(b))
			} else {
				url, rev = reMetadataURL.FindStringSubmatch(string(b)), reMetadataVersion.FindStringSubmatch(string(b))
			}
			if url == nil || rev == nil || dir == "" {
				continue
			}
			out = append(out, vendorCheck{
				pin:    VendorPin{Path: dir, Upstream: url[1], Commit: strings.ToLower(rev[1])},
				source: join(dir, e.name), ignore: []string{join(dir, e.name)},
			})
		}
		return nil
	}
	for _, p := range prefixes(globs) {
		if p == "" {
			continue
		}
		// Every case variant of the protected directory (see entriesAt).
		vs, err := a.r.entriesAt(tree, p)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.ref.mode != filemode.Dir {
				continue
			}
			if err := visit(v.path, v.ref.hash, 0); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// checkVendor compares every pinned vendored directory at until with its
// upstream commit. Policy pins win over pins found in the tree or history.
// A git-subtree-split trailer and a pin file on the same directory are both
// checked: a trailer is a commit message, which cannot stand in for the pin
// file's upstream. Pin files at since that lost their pin by until are
// reported too (checkPinChanges).
func (a *auditor) checkVendor(ctx context.Context, since, until plumbing.Hash, pins map[string]subtreePin) error {
	uc, err := a.r.commit(until)
	if err != nil {
		return err
	}
	var checks []vendorCheck
	policy := map[string]bool{}
	for _, p := range a.pol.Vendor {
		checks = append(checks, vendorCheck{pin: p, source: "policy", fromPolicy: true})
		policy[p.Path] = true
	}
	for _, dir := range slices.Sorted(mapKeys(pins)) {
		if !policy[dir] {
			checks = append(checks, vendorCheck{pin: VendorPin{Path: dir, Commit: pins[dir].split}, source: sourceSubtree})
		}
	}
	meta, err := a.findMetadataPins(uc.tree)
	if err != nil {
		return err
	}
	// Every pin file is checked, each ignoring all the pin files of its
	// directory: a second one naming an unmapped URL must not replace the
	// first.
	pinFiles := map[string][]string{}
	for _, m := range meta {
		pinFiles[m.pin.Path] = append(pinFiles[m.pin.Path], m.source)
	}
	for _, m := range meta {
		if !policy[m.pin.Path] {
			m.ignore = pinFiles[m.pin.Path]
			checks = append(checks, m)
		}
	}
	if err := a.checkPinChanges(ctx, since, meta, policy); err != nil {
		return err
	}
	for _, vc := range checks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := a.checkPin(ctx, since, uc.tree, vc); err != nil {
			return err
		}
	}
	return nil
}

// sourceSubtree names a pin taken from a git-subtree-split trailer.
const sourceSubtree = "git-subtree-split trailer"

// checkPinChanges reports the pin files (README.chromium, METADATA) of the
// tree at since whose directory has no pin file at until (the file was
// removed or no longer parses, or the directory moved where pin files are
// not looked for) or one naming another upstream URL: either leaves the
// directory's code unchecked against the upstream it was checked against.
// Directories the policy pins are skipped; their pins do not depend on the
// tree.
func (a *auditor) checkPinChanges(ctx context.Context, since plumbing.Hash, now []vendorCheck, policy map[string]bool) error {
	if since.IsZero() {
		return nil
	}
	sc, err := a.r.commit(since)
	if err != nil {
		return err
	}
	old, err := a.findMetadataPins(sc.tree)
	if err != nil {
		return err
	}
	cur := map[string][]vendorCheck{}
	for _, m := range now {
		cur[m.pin.Path] = append(cur[m.pin.Path], m)
	}
	oldURLs := map[string][]string{}
	var dirs []string
	for _, o := range old {
		if _, ok := oldURLs[o.pin.Path]; !ok {
			dirs = append(dirs, o.pin.Path)
		}
		oldURLs[o.pin.Path] = append(oldURLs[o.pin.Path], o.pin.Upstream)
	}
	for _, dir := range dirs {
		if policy[dir] {
			continue
		}
		o := old[slices.IndexFunc(old, func(v vendorCheck) bool { return v.pin.Path == dir })]
		if len(cur[dir]) == 0 {
			a.finding(RuleVendorUnverified, signing.SeverityWarning, dir, "", fmt.Sprintf("%s was pinned at %s by %s to %s of %s, but no pin file declares it at the audited revision (removed, no longer parsed, or the directory moved or was deleted): its code is no longer checked against upstream",
				dir, shortRev(since), o.source, o.pin.Commit, o.pin.Upstream))
			continue
		}
		for _, n := range cur[dir] {
			if !slices.Contains(oldURLs[dir], n.pin.Upstream) {
				a.finding(RuleVendorUnverified, signing.SeverityWarning, dir, "", fmt.Sprintf("%s: %s names upstream %s, which no pin file of the directory named at %s (%s)",
					dir, n.source, n.pin.Upstream, shortRev(since), strings.Join(oldURLs[dir], ", ")))
				continue
			}
			if i := slices.IndexFunc(old, func(v vendorCheck) bool { return v.source == n.source }); i >= 0 {
				if err := a.checkDowngrade(ctx, since, old[i], n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkDowngrade reports a pin file whose commit at until is a strict
// ancestor, in the upstream clone, of the commit the same file named at
// since. Without a clone, or when either commit is missing from it, the
// pin check itself reports what it can.
func (a *auditor) checkDowngrade(ctx context.Context, since plumbing.Hash, old, cur vendorCheck) error {
	if old.pin.Upstream != cur.pin.Upstream || old.pin.Commit == cur.pin.Commit {
		return nil
	}
	up, opened, _, err := a.upstreamRepo(cur)
	if err != nil || up == nil {
		return nil
	}
	if opened {
		defer up.close()
	}
	from, err1 := up.resolve(old.pin.Commit)
	to, err2 := up.resolve(cur.pin.Commit)
	if err1 != nil || err2 != nil || from.commit == to.commit {
		return nil
	}
	if up.reaches(ctx, from.commit, to.commit) {
		a.finding(RuleVendorDowngrade, signing.SeverityWarning, cur.source, "", fmt.Sprintf("%s names upstream commit %s, an ancestor of %s, which it named at %s: the vendored code was moved back to an older release",
			cur.source, to.commit, from.commit, shortRev(since)))
	}
	return ctx.Err()
}

// upstreamRepo finds the repository holding a pin's commit: for a policy
// pin, its Upstream clone; a clone mapped by URL or directory in
// Policy.Upstreams; or (for subtree pins) this repository. The URL of a pin
// found in the tree is never opened itself: "URL: ." in a README.chromium
// would name the audited repository, where anyone who can push can add a
// commit matching their code. self reports that the repository is this one.
//
// The reader returned reads commits from their objects, never from a
// commit-graph: the pin's tree and its ancestry decide the drift and
// downgrade checks, and a commit-graph is a file beside the objects that
// anyone who can write the repository can forge (one naming the vendored
// code's tree for the pinned commit made the drift vanish).
func (a *auditor) upstreamRepo(vc vendorCheck) (up *repo, opened, self bool, err error) {
	p := vc.pin
	loc := ""
	if vc.fromPolicy {
		loc = p.Upstream
	}
	if mapped, ok := a.pol.Upstreams[p.Upstream]; ok && p.Upstream != "" {
		loc = mapped
	} else if mapped, ok := a.pol.Upstreams[p.Path]; ok && loc == "" {
		loc = mapped
	}
	if loc == "" || strings.Contains(loc, "://") {
		if p.Upstream == "" {
			if _, err := a.r.commit(plumbing.NewHash(p.Commit)); err == nil {
				return a.r.objectsOnly(), false, true, nil
			}
		}
		return nil, false, false, nil
	}
	r, err := openRepo(loc)
	if err != nil {
		return nil, false, false, err
	}
	r.dropGraph()
	return r, true, false, nil
}

// reaches reports whether target is from or one of its ancestors; false
// when from is zero or an ancestor cannot be read.
func (r *repo) reaches(ctx context.Context, from, target plumbing.Hash) bool {
	if from.IsZero() {
		return false
	}
	seen := map[plumbing.Hash]bool{from: true}
	stack := []plumbing.Hash{from}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if h == target {
			return true
		}
		if len(seen)%4096 == 0 && ctx.Err() != nil {
			return false
		}
		c, err := r.commit(h)
		if err != nil {
			continue
		}
		for _, p := range c.parents {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	return false
}

// checkPin compares the directory of one pin in tree with its upstream. A
// subtree pin whose split commit is in this repository but not in the
// history of since is reported as unverified: the commit came with the
// audited range, so whoever changed the directory could have made it.
func (a *auditor) checkPin(ctx context.Context, since, tree plumbing.Hash, vc vendorCheck) error {
	p := vc.pin
	up, opened, self, err := a.upstreamRepo(vc)
	if err != nil {
		a.finding(RuleVendorUnverified, signing.SeverityWarning, p.Path, "", fmt.Sprintf("%s pinned by %s to %s: %v", p.Path, vc.source, p.Commit, err))
		return nil
	}
	if up == nil {
		where := p.Upstream
		if where == "" {
			where = "the upstream repository"
		}
		a.finding(RuleVendorUnverified, signing.SeverityNote, p.Path, "", fmt.Sprintf("%s is pinned by %s to %s of %s, but no local clone is configured (policy upstreams)", p.Path, vc.source, p.Commit, where))
		return nil
	}
	if opened {
		defer up.close()
	}
	rev, err := up.resolve(p.Commit)
	if err != nil {
		a.finding(RuleVendorUnverified, signing.SeverityWarning, p.Path, "", fmt.Sprintf("%s is pinned by %s to %s, which the upstream clone does not have: %v", p.Path, vc.source, p.Commit, err))
		return nil
	}
	upc, err := up.commit(rev.commit)
	if err != nil {
		return err
	}
	if self && (slices.Contains(a.rangeCommits, rev.commit) || !up.reaches(ctx, since, rev.commit)) {
		a.finding(RuleVendorUnverified, signing.SeverityWarning, p.Path, "", fmt.Sprintf("%s is pinned by %s to %s, a commit of this repository that is not in the history of %s: it came with the audited range, so it vouches for nothing; map the directory to an upstream clone in the policy's upstreams",
			p.Path, vc.source, rev.commit, orZero(since)))
	}
	ue, err := up.entryAt(upc.tree, p.UpstreamPath)
	if err != nil {
		return err
	}
	if ue.mode == filemode.Dir {
		if err := a.checkPinVariants(up, tree, ue, rev.commit, vc); err != nil {
			return err
		}
	}
	le, err := a.r.entryAt(tree, p.Path)
	if err != nil {
		return err
	}
	if le.mode != filemode.Dir {
		a.finding(RuleVendorDrift, signing.SeverityError, p.Path, "", fmt.Sprintf("%s (pinned by %s) is not a directory in the audited tree", p.Path, vc.source))
		return nil
	}
	if ue.mode != filemode.Dir {
		a.finding(RuleVendorUnverified, signing.SeverityWarning, p.Path, "", fmt.Sprintf("upstream commit %s has no directory %q", rev.commit, p.UpstreamPath))
		return nil
	}
	chs, err := diffTrees(up, a.r, ue.hash, le.hash, p.Path, nil)
	if err != nil {
		return err
	}
	for _, ch := range chs {
		if slices.Contains(vc.ignore, ch.path) {
			continue
		}
		var what string
		switch changeStatus(ch) {
		case "added":
			what = "is not in"
		case "deleted":
			what = "is missing; it is in"
		default:
			what = "differs from"
		}
		a.finding(RuleVendorDrift, signing.SeverityError, ch.path, "", fmt.Sprintf("%s %s upstream %s (pinned by %s)", ch.path, what, shortRev(rev.commit), vc.source))
	}
	return nil
}

// checkPinVariants reports the files of directories whose paths differ from
// a pinned directory's only in case (`Third_Party/zlib` for
// `third_party/zlib`): a case-insensitive checkout writes them into the
// pinned directory, so each one not in upstream, or differing from it, is
// drift. Files upstream has that a variant lacks are not: the pinned
// directory itself holds them.
func (a *auditor) checkPinVariants(up *repo, tree plumbing.Hash, ue entryRef, rev plumbing.Hash, vc vendorCheck) error {
	if !a.pol.foldPaths() {
		return nil
	}
	p := vc.pin
	vs, err := a.r.entriesAt(tree, p.Path)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.path == p.Path {
			continue
		}
		if v.ref.mode != filemode.Dir {
			a.finding(RuleVendorDrift, signing.SeverityError, v.path, "", fmt.Sprintf("%s is not a directory and has the path of %s (pinned by %s) but for case: a case-insensitive checkout puts it in place of the vendored directory", v.path, p.Path, vc.source))
			continue
		}
		chs, err := diffTrees(up, a.r, ue.hash, v.ref.hash, v.path, nil)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			st := changeStatus(ch)
			if st == "deleted" || slices.Contains(vc.ignore, ch.path) {
				continue
			}
			what := "is not in"
			if st != "added" {
				what = "differs from"
			}
			a.finding(RuleVendorDrift, signing.SeverityError, ch.path, "", fmt.Sprintf("%s %s upstream %s (pinned by %s); %s differs from %s only in case, so a case-insensitive checkout merges them",
				ch.path, what, shortRev(rev), vc.source, v.path, p.Path))
		}
	}
	return nil
}

func shortRev(h plumbing.Hash) string { return h.String() }

// orZero names a since revision in a message; the zero id means the range
// is all of history.
func orZero(since plumbing.Hash) string {
	if since.IsZero() {
		return "the last release (none given: the range is all of history)"
	}
	return since.String()
}
