package git

import (
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// artifactPermFindings returns what the mode of artifact file e, at tree
// path name in a what ("tar" or "folder"), gives as verify reports it: a
// set-user-ID or set-group-ID bit or tar file capabilities (file/setuid),
// an executable that others may write (file/world-writable). git records
// only the execute bit, so no tagged file has these: a file whose bytes
// match the tree's is still not what was tagged.
func artifactPermFindings(name, what string, e artifactEntry) []signing.Finding {
	if e.symlink || e.special != "" {
		return nil
	}
	return walk.PermFindings(name, what, e.mode, e.recs)
}
