package dmg

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// cmsTweaked signs an image whose CMS is edited by tweak (after its
// timestamp token is in place) and verifies it.
func cmsTweaked(t *testing.T, tweak func(*testpki.CMSSpec)) *Result {
	t.Helper()
	spec := dmgfile.SignSpec(testPKI, "com.example.dmg")
	spec.CMS = func(cds []machofile.CD) ([]byte, error) {
		signer := testPKI.Signer()
		der, err := signer.CMS(cds)
		if err != nil {
			return nil, err
		}
		sd, err := cms.Parse(der)
		if err != nil || len(sd.Signers) != 1 {
			t.Fatalf("reparsing the CMS: %v", err)
		}
		tok := bytes.Clone(sd.Signers[0].UnsignedAttr(cms.OIDAttrTimeStampToken).Values[0])
		// The same signer again, the token put in place by hand (the
		// signature is deterministic, so the token still verifies).
		signer.TSA = nil
		signer.Tweak = func(c *testpki.CMSSpec) {
			c.Unsigned = []testpki.Attr{{Type: cms.OIDAttrTimeStampToken, Values: [][]byte{tok}}}
			tweak(c)
		}
		return signer.CMS(cds)
	}
	b, _ := signed(t, dmgfile.Spec{}, spec, nil)
	return run(t, b)
}

// TestAttackDMGCMSTimestampPayload: the disk image's CMS unsigned
// attributes are covered by no signature; a payload beside the timestamp
// token (a second value or attribute, another attribute) or in place of it
// makes the signature invalid (codesign/unowned-signature-data, from the
// shared CMS accounting); the untouched image stays clean.
func TestAttackDMGCMSTimestampPayload(t *testing.T) {
	t.Parallel()
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("PAYLOAD!"), 256))
	for _, tc := range testpki.UnsignedPayloadTweaks(payload) {
		t.Run(tc.Name, func(t *testing.T) {
			expect(t, cmsTweaked(t, tc.Tweak), signing.StatusInvalid, "codesign/unowned-signature-data")
		})
	}
	t.Run("untouched", func(t *testing.T) {
		expect(t, cmsTweaked(t, func(*testpki.CMSSpec) {}), signing.StatusValid)
	})
}

// TestAttackDMGCertificateCopies: copies of a chain certificate in the
// CMS's unsigned certificate set beyond the two a signer writes are
// reported (codesign/unused-certificate), as an error once they hold
// enough for a payload; one more copy stays clean.
func TestAttackDMGCertificateCopies(t *testing.T) {
	t.Parallel()
	copies := func(n int) func(*testpki.CMSSpec) {
		return func(c *testpki.CMSSpec) {
			for range n {
				c.RawCertificates = append(c.RawCertificates, testPKI.CA.Cert.Raw)
			}
		}
	}
	expect(t, cmsTweaked(t, copies(1)), signing.StatusValid)
	expect(t, cmsTweaked(t, copies(3)), signing.StatusValid, "codesign/unused-certificate")
	expect(t, cmsTweaked(t, copies(cms.MaxUnusedCertificateBytes/len(testPKI.CA.Cert.Raw)+3)), signing.StatusInvalid, "codesign/unused-certificate")
}

// TestAttackDMGSignatureHeaderOverPadding: neither the SuperBlob's length
// nor the CMS blob's is covered by a hash, and the signature area ends in
// zero padding, as codesign leaves it. Grown over that padding, the
// SuperBlob claimed zeros no blob owns, reported only as a warning, and
// with the CMS blob's length grown as well nothing was reported: the
// lengths' values are free, and the image verified. Both are now errors
// (codesign/unowned-signature-data); the padding left after the SuperBlob
// stays clean.
func TestAttackDMGSignatureHeaderOverPadding(t *testing.T) {
	t.Parallel()
	be := binary.BigEndian
	const pad = 64
	grow := func(withCMS bool) []byte {
		b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "com.example.dmg"), make([]byte, pad))
		putKoly(b, kolySigLength, uint64(lay.SigLen+pad))
		sb := b[lay.SigOff:]
		be.PutUint32(sb[4:], be.Uint32(sb[4:])+pad)
		if withCMS {
			hdr := b[cmsRange(t, b, lay.SigOff).Start-8:]
			be.PutUint32(hdr[4:], be.Uint32(hdr[4:])+pad)
		}
		return b
	}
	t.Run("SuperBlob length", func(t *testing.T) {
		expect(t, run(t, grow(false)), signing.StatusInvalid, "codesign/unowned-signature-data")
	})
	t.Run("SuperBlob and CMS blob lengths", func(t *testing.T) {
		expect(t, run(t, grow(true)), signing.StatusInvalid, "codesign/unowned-signature-data")
	})
	t.Run("padding inside the signature area, after the SuperBlob", func(t *testing.T) {
		b, lay := signed(t, dmgfile.Spec{}, dmgfile.SignSpec(testPKI, "com.example.dmg"), make([]byte, pad))
		putKoly(b, kolySigLength, uint64(lay.SigLen+pad))
		expect(t, run(t, b), signing.StatusValid)
	})
}
