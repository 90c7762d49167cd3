package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// NSISBlockDir is the folder, under an installer's path, of the data
// blocks no instruction names ($NSIS/block-<offset>), of those extracted
// from inside another block ($NSIS/hidden-<offset>) and of the bytes after
// the NSIS data ($NSIS/trailing-data).
const NSISBlockDir = "$NSIS"

// openNSIS walks the NSIS data in the file, found as exehead finds it:
// the first firstheader at a 512-byte boundary, however far into the file.
// A PE whose sections end at image is searched too (an NSIS stub keeps its
// data after its sections, but exehead looks everywhere); a firstheader
// found inside the sections whose NSIS data is malformed (not merely
// compressed in a way shipgate does not decode) is
// taken for data that happens to look like one (makensis carries the
// signature as a constant), and ignored: exehead would refuse it too.
//
// Blocks are handed over one after the other as they are decompressed:
// under the first relative path an instruction extracts them to
// ($INSTDIR/app.dll, $PLUGINSDIR/app-64.7z), else under
// $NSIS/block-<offset>.
func (w *walker) openNSIS(ra io.ReaderAt, size int64) {
	var image int64
	head := make([]byte, min(size, filekind.HeadLen))
	if n, _ := ra.ReadAt(head, 0); n == len(head) && filekind.DetectAt(ra, head, size) == filekind.PE {
		image = PESectionsEnd(ra, size)
	}
	h, err := findNSIS(ra, size, w.v.NSIS)
	inImage := h.Offset < image
	switch {
	case w.ctx.Err() != nil || errors.Is(err, nsis.ErrNotNSIS):
		return
	case inImage && lookalike(err):
		return
	case err != nil:
		w.nsisError(err, "NSIS installer data cannot be read, so the files it installs were not checked")
		return
	}
	w.nsisTrailing(ra, size, h)
	if w.v.Depth >= release.MaxDepth {
		w.add(release.RuleUnreadable, signing.SeverityError, w.at, fmt.Sprintf("NSIS installer nested %d levels deep in archives; the files it installs were not checked", w.v.Depth))
		return
	}
	rd, err := nsis.NewReader(ra, h, nsis.Options{Take: w.x.Take})
	if inImage && lookalike(err) && w.ctx.Err() == nil {
		return
	}
	if err != nil {
		w.nsisError(err, "NSIS installer header cannot be read, so the files it installs were not checked")
		return
	}
	w.nsisDownloads(rd.Header.Files)
	used := map[string]bool{}
	walked := map[int64]bool{}
	// An NSIS installer extracts to Windows, on NTFS: names one there are
	// one file (the later overwrites the earlier).
	folds := foldname.NewSet(foldname.Systems(1) << foldname.NTFS)
	err = rd.Walk(func(b *nsis.Block, r io.Reader, open func() (io.Reader, error)) error {
		walked[b.Offset] = true
		rp, also := w.nsisBlockPath(b, used, folds)
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
		w.hand(Entry{Path: rp, Source: src, Size: b.Size, Also: also})
		return w.ctx.Err()
	})
	if err != nil && w.ctx.Err() == nil {
		w.nsisError(err, "NSIS installer data cannot be read; the files from there on were not checked")
		return
	}
	w.nsisHidden(rd, walked, used, folds)
}

