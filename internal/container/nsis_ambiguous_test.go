package container

import (
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
)

// TestWalkNSISPolyglot: an installer whose data reads both as a stored
// header and as a solid deflate stream, each extracting another file, is
// refused as malformed, with none of its files handed over; read the
// first way, the other file was never checked.
func TestWalkNSISPolyglot(t *testing.T) {
	in := nsis.Stub(stubPE(t), nsis.BuildPolyglot([]nsis.BuildFile{{Name: `$INSTDIR\a.dll`, Data: []byte("a")}}, []nsis.BuildFile{{Name: `$INSTDIR\b.dll`, Data: []byte("b")}}))
	w := walkAll(t, NSIS, in, "setup.exe", nil, 0)
	if len(w.paths) != 0 {
		t.Errorf("entries %q", w.paths)
	}
	if want := []string{string(release.RuleMalformed) + " setup.exe"}; !slices.Equal(w.finds, want) {
		t.Errorf("findings %q, want %q", w.finds, want)
	}
}
