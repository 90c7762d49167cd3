package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// Options configures Audit. The zero value audits all of HEAD's history with
// an empty policy.
type Options struct {
	// Since is the last release (a tag, branch or commit id); the audit
	// covers commits reachable from Until and not from Since. Empty means
	// all of Until's history.
	Since string
	// Until is the revision being released; empty means HEAD.
	Until string
	// Policy says what is protected and who may change and sign it; nil is
	// the empty policy.
	Policy *Policy
	// AllowedSigners and Keyring add SSH and OpenPGP keys to those the
	// policy's files name.
	AllowedSigners AllowedSigners
	Keyring        openpgp.EntityList
	// Artifact, when non-nil, is a release (such as a directory or an asar
	// archive's contents) to compare with the tree at Until.
	Artifact fs.FS
	// ArtifactPath, when set, is a release directory or a .tar, .tar.gz,
	// .tgz or .tar.xz archive to compare with the tree at Until. A single
	// top-level directory wrapping the archive is ignored.
	ArtifactPath string
	// ArtifactTreePath is the directory of the tree the artifact
	// corresponds to; empty means the root.
	ArtifactTreePath string
	// Now is the time for "date in the future" checks; zero means time.Now().
	Now time.Time
	// Backend selects how protected-path history is computed.
	Backend Backend
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called after each commit of the range is
	// checked, from the goroutine that called Audit.
	Progress func(Progress)
	// FailOn is the gate's threshold of [AuditReport]; empty means
	// report.FailOnError. Audit ignores it.
	FailOn report.FailOn
	// ToolVersion is the version [AuditReport] records in the report's
	// tool section.
	ToolVersion string
}

// Progress is the running count of an [Audit]: commits of the range
// checked so far, of Total.
type Progress struct {
	Commits, Total int
}

// Result is what Audit found.
type Result struct {
	// Since and Until are the full commit ids the range was computed from
	// (Since is empty when the whole history was audited).
	Since string `json:"since,omitempty"`
	Until string `json:"until"`
	// Tags are the annotated tags Since and Until name, with their signatures.
	Tags []Tag `json:"tags,omitempty"`
	// RangeSize is the number of commits audited.
	RangeSize int `json:"rangeSize"`
	// Commits are the commits of the range that change a protected path,
	// newest first (by committer date, then id).
	Commits []Commit `json:"commits"`
	// Findings are sorted by path, rule, commit and message.
	Findings []signing.Finding `json:"findings"`
	// Backend is the path-history backend used ("go-git" or "git").
	Backend string `json:"backend,omitempty"`
	// Artifact counts the files of the release artifact compared with the
	// tree at Until; nil when no artifact was given.
	Artifact *ArtifactSummary `json:"artifact,omitempty"`
}

// ArtifactSummary counts what the comparison of a release artifact with the
// tagged tree found; the differences themselves are findings.
type ArtifactSummary struct {
	// Files is the number of files (and symlinks) in the artifact; a
	// directory's top-level .git is not one.
	Files int `json:"files"`
	// Matched is how many of them are identical to the tree's.
	Matched int `json:"matched"`
	// Allowed is how many the policy's artifactAllow excuses.
	Allowed int `json:"allowed"`
	// TreeFiles is the number of files in the tree compared with.
	TreeFiles int `json:"treeFiles"`
}

// Commit is a commit that changes protected paths.
type Commit struct {
	// Hash is the full commit id.
	Hash string `json:"commit"`
	// Parents are the full ids of its parents.
	Parents   []string `json:"parents"`
	Author    Person   `json:"author"`
	Committer Person   `json:"committer"`
	// Subject is the first line of the message.
	Subject string `json:"subject"`
	// Signature is nil when the commit is unsigned.
	Signature *Signature `json:"signature,omitempty"`
	// Protected are the policy globs the commit's changes match.
	Protected []string `json:"protected"`
	// Files are the protected files the commit changes, sorted.
	Files []FileChange `json:"files"`
}

