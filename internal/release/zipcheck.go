package release

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// CheckZipEnds checks the end structures of the zip archive whose valid end
// record z (zipend.Find) is in r, reported at path at, as verify and sbom
// both check them on an input zip, a nested one, a PE's resource zip and a
// zip appended to a file: bytes no end structure owns up to limit (the
// file's end, or where the file's next structure starts: a PE's
// certificate table) are file/zip-trailing-data, two ZIP64 end records
// file/zip-invalid (ZipEnds.Unowned), and a ZIP64 locator pointing at no
// record file/malformed, the archive then not to be read (ok false). It
// returns r as archive/zip must read it (ZipEnds.Reader).
func CheckZipEnds(r io.ReaderAt, z zipend.End, limit int64, at string) (_ io.ReaderAt, finds []signing.Finding, ok bool) {
	ze, err := ReadZipEnds(r, z)
	if le := (*Zip64LocatorError)(nil); errors.As(err, &le) {
		f := zipEndFinding(RuleMalformed, at, le.Error())
		f.Offset = &le.Loc
		return nil, []signing.Finding{f}, false
	}
	if err != nil {
		return r, nil, true
	}
	return ze.Reader(r), ze.Unowned(r, limit, at), true
}

// ZipDirMissing is the finding, at report path at, about an end record z
// (found with Valid false) ending a file of size bytes, or the part of it
// a signature covers, that is no zip archive of its own: the central
// directory it describes is not there (file/zip-invalid, as verify and
// sbom report it).
func ZipDirMissing(z zipend.End, size int64, at string) signing.Finding {
	where := "signed content"
	if z.End == size {
		where = "file"
	}
	f := zipEndFinding(RuleZipInvalid, at, fmt.Sprintf("a zip end of central directory record at offset %d ends the %s, but the central directory it describes is not there; extractors that recover such archives may find entries that were not checked", z.Off, where))
	off := z.Off
	f.Offset = &off
	return f
}

// CheckZip is CheckZipEnds for a zip archive that is a whole file of size
// bytes at r (an input zip, a nested one, a PE's resource zip), its end
// record the last valid one zipend.Find finds before the file's end. It
// returns the archive as archive/zip must read it and its size, up to its
// end record's comment. An archive whose end record zipend.Find does not
// take is returned whole, for archive/zip's error to say why.
func CheckZip(r io.ReaderAt, size int64, at string) (_ io.ReaderAt, _ int64, finds []signing.Finding, ok bool) {
	z, found, err := zipend.Find(r, size, []int64{size}, nil)
	if err != nil || !found || !z.Valid {
		return r, size, nil, true
	}
	zr, finds, ok := CheckZipEnds(r, z, size, at)
	if !ok {
		return nil, 0, finds, false
	}
	return io.NewSectionReader(zr, 0, z.End), z.End, finds, true
}

// ZipSearchMessage is the finding (file/unreadable, on the file searched)
// that verify and sbom report when the end of a file could not be read to
// look for a zip archive there (container.FindAppended's error): what the
// file carries at its end was not checked. A path error's path (the
// file's, which the finding names already) is left out.
func ZipSearchMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return fmt.Sprintf("cannot look for a zip archive at the end of the file: %v", err)
}
