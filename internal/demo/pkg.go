package demo

import (
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// installer returns the vendor's Developer ID Installer certificate.
func (p *PKI) installer() *testpki.Cert {
	if p.Installer == nil {
		p.Installer = p.DevIDCA.Issue(testpki.Spec{CommonName: "Developer ID Installer: " + Vendor + " (" + TeamID + ")", Organization: Vendor,
			OrganizationalUnit: TeamID, KeyN: 8, NoEKU: true, ExtraExtensions: pkgfile.InstallerLeafExtensions(),
			NotBefore: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return p.Installer
}

// macPkg adds the installer package of the macOS build, "Acme
// Desktop-VERSION.pkg": a product archive installing the release's .app
// (as built, so the trojan's changed libffmpeg.dylib too) into
// /Applications, signed by the vendor's Developer ID Installer
// certificate with a timestamp, as productsign makes it.
func macPkg(r release, p *PKI, version string, signedAt time.Time) {
	app := map[string]machofile.BundleFile{}
	for path, f := range r {
		if strings.HasPrefix(path, AppName+".app/") {
			app[path] = machofile.BundleFile{Data: f.data, Mode: f.mode, Link: f.link}
		}
	}
	b, _ := pkgfile.Build(pkgfile.Spec{
		Files:  pkgfile.Product(AppID, version, app, true),
		Signer: p.installer(), Chain: []*testpki.Cert{p.DevIDCA},
		CMS: true, TSA: p.TSA, TimestampAt: signedAt,
	})
	r[AppName+"-"+version+".pkg"] = file{data: b}
}
