package container

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/shipgate/shipgate/internal/release"
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
	return cabinetFS(fsys, file, nil)
}

// CabinetArchiveFS is [CabinetFS] for an MSI or cabinet that is an entry
// of an archive fsys (a zip or tar archive), whose external cabinets, or
// the other cabinets of its set, are entries beside it: one that cannot be
// read at random (a compressed entry) is read into memory when hold
// grants its size (hold returns the function that gives it back, called
// when the cabinet is closed), else it is a file that cannot be read at
// random, as with CabinetFS. Nil when fsys is.
func CabinetArchiveFS(fsys fs.FS, file string, hold func(size int64) (release func(), ok bool)) func(name string) (io.ReaderAt, int64, io.Closer, error) {
	return cabinetFS(fsys, file, hold)
}

// cabinetFS is CabinetFS, reading a file that is no io.ReaderAt into
// memory when hold is not nil and grants its size.
func cabinetFS(fsys fs.FS, file string, hold func(size int64) (func(), bool)) func(name string) (io.ReaderAt, int64, io.Closer, error) {
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
		case !ok && hold != nil:
			defer f.Close()
			return readHeld(f, p, st.Size(), hold)
		case !ok:
			f.Close()
			return nil, 0, nil, errors.New("the archive holding it cannot be read at random")
		}
		return ra, st.Size(), f, nil
	}
}

// readHeld reads the size bytes of file f, at p in its archive, into
// memory that hold grants, returning them and a closer that gives the
// memory back.
func readHeld(f io.Reader, p string, size int64, hold func(size int64) (func(), bool)) (io.ReaderAt, int64, io.Closer, error) {
	release, ok := hold(size)
	if !ok {
		return nil, 0, nil, fmt.Errorf("%s (%d bytes) cannot be read at random, and is too large to hold in memory", p, size)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	// Reading to the end checks a zip entry's CRC-32.
	if _, err := io.Copy(buf, io.LimitReader(f, size+1)); err != nil {
		release()
		return nil, 0, nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(buf.Len()) != size {
		release()
		return nil, 0, nil, fmt.Errorf("%s holds %d bytes, its header says %d", p, buf.Len(), size)
	}
	return bytes.NewReader(buf.Bytes()), size, closerFunc(sync.OnceFunc(release)), nil
}

// closerFunc is a func() as an io.Closer.
type closerFunc func()

func (c closerFunc) Close() error {
	c()
	return nil
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

// CabinetName reports a file name of a cabinet or of a Windows Installer
// file (.cab, .msi, .msm, .msp, case folded): an archive holding one is
// read as a file system while its entries are checked, so that an MSI
// finds its external cabinets, and a cabinet its set, among them.
func CabinetName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".cab", ".msi", ".msm", ".msp":
		return true
	}
	return false
}

// ZipHoldsCabinets reports whether an entry of a zip archive's files is
// named as a cabinet or a Windows Installer file ([CabinetName]): verify
// and sbom then keep the archive's records while its entries are checked,
// for an MSI or cabinet among them to open its external cabinets, or its
// set, as a file system ([CabinetArchiveFS]). An entry is judged by its
// raw name and by the name extractors write (a Unicode Path extra field's,
// release.ZipInstalledName), which the walkers list it under.
func ZipHoldsCabinets(files []*zip.File) bool {
	return slices.ContainsFunc(files, ZipEntryIsCabinet)
}

// ZipEntryIsCabinet reports whether the zip entry zf (nil: none) is named
// as a cabinet or a Windows Installer file ([CabinetName]), by its raw
// name or by the name extractors write (release.ZipInstalledName).
func ZipEntryIsCabinet(zf *zip.File) bool {
	return zf != nil && (CabinetName(zf.Name) || len(zf.Extra) > 0 && CabinetName(release.ZipInstalledName(zf).Name))
}
