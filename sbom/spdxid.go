package sbom

import (
	"fmt"
	"sort"

	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// uniqueSPDXIDs gives the packages that share an SPDXID (spdxID keeps a
// readable tail of the ref and a 32-bit hash of it, so refs that differ only
// in characters an SPDXID cannot hold can still meet, by chance or by
// design) distinct ones: in ref order, the first keeps the ID and the others
// get "-2", "-3", … appended, skipping IDs already taken. refs[i] is the ref
// of pkgs[i]; ids, from ref to ID, is updated. The result depends only on
// the refs, not on their order.
func uniqueSPDXIDs(pkgs []*spdx.Package, ids map[string]common.ElementID, refs []string) {
	byID := map[common.ElementID][]int{}
	taken := map[common.ElementID]bool{}
	for i, p := range pkgs {
		byID[p.PackageSPDXIdentifier] = append(byID[p.PackageSPDXIdentifier], i)
		taken[p.PackageSPDXIdentifier] = true
	}
	shared := make([]common.ElementID, 0)
	for id, is := range byID {
		if len(is) > 1 {
			shared = append(shared, id)
		}
	}
	sort.Slice(shared, func(i, j int) bool { return shared[i] < shared[j] })
	for _, id := range shared {
		is := byID[id]
		sort.SliceStable(is, func(a, b int) bool { return refs[is[a]] < refs[is[b]] })
		n := 1
		for _, i := range is[1:] {
			var next common.ElementID
			for {
				n++
				if next = common.ElementID(fmt.Sprintf("%s-%d", id, n)); !taken[next] {
					break
				}
			}
			taken[next] = true
			pkgs[i].PackageSPDXIdentifier = next
			ids[refs[i]] = next
		}
	}
}

// uniqueRefs returns refs with each made unique: a ref given again (two
// copies of one path, a zip's duplicate entries, listed in the
// inventory's order) gets "#2", "#3", … appended, skipping refs already
// taken, so that no two components of a CycloneDX document share a
// bom-ref (which the specification requires, and by which consumers
// merge them) and no two SPDX packages an ID. The first keeps the ref.
func uniqueRefs(refs []string) []string {
	taken := make(map[string]bool, len(refs))
	for _, r := range refs {
		taken[r] = true
	}
	seen := make(map[string]int, len(refs))
	out := make([]string, len(refs))
	for i, r := range refs {
		seen[r]++
		out[i] = r
		if seen[r] == 1 {
			continue
		}
		for n := seen[r]; ; n++ {
			if next := fmt.Sprintf("%s#%d", r, n); !taken[next] {
				taken[next], seen[r], out[i] = true, n, next
				break
			}
		}
	}
	return out
}
