package verify

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// openInstaller checks the files an installer carries, after the file
// itself was verified, as internal/container walks them (the walker sbom
// inventories them with): an NSIS installer's data blocks, under
// Setup.exe/<installed path> ($INSTDIR/app.dll, $PLUGINSDIR/app-64.7z), or
// Setup.exe/$NSIS/block-<offset> for a block no instruction names; the zip
// archives a PE keeps as resources (Squirrel's package), opened as zip
// archives under the PE's path; the 7-Zip archive a 7-Zip self-extractor
// carries after its sections, its files under the PE's path; and the NSIS data of an uninstaller, which
// an installer carries as a data block without its exehead. NSIS blocks
// are checked one after the other as they are decompressed, zip entries as
// a self-extractor's are, within the same nesting and expansion limits as
// zip archives.
func (c *check) openInstaller(ra io.ReaderAt, size int64, hdr []byte) {
	switch {
	case c.f.Kind == KindPE:
		c.walkContainer(container.NSIS, ra, size)
		c.walkContainer(container.Squirrel, ra, size)
		c.walkContainer(container.Attached, ra, size)
	case nsis.IsData(hdr):
		c.walkContainer(container.NSIS, ra, size)
	}
}

// walkContainer checks the files the container of kind k in ra carries,
// as internal/container hands them over, within the expansion budget of
// the outermost archive; a zip archive the container holds (a PE's
// resource) is opened as a zip archive under the path the walker gives.
func (c *check) walkContainer(k container.Kind, ra io.ReaderAt, size int64) {
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	bundles := map[string]bool{}
	defer func() {
		c.finds = append(c.finds, unverifiedBundles(bundles, c.f.Path, c.f.Path, "its archive is read file by file")...)
	}()
	container.Walk(c.e.ctx, k, ra, size, c.f.Path, x, container.Visitor{
		Entry: func(en container.Entry) {
			if b := tarBundleRoot(strings.TrimPrefix(en.Path, c.f.Path+"/")); b != "" {
				bundles[b] = true
			}
			// The bytes after an NSIS installer's data are one file
			// of the installer; the zip they hold, when it is the
			// one the PE carries at its end (a self-extractor's),
			// is checked once, under the PE's path (see findZip),
			// as sbom lists it.
			parents := en.Trailing.Size > 0 && c.f.Kind == KindPE && container.TrailingAppended(ctxReaderAt{c.e.ctx, ra}, size, en.Trailing, nil)
			c.containerEntry(en, x, parents)
		},
		Finding: func(f signing.Finding) { c.finds = append(c.finds, f) },
		Zip: func(z container.Zip) {
			c.resZips = append(c.resZips, z.Span())
			c.openResourceZip(io.NewSectionReader(ra, z.Offset, z.Size), z.Size, z.Path)
		},
		Link:  c.containerLink,
		Depth: c.j.depth,
		NSIS:  c.hashedNSIS(size),
		SFX7z: c.hashedSFX7z(size),
		// The file's resources, read once for the overlay's check
		// (overlayWalked) and the walks of a PE.
		Resources: &c.peRes,
	})
}

// containerLink records the symbolic link a container (a 7-Zip archive)
// holds at name, as a zip's is (see zipChunkEntries).
func (c *check) containerLink(name, target string) {
	c.finds = append(c.finds, c.e.addSymlink(c.f.Path, name, target, "the archive")...)
}

// openResourceZip opens the zip archive a container holds (a PE's
// resource, of size bytes at ra) under report path at, its end structures
// checked as those of an input zip are (release.CheckZip, as sbom checks
// them): bytes
// between its central directory and its end record are an error there
// too, as a decoy directory at the recorded offset, which archive/zip and
// 7-Zip list, can hide the one right before the end record, which
// Info-ZIP and minizip (Squirrel.Windows' Setup) extract.
func (c *check) openResourceZip(ra io.ReaderAt, size int64, at string) {
	ra, size, finds, ok := release.CheckZip(ctxReaderAt{c.e.ctx, ra}, size, at)
	c.finds = append(c.finds, finds...)
	if ok {
		c.openZipAt(ra, size, at)
	}
}

