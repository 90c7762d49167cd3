package sbom

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/glob"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
)

// DiffResult is what changed from one release to the next: the report's
// diff section ([report.ReleaseDiff], whose Old and New names Diff leaves
// empty) and the findings a gate should look at.
type DiffResult struct {
	report.ReleaseDiff
	// Findings are the changes a gate should look at, in report order.
	Findings []signing.Finding `json:"findings,omitempty"`
}

// Types of a [DiffResult], defined by package report.
type (
	// VersionChange is an old and a new version.
	VersionChange = report.VersionChange
	// PackageRef names a package at a path.
	PackageRef = report.PackageRef
	// PackageDelta is a package whose version changed.
	PackageDelta = report.PackageDelta
	// BinaryDelta is a binary that changed; its Old and New are
	// [report.Binary] records of the inventories' [Binary] values.
	BinaryDelta = report.BinaryDelta
	// FileDelta is a file outside packages that changed.
	FileDelta = report.FileDelta
	// FuseDelta is a fuse whose state changed in one wire.
	FuseDelta = report.FuseDelta
)

// Diff compares two releases of one application, old then new. Paths are
// matched as they are, so both should have the same layout; two releases
// that are one file each (LayoutFile: setup-1.0.exe, setup-1.1.exe) are
// compared file to file, and two installers (LayoutInstaller:
// acme-1.0.msi, acme-1.1.msi) the files they carry to one another, under
// the new installer's name, as are two zips or tarballs whose files are
// all in one folder (app-1.0/, app-nightly/: the archive's paths, as
// verify reports them) the files in them, under the new folder's name; a
// release folder is compared with a zip of it in its folder the same way.
// A file or folder whose name differs only in a version number (acme-1.0.msi, acme-1.1.msi in a release folder) is the
// same one, and so is a path whose letter case alone changed; both are
// reported under their new names.
func Diff(old, new *Inventory) *DiffResult {
	old = renameRoot(old, new)
	old = renameVersioned(old, new)
	old = renameCase(old, new)
	c := &differ{old: old, new: new, kept: runtimeKept(old, new), d: &DiffResult{ReleaseDiff: report.ReleaseDiff{
		Electron: VersionChange{Old: old.Electron.Version, New: new.Electron.Version},
		App:      VersionChange{Old: old.App.Version, New: new.App.Version},
	}}}
	c.app()
	c.packages()
	c.binaries()
	c.files()
	c.fuses()
	return c.finish()
}

// renameRoot returns old with its paths under new's name when both
// releases are one file, or one installer, or all in one folder, of
// different names; else old itself. A release that is a folder on one side
// and all in one folder on the other (the Windows folder, then the zip
// packagers make of it, every path under Chatterbox-win32-x64/) is matched
// the same way: the folder's name is added to or taken from old's paths.
// old is not modified.
func renameRoot(old, new *Inventory) *Inventory {
	from, to := rootName(old), rootName(new)
	if old.Layout != new.Layout || from == to {
		return old
	}
	wrapped := old.Layout != LayoutFile && old.Layout != LayoutInstaller
	var mv func(p string) string
	switch {
	case from != "" && to != "":
		mv = func(p string) string {
			if p == from {
				return to
			}
			if rest, ok := strings.CutPrefix(p, from+"/"); ok {
				return to + "/" + rest
			}
			return p
		}
	case wrapped && from == "":
		mv = func(p string) string {
			if p == "" {
				return "" // a binary's package: none
			}
			return to + "/" + p
		}
	case wrapped && to == "":
		mv = func(p string) string {
			if rest, ok := strings.CutPrefix(p, from+"/"); ok {
				return rest
			}
			return p
		}
	default:
		return old
	}
	return movePaths(old, mv)
}

// rootName returns the name of the one file a LayoutFile release is
// (with the files of a self-extractor's zip under it), of the installer
// a LayoutInstaller release is, or of the asar a LayoutAsar release is
// (its one path without a folder: every other is under it), or of the one
// folder every path of another release is
// under (topFolder); "" for other releases.
func rootName(inv *Inventory) string {
	switch inv.Layout {
	case LayoutFile, LayoutInstaller, LayoutAsar:
		root := ""
		for _, f := range inv.Files {
			if !strings.Contains(f.Path, "/") {
				if root != "" {
					return ""
				}
				root = f.Path
			}
		}
		return root
	default:
		// A zip or tarball that wraps everything in one folder
		// (name-1.2.3/) lists its files under it (see layoutOf).
		return topFolder(inv)
	}
}

