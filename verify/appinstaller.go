package verify

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/xmltext"
	"github.com/shipgate/shipgate/signing"
)

// maxAppInstaller bounds the bytes of an .appinstaller file read.
const maxAppInstaller = 1 << 20

// maxAppInstallerURIs bounds the package URIs a finding names.
const maxAppInstallerURIs = 5

// appInstallerPackages are the elements of an App Installer file whose
// Uri the App Installer downloads a package from: the main package or
// bundle, and those of its Dependencies, OptionalPackages and
// RelatedPackages.
var appInstallerPackages = map[string]bool{"MainPackage": true, "MainBundle": true, "Package": true, "Bundle": true}

// checkAppInstaller reports an App Installer file (.appinstaller), which
// Windows' App Installer opens to download and install the MSIX packages
// it names by URI (rule msix/app-installer-download): what it installs is
// not the file, and was not checked here. A file whose URIs are not read
// (XML in an encoding or a form this reader does not take, or lying past
// its first MiB) is reported all the same: Windows' XML reader may take
// it (TestAttackAppInstallerUnread).
func (c *check) checkAppInstaller(ra io.ReaderAt, size int64) {
	if c.f.Kind != KindOther || windowsExt(c.f.Path) != ".appinstaller" {
		return
	}
	b := make([]byte, min(size, maxAppInstaller))
	n, _ := ra.ReadAt(b, 0)
	uris := appInstallerURIs(b[:n])
	if len(uris) == 0 {
		c.add(RuleAppInstallerDownload, signing.SeverityError, fmt.Sprintf("App Installer file whose package URIs shipgate did not read (no package element with a Uri in its first %d bytes, as XML it parses): Windows downloads and installs the packages it names, which are not this file: they were not checked here; gate the packages themselves", min(size, maxAppInstaller)))
		return
	}
	list := strings.Join(uris[:min(len(uris), maxAppInstallerURIs)], ", ")
	if len(uris) > maxAppInstallerURIs {
		list += fmt.Sprintf(" and %d more", len(uris)-maxAppInstallerURIs)
	}
	c.add(RuleAppInstallerDownload, signing.SeverityError, fmt.Sprintf("App Installer file: Windows downloads and installs the %d packages it names from their URIs (%s), which are not this file: they were not checked here; gate the packages themselves", len(uris), list))
}

// appInstallerURIs returns the Uri of each package element of the App
// Installer file b, in order, as far as it parses. UTF-16 text (with a
// byte order mark or not) is read as such, and whatever encoding the XML
// declaration names is taken as ASCII-compatible: a declaration naming
// one Go's reader does not know (us-ascii, utf-16) stopped it at the
// first token, so no URI was read.
func appInstallerURIs(b []byte) []string {
	d := xmltext.NewDecoder(bytes.NewReader(b))
	var out []string
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok || !appInstallerPackages[se.Name.Local] {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "Uri" && a.Value != "" {
				out = append(out, a.Value)
			}
		}
	}
}
