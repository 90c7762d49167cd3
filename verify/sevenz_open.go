package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// is7z reports whether hdr, a file's first bytes, starts a 7-Zip archive.
func is7z(hdr []byte) bool { return bytes.HasPrefix(hdr, []byte(sevenz.Signature)) }

// open7z checks the files of the 7-Zip archive the file is (electron-builder's
// app-64.7z inside its NSIS installer), one after the other, under the
// archive's path, within the same nesting and expansion limits as zip
// archives. It reports false when the file is no archive it can open, so
// that it is reported as an unchecked archive.
func (c *check) open7z(ra io.ReaderAt, size int64) bool {
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("archive nested %d levels deep; its entries were not checked", c.j.depth))
		return true
	}
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	a, err := sevenz.Open(ctxReaderAt{c.e.ctx, ra}, size, x.Take)
	var fe *sevenz.FormatError
	var ue *sevenz.UnsupportedError
	switch {
	case c.e.ctx.Err() != nil:
		return true
	case errors.As(err, &ue):
		c.add(ruleUncheckedArchive, signing.SeverityWarning, fmt.Sprintf("7-Zip archive: %v; the files inside were not checked", err))
		return true
	case errors.Is(err, sevenz.ErrExpansion):
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("7-Zip archive unpacks to more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files were not checked", expansionRatio, int64(minExpansion)))
		return true
	case errors.As(err, &fe):
		f := c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("7-Zip archive cannot be read, so its files were not checked: %v", err))
		if !fe.InHeader {
			off := fe.Offset
			f.Offset = &off
		}
		return true
	case err != nil:
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("7-Zip archive cannot be read, so its files were not checked: %v", err))
		return true
	}
	// The files' sizes count too, where they claim more than the folders.
	var total int64
	for _, f := range a.File {
		total += int64(min(f.UncompressedSize, 1<<50))
	}
	if total > a.Unpacked && !x.Take(total-a.Unpacked) {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("7-Zip archive's files claim %d bytes, more than the archives nested here may expand to; its files were not checked", total))
		return true
	}
	seen := map[string]bool{}
	for _, f := range a.File {
		if c.e.ctx.Err() != nil {
			return true
		}
		if f.FileInfo().IsDir() {
			continue
		}
		name, ok := clean7zName(f.Name)
		if !ok {
			c.add(ruleInsecurePath, signing.SeverityError, fmt.Sprintf("7-Zip archive entry %q is not a relative path inside the archive; it was not checked", f.Name))
			continue
		}
		p := joinPath(c.f.Path, name)
		if seen[p] {
			c.finds = append(c.finds, finding(ruleDuplicateEntry, signing.SeverityError, p, fmt.Sprintf("7-Zip archive %s holds more than one entry named %q; tools disagree on which one is extracted, and only the first was checked", c.f.Path, f.Name)))
			continue
		}
		seen[p] = true
		if f.UncompressedSize > 1<<50 {
			c.finds = append(c.finds, finding(ruleMalformed, signing.SeverityError, p, fmt.Sprintf("7-Zip archive entry claims an uncompressed size of %d bytes", f.UncompressedSize)))
			continue
		}
		f := f
		c.entry(p, release.Func(f.Open), int64(f.UncompressedSize), x)
	}
	return true
}

// clean7zName returns an archive entry's name as a relative report path:
// split at "/" and "\" (7-Zip archives made on Windows use either), empty
// and "." elements dropped, each element escaped as MSI names are. ok is
// false for a name with a ".." element or none left.
func clean7zName(n string) (string, bool) {
	var els []string
	for _, e := range strings.FieldsFunc(n, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch e {
		case ".":
			continue
		case "..":
			return "", false
		}
		els = append(els, pathElem(e))
	}
	return strings.Join(els, "/"), len(els) > 0
}