// FileChange is one changed file. For a merge, the file differs from at least
// one parent; the counts are against the first parent it differs from.
type FileChange struct {
	Path string `json:"path"`
	// Status is "added", "modified", "deleted" or "type-changed" (a file
	// turned symlink or submodule, or back; git diff's T).
	Status string `json:"status"`
	// Parent is the index of the parent compared, -1 for a root commit.
	Parent int `json:"parent"`
	// Added and Deleted count lines; both are zero for binary files.
	Added   int  `json:"added"`
	Deleted int  `json:"deleted"`
	Binary  bool `json:"binary,omitempty"`
	// Large is set when the lines were not counted exactly: a side is over
	// 8 MiB (both counts are zero), or the change is too scattered for the
	// count's cost bound (the counts are then an upper bound).
	Large bool `json:"large,omitempty"`
}

// Tag is an annotated tag at an end of the range.
type Tag struct {
	Name string `json:"name"`
	// Hash is the tag object's id.
	Hash      string     `json:"hash"`
	Target    string     `json:"target"`
	Tagger    Person     `json:"tagger"`
	Signature *Signature `json:"signature,omitempty"`
}

// resolvedRev is a revision resolved to a commit, with the annotated tag
// objects peeled on the way.
type resolvedRev struct {
	commit plumbing.Hash
	tags   []plumbing.Hash
	// tagNames are the names the tag objects of tags carry, in order
	// (checkTagNames).
	tagNames []string
	// refTag is the name of the tag ref (refs/tags/NAME) the revision
	// was found under, "" when it was not found under one.
	refTag string
}

// resolve resolves rev to a commit, remembering annotated tags it names.
func (r *repo) resolve(rev string) (resolvedRev, error) {
	var out resolvedRev
	var start plumbing.Hash
	if plumbing.IsHash(rev) {
		// A full object id names that object even when a ref has the
		// same name (as in git), so nobody who can push a branch called
		// after the last release's id can move the range.
		start = plumbing.NewHash(rev)
	}
	// git's order (refs.c ref_rev_parse_rules).
	for _, name := range []string{rev, "refs/" + rev, "refs/tags/" + rev, "refs/heads/" + rev, "refs/remotes/" + rev, "refs/remotes/" + rev + "/HEAD"} {
		if !start.IsZero() {
			break
		}
		if ref, err := r.r.Reference(plumbing.ReferenceName(name), true); err == nil {
			start = ref.Hash()
			if t, ok := strings.CutPrefix(name, "refs/tags/"); ok {
				out.refTag = t
			}
		}
	}
	if start.IsZero() {
		h, err := r.r.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			return out, fmt.Errorf("git: resolve %q: %w", rev, err)
		}
		out.commit = *h
		return out, nil
	}
	for range 16 {
		typ, _, err := r.rawTyped(start, plumbing.AnyObject)
		if err != nil {
			return out, fmt.Errorf("git: resolve %q: %w", rev, err)
		}
		switch typ {
		case plumbing.CommitObject:
			out.commit = start
			return out, nil
		case plumbing.TagObject:
			out.tags = append(out.tags, start)
			b, err := r.raw(start, plumbing.TagObject)
			if err != nil {
				return out, err
			}
			t, err := parseTag(b)
			if err != nil {
				return out, fmt.Errorf("git: tag %s: %w", start, err)
			}
			out.tagNames = append(out.tagNames, t.name)
			start = plumbing.NewHash(t.object)
		default:
			return out, fmt.Errorf("git: %q names a %s, not a commit", rev, typ)
		}
	}
	return out, fmt.Errorf("git: %q: tag chain too long", rev)
}

// resolveRange resolves since (empty: none) and until (empty: HEAD).
func (r *repo) resolveRange(since, until string) (resolvedRev, resolvedRev, error) {
	var s resolvedRev
	if until == "" {
		until = "HEAD"
	}
	u, err := r.resolve(until)
	if err != nil {
		return s, u, err
	}
	if since != "" {
		if s, err = r.resolve(since); err != nil {
			return s, u, err
		}
	}
	return s, u, nil
}

