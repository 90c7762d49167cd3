//go:build unix

package git

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only. As with git's own mapping of
// packs, a file truncated while mapped faults on access; packs are written
// once under a new name and never changed in place.
func mapFile(f *os.File, size int64) ([]byte, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, syscall.EINVAL
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapFile(b []byte) error { return syscall.Munmap(b) }
