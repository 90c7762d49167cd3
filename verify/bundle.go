package verify

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// Apple bundles (.app, .framework…) are verified as a whole besides file by
// file: codesign.VerifyBundle checks that the main executable's signature
// binds Info.plist and the sealed resources, and that no sealed file was
// added, removed or changed. Its bundle-level findings join the report, and
// where it judges a Mach-O file worse than the file's own verification did
// (a broken binding), its signature replaces the file's.

// isBundle reports whether dir in fsys is an Apple code bundle.
func isBundle(fsys fs.FS, dir string) bool { return codesign.IsBundle(fsys, dir) }

// checkBundle verifies the bundle j names.
func (e *engine) checkBundle(j *job) {
	report := joinPath(j.path, "")
	res, err := codesign.VerifyBundle(j.fsys, j.name, codesign.Options{Trust: e.trust, Time: e.opts.Time, Logger: e.log.With("bundle", report)})
	if e.ctx.Err() != nil {
		return
	}
	if err != nil {
		e.addFindings(finding(ruleUnreadable, signing.SeverityError, report, fmt.Sprintf("cannot verify the bundle: %v", unwrapPath(err))))
		return
	}
	prefix := bundlePrefix(j)
	var finds []signing.Finding
	for _, f := range res.Findings {
		f.Path = joinPath(prefix, f.Path)
		finds = append(finds, f)
	}
	sigs := map[string][]signing.Signature{}
	for _, it := range res.Items {
		if it.Result == nil {
			continue // the file's own check reports why
		}
		p := joinPath(prefix, it.Path)
		for _, f := range it.Result.Findings {
			if _, restates := statusRules[f.Rule]; restates {
				continue
			}
			f.Path = joinPath(p, f.Path)
			finds = append(finds, f)
		}
		sigs[p] = it.Result.Signatures
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addFindingsLocked(finds)
	for p, s := range sigs {
		e.bundleSigs[p] = s
	}
}

// bundlePrefix is the report path of the root of the file system a bundle
// job walks.
func bundlePrefix(j *job) string {
	if j.name == "." {
		return j.path
	}
	return strings.TrimSuffix(strings.TrimSuffix(j.path, j.name), "/")
}

// mergeBundleSignatures lets a bundle's verdict on a file's signature
// replace the file's own when it is worse. Called once all jobs are done.
func (e *engine) mergeBundleSignatures() {
	for i := range e.files {
		f := &e.files[i]
		bs, ok := e.bundleSigs[f.Path]
		if !ok {
			continue
		}
		for k := range f.Signatures {
			for _, b := range bs {
				if b.Index == f.Signatures[k].Index && b.Status > f.Signatures[k].Status {
					f.Signatures[k] = b
				}
			}
		}
	}
}

// bundleRoots finds the outermost bundles among the ancestors of the
// Info.plist files named in names (the entries of an archive).
func bundleRoots(fsys fs.FS, names []string) []string {
	cands := map[string]bool{}
	for _, n := range names {
		if path.Base(n) != "Info.plist" {
			continue
		}
		for d := path.Dir(n); d != "."; d = path.Dir(d) {
			cands[d] = true
		}
	}
	var roots []string
	for d := range cands {
		outer := false
		for a := path.Dir(d); a != "."; a = path.Dir(a) {
			if cands[a] && isBundle(fsys, a) {
				outer = true
				break
			}
		}
		if !outer && isBundle(fsys, d) {
			roots = append(roots, d)
		}
	}
	return roots
}
