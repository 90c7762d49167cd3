package sbom

import (
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/glob"
)

// renameCase returns old with each path that new holds only in another
// letter case, or another spelling its file system takes for the same name
// (see foldKey): ffmpeg.dll in old, FFmpeg.dll in new, neither holding the
// other's spelling. Those paths are put under new's spelling; with none,
// old itself is returned. On the file
// systems Windows and macOS install to, the two names are one file, so a
// runtime file renamed by case is the same file changed, not one removed
// and one added (which would escape the rules on changed files). Only paths
// that pair up one to one are renamed; old is not modified.
func renameCase(old, new *Inventory) *Inventory {
	oldPaths, newPaths := inventoryPaths(old), inventoryPaths(new)
	key := foldKey(new.Layout)
	byFold := func(ps, others map[string]bool) map[string][]string {
		m := map[string][]string{}
		for p := range ps {
			if !others[p] {
				k := key(p)
				m[k] = append(m[k], p)
			}
		}
		return m
	}
	oldFold, newFold := byFold(oldPaths, newPaths), byFold(newPaths, oldPaths)
	mv := map[string]string{}
	for k, ops := range oldFold {
		if nps := newFold[k]; len(ops) == 1 && len(nps) == 1 {
			mv[ops[0]] = nps[0]
		}
	}
	if len(mv) == 0 {
		return old
	}
	return movePaths(old, func(p string) string {
		if q, ok := mv[p]; ok {
			return q
		}
		return p
	})
}

// movePaths returns a copy of old with every path p (of files, binaries and
// the packages holding them, packages, fuses) replaced by to(p), each list
// sorted again by path. old is not modified.
func movePaths(old *Inventory, to func(string) string) *Inventory {
	o := *old
	o.Files = slices.Clone(old.Files)
	for i := range o.Files {
		o.Files[i].Path = to(o.Files[i].Path)
	}
	slices.SortStableFunc(o.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	o.Binaries = slices.Clone(old.Binaries)
	for i := range o.Binaries {
		o.Binaries[i].Path = to(o.Binaries[i].Path)
		o.Binaries[i].Package = to(o.Binaries[i].Package)
	}
	slices.SortStableFunc(o.Binaries, func(a, b Binary) int { return strings.Compare(a.Path, b.Path) })
	o.Packages = slices.Clone(old.Packages)
	for i := range o.Packages {
		o.Packages[i].Path = to(o.Packages[i].Path)
	}
	slices.SortStableFunc(o.Packages, func(a, b Package) int { return strings.Compare(a.Path, b.Path) })
	o.Electron.Fuses = slices.Clone(old.Electron.Fuses)
	for i := range o.Electron.Fuses {
		o.Electron.Fuses[i].Path = to(o.Electron.Fuses[i].Path)
	}
	return &o
}

// foldKey returns the key under which the file system a release of layout
// is installed to finds a path: NTFS's for a Windows release (which also
// drops trailing dots and spaces: "ffmpeg.dll." is ffmpeg.dll), APFS's for
// a macOS one (which also matches NFC and NFD spellings), else glob.Fold.
func foldKey(layout string) func(string) string {
	switch layout {
	case LayoutWindows:
		return func(p string) string { return foldname.KeysOf(p)[foldname.NTFS] }
	case LayoutMacOS:
		return func(p string) string { return foldname.KeysOf(p)[foldname.APFS] }
	}
	return glob.Fold
}

// inventoryPaths returns the paths of inv's files, binaries and packages.
func inventoryPaths(inv *Inventory) map[string]bool {
	ps := make(map[string]bool, len(inv.Files)+len(inv.Binaries)+len(inv.Packages))
	for _, f := range inv.Files {
		ps[f.Path] = true
	}
	for _, b := range inv.Binaries {
		ps[b.Path] = true
	}
	for _, p := range inv.Packages {
		ps[p.Path] = true
	}
	return ps
}
