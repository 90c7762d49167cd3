package walk

import (
	"testing"

	"github.com/shipgate/shipgate/internal/release"
)

// TestThroughLinks: a path that goes through a symbolic link of its own
// archive, in any case, is file/insecure-path once, naming the link; the
// same path in another archive, or beside the link, is not.
func TestThroughLinks(t *testing.T) {
	t.Parallel()
	links := []ChainLink{{Root: "a.tar", Rel: "W", Target: "windows"}}
	paths := []string{"a.tar/w/evil.dll", "a.tar/w/evil.dll", "b.tar/W/x.dll", "a.tar/windows/ok.txt", "a.tar/W"}
	got := ThroughLinks(links, paths, "inventoried")
	if len(got) != 1 || got[0].Rule != release.RuleInsecurePath || got[0].Path != "a.tar/w/evil.dll" ||
		got[0].Message != `the entry's path goes through the symbolic link a.tar/W (to "windows") its archive also holds: extractors that follow the link write the file where the link leads, where it was not inventoried` {
		t.Errorf("findings %+v", got)
	}
}
