package demo

import (
	"crypto/x509"
	"math/big"
	"time"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// The demo's fictional vendor and its Apple team.
const (
	Vendor    = "Acme Desktop Ltd"
	AppName   = "Acme Desktop"
	TeamID    = "ACME4654HL"
	AppID     = "com.acme.desktop"
	Electron  = "30.1.2"
	Product   = "acme-desktop"
	CleanVer  = "1.4.0"
	TrojanVer = "1.4.1"
)

// The demo's timeline. The vendor's build system was compromised between
// CompromiseStart and CompromiseEnd; the blocklist names that window.
var (
	CleanSigned     = time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC)
	CompromiseStart = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	TrojanSigned    = time.Date(2024, 6, 3, 14, 5, 0, 0, time.UTC)
	CompromiseEnd   = time.Date(2024, 7, 31, 0, 0, 0, 0, time.UTC)
)

// PKI is the demo's certificate hierarchy: one fictional root that stands in
// for the public CAs, the vendor's Windows code-signing certificate, a
// platform vendor that signs d3dcompiler_47.dll, a time-stamping authority,
// and a Developer ID-style CA and leaf for the macOS build.
type PKI struct {
	Root, Vendor, Platform, TSA, DevIDCA, DevID *testpki.Cert
	// Installer signs the macOS installer package (Developer ID
	// Installer).
	Installer *testpki.Cert
}

// NewPKI mints the demo PKI. Keys are fixed, so every run makes the same
// certificates.
func NewPKI() *PKI {
	root := testpki.NewRoot(testpki.Spec{CommonName: "Acme Demo Root CA", Organization: "shipgate demo", KeyN: 3,
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)})
	valid := func(s testpki.Spec) testpki.Spec {
		s.NotBefore = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		s.NotAfter = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
		return s
	}
	return &PKI{
		Root: root,
		Vendor: root.Issue(valid(testpki.Spec{CommonName: Vendor, Organization: Vendor, KeyN: 4,
			Serial: new(big.Int).SetBytes([]byte{0x1b, 0x66, 0x11, 0xdf, 0x9c, 0x9a, 0x4d, 0x6e, 0xac, 0x3e, 0xde, 0x40})})),
		Platform: root.Issue(valid(testpki.Spec{CommonName: "Fabrikam Platform Code Signing", Organization: "Fabrikam Corp", KeyN: 5})),
		TSA: root.Issue(valid(testpki.Spec{CommonName: "Acme Demo Timestamping", Organization: "shipgate demo", KeyN: 6,
			EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})),
		DevIDCA: root.Issue(valid(testpki.Spec{CommonName: "Demo Developer ID Certification Authority", Organization: "shipgate demo",
			CA: true, KeyN: 7, ExtraExtensions: machofile.DeveloperIDCAExtensions()})),
	}
}

func (p *PKI) devID() *testpki.Cert {
	if p.DevID == nil {
		s := testpki.Spec{CommonName: "Developer ID Application: " + Vendor + " (" + TeamID + ")", Organization: Vendor,
			OrganizationalUnit: TeamID, KeyN: 4, ExtraExtensions: machofile.DeveloperIDLeafExtensions(),
			NotBefore: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)}
		p.DevID = p.DevIDCA.Issue(s)
	}
	return p.DevID
}
