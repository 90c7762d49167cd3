package container

import (
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// AppendedFindings returns the file/zip-unlisted-entry findings, at report
// path at, about the zip archives a PE of r carries at its end when there
// is more than one (all, from [AppendedZips], in file order; ends from
// [ZipEnds]): each that an extractor reading the file from its end does
// not see, the signed archive that one planted in or after the
// certificate table hides, or one concatenated before the last. done is
// the verb's participle ("checked", "inventoried"): verify and sbom give
// the same findings, in the same words, and open every archive.
func AppendedFindings(r io.ReaderAt, all []zipend.End, ends []int64, at, done string) []signing.Finding {
	if len(all) < 2 {
		return nil
	}
	last := all[len(all)-1]
	start := func(z zipend.End) int64 {
		if s, ok := ArchiveStart(r, z); ok {
			return s
		}
		return z.Off
	}
	var out []signing.Finding
	for i, a := range all[:len(all)-1] {
		off := start(a)
		msg := fmt.Sprintf("a zip archive starting at offset %d (its end record at offset %d) comes before the archive whose end record is at offset %d, which extractors reading the file from its end open: a stub that knows where its payload starts, and extractors that read local headers from the start, extract this one's files instead; both were %s under this path", off, a.Off, last.Off, done)
		if i == len(all)-2 && len(ends) > 1 && last.End > ends[1] && a.End <= ends[1] {
			off = start(last)
			msg = fmt.Sprintf("a zip archive starting at offset %d (its end record at offset %d) lies in or after the certificate table at offset %d (data stuffed in the signature, as in CVE-2013-3900), outside what the signature covers, and hides from extractors reading the file from its end the signed archive whose end record is at offset %d, which the signed stub extracts; both were %s under this path", off, last.Off, ends[1], a.Off, done)
		}
		f := signing.NewFinding(release.RuleZipUnlisted, signing.SeverityError, msg)
		f.Path, f.Offset = at, &off
		out = append(out, f)
	}
	return out
}
