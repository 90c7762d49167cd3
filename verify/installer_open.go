package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// openInstaller checks the files an installer carries, after the file
// itself was verified: an NSIS installer's data blocks, under
// Setup.exe/<installed path> ($INSTDIR/app.dll, $PLUGINSDIR/app-64.7z), or
// Setup.exe/$NSIS/block-<offset> for a block no instruction names; the zip
// archives a PE keeps as resources (Squirrel's package); and the NSIS data
// of an uninstaller, which an installer carries as a data block without
// its exehead. NSIS blocks are checked one after the other as they are
// decompressed, zip entries as a self-extractor's are, within the same
// nesting and expansion limits as zip archives.
func (c *check) openInstaller(ra io.ReaderAt, size int64, hdr []byte) {
	switch {
	case c.f.Kind == KindPE:
		c.openNSIS(ra, size, peSectionsEnd(ra, size))
		c.openResources(ra, size)
	case nsis.IsData(hdr):
		c.openNSIS(ra, size, 0)
	}
}

// openResources opens the zip archives the PE keeps as resources of type
// "DATA" or RT_RCDATA: Squirrel's package ("DATA", 131: Update.exe and the
// app's .nupkg, or the .nupkg itself) with its entries under the PE's path
// (Setup.exe/lib/net45/App.exe), as Setup extracts it; any other (and a
// second package, in another language) under
// Setup.exe/$RSRC/<type>/<name>/<language>.
func (c *check) openResources(ra io.ReaderAt, size int64) {
	cra := ctxReaderAt{c.e.ctx, ra}
	rs, err := squirrel.Resources(cra, size)
	if c.e.ctx.Err() != nil {
		return
	}
	var fe *squirrel.FormatError
	if errors.As(err, &fe) && len(rs) > 0 {
		// A directory that cannot be read at all is the PE verifier's
		// business; one broken in part may hide a package past the break.
		off := fe.Offset
		c.add(ruleMalformed, signing.SeverityWarning, fmt.Sprintf("the PE's resource directory is malformed in part, so resources past the break were not searched for packages to open: %v", err)).Offset = &off
	}
	pkg := false // a package was opened under the PE's path
	for _, r := range rs {
		if r.Size < 22 || !(strings.EqualFold(r.Type, squirrel.PackageType) || r.Type == "" && r.TypeID == squirrel.RTRCData) {
			continue
		}
		var sig [4]byte
		if n, _ := cra.ReadAt(sig[:], r.Offset); n < 4 || (string(sig[:]) != "PK\x03\x04" && string(sig[:]) != "PK\x05\x06") {
			continue
		}
		at := c.f.Path
		if !r.IsPackage() || pkg {
			at = joinPath(c.f.Path, fmt.Sprintf("$RSRC/%s/%s/%d", pathElem(resName(r.Type, r.TypeID)), pathElem(resName(r.Name, r.NameID)), r.Lang))
		}
		pkg = pkg || r.IsPackage()
		c.resZips = append(c.resZips, [2]int64{r.Offset, r.Offset + r.Size})
		c.openZipAt(io.NewSectionReader(ra, r.Offset, r.Size), r.Size, at)
	}
}

// inResourceZip reports whether file offset off lies in a zip archive
// opened as one of the PE's resources.
func (c *check) inResourceZip(off int64) bool {
	for _, r := range c.resZips {
		if off >= r[0] && off < r[1] {
			return true
		}
	}
	return false
}

// resName names a resource type or name: its string, or its ID.
func resName(s string, id uint32) string {
	if s != "" {
		return s
	}
	return fmt.Sprint(id)
}

// nsisBlockDir is the folder, under an installer's path, of the data
// blocks no instruction names.
const nsisBlockDir = "$NSIS"

