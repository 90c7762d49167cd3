package container

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// TestWalkNSISAttackAmbiguityOverBudget: the ambiguity check's second
// decoding of a polyglot's header is charged to the release's expansion
// budget; with room left for one decoding and a half, the installer is a
// file/unreadable error (its data decompresses past the budget), not a
// free second decoding. The control, with the whole budget, is the
// polyglot's file/malformed error.
func TestWalkNSISAttackAmbiguityOverBudget(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.BuildPolyglot([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("a")}}, []nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: []byte("b")}}))
	const headerSize = 0xFF00 // BuildPolyglot's
	for _, tc := range []struct {
		left int64
		want signing.Rule
	}{
		{headerSize * 3 / 2, release.RuleUnreadable},
		{release.MinExpansion, release.RuleMalformed},
	} {
		x := release.NewExpansion(0)
		if !x.Take(release.MinExpansion - tc.left) {
			t.Fatal("the budget is smaller than MinExpansion")
		}
		w := walkAll(t, NSIS, in, "setup.exe", x, 0)
		if want := []string{string(tc.want) + " setup.exe"}; len(w.paths) != 0 || !slices.Equal(w.finds, want) {
			t.Errorf("%d bytes left: entries %q, findings %q, want %q", tc.left, w.paths, w.finds, want)
		}
	}
}