// topFolder returns the one folder every file, binary and package of inv
// is under, or "".
func topFolder(inv *Inventory) string {
	top := ""
	in := func(p string) bool {
		first, _, ok := strings.Cut(p, "/")
		if !ok || (top != "" && first != top) {
			return false
		}
		top = first
		return true
	}
	for _, f := range inv.Files {
		if !in(f.Path) {
			return ""
		}
	}
	for _, b := range inv.Binaries {
		if !in(b.Path) {
			return ""
		}
	}
	for _, p := range inv.Packages {
		if !in(p.Path) {
			return ""
		}
	}
	return top
}

// differ holds the two inventories being compared, the result being
// built, and the package indexes the binaries' step shares.
type differ struct {
	old, new     *Inventory
	d            *DiffResult
	oldPk, newPk map[string]*Package
	// kept is set when Electron's declared version changed but its code
	// did not (see runtimeKept).
	kept bool
}

// add records a finding about path.
func (d *DiffResult) add(rule signing.Rule, sev signing.Severity, path, msg string) {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = path
	d.Findings = append(d.Findings, f)
}

// app compares the layout, the Electron version and the application's own
// code.
func (c *differ) app() {
	old, new, d := c.old, c.new, c.d
	if old.Layout != new.Layout {
		d.add(RuleLayoutChanged, signing.SeverityWarning, "", fmt.Sprintf("layout changed from %s to %s: paths cannot be matched", old.Layout, new.Layout))
	}
	if old.Electron.Version != new.Electron.Version {
		msg := fmt.Sprintf("Electron %s → %s", orNone(old.Electron.Version), orNone(new.Electron.Version))
		if c.kept {
			msg += "; but every binary carrying its fuse wire is byte for byte the old one: the runtime was not upgraded, and its files are held to the old version"
		}
		d.add(RuleElectronVersion, signing.SeverityNote, "", msg)
	}
	// A version dropped (or made unreadable) declares nothing new, as for
	// packages.
	if old.App.Digest != "" && new.App.Digest != "" && old.App.Digest != new.App.Digest &&
		(sameVersion(old.App.Version, new.App.Version) || old.App.Version == "" || new.App.Version == "") {
		p := new.App.Asar
		if p == "" {
			p = new.App.Dir
		}
		msg := "the application's own code changed but its version stayed " + versionChange(old.App.Version, new.App.Version)
		if old.App.Version == "" && new.App.Version == "" {
			msg = "the application's own code changed and neither release declares its version (no package.json version to explain the change)"
		}
		d.add(RuleChangedSameVersion, signing.SeverityError, p, msg)
	}
}

