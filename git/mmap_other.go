//go:build !unix

package git

import (
	"errors"
	"os"
)

// mapFile is unsupported here: packs are read with ReadAt.
func mapFile(f *os.File, size int64) ([]byte, error) {
	return nil, errors.New("mmap unsupported")
}

func unmapFile(b []byte) error { return nil }