// maxSharedHeld is the size up to which a streamed file installed at more
// than one path (a solid NSIS installer's block extracted twice) is held
// in memory, to be checked at each path.
const maxSharedHeld = 64 << 20

// containerEntry checks one file a container hands over, at its path and
// at each further path it is installed to (Entry.Also): the policy (kinds
// forbidden, requirements) and the kind a name gives (.ps1, .js) are a
// path's, so the bytes are checked at every path. A stream, readable
// once, is held in memory to be read again, up to maxSharedHeld; a larger
// one is reported at the further paths as not checked there.
//
// zipIsParents marks the file's zip archive as its container's appended
// one, checked under the container's path (see job.zipIsParents).
func (c *check) containerEntry(en container.Entry, x *expansion, zipIsParents bool) {
	src := en.Source
	if st, ok := src.(*release.Stream); ok && len(en.Also) > 0 {
		if en.Size < 0 || en.Size > maxSharedHeld {
			for _, p := range en.Also {
				c.finds = append(c.finds, finding(ruleUnreadable, signing.SeverityError, p, fmt.Sprintf("the installer extracts here the %d bytes checked as %s, too large to hold and check again under this path, so they were not checked here", en.Size, en.Path)))
			}
		} else if rc, err := st.Open(); err == nil {
			b, err := io.ReadAll(io.LimitReader(rc, en.Size+1))
			rc.Close()
			src = release.NewSection(bytes.NewReader(b), 0, int64(len(b)))
			if err != nil {
				src = release.Func(func() (io.ReadCloser, error) { return nil, err })
			}
		}
	}
	if zipIsParents {
		c.entryJob(&job{path: en.Path, size: en.Size, src: src, depth: c.j.depth + 1, expand: x, held: c.j.held, zipIsParents: true})
	} else {
		c.entry(en.Path, src, en.Size, x)
	}
	if _, ok := src.(*release.Stream); ok {
		return
	}
	for _, p := range en.Also {
		// Each further check reads the bytes again (a compressed block
		// is decompressed again): charged to the budget, so that one
		// block extracted to a million paths is no bomb.
		if !x.Take(max(en.Size, 0)) {
			c.finds = append(c.finds, finding(ruleUnreadable, signing.SeverityError, p, fmt.Sprintf("the installer extracts here the bytes checked as %s, but checking them again would take more than the archives nested here may expand to (a bomb?); they were not checked here", en.Path)))
			continue
		}
		c.entry(p, src, en.Size, x)
	}
}

// hashedSFX7z returns the 7-Zip start header scanner the hashing pass fed
// every byte of the file, of size bytes, in order, or nil when it did not.
func (c *check) hashedSFX7z(size int64) *container.SFX7zScanner {
	if !c.scanners(size) {
		return nil
	}
	return &c.h.sfx7z
}

// hashedNSIS returns the scanner the hashing pass fed every byte of the
// file, of size bytes, in order, or nil when it did not (an archive entry
// whose SHA-256 its archive's pass computed).
func (c *check) hashedNSIS(size int64) *nsis.Scanner {
	if !c.scanners(size) {
		return nil
	}
	return &c.h.nsis
}

// scanners reports whether the hasher's scanners (nsis, sfx7z) saw every
// byte of the file, of size bytes, in order: as the hashing pass wrote
// them, or, for a file held in memory whole (fileHasher.mem), all at once
// now, as one write.
func (c *check) scanners(size int64) bool {
	h := c.h
	if h.n != size {
		return false
	}
	if h.mem != nil {
		if int64(len(h.mem)) != size {
			return false
		}
		h.nsis.Reset()
		h.sfx7z.Reset()
		h.nsis.Write(h.mem)
		h.sfx7z.Write(h.mem)
		h.mem = nil // fed: later writes (a second pass) feed them as usual
	}
	return true
}