// nsisHidden hands over what the instructions extract from offsets where
// no data block starts: exehead reads a block's length there and extracts
// what follows, so a file can hide inside another block's bytes
// (compressed, it is no file there). In a non-solid installer the block is
// read there and handed over under the name the instruction gives; in a
// solid one it cannot be found without decompressing another block as it
// would be, so it is reported as not checked.
func (w *walker) nsisHidden(rd *nsis.Reader, walked map[int64]bool, used map[string]bool, folds *foldname.Set) {
	done := map[int64]bool{}
	for _, f := range rd.Header.Files {
		off := f.DataOffset
		if walked[off] || done[off] || w.ctx.Err() != nil {
			continue
		}
		done[off] = true
		if rd.Solid {
			w.add(RuleNSISHiddenData, signing.SeverityError, w.at, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, where no data block starts; what it extracts was not checked", f.Entry, f.Name, off))
			continue
		}
		b, open, err := rd.BlockAt(off)
		if err != nil {
			if w.ctx.Err() == nil {
				w.nsisError(err, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, where no data block starts, and no block can be read there", f.Entry, f.Name, off))
			}
			continue
		}
		b.Files = []nsis.File{f}
		rp, _ := w.nsisBlockPath(b, used, folds)
		if strings.HasPrefix(rp, release.JoinPath(w.at, NSISBlockDir+"/block-")) {
			rp = release.JoinPath(w.at, fmt.Sprintf("%s/hidden-%08x", NSISBlockDir, off))
		}
		fo := b.FileOffset
		fd := signing.NewFinding(RuleNSISHiddenData, signing.SeverityWarning, fmt.Sprintf("NSIS instruction %d extracts %q from data offset %d, inside another data block's bytes rather than at a block's start; the block read there was checked", f.Entry, f.Name, off))
		fd.Path = rp
		fd.Offset = &fo
		w.v.Finding(fd)
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
		w.entry(rp, src, b.Size)
	}
}

// nsisTrailing reports, and hands over as a file, the bytes after the NSIS
// data (its CRC32 included) and before the certificate table or the file's
// end: exehead reads no further ("you can tack shit on the end", its
// source says), so a payload kept there is covered by the signature yet
// installed by nothing a reader of the script sees. Up to 7 zero bytes
// before a certificate table are its alignment.
func (w *walker) nsisTrailing(ra io.ReaderAt, size int64, h nsis.FirstHeader) {
	end := h.Offset + h.ArchiveSize
	limit := size
	if off, ok := PECertTable(ra, size); ok && off >= end {
		limit = off
	}
	if limit <= end || (limit < size && limit-end < 8 && allZero(ra, end, limit)) {
		return
	}
	p := release.JoinPath(w.at, NSISBlockDir+"/trailing-data")
	f := signing.NewFinding(RuleNSISTrailingData, signing.SeverityWarning, fmt.Sprintf("%d bytes follow the installer's NSIS data, which the installer does not read; they were checked as %s", limit-end, strings.TrimPrefix(p, w.at+"/")))
	f.Path = w.at
	f.Offset = &end
	w.v.Finding(f)
	w.hand(Entry{Path: p, Source: release.NewSection(ra, end, limit-end), Size: limit - end, Trailing: Span{end, limit - end}})
}

// nsisBlockPath returns the report path of block b: the first name an
// instruction extracts it to that is a relative path no other block took,
// else $NSIS/block-<offset>. Names that lead out of their folder, and the
// further names of a block extracted more than once, are reported and
// returned as also. Each name is added to folds, and its collisions with
// the names extracted before it (on NTFS, where an installer extracts)
// reported.
func (w *walker) nsisBlockPath(b *nsis.Block, used map[string]bool, folds *foldname.Set) (rp string, also []string) {
	synthetic := release.JoinPath(w.at, fmt.Sprintf("%s/block-%08x", NSISBlockDir, b.Offset))
	for _, f := range b.Files {
		p, ok := f.Path()
		if !ok {
			w.add(release.RuleInsecurePath, signing.SeverityError, w.at, fmt.Sprintf("NSIS instruction %d extracts a file to %q, which is not a path inside the folder it names; the data was checked as %s", f.Entry, f.Name, strings.TrimPrefix(synthetic, w.at+"/")))
			continue
		}
		els := strings.Split(p, "/")
		for i, e := range els {
			els[i] = PathElem(e)
		}
		q := release.JoinPath(w.at, strings.Join(els, "/"))
		w.collide(folds, "NSIS installer", p, false, q)
		switch {
		case rp == "" && !used[q]:
			rp = q
			used[q] = true
		case q != rp:
			shared := rp
			if shared == "" {
				shared = synthetic
			}
			w.add(RuleNSISSharedData, signing.SeverityNote, q, fmt.Sprintf("NSIS instruction %d extracts here the bytes checked as %s (installers store identical files, or one file extracted in two sections, once)", f.Entry, strings.TrimPrefix(shared, w.at+"/")))
			if !used[q] && !slices.Contains(also, q) {
				also = append(also, q)
			}
		}
	}
	if rp == "" {
		rp = synthetic
	}
	return rp, also
}

// lookalike reports whether err, the NSIS reader's about a firstheader
// inside a PE's sections, says the bytes there only look like one: they
// are malformed. Data compressed in a way shipgate does not decode, or
// beyond the expansion budget, is an installer's all the same (a section
// grown to cover it hides nothing from exehead).
func lookalike(err error) bool {
	var fe *nsis.FormatError
	return errors.As(err, &fe)
}

// nsisError reports an error of the NSIS reader: what was not checked
// says what it cost.
func (w *walker) nsisError(err error, what string) {
	var fe *nsis.FormatError
	var ue *nsis.UnsupportedError
	var ae *nsis.AmbiguousError
	switch {
	case errors.As(err, &ae):
		// Data that reads as two installers: refused, never read one way.
		f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, fmt.Sprintf("%s: %v", what, err))
		f.Path = w.at
		off := ae.Offset
		f.Offset = &off
		w.v.Finding(f)
	case errors.As(err, &ue):
		w.add(RuleNSISNotOpened, signing.SeverityError, w.at, fmt.Sprintf("%s: %v", what, err))
	case errors.Is(err, nsis.ErrExpansion):
		w.add(release.RuleUnreadable, signing.SeverityError, w.at, fmt.Sprintf("NSIS installer's data decompresses to more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files from there on were not checked", release.ExpansionRatio, int64(release.MinExpansion)))
	case errors.As(err, &fe):
		f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, fmt.Sprintf("%s: %v", what, err))
		f.Path = w.at
		if !fe.InStream {
			off := fe.Offset
			f.Offset = &off
		}
		w.v.Finding(f)
	default:
		w.add(release.RuleUnreadable, signing.SeverityError, w.at, fmt.Sprintf("%s: %v", what, unwrapPath(err)))
	}
}

// unwrapPath drops the path from a *fs.PathError: findings name the file
// already, and absolute paths stay out of reports.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// allZero reports whether the bytes of r in [from, to), fewer than 8, are
// zeros.
func allZero(r io.ReaderAt, from, to int64) bool {
	var b [8]byte
	n, _ := r.ReadAt(b[:to-from], from)
	return int64(n) == to-from && b == [8]byte{}
}
