package walk

import (
	"archive/zip"
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// ZipName is a zip entry's name as both walkers list it: the name unzip,
// 7-Zip and bsdtar write it under (release.ZipInstalledName: a Unicode
// Path field's name when its CRC-32 is the header name's, cut at a NUL,
// decoded from code page 437 without the UTF-8 flag), cleaned as a tar
// member's is (release.CleanName). That is the file a release installs,
// the one a policy's paths judge; the central directory's name, which Go's
// reader gives, is reported where it differs (ZipName.Findings), never
// listed.
type ZipName struct {
	// Path is the entry's path in the archive, without a leading "./"
	// or a trailing "/"; "" for the archive's root.
	Path string
	// OK is false for a name that is not a relative path inside the
	// archive (file/insecure-path: ZipName.InsecureMessage).
	OK bool
	// Key is Path as Windows reads it (release.ZipWindowsName): names
	// held twice and names that are one on a case-insensitive file
	// system are found by it; "" when it is no path inside the archive.
	Key string
	// Dir says the entry is a folder.
	Dir bool
	// Written is the name as extractors write it, with its other names.
	Written release.ZipEntryName
}

// NameZipEntry names the entry zf as verify and sbom both list it.
func NameZipEntry(zf *zip.File) ZipName {
	w := release.ZipInstalledName(zf)
	n := ZipName{Written: w, Dir: zf.Mode().IsDir() || strings.HasSuffix(w.Name, "/")}
	n.Path, n.OK = release.CleanName(w.Name)
	n.Key, _ = release.CleanName(w.Windows)
	return n
}

// Findings returns the findings about zf's other names, for the walker of
// the archive at report path archive ("" for the release's own):
// file/malformed, at the entry's path, for a Unicode Path field that names
// it otherwise, whether or not extractors use it; file/insecure-path, at
// the archive, for a NUL in its name, at which extractors end it.
func (n ZipName) Findings(zf *zip.File, archive string) []signing.Finding {
	var out []signing.Finding
	if up := n.Written.Up; up != "" {
		use := "its CRC-32 is not the header name's, so they use the header name"
		if n.Written.UpOK {
			use = "its CRC-32 is the header name's, so they use it"
		}
		out = append(out, finding(release.RuleMalformed, signing.SeverityError, release.JoinPath(archive, n.Path),
			fmt.Sprintf("zip entry %q: its Unicode Path extra field (0x7075) names it %q, a name unzip, 7-Zip and bsdtar extract it under (%s); Go's reader ignores the field", zf.Name, up, use)))
	}
	if n.Written.NUL {
		out = append(out, finding(release.RuleInsecurePath, signing.SeverityError, archive,
			fmt.Sprintf("zip entry %q holds a NUL byte, at which unzip, 7-Zip and bsdtar end its name: they write it as %q", zf.Name, n.Written.Name)))
	}
	return out
}

// InsecureMessage is the file/insecure-path finding, at the archive, for
// an entry whose name is no relative path inside it; done is the walker's
// word for what it does with an entry ("checked", "inventoried").
func (n ZipName) InsecureMessage(done string) string {
	return fmt.Sprintf("zip entry %q is not a relative path inside the archive; it was not %s", n.Written.Name, done)
}
