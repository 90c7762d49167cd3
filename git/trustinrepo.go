package git

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// trustInput is a file the audit reads to judge signatures and paths,
// named by the setting that reads it.
type trustInput struct{ setting, path string }

// trustInputs lists the files p reads: the policy file itself (when it was
// loaded from one), its allowed_signers file, its OpenPGP keyrings and its
// upstream clones.
func (p *Policy) trustInputs() []trustInput {
	var out []trustInput
	if p.file != "" {
		out = append(out, trustInput{"the policy file", p.file})
	}
	if p.AllowedSigners != "" {
		out = append(out, trustInput{"allowedSigners (or --allowed-signers)", p.AllowedSigners})
	}
	for _, k := range p.Keyrings {
		out = append(out, trustInput{"keyrings (or --keyring)", k})
	}
	// An upstream clone resolves a pin's revision ("v1.2.13") to the
	// commit the vendored directory is compared with: one the audited
	// history writes (a bare repository's files can be committed) names
	// whatever commit it likes.
	for i, v := range p.Vendor {
		if v.Upstream != "" && !strings.Contains(v.Upstream, "://") {
			out = append(out, trustInput{fmt.Sprintf("vendor[%d].upstream", i), v.Upstream})
		}
	}
	urls := make([]string, 0, len(p.Upstreams))
	for u := range p.Upstreams {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	for _, u := range urls {
		out = append(out, trustInput{fmt.Sprintf("upstreams[%q]", u), p.Upstreams[u]})
	}
	return out
}

// repoDirs returns the folders of the audited repository whose content its
// history or its pushers choose: the working tree given, the git directory
// and, for a linked worktree, the common git directory and the main
// working tree holding it.
func (r *repo) repoDirs(dir string) []string {
	dirs := []string{dir}
	if r.store == nil {
		return dirs
	}
	gitDir := r.store.Filesystem().Root()
	dirs = append(dirs, gitDir)
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		dirs = append(dirs, c)
		if filepath.Base(filepath.Clean(c)) == ".git" {
			dirs = append(dirs, filepath.Dir(filepath.Clean(c)))
		}
	}
	return dirs
}

// checkTrustInRepo reports each file the policy reads that lies inside the
// audited repository (git/trust-in-repo): its working tree, which a
// checkout of the audited history writes, or its git directory. Whoever
// can push then chooses who may sign: a commit adding their key to a
// tracked allowed_signers file or keyring makes every later commit they
// sign pass as signed by an allowed key, and a policy file in the tree
// can drop its protected paths. Symbolic links are resolved on both sides;
// a path that cannot be resolved is compared as it is.
func (a *auditor) checkTrustInRepo(repoDir string) {
	inputs := a.pol.trustInputs()
	if len(inputs) == 0 {
		return
	}
	dirs := a.r.repoDirs(repoDir)
	for _, in := range inputs {
		file := resolvedPath(in.path)
		for i, d := range dirs {
			rel, ok := inside(resolvedPath(d), file)
			if !ok {
				continue
			}
			p := ""
			if i == 0 {
				p = rel
			}
			a.finding(RuleTrustInRepo, signing.SeverityError, p, "", fmt.Sprintf(
				"%s reads %s from inside the audited repository (%s): whoever can push to it chooses what judges its history, such as adding their own key to the signers; keep the policy and the keys it names outside the repository (or pin them by a reviewed copy)",
				in.setting, in.path, d))
			break
		}
	}
}

// inside reports whether file lies in or is dir, and its "/"-separated
// path relative to dir.
func inside(dir, file string) (string, bool) {
	rel, err := filepath.Rel(dir, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	if rel == "." {
		return "", true
	}
	return filepath.ToSlash(rel), true
}

// resolvedPath returns p made absolute with its symbolic links resolved,
// or as close to that as the file system allows.
func resolvedPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	if _, err := os.Lstat(p); err != nil {
		// A missing file: resolve its folder, as a later read would
		// find it there.
		if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(d, filepath.Base(p))
		}
	}
	return p
}
