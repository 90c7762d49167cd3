// Package demo builds shipgate's demonstration: two releases of a fictional
// Electron app, "Acme Desktop", where 1.4.1 is trojanized the way 3CX's
// releases were in March 2023, together with the blocklist, IoC list, trust
// roots and policy a release engineer would gate them with.
//
// Everything is generated from code and fixed keys: no network, no files
// shipped. The certificates belong to a fictional demo CA.
package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Material is what Build leaves in its directory.
type Material struct {
	// Dir is the directory everything was written under.
	Dir string
	// Clean and Trojan are the two release directories
	// (acme-desktop-1.4.0, acme-desktop-1.4.1).
	Clean, Trojan string
	// Policy is policy.yaml, which loads Blocklist, IoCs and Roots.
	Policy string
	// Blocklist revokes the vendor's certificate for the compromise window.
	Blocklist string
	// IoCs is an indicator list in the SophosLabs CSV layout.
	IoCs string
	// Roots holds the demo CA's root certificate.
	Roots string
	// AttestKey and AttestPub are the demo's attestation key pair (PEM).
	AttestKey, AttestPub string
}

// Build writes the demo releases and their gate configuration under dir,
// which must exist and be empty of the names it writes.
func Build(dir string) (*Material, error) {
	p := NewPKI()
	m := &Material{
		Dir:       dir,
		Clean:     filepath.Join(dir, Product+"-"+CleanVer),
		Trojan:    filepath.Join(dir, Product+"-"+TrojanVer),
		Policy:    filepath.Join(dir, "policy.yaml"),
		Blocklist: filepath.Join(dir, "demo-blocklist.yaml"),
		IoCs:      filepath.Join(dir, "demo-iocs.csv"),
		Roots:     filepath.Join(dir, "demo-roots.pem"),
		AttestKey: filepath.Join(dir, "attest-key.pem"),
		AttestPub: filepath.Join(dir, "attest-pub.pem"),
	}
	clean, err := build(p, CleanVer, false)
	if err != nil {
		return nil, err
	}
	trojan, err := build(p, TrojanVer, true)
	if err != nil {
		return nil, err
	}
	if err := clean.write(m.Clean); err != nil {
		return nil, err
	}
	if err := trojan.write(m.Trojan); err != nil {
		return nil, err
	}
	ff := sha256.Sum256(trojan["windows/ffmpeg.dll"].data)
	dy := sha256.Sum256(trojan[AppName+".app/Contents/Frameworks/Electron Framework.framework/Versions/A/Libraries/libffmpeg.dylib"].data)
	files := map[string][]byte{
		m.Roots:     p.Root.PEM(),
		m.Blocklist: []byte(blocklistYAML(p)),
		m.IoCs:      []byte(iocCSV(hex.EncodeToString(ff[:]), hex.EncodeToString(dy[:]))),
		m.Policy:    []byte(policyYAML(p)),
		m.AttestKey: attestKeyPEM(),
		m.AttestPub: attestPubPEM(),
	}
	for name, b := range files {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func blocklistYAML(p *PKI) string {
	return fmt.Sprintf(`# The demo vendor's incident response: its Windows code-signing certificate signed
# whatever the compromised build system produced between these dates. Builds signed
# (and timestamped) before the compromise stay valid; builds inside the window do not.
version: 1
entries:
  - kind: issuer-serial
    value: %s
    issuer: %q
    notBefore: %s
    notAfter: %s
    note: %s code-signing certificate used by the compromised build system
    reference: shipgate demo incident report
`, p.Vendor.Cert.SerialNumber.Text(16), p.Vendor.Cert.Issuer.String(),
		CompromiseStart.Format("2006-01-02"), CompromiseEnd.Format("2006-01-02"), Vendor)
}

// iocCSV writes indicators in the layout SophosLabs publishes (a UTF-8 byte
// order mark, CRLF line ends, a Description row).
func iocCSV(ffmpeg, dylib string) string {
	rows := []string{
		"Indicator,Data,Note",
		"Description,hxxps://example[.]invalid/acme-desktop-advisory,Acme Desktop supply-chain compromise",
		"sha256," + ffmpeg + ",trojanized ffmpeg.dll (Windows)",
		"sha256," + dylib + ",trojanized libffmpeg.dylib (macOS)",
		"domain,updates.acme-desktop[.]invalid,C2 (ignored by shipgate)",
	}
	return "\ufeff" + strings.Join(rows, "\r\n") + "\r\n"
}

// policyYAML is the gate a release engineer at the vendor would use: its
// signer pins name the demo root by its SHA-256, as a pin must to bind it to
// the vendor's hierarchy rather than to any CA with the same names.
func policyYAML(p *PKI) string {
	sum := sha256.Sum256(p.Root.Cert.Raw)
	return strings.ReplaceAll(policyTemplate, "ROOT_SHA256", hex.EncodeToString(sum[:]))
}

// policyTemplate is policyYAML with ROOT_SHA256 for the demo root's digest.
const policyTemplate = `# shipgate demo policy: gate Acme Desktop releases.
failOn: error

trust:
  roots: [demo-roots.pem]        # the demo CA stands in for the public CAs
  embedded: []
  revocationPolicy: strict

blocklists:
  files: [demo-blocklist.yaml, demo-iocs.csv]
  builtin: true                  # also the public 3CX indicators

rules:
  # Every native binary must carry a valid signature...
  - match: ["**"]
    require: valid
  # ...except the Chromium runtime libraries, which Electron ships unsigned.
  - match: ["windows/ffmpeg.dll", "windows/libEGL.dll", "windows/libGLESv2.dll",
            "*.msi/app.cab/Acme Desktop/ffmpeg.dll", "*.msi/app.cab/Acme Desktop/libEGL.dll", "*.msi/app.cab/Acme Desktop/libGLESv2.dll"]
    allowUnsigned: true
  # Our own executable is signed by us.
  - match: ["windows/*.exe", "*.msi", "*.msi/app.cab/Acme Desktop/*.exe"]
    signers:
      - subject: "CN=Acme Desktop Ltd,O=Acme Desktop Ltd"
        issuer: "CN=Acme Demo Root CA,O=shipgate demo"
        root: ROOT_SHA256
  # The macOS build is signed by our Developer ID certificates, as are its
  # installer package, its disk image and the apps inside them. (With
  # Apple's own roots, "teamID: ACME4654HL" would say it; under the demo CA
  # a team ID is the demo CA's word, not Apple's, so no teamID matches.)
  - match: ["Acme Desktop.app/**", "*.pkg", "*.pkg/*.pkg/Payload/Applications/Acme Desktop.app/**", "*.dmg", "*.dmg/Acme Desktop.app/**"]
    signers:
      - subject: "CN=Developer ID Application: Acme Desktop Ltd (ACME4654HL),OU=ACME4654HL,O=Acme Desktop Ltd"
        issuer: "CN=Demo Developer ID Certification Authority,O=shipgate demo"
        root: ROOT_SHA256
      - subject: "CN=Developer ID Installer: Acme Desktop Ltd (ACME4654HL),OU=ACME4654HL,O=Acme Desktop Ltd"
        issuer: "CN=Demo Developer ID Certification Authority,O=shipgate demo"
        root: ROOT_SHA256
`
