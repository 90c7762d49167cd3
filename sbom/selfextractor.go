package sbom

import (
	"io"
	"path/filepath"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
)

// listAppendedZip lists, when the release b.root is a PE followed by a zip
// archive (a self-extractor: a Go or 7-Zip SFX stub and its payload), the
// archive's files under the executable's name, as verify finds and walks
// it (internal/zipend finds the archive for both): before a signed PE's
// certificate table or at the file's end. The archive is charged to an
// expansion budget of the file's size and opened at depth 0, as a
// Setup.exe's resource zip is. Bytes after a PE that are no zip leave the
// release one file.
func (b *builder) listAppendedZip() {
	f, size, err := b.openRoot()
	if err != nil {
		return // the file is reported when it is read as the release
	}
	head := make([]byte, min(size, filekind.HeadLen))
	n, _ := f.ReadAt(head, 0)
	if filekind.DetectAt(f, head[:n], size) != filekind.PE {
		return
	}
	ends := []int64{size}
	if off, ok := container.PECertTable(f, size); ok && off < size {
		ends = append(ends, off)
	}
	z, ok, err := zipend.Find(f, size, ends, nil)
	if err != nil || !ok || !z.Valid {
		return
	}
	name := filepath.Base(b.root)
	l := &containerLister{b: b, x: release.NewExpansion(size), seen: map[string]bool{name: true},
		add: func(it *item) { b.files = append(b.files, it) }}
	l.zip(name, io.NewSectionReader(f, 0, z.End), z.End, 0)
}
