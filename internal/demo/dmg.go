package demo

import (
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// macDMG adds the disk image of the macOS build, "Acme
// Desktop-VERSION.dmg": an HFS+ volume holding the release's .app (as
// built, so the trojan's changed libffmpeg.dylib too) and an
// /Applications link, as hdiutil and create-dmg make one, in zlib chunks,
// signed by the vendor's Developer ID Application certificate with a
// timestamp, as codesign signs an image.
func macDMG(r release, p *PKI, version string, signedAt time.Time) error {
	files := map[string]hfsplus.BuildFile{"Applications": {Link: "/Applications"}}
	for path, f := range r {
		if strings.HasPrefix(path, AppName+".app/") {
			files[path] = hfsplus.BuildFile{Data: f.data, Mode: f.mode & fs.ModePerm, Link: f.link}
		}
	}
	vol, err := hfsplus.Build(hfsplus.BuildSpec{Files: files, Name: AppName, Time: signedAt})
	if err != nil {
		return err
	}
	img, lay := dmgfile.Build(dmgfile.Spec{HFS: vol})
	signer := machofile.Signer{Leaf: p.devID(), Chain: []*testpki.Cert{p.DevIDCA}, SigningTime: signedAt,
		TSA: p.TSA, TSAChain: []*testpki.Cert{p.Root}, TimestampAt: signedAt}
	spec := machofile.SignSpec{Identifier: AppName + "-" + version, TeamID: TeamID, PageLog: -1,
		HashTypes: []uint8{machofile.HashSHA256}, Requirements: machofile.EmptyRequirements, CMS: signer.CMS}
	b, _, err := dmgfile.Sign(img, lay, spec, nil)
	if err != nil {
		return fmt.Errorf("signing the disk image: %w", err)
	}
	r[AppName+"-"+version+".dmg"] = file{data: b}
	return nil
}
