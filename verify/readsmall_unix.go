//go:build unix

package verify

import "syscall"

// firstRead is how much of a file readWholeFile reads before it asks the
// file's size: a file larger than the buffer is read again by its check,
// so what was read of it is wasted.
const firstRead = 16 << 10

// readWholeFile reads the file name into buf with one open, as few reads
// as it takes and one close, and reports whether buf held all of it: a
// read that returns less than asked is the end of a regular file. A file
// that fills the first firstRead bytes is fstat'ed, and read on only when
// it fits. A file that does not fit returns its size (from fstat), any
// error -1: either leaves the caller to open it as usual (where failures
// are reported); n is then what was read in vain. O_NONBLOCK keeps a FIFO put in a file's place from
// blocking the open.
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
	n, end, ok := preadTo(fd, buf, 0, min(len(buf), firstRead))
	switch {
	case !ok:
		return 0, false, -1
	case end:
		return n, true, int64(n)
	}
	if size = fstatSize(fd); size < 0 || size >= int64(len(buf)) {
		return n, false, size
	}
	m, end, ok := preadTo(fd, buf, n, len(buf))
	switch {
	case !ok:
		return n, false, -1
	case end:
		return m, true, int64(m)
	}
	// The file grew past the buffer since fstat.
	return m, false, fstatSize(fd)
}

// preadTo reads fd into buf from n up to want, and reports whether it met
// the end of the file (a read that returns less than asked), and false
// for a failed read.
func preadTo(fd int, buf []byte, n, want int) (int, bool, bool) {
	for n < want {
		k, err := syscall.Pread(fd, buf[n:want], int64(n))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil || k < 0:
			return 0, false, false
		case k == 0:
			return n, true, true
		}
		n += k
		if n < want {
			return n, true, true
		}
	}
	return n, false, true
}

// fstatSize returns the size of the file fd, or -1.
func fstatSize(fd int) int64 {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return -1
	}
	return st.Size
}