// packages compares the npm packages by path: added, removed, updated,
// renamed, and changed without a version change.
func (c *differ) packages() {
	old, new, d := c.old, c.new, c.d
	oldPk := make(map[string]*Package, len(old.Packages))
	c.oldPk = oldPk
	for i := range old.Packages {
		oldPk[old.Packages[i].Path] = &old.Packages[i]
	}
	// The contents each name@version had anywhere in the old release: a
	// package added at a new path (a nested copy shadowing the original for
	// its dependents) must still match one of them. The name is the one
	// require() resolves to the folder, not the package.json's claim, and
	// its case is ignored, folded through upper case as NTFS's upcase table
	// folds it (glob.Fold): on Windows and macOS file systems require("a")
	// loads node_modules/A, and on Windows require("tinycolor") loads
	// node_modules/tınycolor.
	pkgID := func(p *Package) string { return glob.Fold(requireName(p.Path)) + "@" + versionID(p.Version) }
	oldByID := make(map[string][]*Package, len(old.Packages))
	for i := range old.Packages {
		o := &old.Packages[i]
		oldByID[pkgID(o)] = append(oldByID[pkgID(o)], o)
	}
	newPk := make(map[string]*Package, len(new.Packages))
	c.newPk = newPk
	for i := range new.Packages {
		p := &new.Packages[i]
		newPk[p.Path] = p
		o := oldPk[p.Path]
		if o != nil && o.Name != p.Name {
			d.add(RulePackageRenamed, signing.SeverityWarning, p.Path,
				fmt.Sprintf("package.json name changed from %q to %q; require(%q) still loads this folder", o.Name, p.Name, requireName(p.Path)))
			if replaced(o, p) {
				// Another package, with its own version, now sits at
				// this path: the old one is removed (below) and this
				// one is added.
				o = nil
			}
		}
		ref := PackageRef{Path: p.Path, Name: p.Name, Version: p.Version}
		switch {
		case o == nil:
			d.Added = append(d.Added, ref)
			d.add(RulePackageAdded, signing.SeverityNote, p.Path, fmt.Sprintf("%s@%s added", p.Name, p.Version))
			same := oldByID[pkgID(p)]
			switch {
			case len(same) > 0 && !slices.ContainsFunc(same, func(q *Package) bool { return q.Digest == p.Digest }):
				d.ChangedSameVersion = append(d.ChangedSameVersion, ref)
				d.add(RuleChangedSameVersion, signing.SeverityError, p.Path,
					fmt.Sprintf("%s@%s: added here with content (%d files, digest %s) that no copy of %s@%s in the previous release had (%s has digest %s)",
						p.Name, p.Version, p.Files, short(p.Digest), p.Name, p.Version, same[0].Path, short(same[0].Digest)))
			case len(same) == 0 && c.appKept(p):
				d.ChangedSameVersion = append(d.ChangedSameVersion, ref)
				d.add(RuleChangedSameVersion, signing.SeverityError, p.Path,
					fmt.Sprintf("%s@%s added while the application's version stayed %s: the code it bundles changed under the same version",
						p.Name, orNone(p.Version), versionChange(old.App.Version, new.App.Version)))
			}
		case !sameVersion(o.Version, p.Version) && o.Version != "" && p.Version != "":
			d.Updated = append(d.Updated, PackageDelta{Path: p.Path, Name: p.Name, Old: o.Version, New: p.Version})
			d.add(RulePackageUpdated, signing.SeverityNote, p.Path, fmt.Sprintf("%s %s → %s", p.Name, o.Version, p.Version))
			if o.Digest != p.Digest && c.appKept(p) {
				d.ChangedSameVersion = append(d.ChangedSameVersion, ref)
				d.add(RuleChangedSameVersion, signing.SeverityError, p.Path,
					fmt.Sprintf("%s %s → %s while the application's version stayed %s: the code it bundles changed under the same version",
						p.Name, o.Version, p.Version, versionChange(old.App.Version, new.App.Version)))
			}
		case o.Digest != p.Digest:
			// A version added or removed declares nothing new: Node loads
			// a package.json without one all the same.
			d.ChangedSameVersion = append(d.ChangedSameVersion, ref)
			d.add(RuleChangedSameVersion, signing.SeverityError, p.Path,
				fmt.Sprintf("%s@%s: content changed (%d → %d files, digest %s → %s) while the declared version stayed %s",
					p.Name, p.Version, o.Files, p.Files, short(o.Digest), short(p.Digest), versionChange(o.Version, p.Version)))
		}
		if s := newScripts(o, p); len(s) > 0 {
			d.add(RuleInstallScript, signing.SeverityWarning, p.Path, fmt.Sprintf("%s@%s has new or changed install scripts: %s", p.Name, p.Version, strings.Join(s, "; ")))
		}
	}
	for i := range old.Packages {
		o := &old.Packages[i]
		if n := newPk[o.Path]; n == nil || replaced(o, n) {
			d.Removed = append(d.Removed, PackageRef{Path: o.Path, Name: o.Name, Version: o.Version})
			d.add(RulePackageRemoved, signing.SeverityNote, o.Path, fmt.Sprintf("%s@%s removed", o.Name, o.Version))
			if n == nil && c.appKept(o) {
				// Its dependents now load another copy of the name (a
				// parent folder's, an older one) or fail to load it.
				d.add(RuleChangedSameVersion, signing.SeverityError, o.Path,
					fmt.Sprintf("%s@%s removed while the application's version stayed %s: require(%q) from its dependents now loads another copy, or none",
						o.Name, orNone(o.Version), versionChange(old.App.Version, new.App.Version), requireName(o.Path)))
			}
		}
	}
}

