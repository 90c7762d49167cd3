package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// CabinetFS returns a [Visitor].Cabinet that opens an MSI's external
// cabinets from beside the MSI, the file file of fsys (a release folder,
// or a zip archive), so that verify and sbom open the same ones. Windows
// finds the file whatever its case, so a name that matches only with case
// folded is taken when it is the only one. A symbolic link or other
// non-regular file is not taken (it would not be part of the release), nor
// a file that cannot be read at random (a compressed zip entry): the
// cabinet is then checked where it lies, as a file of the release. Nil
// when fsys is.
func CabinetFS(fsys fs.FS, file string) func(name string) (io.ReaderAt, int64, io.Closer, error) {
	if fsys == nil || file == "" {
		return nil
	}
	return func(name string) (io.ReaderAt, int64, io.Closer, error) {
		dir := path.Dir(file)
		p, err := findFold(fsys, dir, name)
		if err != nil {
			return nil, 0, nil, err
		}
		f, err := fsys.Open(p)
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

// findFold returns the path of the regular file name in folder dir of
// fsys: name itself, or the only file whose name equals it with case
// folded.
func findFold(fsys fs.FS, dir, name string) (string, error) {
	if p := path.Join(dir, name); regular(fsys, p) {
		return p, nil
	}
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	p := ""
	for _, e := range ents {
		if strings.EqualFold(e.Name(), name) {
			if p != "" {
				return "", fmt.Errorf("more than one file in %q is named %q but for case", dir, name)
			}
			p = path.Join(dir, e.Name())
		}
	}
	if p == "" || !regular(fsys, p) {
		return "", fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return p, nil
}

// regular reports a regular file (not a link) at p in fsys.
func regular(fsys fs.FS, p string) bool {
	if !fs.ValidPath(p) {
		return false
	}
	st, err := fs.Lstat(fsys, p)
	return err == nil && st.Mode().IsRegular()
}
