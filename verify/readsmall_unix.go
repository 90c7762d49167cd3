//go:build unix

package verify

import "syscall"

// readWholeFile reads the file name into buf with one open, as few reads
// as it takes and one close, and reports whether buf held all of it: a
// read that returns less than asked is the end of a regular file. A file
// that fills buf returns its size (from fstat), any error -1: either
// leaves the caller to open it as usual (where failures are reported).
// O_NONBLOCK keeps a FIFO put in a file's place from blocking the open.
func readWholeFile(name string, buf []byte) (n int, whole bool, size int64) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, false, -1
	}
	defer syscall.Close(fd)
	for n < len(buf) {
		k, err := syscall.Pread(fd, buf[n:], int64(n))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil || k < 0:
			return 0, false, -1
		case k == 0:
			return n, true, int64(n)
		}
		n += k
		if n < len(buf) {
			return n, true, int64(n)
		}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, false, -1
	}
	return 0, false, st.Size
}
