package verify

import "syscall"

// dirCache keeps open the directory of the release a worker read
// a small file from last, so that the next file of that directory is
// opened by its name in it (openat) rather than by its whole path, whose
// every directory the kernel would look up again: a tenth of the open's
// cost, on the paths of a node_modules tree. The walk marks the files
// worth it (job.dirLen): those of a directory holding many.
type dirCache struct {
	dir string
	fd  int
	ok  bool // fd is open, on dir
}

// open opens the file name, whose directory is name[:dirLen] (0: open it
// by its path), with flags, by its name in the directory the cache holds,
// which it opens first when it holds another. A directory that cannot be
// opened leaves the file to be opened by its path.
func (d *dirCache) open(name string, dirLen int, flags int) (int, error) {
	if d == nil || dirLen <= 0 || dirLen+1 >= len(name) {
		return syscall.Open(name, flags, 0)
	}
	if dir := name[:dirLen]; !d.ok || d.dir != dir {
		d.close()
		fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return syscall.Open(name, flags, 0)
		}
		d.dir, d.fd, d.ok = dir, fd, true
	}
	return syscall.Openat(d.fd, name[dirLen+1:], flags, 0)
}

// close closes the directory the cache holds, if any.
func (d *dirCache) close() {
	if d != nil && d.ok {
		syscall.Close(d.fd)
		d.dir, d.ok = "", false
	}
}
