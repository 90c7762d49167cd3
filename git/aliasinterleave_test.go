package git

import (
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// aliasInterleaved is aliasChain for negatives and then paths; it returns
// the commits of negatives and of paths.
func aliasInterleaved(t *testing.T, tr *testRepo, base map[string]string, negatives, paths []string) (neg, pos []plumbing.Hash) {
	t.Helper()
	cs := aliasChain(t, tr, base, append(negatives[:len(negatives):len(negatives)], paths...))
	return cs[:len(negatives)], cs[len(negatives):]
}
