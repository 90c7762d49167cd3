package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/shipgate/shipgate/git"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/verify"
	"github.com/shipgate/shipgate/verify/report"
)

func init() {
	register("git-audit", "audit git history since the last release: protected paths, signers, vendored code, artifact vs tag", runGitAudit)
}

func runGitAudit(e *env) int {
	fs := newFlags(e)
	var (
		repo         = fs.String("repo", ".", "repository directory (work tree or bare)")
		since        = fs.String("since", "", "last release: tag, branch or commit (required)")
		until        = fs.String("until", "HEAD", "revision being released")
		policyFile   = fs.String("policy", "", "git audit policy file (YAML; see docs/git-audit.md)")
		allowed      = fs.String("allowed-signers", "", "OpenSSH allowed_signers file of SSH keys that may sign (overrides the policy's)")
		artifact     = fs.String("artifact", "", "release to compare with the tree at --until: directory, .tar, .tar.gz, .tar.xz or .asar")
		artifactTree = fs.String("artifact-tree-path", "", "directory of the tree the artifact corresponds to (default: the root)")
		backend      = fs.String("backend", "auto", "path-history backend: auto (git binary when on PATH), go-git or git")
		format       = fs.String("format", "text", "output format: text, json or sarif")
		out          = fs.String("o", "", "write the report to this file instead of stdout")
		failOn       = fs.String("fail-on", "error", "lowest finding severity that fails the gate: error, warning, note or never")
		verbose      = fs.Bool("v", false, "log progress to stderr")
		protect      listFlag
		keyrings     listFlag
	)
	fs.Var(&protect, "protect", "protected path glob such as third_party/** (repeatable; added to the policy's)")
	fs.Var(&keyrings, "keyring", "armored OpenPGP keyring of keys that may sign (repeatable; added to the policy's)")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: shipgate git-audit --since REF [--repo DIR] [--until REF] [--policy F] [--protect GLOB]... [--allowed-signers F]")
		fmt.Fprintln(w, "                          [--keyring F]... [--artifact PATH [--artifact-tree-path DIR]] [--backend auto|go-git|git]")
		fmt.Fprintln(w, "                          [--format text|json|sarif] [-o FILE] [--fail-on error|warning|note|never] [-v]")
		fmt.Fprintln(w, "\nAudits the commits of --since..--until that change protected paths (--protect, the policy's protect")
		fmt.Fprintln(w, "and vendor entries) and compares --artifact with the tree at --until; with neither there is nothing")
		fmt.Fprintln(w, "to audit and the run fails.")
		fmt.Fprintln(w, "exit status: 0 the gate passed, 1 it failed, 2 the run failed")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	args, code, ok := parseFlags(e, fs)
	if !ok {
		return code
	}
	if code := noArgs(e, args); code != exitPass {
		return code
	}
	if *since == "" {
		return fail(e, usageError{"--since is required"})
	}
	if *repo == "" {
		return fail(e, usageError{"--repo is required"})
	}
	f, err := report.ParseFormat(*format)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	threshold, err := verify.ParseFailOn(*failOn)
	if err != nil {
		return fail(e, usageError{err.Error()})
	}
	var be git.Backend
	switch *backend {
	case "auto":
		be = git.BackendAuto
	case "go-git":
		be = git.BackendGoGit
	case "git":
		be = git.BackendGitCLI
	default:
		return fail(e, usageError{fmt.Sprintf("unknown backend %q (want auto, go-git or git)", *backend)})
	}
	pol := &git.Policy{}
	if *policyFile != "" {
		if pol, err = git.LoadPolicy(*policyFile); err != nil {
			return fail(e, err)
		}
	}
	for _, g := range protect {
		pol.Protect = append(pol.Protect, git.ProtectRule{Path: g})
	}
	if *allowed != "" {
		pol.AllowedSigners = *allowed
	}
	pol.Keyrings = append(pol.Keyrings, keyrings...)
	if err := pol.Validate(); err != nil {
		return fail(e, usageError{err.Error()})
	}
	if len(pol.Protect) == 0 && len(pol.Vendor) == 0 && *artifact == "" {
		// An audit of nothing would pass every history: a gate that
		// cannot fail is a misconfiguration, not a verdict.
		return fail(e, usageError{"nothing to audit: give --protect GLOB, a --policy with protect or vendor entries, or --artifact"})
	}
	opts := git.Options{Since: *since, Until: *until, Policy: pol, Backend: be, ArtifactTreePath: *artifactTree}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	if *artifact != "" {
		if strings.HasSuffix(*artifact, ".asar") {
			ar, err := asar.Open(*artifact)
			if err != nil {
				return fail(e, err)
			}
			defer ar.Close()
			opts.Artifact = ar
		} else {
			opts.ArtifactPath = *artifact
		}
	}
	res, err := git.Audit(e.ctx, *repo, opts)
	if err != nil {
		return fail(e, err)
	}
	r := &verify.Report{Tool: verify.Tool{Name: "shipgate", Version: version()}, Findings: res.Findings,
		Commits: &gitSection{res: res, artifact: *artifact, protected: len(pol.Protect) + len(pol.Vendor)}}
	r.Finalize(threshold)
	if err := writeReport(e, r, f, *out, report.Options{}); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// gitSection is the commit list of a git audit: in JSON, the array of
// commits that change protected paths; in text, the range and the same list.
type gitSection struct {
	res *git.Result
	// artifact is --artifact as given; protected counts the protect and
	// vendor entries of the policy.
	artifact  string
	protected int
}

// MarshalJSON encodes the commit list.
func (s *gitSection) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.res.Commits)
}

