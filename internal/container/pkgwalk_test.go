package container

import (
	"context"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// TestWalkPkgFS: the one walk of a package's file system, which verify and
// sbom (through Walk) both make, hands a file with its mode and a Source
// naming it in the package, a link by its path in the package, and a
// special file as file/unreadable at its report path.
func TestWalkPkgFS(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"Payload/bin/tool": {Data: []byte("t"), Mode: 0o755 | fs.ModeSetuid},
		"Payload/bin/x":    {Data: []byte("tool"), Mode: fs.ModeSymlink},
		"Payload/dev/fifo": {Mode: fs.ModeNamedPipe},
	}
	var entries, links []string
	var finds []signing.Finding
	WalkPkgFS(context.Background(), fsys, "app.pkg", Visitor{
		Entry: func(e Entry) {
			src, ok := e.Source.(release.FSFile)
			if !ok || src.Name != "Payload/bin/tool" || e.Mode != 0o755|fs.ModeSetuid || e.Size != 1 {
				t.Errorf("entry %+v", e)
			}
			entries = append(entries, e.Path)
		},
		Link:    func(name, target string) { links = append(links, name+" -> "+target) },
		Finding: func(f signing.Finding) { finds = append(finds, f) },
	})
	if !slices.Equal(entries, []string{"app.pkg/Payload/bin/tool"}) || !slices.Equal(links, []string{"Payload/bin/x -> tool"}) {
		t.Errorf("entries %q, links %q", entries, links)
	}
	if len(finds) != 1 || finds[0].Rule != release.RuleUnreadable || finds[0].Path != "app.pkg/Payload/dev/fifo" {
		t.Errorf("findings %+v", finds)
	}
}