// openNSIS opens the NSIS data in the file, found as exehead finds it:
// the first firstheader at a 512-byte boundary, however far into the file.
// A PE whose sections end at image is searched too (an NSIS stub keeps its
// data after its sections, but exehead looks everywhere); a firstheader
// found inside the sections that does not lead to readable NSIS data is
// taken for data that happens to look like one (makensis carries the
// signature as a constant), and ignored: exehead would refuse it too.
func (c *check) openNSIS(ra io.ReaderAt, size, image int64) {
	cra := ctxReaderAt{c.e.ctx, ra}
	h, err := nsis.Find(cra, size)
	inImage := h.Offset < image
	switch {
	case c.e.ctx.Err() != nil || errors.Is(err, nsis.ErrNotNSIS):
		return
	case err != nil && inImage:
		return
	case err != nil:
		c.nsisError(err, "NSIS installer data cannot be read, so the files it installs were not checked")
		return
	}
	c.nsisTrailing(ra, size, h)
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("NSIS installer nested %d levels deep in archives; the files it installs were not checked", c.j.depth))
		return
	}
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	rd, err := nsis.NewReader(cra, h, nsis.Options{Take: x.Take})
	if err != nil && inImage && c.e.ctx.Err() == nil {
		return
	}
	if err != nil {
		c.nsisError(err, "NSIS installer header cannot be read, so the files it installs were not checked")
		return
	}
	used := map[string]bool{}
	walked := map[int64]bool{}
	err = rd.Walk(func(b *nsis.Block, r io.Reader, open func() (io.Reader, error)) error {
		walked[b.Offset] = true
		rp := c.nsisBlockPath(b, used)
		var src release.Source
		switch {
		case b.Stored && b.FileOffset >= 0:
			src = release.NewSection(ra, b.FileOffset+4, b.Size)
		case b.Data != nil:
			src = release.NewSection(bytes.NewReader(b.Data), 0, b.Size)
		case open != nil:
			first := r
			src = release.Func(func() (io.ReadCloser, error) {
				if first != nil {
					r := first
					first = nil
					return io.NopCloser(r), nil
				}
				r, err := open()
				if err != nil {
					return nil, err
				}
				return io.NopCloser(r), nil
			})
		default:
			src = release.NewStream(r)
		}
		c.entry(rp, src, b.Size, x)
		return c.e.ctx.Err()
	})
	if err != nil && c.e.ctx.Err() == nil {
		c.nsisError(err, "NSIS installer data cannot be read; the files from there on were not checked")
		return
	}
	c.nsisHidden(rd, walked, used, x)
}

