package verify

import (
	"archive/zip"
	"fmt"
	"github.com/shipgate/shipgate/internal/release"
	"io"
	"io/fs"
)

// zipLinkFS is a zip archive's file system that also reads its symbolic
// links (fs.ReadLinkFS), which archive/zip's does not: a macOS app zipped
// with its symlinks kept (ditto -c -k, zip -y, git archive) has versioned
// frameworks whose Versions/Current and top-level links the bundle check
// must see as links, or the framework is not found as a bundle and each of
// its files reads as added to the app after signing. Links are never
// followed: Open and Stat are archive/zip's, which do not follow them.
type zipLinkFS struct{ *zip.Reader }

// ReadLink returns the target of the symbolic link entry name.
func (z zipLinkFS) ReadLink(name string) (string, error) {
	f, err := z.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if st.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	b, err := io.ReadAll(io.LimitReader(f, release.MaxLinkTarget+1))
	if err != nil {
		return "", fmt.Errorf("readlink %s: %w", name, err)
	}
	if len(b) > release.MaxLinkTarget {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fmt.Errorf("target longer than %d bytes", release.MaxLinkTarget)}
	}
	return string(b), nil
}

// Lstat returns the entry name's own information: archive/zip's Stat never
// follows a link.
func (z zipLinkFS) Lstat(name string) (fs.FileInfo, error) { return fs.Stat(z.Reader, name) }
