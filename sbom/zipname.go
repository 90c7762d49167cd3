package sbom

import (
	"archive/zip"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// zipEntryName is the name a zip entry is written under by unzip, 7-Zip and
// bsdtar, where Go's reader gives another: the name of its Info-ZIP
// Unicode Path extra field (0x7075) when the field's CRC-32 is that of the
// header's name, cut at the first NUL byte (those extractors end the name
// there).
type zipEntryName struct {
	name string // the name extractors use
	up   string // the Unicode Path field's name, if it differs from the header's
	upOK bool   // extractors use up
	nul  bool   // the name held a NUL byte
	// windows is name as Windows extractors read it
	// (release.ZipWindowsName): names are compared so.
	windows string
}

// installedName returns the name extractors write zf under.
func installedName(zf *zip.File) zipEntryName {
	z := zipEntryName{name: zf.Name}
	if up, crcOK, ok := release.ZipUnicodePath(zf.Extra, zf.Name); ok {
		z.up, z.upOK = up, crcOK
		if crcOK {
			z.name = up
		}
	}
	if i := strings.IndexByte(z.name, 0); i >= 0 {
		z.name, z.nul = z.name[:i], true
	}
	z.windows = z.name
	if !z.upOK {
		z.windows = release.ZipWindowsName(z.name, zf.Flags)
		if !utf8.ValidString(z.name) {
			// Go's reader leaves a name in code page 437 undecoded.
			z.name = z.windows
		}
	}
	return z
}

// redirected reports whether extractors write the entry under another
// name than Go's reader gives.
func (z zipEntryName) redirected() bool { return z.nul || z.upOK }

// reportZipName records the findings verify reports for the entry zf:
// file/malformed for a Unicode Path field that names it otherwise, whether
// or not extractors use it, and file/insecure-path for a NUL in its name.
// The entry is listed under z.name, the name extractors write; the
// findings' paths are under at, the archive's report path ("" for the
// release's own archive).
func (b *builder) reportZipName(zf *zip.File, z zipEntryName, archive string) {
	name, _ := release.CleanName(z.name)
	at := release.JoinPath(archive, name)
	if z.up != "" {
		use := "its CRC-32 is not the header name's, so they use the header name"
		if z.upOK {
			use = "its CRC-32 is the header name's, so they use it"
		}
		b.finding(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("zip entry %q: its Unicode Path extra field (0x7075) names it %q, a name unzip, 7-Zip and bsdtar extract it under (%s); Go's reader ignores the field", zf.Name, z.up, use))
	}
	if z.nul {
		b.finding(release.RuleInsecurePath, signing.SeverityError, archive, fmt.Sprintf("zip entry %q holds a NUL byte, at which unzip, 7-Zip and bsdtar end its name: they write it as %q", zf.Name, z.name))
	}
}
