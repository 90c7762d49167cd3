package git

import (
	"context"
	"errors"
	"strings"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/sbom/asar"
)

// AuditReport audits the repository at repoDir as [Audit] does and returns
// the report of the audit: the commits that change protected paths
// (Commits), the range, tags and artifact comparison (Git), and the
// findings, judged at opts.FailOn. An ArtifactPath ending in .asar is read
// as an Electron asar archive. The report lists no files: it is about the
// history, not a release's contents.
//
// With nothing to protect (no protect or vendor entry in opts.Policy) and no
// artifact, AuditReport returns [ErrNothingToAudit]: such a gate would pass
// every history without looking at it.
func AuditReport(ctx context.Context, repoDir string, opts Options) (*report.Report, error) {
	if nothingToAudit(opts) {
		return nil, ErrNothingToAudit
	}
	artifact := opts.ArtifactPath
	if opts.Artifact == nil && strings.HasSuffix(opts.ArtifactPath, ".asar") {
		ar, err := asar.Open(opts.ArtifactPath)
		if err != nil {
			return nil, err
		}
		defer ar.Close()
		opts.Artifact, opts.ArtifactPath = ar, ""
	}
	res, err := Audit(ctx, repoDir, opts)
	if err != nil {
		return nil, err
	}
	protected := 0
	if opts.Policy != nil {
		protected = len(opts.Policy.Protect) + len(opts.Policy.Vendor)
	}
	g := &report.GitAudit{Since: res.Since, Until: res.Until, RangeSize: res.RangeSize, Protected: protected, Backend: res.Backend}
	for i := range res.Tags {
		g.Tags = append(g.Tags, res.Tags[i].record())
	}
	if a := res.Artifact; a != nil {
		g.Artifact = &report.GitArtifact{Path: artifact, Files: a.Files, Matched: a.Matched, Allowed: a.Allowed, TreeFiles: a.TreeFiles}
	}
	r := &report.Report{
		Tool:     report.Tool{Name: "shipgate", Version: opts.ToolVersion},
		Findings: res.Findings,
		Commits:  make([]report.Commit, len(res.Commits)),
		Git:      g,
	}
	for i := range res.Commits {
		r.Commits[i] = res.Commits[i].record()
	}
	r.Finalize(opts.FailOn)
	return r, nil
}

// ErrNothingToAudit is the error of an [AuditReport] given no protected
// path, no vendored directory and no artifact: a gate that cannot fail is a
// misconfiguration, not a verdict.
var ErrNothingToAudit = errors.New("nothing to audit: no protected path, no vendored directory and no artifact")

// nothingToAudit reports whether opts protects no path, pins no vendored
// directory and names no artifact.
func nothingToAudit(opts Options) bool {
	pol := opts.Policy
	if pol != nil && (len(pol.Protect) > 0 || len(pol.Vendor) > 0) {
		return false
	}
	return opts.Artifact == nil && opts.ArtifactPath == ""
}

// record returns c as the report records it.
func (c *Commit) record() report.Commit {
	out := report.Commit{
		Hash: c.Hash, Parents: c.Parents, Author: report.Person(c.Author), Committer: report.Person(c.Committer),
		Subject: c.Subject, Signature: c.Signature.record(), Protected: c.Protected,
	}
	if c.Files != nil {
		out.Files = make([]report.FileChange, len(c.Files))
		for i, f := range c.Files {
			out.Files[i] = report.FileChange(f)
		}
	}
	return out
}

// record returns t as the report records it.
func (t *Tag) record() report.Tag {
	return report.Tag{Name: t.Name, Hash: t.Hash, Target: t.Target, Tagger: report.Person(t.Tagger), Signature: t.Signature.record()}
}

// record returns s as the report records it, nil for nil.
func (s *Signature) record() *report.GitSignature {
	if s == nil {
		return nil
	}
	return &report.GitSignature{Format: s.Format, Status: s.Status, Key: s.Key, Signer: s.Signer,
		Identities: s.Identities, Multiple: s.Multiple, Detail: s.Detail}
}
