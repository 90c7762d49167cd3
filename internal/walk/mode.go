package walk

import "io/fs"

// permOf returns the permission bits of the regular file d with its
// set-user-ID, set-group-ID and sticky bits, as lstat reads them: what a
// tarball's header stores for the same file, so that a caller finds the
// same facts in a folder and in a tarball of it. It is zero when the file
// cannot be stat'ed (it is then reported when it is opened).
func permOf(d fs.DirEntry) fs.FileMode {
	info, err := d.Info()
	if err != nil {
		return 0
	}
	return info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}