// Audit audits the commits reachable from opts.Until and not from
// opts.Since: changes to protected paths and who made and signed them,
// heuristics for suspicious history, vendored directories against their
// upstream pins, and, if given, a release artifact against the tree at Until.
// An error means the audit could not be carried out; problems found in the
// repository are Findings.
func Audit(ctx context.Context, repoDir string, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pol := opts.Policy
	if pol == nil {
		pol = &Policy{}
	}
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	ver, err := loadVerifier(pol, opts.AllowedSigners, opts.Keyring)
	if err != nil {
		return nil, err
	}
	r, err := openRepo(repoDir)
	if err != nil {
		return nil, err
	}
	defer r.close()
	since, until, err := r.resolveRange(opts.Since, opts.Until)
	if err != nil {
		return nil, err
	}
	ver.now = now
	a := &auditor{r: r, pol: pol, ver: ver, now: now, log: log, userRules: len(pol.Protect)}
	a.checkTrustInRepo(repoDir)
	res := &Result{Until: until.commit.String(), Commits: []Commit{}, Findings: []signing.Finding{}}
	if !since.commit.IsZero() {
		res.Since = since.commit.String()
	}
	if err := a.protectLinkTargets(since.commit, until.commit); err != nil {
		return nil, err
	}
	w, changed, err := a.walkHistory(ctx, opts, since.commit, until.commit, res)
	if err != nil {
		return nil, err
	}
	res.RangeSize = len(w.commits)
	a.rangeCommits = w.commits
	if !w.sinceReached {
		a.add(signing.Finding{Rule: RuleHistoryRewritten, Severity: signing.SeverityError, Commit: since.commit.String(), Signature: -1,
			Message: fmt.Sprintf("%s (%s) is not an ancestor of %s (%s): the release it marks has left the history", opts.Since, since.commit, orHEAD(opts.Until), until.commit)})
	}
	if err := a.checkTags(res, since.tags, until.tags); err != nil {
		return nil, err
	}
	a.checkTagNames(since, until)
	if err := a.checkCommits(ctx, res, w.commits, changed, opts.Progress); err != nil {
		return nil, err
	}
	if err := a.checkNothingAudited(w, since.commit, until.commit, opts.Since, opts.Until, res.Commits); err != nil {
		return nil, err
	}
	if err := a.checkVendor(ctx, since.commit, until.commit, a.pins); err != nil {
		return nil, err
	}
	if err := a.checkArtifacts(ctx, res, until.commit, opts); err != nil {
		return nil, err
	}
	res.Findings = a.findings
	SortFindings(res.Findings)
	return res, nil
}

