package demo

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// msiGUID is the subject interface package of MSI files
// ({000C10F1-0000-0000-C000-000000000046}).
var msiGUID, _ = hex.DecodeString("f1100c0000000000c000000000000046")

// windowsMSI adds the Windows installer of the build, "Acme
// Desktop-VERSION.msi": the release's windows/ folder (as built, so the
// trojan's ffmpeg.dll too) in an embedded cabinet installing to "Acme
// Desktop", Authenticode-signed by the vendor with a timestamp, as 3CX's
// 3CXDesktopApp-18.12.416.msi was.
func windowsMSI(r release, p *PKI, version string, signedAt time.Time) error {
	files := map[string][]byte{}
	for path, f := range r {
		if rest, ok := strings.CutPrefix(path, "windows/"); ok {
			files[rest] = f.data
		}
	}
	root := msi.BuildInstaller(msi.Installer{Folder: "ACMEDE~1|" + AppName, Files: files})
	un := cfb.Build(root)
	res, err := authenticode.VerifyMSI(bytes.NewReader(un), int64(len(un)), authenticode.Options{})
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	digest, err := hex.DecodeString(res.Authentihash["sha256"])
	if err != nil || len(digest) != crypto.SHA256.Size() {
		return fmt.Errorf("installer: no SHA-256 digest of the database")
	}
	blob, err := pefile.SignContent(pefile.SipIndirectData(1, msiGUID, crypto.SHA256, digest), pefile.SignSpec{
		Signer: p.Vendor, Certs: []*testpki.Cert{p.Root}, Hash: crypto.SHA256, SigningTime: signedAt, ProgramName: AppName,
		Stamp: &pefile.Stamp{TSA: p.TSA, Chain: []*testpki.Cert{p.Root}, At: signedAt}})
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	signed := *root
	signed.Children = append(slices.Clone(root.Children), &cfb.Node{Name: "\x05DigitalSignature", Data: blob})
	r[AppName+"-"+version+".msi"] = file{data: cfb.Build(&signed)}
	return nil
}
