//go:build !unix

package verify

import (
	"io"
	"os"
)

// readWholeFile reads the file name into buf and reports whether buf held
// all of it. Any error, or a file that fills buf, leaves the caller to
// open it as usual (where failures are reported).
func readWholeFile(name string, buf []byte) (int, bool) {
	f, err := os.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, true
	}
	return 0, false
}