// WriteText prints the audited range and each protected change.
func (s *gitSection) WriteText(w io.Writer, color bool) error {
	r := s.res
	since := r.Since
	if since == "" {
		since = "(root)"
	}
	var b strings.Builder
	p := func(format string, a ...any) {
		for i, x := range a {
			if s, ok := x.(string); ok {
				a[i] = report.Clean(s)
			}
		}
		fmt.Fprintf(&b, format, a...)
	}
	if s.protected > 0 {
		p("git history %s..%s: %d commits audited, %d change protected paths\n", since, r.Until, r.RangeSize, len(r.Commits))
	} else {
		p("git history %s..%s: %d commits, no protected paths to audit them for\n", since, r.Until, r.RangeSize)
	}
	for _, t := range r.Tags {
		p("  tag %s (%s) %s\n", t.Name, t.Hash, sigText(t.Signature))
	}
	for _, c := range r.Commits {
		p("  %s %s\n", c.Hash, c.Subject)
		p("    author    %s <%s> %s\n", c.Author.Name, c.Author.Email, c.Author.When.Format(time.RFC3339))
		p("    committer %s <%s> %s\n", c.Committer.Name, c.Committer.Email, c.Committer.When.Format(time.RFC3339))
		p("    signature %s\n", sigText(c.Signature))
		if len(c.Parents) > 1 {
			p("    merge of %s\n", strings.Join(c.Parents, " "))
		}
		for _, f := range c.Files {
			switch {
			case f.Binary:
				p("    %-9s %s (binary)\n", f.Status, f.Path)
			case f.Large && f.Added == 0 && f.Deleted == 0:
				p("    %-9s %s (large change: over 8 MiB, lines not counted)\n", f.Status, f.Path)
			case f.Large:
				p("    %-9s %s +%d -%d (large change: counts are upper bounds)\n", f.Status, f.Path, f.Added, f.Deleted)
			default:
				p("    %-9s %s +%d -%d\n", f.Status, f.Path, f.Added, f.Deleted)
			}
		}
	}
	if a := r.Artifact; a != nil {
		p("artifact %s: %d of its %d files match the tree at %s", s.artifact, a.Matched, a.Files, r.Until)
		if a.Allowed > 0 {
			p(", %d allowed to differ by the policy", a.Allowed)
		}
		p(" (the tree has %d)\n", a.TreeFiles)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sigText(s *git.Signature) string {
	if s == nil {
		return "unsigned"
	}
	t := s.Format + " " + s.Status.String()
	if s.Signer != "" {
		t += " by " + s.Signer
	}
	if s.Key != "" {
		t += " (key " + s.Key + ")"
	}
	if s.Detail != "" {
		t += ": " + s.Detail
	}
	return t
}
