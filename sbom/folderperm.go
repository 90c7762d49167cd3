package sbom

import (
	"io/fs"
	"os"
)

// permBits are the bits of a file's mode its set-ID and world-write
// findings read (file/setuid, file/world-writable).
const permBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// folderPerms reports the modes of the files of a release folder (as a
// tarball of the folder would be: see perm), once they are hashed: the
// walk (walk.DirTreeTypes) leaves a file's mode to its open, which reads
// it from the open file (openBytes), one fstat instead of an lstat of
// the file's path. A file that could not be opened has lstat's mode
// (zero when that fails too), so that its set-ID bits are still reported
// beside its read error.
func (b *builder) folderPerms() {
	for _, it := range b.items {
		if !it.folderPerm {
			continue
		}
		mode := it.perm
		if !it.permRead {
			mode = 0
			if st, err := os.Lstat(it.disk); err == nil {
				mode = st.Mode() & permBits
			}
		}
		b.perm(it.path, "folder", mode, nil)
	}
}