// walkHistory finds the commits between since and until and, among them,
// those whose tree changes under a protected path: the git binary, when
// startGitCLI chooses it, runs beside the in-process walk and then beside
// the binary heuristic's tree diffs (startBinaryScan), and under
// BackendAuto a failing git leaves the answer to the walk (res.Backend then
// says go-git).
func (a *auditor) walkHistory(ctx context.Context, opts Options, since, until plumbing.Hash, res *Result) (*walkResult, map[plumbing.Hash]bool, error) {
	var globs []string
	for _, p := range a.pol.Protect {
		globs = append(globs, p.Path)
	}
	fold := a.pol.foldPaths()
	if fold {
		// "vendor./x/**" names vendor/x on Windows (winGlob): the
		// walk and git rev-list look there.
		for i, g := range globs {
			globs[i] = winGlob(g)
		}
	}
	ps := prefixes(globs)
	// The .gitattributes above each prefix: commits changing them are
	// candidates too (see checkAttributeChanges).
	var attrFiles []string
	for _, p := range ps {
		if p != "" {
			for _, d := range ancestorDirs(p) {
				attrFiles = append(attrFiles, join(d, ".gitattributes"))
			}
		}
	}
	ps = minimalPrefixes(append(ps, attrFiles...))
	a.r.foldPaths = fold
	a.r.normPaths = !fold
	a.r.above = true
	// git rev-list runs while the history is walked in process: the
	// two take about as long, and the child process has a core of its own.
	cli, err := a.startGitCLI(ctx, opts, since, until, ps, fold, res)
	if err != nil {
		return nil, nil, err
	}
	var walkPrefixes []string
	if cli == nil && len(ps) > 0 {
		walkPrefixes = ps
	}
	a.log.Info("walking history", "since", res.Since, "until", res.Until, "prefixes", ps, "backend", res.Backend)
	w, err := a.r.walk(ctx, since, until, walkPrefixes)
	if err != nil {
		// git's error comes first, as when git ran before the walk.
		if _, cerr := cli.wait(); cerr != nil && opts.Backend == BackendGitCLI {
			return nil, nil, cerr
		}
		return nil, nil, err
	}
	changed := w.changed
	if cli != nil {
		// The binary heuristic's tree diffs need only the commits: they
		// start while git runs, rather than after it.
		a.startBinaryScan(ctx, w.commits)
		if changed, err = cli.wait(); err != nil {
			if opts.Backend == BackendGitCLI || ctx.Err() != nil {
				return nil, nil, err
			}
			a.log.Warn("git binary failed; walking history in process", "err", err)
			res.Backend = BackendGoGit.String()
			if w, err = a.r.walk(ctx, since, until, ps); err != nil {
				return nil, nil, err
			}
			changed = w.changed
		}
	}
	if err := a.r.checkExcluded(w, until); err != nil {
		return nil, nil, err
	}
	return w, changed, nil
}

// startGitCLI chooses the backend that finds the commits changing the
// protected path prefixes ps, and names it in res.Backend: the git binary
// with BackendGitCLI, or with BackendAuto when one is on PATH (and can fold
// the paths as the policy does). With the git binary it starts git
// rev-list, listing the commits between since and until that change ps, and
// returns its run, whose wait gives them; without, it returns nil, and the
// in-process walk finds them. When the binary fails under BackendAuto, the
// caller warns and leaves the in-process walk to find them.
func (a *auditor) startGitCLI(ctx context.Context, opts Options, since, until plumbing.Hash, ps []string, fold bool, res *Result) (*cliRun, error) {
	gitBin := findGit()
	useCLI := len(ps) > 0 && (opts.Backend == BackendGitCLI || (opts.Backend == BackendAuto && gitBin != ""))
	if opts.Backend == BackendAuto && slices.ContainsFunc(ps, nonASCII) {
		// git's icase pathspecs fold ASCII letters only, and git's
		// pathspecs do not join NFC and NFD spellings.
		useCLI = false
	}
	if opts.Backend == BackendGitCLI && gitBin == "" {
		return nil, errors.New("git: backend git: no git binary on PATH")
	}
	res.Backend = BackendGoGit.String()
	if !useCLI {
		return nil, nil
	}
	res.Backend = BackendGitCLI.String()
	ctx, cancel := context.WithCancel(ctx)
	run := &cliRun{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		run.changed, run.err = cliChanged(ctx, gitBin, a.r, since, until, ps, fold, true)
	}()
	return run, nil
}

// cliRun is a git rev-list started by startGitCLI.
type cliRun struct {
	cancel  context.CancelFunc
	done    chan struct{}
	changed map[plumbing.Hash]bool
	err     error
}

// wait returns the commits git listed, or why it failed, once it is done;
// nil and no error for no run.
func (c *cliRun) wait() (map[plumbing.Hash]bool, error) {
	if c == nil {
		return nil, nil
	}
	<-c.done
	c.cancel()
	return c.changed, c.err
}

// checkTags verifies the annotated tags that Since and Until name, adding
// them to res.Tags in that order.
func (a *auditor) checkTags(res *Result, since, until []plumbing.Hash) error {
	for _, tags := range [][]plumbing.Hash{since, until} {
		for _, th := range tags {
			t, err := a.checkTag(th)
			if err != nil {
				return err
			}
			res.Tags = append(res.Tags, *t)
		}
	}
	return nil
}