// appKept reports whether the new release's package p belongs to an
// application whose declared version stayed the same (or was dropped, as
// app compares it): its bundled packages are its code, so one added (with
// a name and version no copy of the previous release had) or updated
// under it changed the application without a version to explain it. The
// application's packages are those in its folder and those its require()
// reaches (nodeResolves); one elsewhere (another asar) is not held to its
// version.
func (c *differ) appKept(p *Package) bool {
	ov, nv := c.old.App.Version, c.new.App.Version
	if ov == "" && nv == "" {
		return false
	}
	if !sameVersion(ov, nv) && ov != "" && nv != "" {
		return false
	}
	root := c.new.App.Root
	return root == "" || appReaches(root, p.Path)
}

// appReaches reports whether package folder dir is the application's
// code, whose folder is root: in it, found by its require()
// (nodeResolves), or nested in the node_modules of such a package, whose
// own require() finds it first. A copy planted in
// resources/node_modules/foo/node_modules shadows foo's dependency as
// one in the application's folder does
// (TestAttackPackageNestedBesideAppSameAppVersion).
func appReaches(root, dir string) bool {
	for {
		if strings.HasPrefix(dir, root+"/") || nodeResolves(root, dir) {
			return true
		}
		i := lastNodeModules(dir)
		if i < 0 {
			return false
		}
		dir = dir[:i]
		if lastNodeModules(dir) < 0 && !strings.HasPrefix(dir, "node_modules/") {
			return false
		}
	}
}

// nodeResolves reports whether package folder dir (…/node_modules/<name>)
// is one Node's require() finds from code in the folder root: its
// node_modules folder is root's own or an ancestor's
// (resources/node_modules, node_modules beside the executable), which
// Node searches, root's parents up, for a name root's own packages lack
// (Module._nodeModulePaths).
func nodeResolves(root, dir string) bool {
	parent := ""
	if i := lastNodeModules(dir); i >= 0 {
		parent = dir[:i]
	} else if !strings.HasPrefix(dir, "node_modules/") {
		return false
	}
	return parent == "" || parent == root || strings.HasPrefix(root, parent+"/")
}