// nsisHidden checks what the instructions extract from offsets where no
// data block starts: exehead reads a block's length there and extracts what
// follows, so a file can hide inside another block's bytes (compressed, it
// is no file there). In a non-solid installer the block is read there and
// checked under the name the instruction gives; in a solid one it cannot be
// found without decompressing another block as it would be, so it is
// reported as not checked.
func (c *check) nsisHidden(rd *nsis.Reader, walked map[int64]bool, used map[string]bool, x *expansion) {
	done := map[int64]bool{}
	for _, f := range rd.Header.Files {
		off := f.DataOffset
		if walked[off] || done[off] || c.e.ctx.Err() != nil {
			continue
		}
		done[off] = true
		if rd.Solid {
			c.add(RuleNSISHiddenData, signing.SeverityError, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, where no data block starts; what it extracts was not checked", f.Entry, f.Name, off))
			continue
		}
		b, open, err := rd.BlockAt(off)
		if err != nil {
			if c.e.ctx.Err() == nil {
				c.nsisError(err, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, where no data block starts, and no block can be read there", f.Entry, f.Name, off))
			}
			continue
		}
		b.Files = []nsis.File{f}
		rp := c.nsisBlockPath(b, used)
		if strings.HasPrefix(rp, joinPath(c.f.Path, nsisBlockDir+"/block-")) {
			rp = joinPath(c.f.Path, fmt.Sprintf("%s/hidden-%08x", nsisBlockDir, off))
		}
		fo := b.FileOffset
		c.finds = append(c.finds, finding(RuleNSISHiddenData, signing.SeverityWarning, rp, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, inside another data block's bytes rather than at a block's start; the block read there was checked", f.Entry, f.Name, off)))
		c.finds[len(c.finds)-1].Offset = &fo
		var src release.Source
		switch {
		case b.Stored:
			src = release.NewSection(rd.File(), b.FileOffset+4, b.Size)
		case b.Data != nil:
			src = release.NewSection(bytes.NewReader(b.Data), 0, b.Size)
		default:
			src = release.Func(func() (io.ReadCloser, error) {
				r, err := open()
				if err != nil {
					return nil, err
				}
				return io.NopCloser(r), nil
			})
		}
		c.entry(rp, src, b.Size, x)
	}
}

// nsisTrailing reports, and checks as a file, the bytes after the NSIS
// data (its CRC32 included) and before the certificate table or the file's
// end: exehead reads no further ("you can tack shit on the end", its
// source says), so a payload kept there is covered by the signature yet
// installed by nothing a reader of the script sees. Up to 7 zero bytes
// before a certificate table are its alignment.
func (c *check) nsisTrailing(ra io.ReaderAt, size int64, h nsis.FirstHeader) {
	end := h.Offset + h.ArchiveSize
	limit := size
	if off, ok := peCertTable(ra, size); ok && off >= end {
		limit = off
	}
	if limit <= end || (limit < size && limit-end < 8 && allZero(ra, end, limit)) {
		return
	}
	p := joinPath(c.f.Path, nsisBlockDir+"/trailing-data")
	f := finding(RuleNSISTrailingData, signing.SeverityWarning, c.f.Path, fmt.Sprintf("%d bytes follow the installer's NSIS data, which the installer does not read; they were checked as %s", limit-end, strings.TrimPrefix(p, c.f.Path+"/")))
	f.Offset = &end
	c.finds = append(c.finds, f)
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	c.entry(p, release.NewSection(ra, end, limit-end), limit-end, x)
}

// nsisBlockPath returns the report path of block b: the first name an
// instruction extracts it to that is a relative path no other block took,
// else $NSIS/block-<offset>. Names that lead out of their folder, and the
// further names of a block extracted more than once, are reported.
func (c *check) nsisBlockPath(b *nsis.Block, used map[string]bool) string {
	synthetic := joinPath(c.f.Path, fmt.Sprintf("%s/block-%08x", nsisBlockDir, b.Offset))
	rp := ""
	for _, f := range b.Files {
		p, ok := f.Path()
		if !ok {
			c.finds = append(c.finds, finding(ruleInsecurePath, signing.SeverityError, c.f.Path, fmt.Sprintf("NSIS instruction %d extracts a file to %q, which is not a path inside the folder it names; the data was checked as %s", f.Entry, f.Name, strings.TrimPrefix(synthetic, c.f.Path+"/"))))
			continue
		}
		els := strings.Split(p, "/")
		for i, e := range els {
			els[i] = pathElem(e)
		}
		q := joinPath(c.f.Path, strings.Join(els, "/"))
		switch {
		case rp == "" && !used[q]:
			rp = q
			used[q] = true
		case q != rp:
			c.finds = append(c.finds, finding(RuleNSISSharedData, signing.SeverityNote, q, fmt.Sprintf("NSIS instruction %d extracts here the bytes checked as %s (installers store identical files, or one file extracted in two sections, once)", f.Entry, strings.TrimPrefix(firstNonEmpty(rp, synthetic), c.f.Path+"/"))))
		}
	}
	if rp == "" {
		rp = synthetic
	}
	return rp
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// nsisError reports an error of the NSIS reader: what was not checked
// says what it cost.
func (c *check) nsisError(err error, what string) {
	var fe *nsis.FormatError
	var ue *nsis.UnsupportedError
	switch {
	case errors.As(err, &ue):
		c.add(RuleNSISNotOpened, signing.SeverityWarning, fmt.Sprintf("%s: %v", what, err))
	case errors.Is(err, nsis.ErrExpansion):
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("NSIS installer's data decompresses to more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files from there on were not checked", expansionRatio, int64(minExpansion)))
	case errors.As(err, &fe):
		f := c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("%s: %v", what, err))
		if !fe.InStream {
			off := fe.Offset
			f.Offset = &off
		}
	default:
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("%s: %v", what, unwrapPath(err)))
	}
}

// peSectionsEnd returns the file offset where the raw data of the PE file's
// sections ends (0 when the headers cannot be read): where an NSIS stub's
// data starts.
func peSectionsEnd(r io.ReaderAt, size int64) int64 {
	var b [0x40]byte
	if n, _ := r.ReadAt(b[:], 0); n < len(b) {
		return 0
	}
	le := binary.LittleEndian
	nt := int64(le.Uint32(b[0x3c:]))
	var fh [24]byte
	if n, _ := r.ReadAt(fh[:], nt); n < len(fh) || string(fh[:4]) != "PE\x00\x00" {
		return 0
	}
	nsec := int64(le.Uint16(fh[6:]))
	secs := make([]byte, 40*min(nsec, 96))
	if n, _ := r.ReadAt(secs, nt+24+int64(le.Uint16(fh[20:]))); n < len(secs) {
		return 0
	}
	var end int64
	for i := 0; i+40 <= len(secs); i += 40 {
		raw, ptr := int64(le.Uint32(secs[i+16:])), int64(le.Uint32(secs[i+20:]))
		if raw > 0 {
			end = max(end, ptr+raw)
		}
	}
	return min(end, size)
}
