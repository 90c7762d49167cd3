package vuln

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate/sbom"
	"github.com/shipgate/shipgate/signing"
)

// nestedReleases returns the folders under dir (slash-separated, relative)
// that sbom.Open reads as an application of their own: a macOS .app
// bundle, or a folder in the Windows and Linux layout (resources/app.asar
// or resources/app). A folder of releases (dist/mac/X.app,
// dist/win-unpacked) is a files layout to sbom, which would not open the
// apps' archives. node_modules folders are not searched: their packages
// are the folder's own.
func nestedReleases(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || p == dir {
			return nil
		}
		if d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if strings.HasSuffix(d.Name(), ".app") || isFile(filepath.Join(p, "Contents", "Info.plist")) ||
			exists(filepath.Join(p, "resources", "app.asar")) || exists(filepath.Join(p, "resources", "app")) {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return filepath.SkipDir
		}
		return nil
	})
	return out, err
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

// under reports whether the slash path p is root or inside it.
func under(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }

// notInventoried returns a RuleNotInventoried warning for each file of inv
// that holds npm packages sbom did not open: an asar archive other than
// the application's, an installer package or a disk image. An asar is
// listed as a file whether sbom opened it or not: one whose entries are
// listed under its path was opened.
func notInventoried(inv *sbom.Inventory, skip []string) []signing.Finding {
	var opened map[string]bool
	var out []signing.Finding
	for _, f := range inv.Files {
		if f.Path == inv.App.Asar || !opaqueRelease(f.Path) {
			continue
		}
		if strings.EqualFold(path.Ext(f.Path), ".asar") {
			if opened == nil {
				opened = openedAsars(inv)
			}
			if opened[f.Path] {
				continue
			}
		}
		if inside(f.Path, skip) {
			continue
		}
		w := signing.NewFinding(RuleNotInventoried, signing.SeverityWarning,
			fmt.Sprintf("%s was not opened for vulnerability matching: the npm packages it holds were not matched against the OSV records", path.Base(f.Path)))
		w.Path = f.Path
		out = append(out, w)
	}
	return out
}

// openedAsars returns the paths ending in .asar under which inv lists a
// file, a binary or a package: the asars sbom opened.
func openedAsars(inv *sbom.Inventory) map[string]bool {
	out := map[string]bool{}
	add := func(p string) {
		lower := strings.ToLower(p)
		for i := 0; ; {
			j := strings.Index(lower[i:], ".asar/")
			if j < 0 {
				return
			}
			i += j + len(".asar")
			out[p[:i]] = true
		}
	}
	for _, f := range inv.Files {
		add(f.Path)
	}
	for _, b := range inv.Binaries {
		add(b.Path)
	}
	for _, p := range inv.Packages {
		add(p.Path + "/")
	}
	return out
}

func inside(p string, roots []string) bool {
	for _, r := range roots {
		if under(p, r) {
			return true
		}
	}
	return false
}

// opaqueRelease reports whether the file p is an archive that may hold an
// application's npm packages and that the inventory does not open.
func opaqueRelease(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".asar", ".pkg", ".dmg":
		return true
	}
	return false
}

// scanNested checks each nested release of the folder dir, with finding
// paths relative to dir.
func (s *Scanner) scanNested(dir string, nested []string, db *DB, vex *VEX, at time.Time) ([]signing.Finding, error) {
	var out []signing.Finding
	for _, rel := range nested {
		inv, err := sbom.Open(filepath.Join(dir, filepath.FromSlash(rel)), s.Inventory)
		if errors.Is(err, sbom.ErrNotRelease) || errors.Is(err, sbom.ErrEmptyRelease) {
			continue // no package to match in it
		}
		if err != nil {
			return nil, fmt.Errorf("vuln: %w", err)
		}
		for _, f := range append(CheckAt(inv, db, vex, at), notInventoried(inv, nil)...) {
			f.Path = path.Join(rel, f.Path)
			out = append(out, f)
		}
	}
	return out, nil
}

func sortFindings(out []signing.Finding) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Message < out[j].Message
	})
}
