package report

import (
	"strings"
	"time"

	model "github.com/shipgate/shipgate/report"
)

// cleanf is printf with every string argument passed through [Clean]: the
// sections print names from the releases and repositories compared.
func (t *textWriter) cleanf(format string, a ...any) {
	for i, x := range a {
		if s, ok := x.(string); ok {
			a[i] = Clean(s)
		}
	}
	t.printf(format, a...)
}

// diff prints a release diff or an upstream comparison.
func (t *textWriter) diff(d *model.Diff) {
	if d.ReleaseDiff != nil {
		t.releaseDiff(d.ReleaseDiff)
	}
	if d.UpstreamDiff != nil {
		t.upstreamDiff(d.UpstreamDiff)
	}
}

func (t *textWriter) releaseDiff(s *model.ReleaseDiff) {
	p := t.cleanf
	p("diff %s → %s\n", s.Old, s.New)
	switch {
	case s.Electron.Old == "" && s.Electron.New == "" && s.App.Old == "" && s.App.New == "":
		// A folder of files or an archive with no declared version: no
		// line of dashes.
	case s.Electron.Old == "" && s.Electron.New == "":
		// Not an Electron app: an npm package, a folder with a
		// package.json.
		p("  app %s → %s\n", dash(s.App.Old), dash(s.App.New))
	default:
		p("  app %s → %s, Electron %s → %s\n", dash(s.App.Old), dash(s.App.New), dash(s.Electron.Old), dash(s.Electron.New))
	}
	for _, a := range s.Added {
		p("  + %s@%s (%s)\n", a.Name, a.Version, a.Path)
	}
	for _, a := range s.Removed {
		p("  - %s@%s (%s)\n", a.Name, a.Version, a.Path)
	}
	for _, u := range s.Updated {
		p("  ~ %s %s → %s\n", u.Name, u.Old, u.New)
	}
	for _, c := range s.ChangedSameVersion {
		p("  ! %s@%s changed without a version change\n", c.Name, c.Version)
	}
	for _, b := range s.Binaries {
		p("  %s binary %s\n", b.Change, b.Path)
	}
	for _, f := range s.Fuses {
		p("  fuse %s %s → %s in %s %s\n", f.Fuse, f.Old, f.New, f.Path, f.Arch)
	}
	var changed []string
	for _, f := range s.Files {
		changed = append(changed, Clean(f.Change)+" "+Clean(f.Path))
	}
	if len(changed) > 0 {
		t.printf("  files: %s\n", strings.Join(changed, ", "))
	}
}

func (t *textWriter) upstreamDiff(s *model.UpstreamDiff) {
	p := t.cleanf
	p("upstream %s (sha256 %s) → %s\n", s.Zip, s.SHA256, s.Release)
	p("  %d runtime files compared, %d modified, %d extra, %d missing\n", s.Compared, len(s.Modified), len(s.Extra), len(s.Missing))
	for _, m := range s.Modified {
		p("  modified %s (upstream %s)\n", m.Path, m.Upstream)
	}
	for _, x := range s.Extra {
		p("  extra    %s\n", x)
	}
	for _, x := range s.Missing {
		p("  missing  %s\n", x)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// git prints the audited range and each commit that changes a protected
// path.
func (t *textWriter) git(g *model.GitAudit, commits []model.Commit) {
	p := t.cleanf
	since := g.Since
	if since == "" {
		since = "(root)"
	}
	if g.Protected > 0 {
		p("git history %s..%s: %d %s audited, %d %s protected paths\n", since, g.Until,
			g.RangeSize, plural(g.RangeSize, "commit", "commits"), len(commits), plural(len(commits), "changes", "change"))
	} else {
		p("git history %s..%s: %d %s, no protected paths to audit %s for\n", since, g.Until,
			g.RangeSize, plural(g.RangeSize, "commit", "commits"), plural(g.RangeSize, "it", "them"))
	}
	for _, tag := range g.Tags {
		p("  tag %s (%s) %s\n", tag.Name, tag.Hash, gitSignature(tag.Signature))
	}
	for _, c := range commits {
		p("  %s %s\n", c.Hash, c.Subject)
		p("    author    %s <%s> %s\n", c.Author.Name, c.Author.Email, c.Author.When.Format(time.RFC3339))
		p("    committer %s <%s> %s\n", c.Committer.Name, c.Committer.Email, c.Committer.When.Format(time.RFC3339))
		p("    signature %s\n", gitSignature(c.Signature))
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
	if a := g.Artifact; a != nil {
		p("artifact %s: %d of its %d files match the tree at %s", a.Path, a.Matched, a.Files, g.Until)
		if a.Allowed > 0 {
			p(", %d allowed to differ by the policy", a.Allowed)
		}
		p(" (the tree has %d)\n", a.TreeFiles)
	}
}

func gitSignature(s *model.GitSignature) string {
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

// walksNoFiles reports whether r is a diff or a git audit: reports that walk no
// files of their own, whose summary line counts findings only.
func walksNoFiles(r *model.Report) bool { return r.Diff != nil || r.Git != nil || r.Commits != nil }