// checkCommits checks each commit of the range, those in changed as
// candidates for changing protected paths, and adds those that do to
// res.Commits, newest first. It reports progress to progress, if not nil,
// and stops when ctx is done.
func (a *auditor) checkCommits(ctx context.Context, res *Result, commits []plumbing.Hash, changed map[plumbing.Hash]bool, progress func(Progress)) error {
	if a.bins == nil {
		a.startBinaryScan(ctx, commits)
	}
	for i, h := range commits {
		if i&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c, err := a.checkCommit(h, changed[h])
		if err != nil {
			return err
		}
		if c != nil {
			res.Commits = append(res.Commits, *c)
		}
		if progress != nil {
			progress(Progress{Commits: i + 1, Total: len(commits)})
		}
	}
	if err := a.checkParentDates(commits); err != nil {
		return err
	}
	slices.SortFunc(res.Commits, func(x, y Commit) int {
		if c := y.Committer.When.Compare(x.Committer.When); c != 0 {
			return c
		}
		return strings.Compare(x.Hash, y.Hash)
	})
	return nil
}

// checkArtifacts compares the release artifact of opts, given as a file
// system or as a path, with the tree at until, and counts what it found in
// res.Artifact.
func (a *auditor) checkArtifacts(ctx context.Context, res *Result, until plumbing.Hash, opts Options) error {
	var err error
	if opts.Artifact != nil {
		if res.Artifact, err = a.checkArtifact(ctx, until, opts.Artifact, opts.ArtifactTreePath); err != nil {
			return err
		}
	}
	if opts.ArtifactPath != "" {
		keep, err := a.substKeep(until, opts.ArtifactTreePath)
		if err != nil {
			return err
		}
		sc, err := scanArtifactPath(ctx, opts.ArtifactPath, keep)
		if err != nil {
			return err
		}
		if sc.gitDir && a.r.isGitDir(filepath.Join(opts.ArtifactPath, ".git")) {
			// The artifact is the checkout audited: its .git is the
			// repository read, not part of a release.
			sc.gitDir = false
		}
		if res.Artifact, err = a.compareArtifact(until, opts.ArtifactTreePath, sc); err != nil {
			return err
		}
	}
	return nil
}

func orHEAD(s string) string {
	if s == "" {
		return "HEAD"
	}
	return s
}

// SortFindings sorts findings into report order, [report.CompareFindings].
func SortFindings(fs []signing.Finding) { report.SortFindings(fs) }

// auditor carries the state of one Audit.
type auditor struct {
	r        *repo
	pol      *Policy
	ver      *verifier
	now      time.Time
	log      *slog.Logger
	findings []signing.Finding
	// pins are subtree pins found in commit messages, by directory.
	pins map[string]subtreePin
	// rangeCommits are the commits of the range: a split commit among
	// them is known not to be in the history of since without a walk.
	rangeCommits []plumbing.Hash
	// blobKinds memoizes content classification by blob id.
	blobKinds map[plumbing.Hash]blobKind
	// lineCache memoizes line counts by (old, new) blob id.
	lineCache map[[2]plumbing.Hash]lineCount
	// bins, when non-nil, computes checkBinaries ahead on other goroutines.
	bins *binaryScan
	// committed memoizes committer dates by commit (see committerDate).
	committed map[plumbing.Hash]time.Time
	// attrCache memoizes loadAttrs by tree.
	attrCache map[plumbing.Hash]*gitAttrs
	// userRules is how many of pol.Protect the caller's policy holds; the
	// rest protect symlink targets (see protectLinkTargets).
	userRules int
}

func (a *auditor) add(f signing.Finding) { a.findings = append(a.findings, f) }

func (a *auditor) finding(rule signing.Rule, sev signing.Severity, path, commit, msg string) {
	a.add(signing.Finding{Rule: rule, Severity: sev, Path: path, Commit: commit, Message: msg, Signature: -1})
}

