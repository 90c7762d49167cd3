//go:build !unix

package verify

import (
	"io"
	"io/fs"
	"os"
)

// readWholeFile reads the file name into buf and reports whether buf held
// all of it, with the file's permission and set-ID bits (os.File.Stat's).
// A file that fills buf returns its size, any error -1 (mode 0): either
// leaves the caller to open it as usual (where failures are reported), n
// then being what was read in vain.
// dirs and dirLen are unused: the file is opened by its path.
func readWholeFile(_ *dirCache, name string, _ int, buf []byte) (n int, whole bool, size int64, mode fs.FileMode) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false, -1, 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, false, -1, 0
	}
	mode = st.Mode() & permBits
	n, err = io.ReadFull(f, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, true, int64(n), mode
	}
	if err != nil {
		return n, false, -1, 0
	}
	return n, false, st.Size(), mode
}
