package git

import (
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// mergeOwnChanges reports the protected files (files, sorted) that merge
// commit id, with n parents, changes against every one of them: the merge's
// own content, in none of the branches it joins (an evil merge, or a
// conflict resolved by hand). FileChange counts a merge's change against
// the first parent it differs from, which makes such content read as the
// side branch's change brought in; git show --cc shows exactly these.
// differs counts, per file, the parents it differs from.
func (a *auditor) mergeOwnChanges(what, id string, n int, files []FileChange, differs map[string]int) {
	if n < 2 {
		return
	}
	for _, f := range files {
		if differs[f.Path] < n {
			continue
		}
		a.finding(RuleMergeOwnChange, signing.SeverityWarning, f.Path, id, fmt.Sprintf(
			"%s is a merge whose %s matches none of its %d parents: the merge itself changes it (an evil merge, or a conflict resolved by hand); review git show --cc %s",
			what, f.Path, n, id))
	}
}
