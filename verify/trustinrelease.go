package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// policyInput is a file the policy reads to judge the release, named by
// the setting that reads it.
type policyInput struct{ setting, path string }

// policyInputs lists the files the policy reads: the policy file itself,
// trust roots, blocklists, OSV records and OpenVEX documents, and the
// trusted roots and keys of its Sigstore requirements.
func (p *Policy) policyInputs() []policyInput {
	var out []policyInput
	if s := p.Source; s != nil && s.Source == report.PolicyFile && s.Path != "" {
		out = append(out, policyInput{"the policy file", s.Path})
	}
	for _, l := range []struct {
		setting string
		paths   []string
	}{
		{"trust.roots (or --roots)", p.Trust.Roots},
		{"blocklists.files (or --blocklist)", p.Blocklists.Files},
		{"vulnerabilities.osv (or --osv)", p.Vulnerabilities.OSV},
		{"vulnerabilities.vex (or --vex)", p.Vulnerabilities.VEX},
	} {
		for _, f := range l.paths {
			out = append(out, policyInput{l.setting, f})
		}
	}
	for i := range p.Rules {
		if s := p.Rules[i].Sigstore; s != nil {
			for _, f := range []policyInput{{"sigstore.trustedRoot", s.TrustedRoot}, {"sigstore.key", s.Key}} {
				if f.path != "" {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// checkTrustInRelease reports each file the policy reads that lies inside
// a folder being verified (policy/trust-in-release): whoever writes the
// release then chooses what judges it — a root of their own under which
// they sign with the vendor's names, a blocklist emptied, a VEX document
// calling every vulnerability not_affected, or the policy itself.
// Symbolic links are resolved on both sides; a path that cannot be
// resolved is compared as it is.
func (e *engine) checkTrustInRelease(inputs []input) {
	var finds []signing.Finding
	for _, pi := range e.pol.policyInputs() {
		file := resolvedPath(pi.path)
		for _, in := range inputs {
			if !in.dir {
				continue
			}
			rel, err := filepath.Rel(resolvedPath(in.path), file)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
				continue
			}
			p := filepath.ToSlash(rel)
			if in.prefix != "" {
				p = in.prefix + "/" + p
			}
			if rel == "." {
				p = in.prefix
			}
			finds = append(finds, finding(RuleTrustInRelease, signing.SeverityError, p, fmt.Sprintf(
				"%s reads %s from inside the release being verified (%s): whoever writes the release chooses what judges it; keep the policy's files outside the folders it verifies",
				pi.setting, pi.path, in.path)))
		}
	}
	e.addFindings(finds...)
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
		// A missing file: resolve its folder, as a run that reads it
		// later would find it there.
		if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
			return filepath.Join(d, filepath.Base(p))
		}
	}
	return p
}
