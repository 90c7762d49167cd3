package sbom

import (
	"archive/zip"
	"fmt"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// reportZipName records the findings verify reports for the entry zf:
// file/malformed for a Unicode Path field that names it otherwise, whether
// or not extractors use it, and file/insecure-path for a NUL in its name.
// The entry is listed under z.Name, the name extractors write; the
// findings' paths are under at, the archive's report path ("" for the
// release's own archive).
func (b *builder) reportZipName(zf *zip.File, z release.ZipEntryName, archive string) {
	name, _ := release.CleanName(z.Name)
	at := release.JoinPath(archive, name)
	if z.Up != "" {
		use := "its CRC-32 is not the header name's, so they use the header name"
		if z.UpOK {
			use = "its CRC-32 is the header name's, so they use it"
		}
		b.finding(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("zip entry %q: its Unicode Path extra field (0x7075) names it %q, a name unzip, 7-Zip and bsdtar extract it under (%s); Go's reader ignores the field", zf.Name, z.Up, use))
	}
	if z.NUL {
		b.finding(release.RuleInsecurePath, signing.SeverityError, archive, fmt.Sprintf("zip entry %q holds a NUL byte, at which unzip, 7-Zip and bsdtar end its name: they write it as %q", zf.Name, z.Name))
	}
}
