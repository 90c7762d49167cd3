package pkg

import (
	"bytes"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// passes reports whether a package verifies with no error: every signature
// valid and no error finding, what the gate would let through.
func passes(res *Result) bool {
	if len(res.Signatures) == 0 {
		return false
	}
	for _, s := range res.Signatures {
		if s.Status != signing.StatusValid {
			return false
		}
	}
	for _, f := range res.Findings {
		if f.Severity >= signing.SeverityError {
			return false
		}
	}
	return true
}

// TestEveryByteFlipFails flips each byte of a signed package in turn: the
// header, the compressed table of contents, the checksum, the RSA
// signature, every file's data, and in the CMS x-signature its signed
// attributes, signature value and signer certificate. None may still
// verify (issue #15: tampering any signed byte fails, not just the bytes a
// fixture picked). The CMS's other bytes (its version, digest algorithm
// set, the copy of the intermediate, the signer's issuer and serial, the
// timestamp token) are signed by nothing and may change; a timestamp that
// no longer verifies is reported on its own.
func TestEveryByteFlipFails(t *testing.T) {
	t.Parallel()
	p, ts := testPKI(t)
	b, lay := pkgfile.Build(signedSpec(t))
	if !passes(verifyBytes(t, b, machofile.SignTime)) {
		t.Fatal("the intact package does not verify")
	}
	cmsAt := int(lay.HeapStart + lay.CMS)
	var blob asn1.RawValue
	if _, err := asn1.Unmarshal(b[cmsAt:], &blob); err != nil {
		t.Fatal(err)
	}
	cms := testpki.Range{Start: cmsAt, End: cmsAt + len(blob.FullBytes)}
	signed, err := testpki.CMSSignedRanges(blob.FullBytes, p.Installer.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	mustFail := func(i int) bool {
		if !cms.Contains(i) {
			return true
		}
		for _, r := range signed {
			if r.Contains(i - cmsAt) {
				return true
			}
		}
		return false
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	var at []int
	for i := 0; i < len(b); i += step {
		if mustFail(i) {
			at = append(at, i)
		}
	}
	testpki.FlipEach(b, at, func(i int, c []byte) {
		res, err := Verify(bytes.NewReader(c), int64(len(c)), Options{Trust: ts, Time: machofile.SignTime})
		if err == nil && passes(res) {
			t.Errorf("byte %#x of %#x flipped: still verifies (%s, findings %s)", i, len(b), statuses(res), rules(res))
		}
	})
}
