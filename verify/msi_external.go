package verify

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// externalCabinet opens the external cabinet name an MSI's Media table
// names, from beside the file job j checks (in its folder of the release
// directory, or of the zip archive), for internal/container to check its
// files against the MSI's tables. Windows finds the file whatever its case,
// so a name that matches only with case folded is taken when it is the
// only one. A symbolic link or other non-regular file is not taken (it
// would not be part of the release), nor a file that cannot be read at
// random (a compressed zip entry): the cabinet is checked where it lies,
// as a file of the release.
func externalCabinet(j *job) func(name string) (io.ReaderAt, int64, io.Closer, error) {
	if j.sib == nil || j.sibName == "" {
		return nil
	}
	return func(name string) (io.ReaderAt, int64, io.Closer, error) {
		dir := path.Dir(j.sibName)
		p := path.Join(dir, name)
		if !isSiblingFile(j.sib, p) {
			ents, err := fs.ReadDir(j.sib, dir)
			if err != nil {
				return nil, 0, nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
			}
			p = ""
			for _, e := range ents {
				if strings.EqualFold(e.Name(), name) {
					if p != "" {
						return nil, 0, nil, fmt.Errorf("more than one file in %q is named %q but for case", dir, name)
					}
					p = path.Join(dir, e.Name())
				}
			}
			if p == "" || !isSiblingFile(j.sib, p) {
				return nil, 0, nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
			}
		}
		f, err := j.sib.Open(p)
		if err != nil {
			return nil, 0, nil, err
		}
		st, err := f.Stat()
		ra, ok := f.(io.ReaderAt)
		switch {
		case err != nil:
			f.Close()
			return nil, 0, nil, err
		case !st.Mode().IsRegular():
			f.Close()
			return nil, 0, nil, fmt.Errorf("%s is not a regular file", p)
		case !ok:
			f.Close()
			return nil, 0, nil, errors.New("the archive holding it cannot be read at random")
		}
		return ra, st.Size(), f, nil
	}
}
