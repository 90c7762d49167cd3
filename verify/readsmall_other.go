//go:build !unix

package verify

import (
	"io"
	"os"
)

// readWholeFile reads the file name into buf and reports whether buf held
// all of it. A file that fills buf returns its size, any error -1: either
// leaves the caller to open it as usual (where failures are reported), n
// then being what was read in vain.
func readWholeFile(name string, buf []byte) (n int, whole bool, size int64) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false, -1
	}
	defer f.Close()
	n, err = io.ReadFull(f, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, true, int64(n)
	}
	if err != nil {
		return n, false, -1
	}
	st, err := f.Stat()
	if err != nil {
		return n, false, -1
	}
	return n, false, st.Size()
}
