package git

import (
	"testing"
	"time"
)

// TestAttributesOfAbsolutePath: asked for the attributes of an absolute
// path ("/z.txz"), gitAttrs.value walked up its directories with
// path.Dir, which stops at "/" and never reaches ".", and looped for ever
// (FuzzGitAttributes, testdata/fuzz/FuzzGitAttributes/fd1145ed9a49d363).
// The audit's callers give it tree paths and cleaned artifact names, so
// no release reached the loop; an absolute path now has no attributes.
func TestAttributesOfAbsolutePath(t *testing.T) {
	t.Parallel()
	g := &gitAttrs{files: map[string][]attrLine{}, macros: map[string][]attrState{}}
	g.files[""] = g.parse("* export-subst\n*.txz eol=crlf\n", true)
	done := make(chan [2]string, 1)
	go func() {
		done <- [2]string{g.value("/z.txz", false, "export-subst"), g.value("//a/b.txz", true, "eol")}
	}()
	select {
	case got := <-done:
		if got != [2]string{"", ""} {
			t.Errorf("attributes of absolute paths %q, want none", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("value of an absolute path did not return")
	}
	if !g.is("z.txz", false, "export-subst") {
		t.Error("z.txz is not export-subst")
	}
}
