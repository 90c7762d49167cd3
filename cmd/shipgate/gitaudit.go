package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/shipgate/shipgate/git"
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
		format       = fs.String("format", "text", "output format: text, json, sarif or markdown")
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
		fmt.Fprintln(w, "                          [--format text|json|sarif|markdown] [-o FILE] [--fail-on error|warning|note|never] [-v]")
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
	be, err := parseBackend(*backend)
	if err != nil {
		return fail(e, err)
	}
	pol, err := gitPolicy(*policyFile, protect, *allowed, keyrings)
	if err != nil {
		return fail(e, err)
	}
	opts := git.Options{Since: *since, Until: *until, Policy: pol, Backend: be, ArtifactPath: *artifact, ArtifactTreePath: *artifactTree,
		FailOn: threshold, ToolVersion: version()}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	progress := newProgressLine(e.stderr)
	if progress != nil && !*verbose {
		opts.Progress = func(pr git.Progress) {
			progress.show(func() string { return fmt.Sprintf("%d of %d commits", pr.Commits, pr.Total) })
		}
	}
	r, err := git.AuditReport(e.ctx, *repo, opts)
	progress.done()
	if errors.Is(err, git.ErrNothingToAudit) {
		return fail(e, usageError{err.Error() + ": give --protect GLOB, a --policy with protect or vendor entries, or --artifact"})
	}
	if err != nil {
		return fail(e, err)
	}
	if err := writeReport(e, r, f, *out, report.Options{}); err != nil {
		return fail(e, err)
	}
	return exitFor(r)
}

// parseBackend returns the --backend named s.
func parseBackend(s string) (git.Backend, error) {
	switch s {
	case "auto":
		return git.BackendAuto, nil
	case "go-git":
		return git.BackendGoGit, nil
	case "git":
		return git.BackendGitCLI, nil
	}
	return 0, usageError{fmt.Sprintf("unknown backend %q (want auto, go-git or git)", s)}
}

// gitPolicy loads the --policy file (an empty policy without one) and adds
// the --protect, --allowed-signers and --keyring flags to it.
func gitPolicy(file string, protect []string, allowed string, keyrings []string) (*git.Policy, error) {
	pol := &git.Policy{}
	if file != "" {
		var err error
		if pol, err = git.LoadPolicy(file); err != nil {
			return nil, err
		}
	}
	for _, g := range protect {
		pol.Protect = append(pol.Protect, git.ProtectRule{Path: g})
	}
	if allowed != "" {
		pol.AllowedSigners = allowed
	}
	pol.Keyrings = append(pol.Keyrings, keyrings...)
	if err := pol.Validate(); err != nil {
		return nil, usageError{err.Error()}
	}
	return pol, nil
}