// binaries compares the native binaries by path: new native code, bytes
// changed under the same version, signer changes and downgrades.
func (c *differ) binaries() {
	old, new, d := c.old, c.new, c.d
	oldBin := map[string]*Binary{}
	for i := range old.Binaries {
		oldBin[old.Binaries[i].Path] = &old.Binaries[i]
	}
	seen := map[string]bool{}
	for i := range new.Binaries {
		n := &new.Binaries[i]
		seen[n.Path] = true
		o := oldBin[n.Path]
		if o == nil {
			d.Binaries = append(d.Binaries, BinaryDelta{Path: n.Path, Change: report.ChangeAdded, New: n.record()})
			d.add(RuleNewNativeCode, signing.SeverityWarning, n.Path, fmt.Sprintf("new %s binary (%s)%s", n.Kind, strings.Join(n.Arch, ", "), inPackage(n.Package)))
			continue
		}
		sigChanged := !sameSigner(o.Signature, n.Signature)
		worse := o.Signature != nil && n.Signature != nil && n.Signature.Status > o.Signature.Status
		if o.SHA256 == n.SHA256 && !sigChanged && !worse {
			continue
		}
		d.Binaries = append(d.Binaries, BinaryDelta{Path: n.Path, Change: report.ChangeChanged, Old: o.record(), New: n.record()})
		sameVer := sameVersion(o.Version, n.Version) || c.kept && runtimeFile(old, new, n)
		// A binary inside a package is reported with its package.
		pkgReported := n.Package != "" && c.oldPk[n.Package] != nil && c.newPk[n.Package] != nil
		if o.SHA256 != n.SHA256 && sameVer && !pkgReported {
			msg := fmt.Sprintf("bytes changed (sha256 %s → %s) while the declared version stayed %s", short(o.SHA256), short(n.SHA256), orNone(n.Version))
			if !sameVersion(o.Version, n.Version) {
				msg = fmt.Sprintf("bytes changed (sha256 %s → %s) while Electron's executable did not: its declared version %s is not backed by a new runtime", short(o.SHA256), short(n.SHA256), versionChange(o.Version, n.Version))
			}
			sev := signing.SeverityError
			if o.Signature != nil && n.Signature != nil && o.Signature.Digest != "" && o.Signature.Digest == n.Signature.Digest {
				msg += "; the signed digest is unchanged, so the difference lies in the signature data"
				if !sigChanged && !worse {
					// Re-signing by the same signer (every macOS build) looks
					// like this; so does data hidden in the signature blob.
					sev = signing.SeverityWarning
					msg += " (same signer, same status: re-signing, or data hidden in the signature blob)"
				}
			}
			if wireChanged(old, new, n.Path) {
				msg += "; its fuse wire changed too"
			}
			d.add(RuleChangedSameVersion, sev, n.Path, msg)
		}
		if o.SHA256 != n.SHA256 && !sameVer && !pkgReported && runtimeFile(old, new, n) &&
			new.Electron.Version != "" && old.Electron.Version == new.Electron.Version {
			// A runtime file's own version resource is the attacker's to
			// write; the runtime's version is what declares it. A warning:
			// a vendor's own DLL beside the executable looks the same.
			d.add(RuleChangedSameVersion, signing.SeverityWarning, n.Path,
				fmt.Sprintf("bytes changed (sha256 %s → %s) and its version resource went %s → %s while Electron stayed %s",
					short(o.SHA256), short(n.SHA256), orNone(o.Version), orNone(n.Version), new.Electron.Version))
		}
		if sigChanged {
			sev := signing.SeverityError
			if !sameVer {
				sev = signing.SeverityWarning
			}
			d.add(RuleSignerChanged, sev, n.Path, fmt.Sprintf("signer changed from %s to %s", signerName(o.Signature), signerName(n.Signature)))
		}
		if worse {
			d.add(RuleSignatureDowngraded, signing.SeverityError, n.Path, fmt.Sprintf("signature status went from %s to %s", o.Signature.Status, n.Signature.Status))
		}
	}
	for i := range old.Binaries {
		if o := &old.Binaries[i]; !seen[o.Path] {
			d.Binaries = append(d.Binaries, BinaryDelta{Path: o.Path, Change: report.ChangeRemoved, Old: o.record()})
		}
	}
}

// files compares the files outside packages (binaries among them are
// reported by binaries), but for a git checkout's bookkeeping (inGitDir).
func (c *differ) files() {
	old, new, d := c.old, c.new, c.d
	isBin := map[string]bool{}
	for _, b := range new.Binaries {
		isBin[b.Path] = true
	}
	oldFile := map[string]*File{}
	for i := range old.Files {
		oldFile[old.Files[i].Path] = &old.Files[i]
	}
	newSeen := map[string]bool{}
	for i := range new.Files {
		n := &new.Files[i]
		newSeen[n.Path] = true
		if inGitDir(n.Path) {
			continue
		}
		o := oldFile[n.Path]
		switch {
		case o == nil:
			d.Files = append(d.Files, FileDelta{Path: n.Path, Change: report.ChangeAdded, New: n.SHA256})
		case o.SHA256 != n.SHA256:
			d.Files = append(d.Files, FileDelta{Path: n.Path, Change: report.ChangeChanged, Old: o.SHA256, New: n.SHA256})
			if n.Component == "electron" && (sameVersion(o.Version, n.Version) || c.kept) && !isBin[n.Path] {
				msg := fmt.Sprintf("Electron runtime file changed while Electron stayed %s", orNone(o.Version))
				if !sameVersion(o.Version, n.Version) {
					msg = fmt.Sprintf("Electron runtime file changed while Electron's executable did not: its declared version %s is not backed by a new runtime", versionChange(o.Version, n.Version))
				}
				d.add(RuleChangedSameVersion, signing.SeverityError, n.Path, msg)
			}
		}
	}
	for i := range old.Files {
		if o := &old.Files[i]; !newSeen[o.Path] && !inGitDir(o.Path) {
			d.Files = append(d.Files, FileDelta{Path: o.Path, Change: report.ChangeRemoved, Old: o.SHA256})
			if o.Component == "electron" && (old.Electron.Version == new.Electron.Version || c.kept) {
				// The runtime does not shed files between builds of one
				// version; one replaced by a symbolic link (which the
				// inventory does not follow) looks like this, and the
				// application loads the link's target instead.
				d.add(RuleRuntimeFileRemoved, signing.SeverityWarning, o.Path,
					fmt.Sprintf("Electron runtime file removed while Electron stayed %s (or replaced by a symbolic link, whose target is loaded instead)", orNone(old.Electron.Version)))
			}
		}
	}
}

