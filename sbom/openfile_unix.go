//go:build unix

package sbom

import (
	"os"
	"syscall"
)

// noFollow is the open flag that keeps a folder's file from being opened
// through a symbolic link put in its place after the walk saw a regular
// file (the folder's links are inventoried as links).
const noFollow = syscall.O_NOFOLLOW

// openNoFollow opens the file name of a release folder for reading,
// through no symbolic link (noFollow), as os.OpenFile does, but without
// registering it with the runtime's poller: os.OpenFile sets the file
// non-blocking, tries to register it (which fails for a regular file),
// then clears the flag again, five system calls that are most of the cost
// of opening a small file, and a folder release holds tens of thousands of
// them. os.NewFile takes the descriptor as one that is not polled (one
// fcntl to learn so); reads block their thread, as a regular file's do
// anyway.
func openNoFollow(name string) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC|noFollow, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}
