package sbom

import (
	"github.com/shipgate/shipgate/internal/walk"
)

// symlink records the symbolic link at rel in the folder or archive at
// report path root (where names it: "the release", "the archive"), whose
// target is target, as verify records it: a link whose target points out
// of root is file/symlink-escape and never followed (walk.LinkEscape);
// every link is followed in chains once all are listed (linkChains). A
// link is no file of the inventory: the file it reaches inside the
// release is listed at its own path, as verify checks it.
func (b *builder) symlink(root, rel, target, where string) {
	f, escapes := walk.LinkEscape(root, rel, target, where)
	b.linksMu.Lock()
	defer b.linksMu.Unlock()
	if escapes {
		b.inv.Findings = append(b.inv.Findings, f)
	}
	b.links = append(b.links, walk.ChainLink{Root: root, Rel: rel, Target: target, Escapes: escapes})
}

// linkChains reports the files whose paths go through a symbolic link of
// their folder or archive (walk.ThroughLinks), and the links whose
// targets look inside their folder or archive but that lead out of it
// through other links (walk.LinkChains): verify's checks too, made once
// every file is listed.
func (b *builder) linkChains() {
	if len(b.links) == 0 {
		return
	}
	paths := make([]string, 0, len(b.items))
	for _, it := range b.items {
		paths = append(paths, it.path)
	}
	b.inv.Findings = append(b.inv.Findings, walk.ThroughLinks(b.links, paths, "inventoried")...)
	finds, _ := walk.LinkChains(b.links)
	b.inv.Findings = append(b.inv.Findings, finds...)
}
