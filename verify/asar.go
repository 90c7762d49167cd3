package verify

import (
	"errors"
	"io"
	"io/fs"

	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

func init() { archiveOpeners[KindAsar] = openAsar }

// openAsar opens an Electron asar archive found in a release. Entries whose
// bytes live in the sibling ".unpacked" folder are left out: that folder is
// checked where it is, as ordinary files.
func openAsar(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error) {
	ar, finds, err := readAsar(r, size, nil)
	if err != nil {
		return nil, nil, err
	}
	return packedFS{ar}, finds, nil
}

// openLoneAsar opens an asar archive given as an input on its own: its
// unpacked entries are checked as its entries, read from unpacked (the
// sibling ".unpacked" folder; nil when there is none, and then those
// entries are unreadable), since nothing else checks them.
func openLoneAsar(unpacked fs.FS) archiveOpener {
	return func(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error) {
		ar, finds, err := readAsar(r, size, unpacked)
		if err != nil {
			return nil, nil, err
		}
		return ar, finds, nil
	}
}

func readAsar(r io.ReaderAt, size int64, unpacked fs.FS) (*asar.Reader, []signing.Finding, error) {
	ar, err := asar.NewReaderOptions(r, size, asar.Options{Unpacked: unpacked})
	if err != nil {
		var fe *asar.FormatError
		if errors.As(err, &fe) {
			return nil, nil, &malformedError{offset: fe.Offset, reason: fe.Reason, finding: fe.Finding()}
		}
		return nil, nil, err
	}
	var finds []signing.Finding
	for _, p := range ar.Problems() {
		finds = append(finds, p.Finding())
	}
	return ar, finds, nil
}

// packedFS hides an asar's unpacked files from the walk.
type packedFS struct{ ar *asar.Reader }

func (p packedFS) Open(name string) (fs.File, error) { return p.ar.Open(name) }

func (p packedFS) ReadLink(name string) (string, error) { return p.ar.ReadLink(name) }

func (p packedFS) Lstat(name string) (fs.FileInfo, error) { return p.ar.Lstat(name) }

func (p packedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	des, err := p.ar.ReadDir(name)
	if err != nil {
		return nil, err
	}
	out := des[:0:0]
	for _, d := range des {
		full := d.Name()
		if name != "." {
			full = name + "/" + d.Name()
		}
		if e, err := p.ar.Entry(full); err == nil && e.Unpacked {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}
