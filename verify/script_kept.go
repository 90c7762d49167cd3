package verify

import "io"

// keptReaderAt reads r, and keeps the buffer of a read of its whole size
// bytes from offset 0 (a script verifier reads a script whole): a later
// scan of the same bytes (wsfExternalSources) takes them from there
// instead of reading the file again. The reader of the buffer must not
// change it.
type keptReaderAt struct {
	r    io.ReaderAt
	size int64
	kept []byte
}

// ReadAt reads r, keeping p when it is the whole file.
func (k *keptReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := k.r.ReadAt(p, off)
	if off == 0 && int64(n) == k.size && int64(len(p)) == k.size {
		k.kept = p
	}
	return n, err
}

// whole returns the file's bytes, read once: those kept, or else read now.
func (k *keptReaderAt) whole() ([]byte, bool) {
	if k.kept != nil {
		return k.kept, true
	}
	b := make([]byte, k.size)
	if n, _ := k.r.ReadAt(b, 0); int64(n) != k.size {
		return nil, false
	}
	return b, true
}
