//go:build unix

package verify

import (
	"io/fs"
	"syscall"
)

// readWholeFile reads the file name into buf with one open, one fstat, as
// few reads as it takes and one close, and reports whether buf held all of
// it, with the file's permission bits and set-ID and sticky bits (see
// fileMode): a folder's walk leaves them to this read, which costs less
// than an lstat of the file's path. A read that returns less than asked is
// the end of a regular file. A file that fstat says does not fit is not
// read: it returns its size and mode (n 0), and any error -1 (mode 0);
// either leaves the caller to open it as usual (where failures are
// reported). O_NONBLOCK keeps a FIFO put in a file's place from blocking
// the open, O_NOFOLLOW a symbolic link put there from being followed (the
// walk saw a regular file, and a folder's links are checked as links).
// The file is opened through dirs, by its name in its directory
// name[:dirLen], when dirLen is positive (see dirCache).
func readWholeFile(dirs *dirCache, name string, dirLen int, buf []byte) (n int, whole bool, size int64, mode fs.FileMode) {
	var fd int
	var err error
	for {
		fd, err = dirs.open(name, dirLen, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOFOLLOW)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, false, -1, 0
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, false, -1, 0
	}
	mode = fileMode(uint32(st.Mode))
	if st.Size < 0 || st.Size >= int64(len(buf)) {
		return 0, false, st.Size, mode
	}
	// One more byte than the size shows, by a short read, that the file
	// ends where fstat said, and the loop reads on if it grew since.
	n, end, ok := preadTo(fd, buf, 0, min(len(buf), int(st.Size)+1))
	if ok && !end {
		n, end, ok = preadTo(fd, buf, n, len(buf))
	}
	switch {
	case !ok:
		return 0, false, -1, 0
	case end:
		return n, true, int64(n), mode
	}
	// The file grew past the buffer since fstat.
	return n, false, fstatSize(fd), mode
}

// fileMode returns the permission bits of a stat mode with its set-user-ID,
// set-group-ID and sticky bits, as fs.FileMode holds them (os.Lstat's).
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
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
