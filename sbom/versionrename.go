package sbom

import (
	"path"
	"regexp"
	"strings"
)

// versionNumber matches a dotted version number in a file or folder name:
// "1.4.0" in "Acme Desktop-1.4.0.msi".
var versionNumber = regexp.MustCompile(`[0-9]+(\.[0-9]+)+`)

// renameVersioned returns old with each file or folder name that new holds
// only with another version number in it (acme-1.4.0.msi in old,
// acme-1.4.1.msi in new, in the same folder) put under new's name, with
// everything below it; with none, old itself is returned. A release folder
// that holds its installers named by version would otherwise diff as every
// file of the old installers removed and every file of the new ones added,
// which hides what changed inside them. A name is renamed only when it is
// the one name of its folder, on each side, that reads the same once its
// version numbers are blanked out, and the other side lacks its exact
// spelling. old is not modified.
func renameVersioned(old, new *Inventory) *Inventory {
	oldPaths := inventoryPaths(old)
	oldKids, newKids := children(oldPaths), children(inventoryPaths(new))
	oldKeys, newKeys := map[string]map[string][]string{}, map[string]map[string][]string{}
	// old folder or file path → its path in new's names: each path, and
	// its folders.
	mapped := make(map[string]string, 2*len(oldPaths))
	var to func(p string) string
	to = func(p string) string {
		if p == "" {
			return ""
		}
		if q, ok := mapped[p]; ok {
			return q
		}
		dir, name := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		newDir := to(dir)
		q := name
		if key := versionKey(name); key != name && !newKids[newDir][name] {
			olds, news := keyed(oldKeys, dir, oldKids)[key], keyed(newKeys, newDir, newKids)[key]
			if len(olds) == 1 && len(news) == 1 && !oldKids[dir][news[0]] {
				q = news[0]
			}
		}
		q = joinPath(newDir, q)
		mapped[p] = q
		return q
	}
	moved := false
	for p := range oldPaths {
		if to(p) != p {
			moved = true
		}
	}
	if !moved {
		return old
	}
	return movePaths(old, to)
}

// versionKey returns name with its version numbers blanked out.
func versionKey(name string) string {
	if !dottedDigits(name) {
		return name // no version number: the regexp is not run
	}
	return versionNumber.ReplaceAllString(name, "#")
}

// dottedDigits reports whether s holds a digit, a dot and a digit in a
// row, as every match of versionNumber does.
func dottedDigits(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && isDigit(s[i-1]) && isDigit(s[i+1]) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// keyed returns the names of folder dir grouped by versionKey, computed
// once per folder into cache.
func keyed(cache map[string]map[string][]string, dir string, kids map[string]map[string]bool) map[string][]string {
	if m, ok := cache[dir]; ok {
		return m
	}
	m := map[string][]string{}
	for name := range kids[dir] {
		if k := versionKey(name); k != name {
			m[k] = append(m[k], name)
		}
	}
	cache[dir] = m
	return m
}

// children returns, for each folder of the paths ("" for the top), the
// names of the files and folders in it.
func children(paths map[string]bool) map[string]map[string]bool {
	kids := map[string]map[string]bool{}
	for p := range paths {
		for p != "" {
			dir, name := path.Split(p)
			dir = strings.TrimSuffix(dir, "/")
			if kids[dir] == nil {
				kids[dir] = map[string]bool{}
			}
			if kids[dir][name] {
				break
			}
			kids[dir][name] = true
			p = dir
		}
	}
	return kids
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
