package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackDriverChecksumWrong: a native-subsystem image (a driver) whose
// PE checksum is set and wrong passed with a warning, though Windows
// requires the checksum of drivers and boot files and will not load one
// whose checksum does not match: the gate passed a driver that does not
// run. It is now an error for native images, whatever their
// SectionAlignment (low-alignment drivers included); a console program
// keeps the warning, and UEFI images, which firmware loads without
// reading the checksum, too. The signature stays valid either way:
// CheckSum is outside the digest.
func TestAttackDriverChecksumWrong(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	for _, c := range []struct {
		name      string
		low       bool // SectionAlignment 0x200, as drivers link
		subsystem uint16
		want      signing.Severity
	}{
		{"console", false, 3, signing.SeverityWarning},
		{"native driver", false, subsystemNative, signing.SeverityError},
		{"low-alignment native driver", true, subsystemNative, signing.SeverityError},
		{"low-alignment console", true, 3, signing.SeverityWarning},
		{"efi boot driver", false, 11, signing.SeverityWarning},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := fixtures.Base()
			if c.low {
				var err error
				if img, err = pefile.Build(pefile.Spec{SectionAlignment: 0x200, FileAlignment: 0x200}); err != nil {
					t.Fatal(err)
				}
			}
			in, err := pefile.Parse(img)
			if err != nil {
				t.Fatal(err)
			}
			lfanew := binary.LittleEndian.Uint32(img[0x3c:])
			binary.LittleEndian.PutUint16(img[lfanew+24+68:], c.subsystem)
			pefile.SetChecksum(img)
			b, err := pefile.SignAttach(img, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256})
			if err != nil {
				t.Fatal(err)
			}
			good := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if hasRule(good, RuleChecksumMismatch) {
				t.Fatalf("right checksum reported: %+v", good.Findings)
			}
			b = bytes.Clone(b)
			b[in.ChecksumOff] ^= 0x5a
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusValid {
				t.Errorf("status %s, want valid: the checksum is outside the digest", res.Status)
			}
			found := false
			for _, f := range res.Findings {
				if f.Rule == RuleChecksumMismatch {
					found = true
					if f.Severity != c.want {
						t.Errorf("severity %s, want %s: %s", f.Severity, c.want, f.Message)
					}
				}
			}
			if !found {
				t.Errorf("no %s: %+v", RuleChecksumMismatch, res.Findings)
			}
		})
	}
}