// inGitDir reports whether the file at release path p is a git
// checkout's bookkeeping: in a .git directory at any depth, or a .git
// file (a worktree's or submodule's link to its repository). The diff
// does not list those files' changes, nor do the application's and
// packages' digests count them (HEAD, the index and objects change with
// every commit); but the inventory lists them, as verify checks them:
// bytes under .git are in the release as given, and a binary there is
// still compared (binaries) and checked.
func inGitDir(p string) bool {
	return p == ".git" || strings.HasPrefix(p, ".git/") || strings.HasSuffix(p, "/.git") || strings.Contains(p, "/.git/")
}

// fuses compares the Electron fuse wires, matched by binary and slice.
func (c *differ) fuses() {
	old, new, d := c.old, c.new, c.d
	type key struct{ path, arch string }
	oldW := map[key]FuseWire{}
	for _, w := range old.Electron.Fuses {
		oldW[key{w.Path, w.Arch}] = w
	}
	newW := map[key]bool{}
	for _, w := range new.Electron.Fuses {
		newW[key{w.Path, w.Arch}] = true
	}
	newBin := map[string]bool{}
	newArch := map[key]bool{}
	for _, b := range new.Binaries {
		newBin[b.Path] = true
		for _, a := range b.Arch {
			newArch[key{b.Path, a}] = true
		}
	}
	for _, w := range old.Electron.Fuses {
		// Electron reads its wire by address, not by the sentinel: a wire
		// that can no longer be found may have been rewritten at will.
		if k := (key{w.Path, w.Arch}); !newW[k] && (newArch[k] || w.Arch == "" && newBin[w.Path]) {
			newW[k] = true // once per slice
			d.Fuses = append(d.Fuses, FuseDelta{Path: w.Path, Arch: w.Arch, Fuse: "wire", Old: w.Wire, New: "absent", Weakened: true})
			d.add(RuleFuseWeakened, signing.SeverityError, w.Path, fmt.Sprintf("the fuse wire (%s) is no longer found in the binary; its fuses cannot be checked", orNone(w.Arch)))
		}
	}
	for _, w := range new.Electron.Fuses {
		o, ok := oldW[key{w.Path, w.Arch}]
		if !ok {
			// A new binary carrying a wire (the executable renamed) is
			// held to the wire of an old binary that is gone.
			for _, c := range old.Electron.Fuses {
				if c.Arch == w.Arch && !newBin[c.Path] {
					o, ok = c, true
					break
				}
			}
		}
		if !ok {
			// A new binary carrying a wire beside the old one (a second
			// framework version, Versions/B, that Current now links to)
			// is held to the old wire of its slice, by the same name
			// first: Electron loads whichever the link picks.
			o, ok = oldWireLike(old.Electron.Fuses, w)
		}
		if !ok {
			continue
		}
		for i := 0; i < max(len(o.Wire), len(w.Wire)); i++ {
			if o.State(i) == w.State(i) {
				continue
			}
			name := fmt.Sprintf("fuse %d", i)
			if i < len(FuseNames) {
				name = FuseNames[i]
			}
			sec, has := secureFuse[i]
			weak := has && i < len(o.Wire) && o.Wire[i] == sec && (i >= len(w.Wire) || w.Wire[i] != sec)
			d.Fuses = append(d.Fuses, FuseDelta{Path: w.Path, Arch: w.Arch, Fuse: name, Old: o.State(i), New: w.State(i), Weakened: weak})
			if weak {
				d.add(RuleFuseWeakened, signing.SeverityError, w.Path, fmt.Sprintf("%s went from %s to %s (%s)", name, o.State(i), w.State(i), orNone(w.Arch)))
			}
		}
	}
}

