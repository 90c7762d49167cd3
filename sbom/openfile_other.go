//go:build !unix

package sbom

import "os"

// noFollow is the open flag that keeps a folder's file from being opened
// through a symbolic link: none where the system has no such flag.
const noFollow = 0

// openNoFollow opens the file name of a release folder for reading.
func openNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|noFollow, 0)
}
