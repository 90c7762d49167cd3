package sbom

import (
	"sort"
	"strings"

	"github.com/shipgate/shipgate/sbom/asar"
)

// openAsars lists, in place of each asar archive found among the
// release's files other than the release's own (a loose one in a release
// folder, resources/plugins/extra.asar, or an app.asar in an installer, a
// zip, a tarball or a disk image, told by its header as verify tells one:
// it.asar), the files and links it holds under its path
// (Setup.exe/$INSTDIR/resources/app.asar/node_modules/x), as verify opens
// every asar it finds: their npm packages and digests join the inventory,
// each entry checked against the integrity its header records, as the
// release's own asar's are. Its unpacked files read through it are listed
// once, as its entries. An asar that cannot be read stays a file, with a
// finding; asars inside asars are not opened.
func (b *builder) openAsars() {
	var found []*item
	for _, it := range b.items {
		if it.asar && it.err == nil && it.path != b.asarPath {
			found = append(found, it)
		}
	}
	if len(found) == 0 {
		return
	}
	drop := map[*item]bool{}
	var added []*item
	for _, it := range found {
		ar, err := b.openAsarIn(it, b.items)
		if err != nil {
			b.asarOpenFailed(it.path, err)
			continue
		}
		b.asarProblems(ar, it.path)
		drop[it] = true
		for _, u := range b.items {
			if rest, ok := strings.CutPrefix(u.path, it.path+".unpacked/"); ok {
				if e, err := ar.Entry(rest); err == nil && e.Kind == asar.KindFile && e.Unpacked {
					drop[u] = true
				}
			}
		}
		added = append(added, asarItems(ar, it.path, false)...)
	}
	b.hashAll(added)
	keep := b.items[:0]
	for _, it := range b.items {
		if !drop[it] {
			keep = append(keep, it)
		}
	}
	b.items = append(keep, added...)
	sort.Slice(b.items, func(i, j int) bool { return b.items[i].path < b.items[j].path })
}
