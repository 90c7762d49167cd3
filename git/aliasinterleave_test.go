package git

import (
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// aliasInterleaved is aliasChain for negatives, then each of paths after
// a commit adding an unprotected file (docs/nI), so that an alias commit
// removes nothing protected and is found for its own path; it returns
// the commits of negatives and of paths.
func aliasInterleaved(t *testing.T, tr *testRepo, base map[string]string, negatives, paths []string) (neg, pos []plumbing.Hash) {
	t.Helper()
	seq := negatives
	for i, p := range paths {
		seq = append(seq[:len(seq):len(seq)], fmt.Sprintf("docs/n%d", i), p)
	}
	cs := aliasChain(t, tr, base, seq)
	for i := range paths {
		pos = append(pos, cs[len(negatives)+2*i+1])
	}
	return cs[:len(negatives)], pos
}