// checkTag verifies an annotated tag's signature.
func (a *auditor) checkTag(h plumbing.Hash) (*Tag, error) {
	b, err := a.r.rawCopy(h, plumbing.TagObject)
	if err != nil {
		return nil, err
	}
	t, err := parseTag(b)
	if err != nil {
		return nil, fmt.Errorf("git: tag %s: %w", h, err)
	}
	out := &Tag{Name: t.name, Hash: h.String(), Target: t.object, Tagger: t.tagger}
	if t.sig != "" {
		out.Signature = a.ver.verify(t.sig, t.payload, t.tagger.When)
		if out.Signature, err = a.checkTagSignedAfterTarget(t, out.Signature); err != nil {
			return nil, err
		}
		if t.extraSigs > 0 {
			out.Signature.Multiple = true
			out.Signature.Status = signing.StatusMalformed
			out.Signature.Detail = fmt.Sprintf("%d signature blocks; git accepts exactly one", t.extraSigs+1)
		}
		a.signatureFindings(out.Signature, nil, "", h.String(), "tag "+t.name)
	}
	return out, nil
}

// signatureFindings reports a bad, multiple or disallowed signature. signers
// is the allow list that applies (nil: any allowed key). For objects outside
// protected paths only bad and multiple signatures are reported.
func (a *auditor) signatureFindings(s *Signature, signers []string, path, commit, what string) {
	switch {
	case s.Multiple:
		a.finding(RuleMultipleSignatures, signing.SeverityError, path, commit, what+" carries several signatures: "+s.Detail)
	case s.Status == signing.StatusInvalid || s.Status == signing.StatusMalformed:
		a.finding(RuleBadSignature, signing.SeverityError, path, commit, fmt.Sprintf("%s has a bad %s signature: %s", what, orUnknown(s.Format), s.Detail))
	case signers != nil || path == "":
		if !s.allowedBy(signers) {
			msg := fmt.Sprintf("%s is signed (%s, key %s) but not by a signer allowed", what, s.Format, s.Key)
			if path != "" {
				msg += " for " + path
			}
			if s.Detail != "" {
				msg += ": " + s.Detail
			} else if s.Signer != "" {
				msg += ": signer " + s.Signer
			}
			if len(s.sharedEmails) > 0 {
				msg += fmt.Sprintf(" (other keys of the keyrings claim %s too, so the address names no key; name this key by fingerprint in signers)", strings.Join(s.sharedEmails, ", "))
			}
			a.finding(RuleSignerNotAllowed, signing.SeverityError, path, commit, msg)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown-format"
	}
	return s
}

// checkCommit runs every per-commit check; it returns the commit's record
// when it changes a protected path.
func (a *auditor) checkCommit(h plumbing.Hash, candidate bool) (*Commit, error) {
	b, err := a.r.rawCopy(h, plumbing.CommitObject)
	if err != nil {
		return nil, err
	}
	c, err := parseCommit(b)
	if err != nil {
		return nil, fmt.Errorf("git: commit %s: %w", h, err)
	}
	if err := a.r.checkGraphRecord(h, c.tree, c.parents); err != nil {
		return nil, err
	}
	id := h.String()
	what := "commit " + id[:12]
	a.noteCommitted(h, c.committer.When)

	var sig *Signature
	if len(c.sigs) > 0 {
		sig = a.ver.verify(strings.Join(c.sigs, ""), c.payload, c.committer.When)
		if len(c.sigs) > 1 {
			sig.Multiple, sig.Status = true, signing.StatusMalformed
			sig.Detail = fmt.Sprintf("%d gpgsig headers; git accepts exactly one", len(c.sigs))
		}
		if sig, err = a.checkSignedAfterParents(c, sig); err != nil {
			return nil, err
		}
		if sig.Multiple || sig.Status == signing.StatusInvalid || sig.Status == signing.StatusMalformed {
			a.signatureFindings(sig, nil, "", id, what)
		}
	}
	for i, mt := range c.mergetags {
		t, err := parseTag([]byte(mt))
		if err != nil {
			a.finding(RuleBadSignature, signing.SeverityError, "", id, fmt.Sprintf("%s: mergetag %d cannot be parsed: %v", what, i, err))
			continue
		}
		if t.sig == "" {
			continue
		}
		ts := a.ver.verify(t.sig, t.payload, t.tagger.When)
		if t.extraSigs > 0 {
			ts.Multiple, ts.Status = true, signing.StatusMalformed
			ts.Detail = fmt.Sprintf("%d signature blocks; git accepts exactly one", t.extraSigs+1)
		}
		if ts.Multiple || ts.Status == signing.StatusInvalid || ts.Status == signing.StatusMalformed {
			a.signatureFindings(ts, nil, "", id, fmt.Sprintf("%s: merged tag %s", what, t.name))
		}
	}
	a.checkDates(c, id, what)
	a.collectPins(c)
	if err := a.checkBinaries(c, id); err != nil {
		return nil, err
	}
	if !candidate || len(a.pol.Protect) == 0 {
		return nil, nil
	}
	if err := a.checkAttributeChanges(h, c, sig); err != nil {
		return nil, err
	}
	return a.protectedChange(h, c, sig)
}

// checkDates reports committer dates before the author date or in the future.
func (a *auditor) checkDates(c *rawCommit, id, what string) {
	skew := a.pol.clockSkew()
	if c.committer.When.Before(c.author.When.Add(-skew)) {
		a.finding(RuleDateAnomaly, signing.SeverityWarning, "", id, fmt.Sprintf("%s: committer date %s is earlier than author date %s",
			what, c.committer.When.UTC().Format(time.RFC3339), c.author.When.UTC().Format(time.RFC3339)))
	}
	for _, p := range []struct {
		role string
		who  Person
	}{{"author", c.author}, {"committer", c.committer}} {
		if p.who.When.After(a.now.Add(skew)) {
			a.finding(RuleDateAnomaly, signing.SeverityWarning, "", id, fmt.Sprintf("%s: %s date %s is in the future",
				what, p.role, p.who.When.UTC().Format(time.RFC3339)))
		}
	}
}

// protectedChange lists the protected files commit h changes and reports
// who changed them and how it was signed.
func (a *auditor) protectedChange(h plumbing.Hash, c *rawCommit, sig *Signature) (*Commit, error) {
	var parents []plumbing.Hash
	for _, p := range c.parents {
		parents = append(parents, plumbing.NewHash(p))
	}
	tree := plumbing.NewHash(c.tree)
	var globs []string
	for _, p := range a.pol.Protect {
		globs = append(globs, p.Path)
	}
	ps := prefixes(globs)
	files := map[string]FileChange{}
	blobs := map[string][2]entryRef{}
	// differs counts, per protected file, the parents it differs from.
	differs := map[string]int{}
	compare := func(parentTree plumbing.Hash, idx int) error {
		for _, p := range ps {
			chs, err := a.r.diffAt(parentTree, tree, p)
			if err != nil {
				return err
			}
			for _, ch := range chs {
				if !matchAnyProtected(globs, ch.path, a.pol.foldPaths()) && !aboveOf(ch.path, p, a.pol.foldPaths()) {
					continue
				}
				differs[ch.path]++
				if _, done := files[ch.path]; done {
					continue
				}
				files[ch.path] = FileChange{Path: ch.path, Status: changeStatus(ch), Parent: idx}
				blobs[ch.path] = [2]entryRef{ch.from, ch.to}
			}
		}
		return nil
	}
	if len(parents) == 0 {
		if err := compare(plumbing.ZeroHash, -1); err != nil {
			return nil, err
		}
	}
	for i, ph := range parents {
		pc, err := a.r.commit(ph)
		if err != nil {
			return nil, err
		}
		if err := compare(pc.tree, i); err != nil {
			return nil, err
		}
	}
	if len(files) == 0 {
		return nil, nil
	}
	id := h.String()
	out := &Commit{Hash: id, Author: c.author, Committer: c.committer, Subject: subject(c.message), Signature: sig, Parents: c.parents}
	if out.Parents == nil {
		out.Parents = []string{}
	}
	for p, fc := range files {
		bl := blobs[p]
		lc := a.lineCounts(bl[0], bl[1])
		fc.Added, fc.Deleted, fc.Binary, fc.Large = lc.added, lc.deleted, lc.binary, lc.large
		files[p] = fc
	}
	for _, p := range slices.Sorted(mapKeys(files)) {
		out.Files = append(out.Files, files[p])
	}
	what := "commit " + id[:12]
	a.mergeOwnChanges(what, id, len(parents), out.Files, differs)
	a.ruleFindings(out, c, sig)
	return out, nil
}

// ruleFindings reports, for each protect rule whose paths commit out (c,
// signed by sig) changes, the change itself, how it is signed and who
// made it, and lists the rule in out.Protected.
func (a *auditor) ruleFindings(out *Commit, c *rawCommit, sig *Signature) {
	id := out.Hash
	what := "commit " + id[:12]
	for _, rule := range a.pol.Protect {
		var hit []string
		for _, f := range out.Files {
			if matchProtected(rule.Path, f.Path, a.pol.foldPaths()) {
				hit = append(hit, f.Path)
			}
		}
		if len(hit) == 0 {
			continue
		}
		out.Protected = append(out.Protected, rule.Path)
		where := globPrefix(rule.Path)
		if where == "" {
			where = hit[0]
		}
		a.finding(RuleProtectedPathChange, signing.SeverityWarning, where, id, fmt.Sprintf("%s by %s <%s> (committed by %s <%s>, %s) changes %d file(s) under %s: %s",
			what, c.author.Name, c.author.Email, c.committer.Name, c.committer.Email, c.committer.When.UTC().Format(time.RFC3339), len(hit), rule.Path, summarize(hit)))
		switch {
		case sig == nil:
			a.finding(RuleUnsignedProtected, signing.SeverityError, where, id, fmt.Sprintf("%s changes %s and is not signed", what, rule.Path))
		case sig.Multiple || sig.Status == signing.StatusInvalid || sig.Status == signing.StatusMalformed:
			// Already reported as a bad or multiple signature.
		default:
			signers := rule.Signers
			if signers == nil {
				signers = []string{}
			}
			a.signatureFindings(sig, signers, where, id, what)
		}
		if len(rule.Owners) > 0 && !ownerMatch(rule.Owners, c.author) {
			a.finding(RuleUnexpectedAuthor, signing.SeverityWarning, where, id, fmt.Sprintf("%s: author %s <%s> is not an owner of %s (%s)",
				what, c.author.Name, c.author.Email, rule.Path, strings.Join(rule.Owners, ", ")))
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func summarize(paths []string) string {
	const show = 5
	if len(paths) <= show {
		return strings.Join(paths, ", ")
	}
	return strings.Join(paths[:show], ", ") + fmt.Sprintf(" and %d more", len(paths)-show)
}

func subject(msg string) string {
	s, _, _ := strings.Cut(strings.TrimLeft(msg, "\n"), "\n")
	return s
}

func changeStatus(ch change) string {
	switch {
	case ch.from.hash.IsZero():
		return "added"
	case ch.to.hash.IsZero():
		return "deleted"
	case ch.from.mode != ch.to.mode && (ch.from.mode.IsFile() != ch.to.mode.IsFile() ||
		(ch.from.mode == filemode.Symlink) != (ch.to.mode == filemode.Symlink)):
		// go-git's IsFile counts a symlink as a file; git diff reports a
		// file turned symlink (or back) as a type change (T), and so does
		// the report: the path now names other content.
		return "type-changed"
	}
	return "modified"
}

// ownerMatch matches an author's email (case-insensitively) or name against
// owner patterns.
func ownerMatch(owners []string, p Person) bool {
	email := strings.ToLower(p.Email)
	for _, o := range owners {
		if matchPatternList(email, []string{strings.ToLower(o)}) || o == p.Name {
			return true
		}
	}
	return false
}

// nonASCII reports whether s holds a byte outside ASCII.
func nonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
