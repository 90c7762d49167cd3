package authenticode

import (
	"fmt"
	"hash"
	"io"
	"sync"
)

// fileHashBuf is the read size of the whole-file hash and the MSI stream
// digest: large reads cost fewer system calls (and, for a stream, fewer
// walks of its sector runs) than io.Copy's 32 KiB ones over a file of
// hundreds of megabytes.
const fileHashBuf = 1 << 20

// copyBufs holds buffers of fileHashBuf bytes.
var copyBufs = sync.Pool{New: func() any {
	b := make([]byte, fileHashBuf)
	return &b
}}

// hashFileAsync writes the size bytes of r to h, when h is not nil, on a
// goroutine of its own, and returns the function that waits for it and
// returns its error. The formats whose digest reads the file in another
// order than front to back (MSI streams, a cabinet less its signature)
// hash the whole file this way while their digest is computed: the two
// passes are independent and take one core each. h is written by that
// goroutine only, and only until the wait returns, so the result is the
// same as a sequential pass; the caller must wait before it returns,
// whatever else failed.
func hashFileAsync(h hash.Hash, r io.ReaderAt, size int64) (wait func() error) {
	if h == nil {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() {
		bp := copyBufs.Get().(*[]byte)
		defer copyBufs.Put(bp)
		_, err := io.CopyBuffer(h, io.NewSectionReader(r, 0, size), *bp)
		if err != nil {
			err = fmt.Errorf("authenticode: %w", err)
		}
		done <- err
	}()
	return func() error { return <-done }
}

// runAlongside runs fn, when run and fn is not nil, on a goroutine of its
// own (see Options.Alongside), and returns the function that waits for it.
func runAlongside(run bool, fn func()) (wait func()) {
	if !run || fn == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return func() { <-done }
}