// oldWireLike returns the first of the old wires of w's slice whose binary
// has w's file name, else the first of that slice at all.
func oldWireLike(old []FuseWire, w FuseWire) (FuseWire, bool) {
	for _, c := range old {
		if c.Arch == w.Arch && path.Base(c.Path) == path.Base(w.Path) {
			return c, true
		}
	}
	for _, c := range old {
		if c.Arch == w.Arch {
			return c, true
		}
	}
	return FuseWire{}, false
}

// finish makes empty lists encode as [] and sorts and deduplicates the
// findings.
func (c *differ) finish() *DiffResult {
	d := c.d
	nonNil(&d.Added)
	nonNil(&d.Removed)
	nonNil(&d.Updated)
	nonNil(&d.ChangedSameVersion)
	nonNil(&d.Binaries)
	nonNil(&d.Files)
	nonNil(&d.Fuses)
	report.SortFindings(d.Findings)
	d.Findings = slices.CompactFunc(d.Findings, func(a, b signing.Finding) bool {
		return a.Path == b.Path && a.Rule == b.Rule && a.Message == b.Message
	})
	return d
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// wireChanged reports whether a fuse wire of the binary at p differs.
func wireChanged(old, new *Inventory, p string) bool {
	var a, b []string
	for _, w := range old.Electron.Fuses {
		if w.Path == p {
			a = append(a, w.Arch+":"+w.Wire)
		}
	}
	for _, w := range new.Electron.Fuses {
		if w.Path == p {
			b = append(b, w.Arch+":"+w.Wire)
		}
	}
	return len(a) > 0 && strings.Join(a, ",") != strings.Join(b, ",")
}

// runtimeKept reports whether Electron's declared version changed while
// its code did not: every binary that carries a fuse wire in new (the
// Windows executable, the macOS Electron Framework: the binaries holding
// Electron's code) is at the same path with the same bytes in old. The
// version is read from files anyone who can replace a runtime file can
// edit as well (the Windows "version" text file, the framework's
// Info.plist); a real upgrade rebuilds those binaries.
func runtimeKept(old, new *Inventory) bool {
	if old.Electron.Version == new.Electron.Version || old.Electron.Version == "" || new.Electron.Version == "" || len(new.Electron.Fuses) == 0 {
		return false
	}
	sha := func(inv *Inventory, p string) []string {
		var out []string
		for _, b := range inv.Binaries {
			if b.Path == p {
				out = append(out, b.SHA256)
			}
		}
		return out
	}
	for _, w := range new.Electron.Fuses {
		n, o := sha(new, w.Path), sha(old, w.Path)
		if len(n) == 0 || !slices.Equal(n, o) {
			return false
		}
	}
	return true
}

// runtimeFile reports whether b, at the same path in old, belongs to the
// Electron runtime: a file of the runtime component other than the
// executable, which carries the fuse wire in both releases and is rebuilt
// with the application's version at every release.
func runtimeFile(old, new *Inventory, b *Binary) bool {
	if b.Package != "" {
		return false
	}
	if !slices.ContainsFunc(new.Files, func(f File) bool { return f.Path == b.Path && f.Component == "electron" }) {
		return false
	}
	hasWire := func(inv *Inventory) bool {
		return slices.ContainsFunc(inv.Electron.Fuses, func(w FuseWire) bool { return w.Path == b.Path })
	}
	return !hasWire(old) || !hasWire(new)
}

// replaced reports whether the package n at o's folder is another package
// than o: both the name and a declared version changed. A name changed
// under the same (or no) version is the same folder's package, whose code
// is held to that version.
func replaced(o, n *Package) bool {
	return o.Name != n.Name && o.Version != "" && n.Version != "" && !sameVersion(o.Version, n.Version)
}

// sameVersion reports whether a and b are one version as npm reads them
// (see versionID).
func sameVersion(a, b string) bool { return versionID(a) == versionID(b) }

// versionID returns version v as npm's semver.clean identifies it: without
// surrounding spaces, a leading "=" or "v", or "+build" metadata, which has
// no say in a version's identity (the registry refuses 1.0.0+x beside
// 1.0.0). "v1.0.0" and "1.0.0+build.7" are 1.0.0: a package.json respelled
// so declares no new version.
func versionID(v string) string {
	v = strings.TrimLeft(strings.TrimSpace(v), "=v \t")
	v, _, _ = strings.Cut(v, "+")
	return strings.TrimSpace(v)
}

func newScripts(o, n *Package) []string {
	var out []string
	for _, s := range n.Scripts {
		found := false
		if o != nil {
			for _, t := range o.Scripts {
				if t == s {
					found = true
				}
			}
		}
		if !found {
			out = append(out, s.Name+": "+s.Command)
		}
	}
	return out
}

// sameSigner reports whether two files have the same signers: for each
// signature in order, the same certificate (by SHA-256 of its DER), or a
// certificate for the same subject and the same key (by SHA-256 of its
// SubjectPublicKeyInfo), as a renewal keeping the key gives. Names and
// serial alone prove nothing: anyone can mint a certificate copying them
// onto another key.
func sameSigner(a, b *SignatureSummary) bool {
	if a == nil || b == nil {
		return true // not examined on one side: no claim either way
	}
	if (a.Signer == nil) != (b.Signer == nil) || len(a.Others) != len(b.Others) {
		return false
	}
	if a.Signer != nil && !sameCert(a.Signer, b.Signer) {
		return false
	}
	for i := range a.Others {
		if !sameCert(&a.Others[i], &b.Others[i]) {
			return false
		}
	}
	return true
}

// sameCert reports whether x and y identify the same signer (see
// sameSigner); two signatures naming no signer are alike.
func sameCert(x, y *Signer) bool {
	if x.SHA256 == "" && y.SHA256 == "" {
		return *x == *y
	}
	if x.SHA256 != "" && x.SHA256 == y.SHA256 {
		return true
	}
	return x.SPKISHA256 != "" && x.SPKISHA256 == y.SPKISHA256 && x.Subject == y.Subject
}

func signerName(s *SignatureSummary) string {
	if s == nil || s.Signer == nil {
		return "nobody (" + statusOf(s) + ")"
	}
	name := fmt.Sprintf("%q (serial %s, certificate sha256 %s, key sha256 %s)", s.Signer.Subject, s.Signer.Serial, short(s.Signer.SHA256), short(orNone(s.Signer.SPKISHA256)))
	for _, o := range s.Others {
		name += fmt.Sprintf(", then %q (certificate sha256 %s)", o.Subject, short(orNone(o.SHA256)))
	}
	return name
}

func statusOf(s *SignatureSummary) string {
	if s == nil {
		return "not examined"
	}
	return s.Status.String()
}

func inPackage(p string) string {
	if p == "" {
		return ""
	}
	return " in " + p
}

func versionChange(o, n string) string {
	if o == n {
		return "the same"
	}
	return fmt.Sprintf("%s → %s", orNone(o), orNone(n))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// record returns b as the report records it, nil for nil.
func (b *Binary) record() *report.Binary {
	if b == nil {
		return nil
	}
	r := &report.Binary{
		Path: b.Path, Size: b.Size, SHA256: b.SHA256, Kind: b.Kind, Arch: b.Arch, NodeAddon: b.NodeAddon,
		Package: b.Package, ProductVersion: b.ProductVersion, FileVersion: b.FileVersion, Version: b.Version,
	}
	if s := b.Signature; s != nil {
		r.Signature = &report.SignatureSummary{Status: s.Status, Digest: s.Digest}
		if s.Signer != nil {
			r.Signature.Signer = new(report.Signer(*s.Signer))
		}
		for _, o := range s.Others {
			r.Signature.Others = append(r.Signature.Others, report.Signer(o))
		}
	}
	return r
}
