package dmg

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/shipgate/shipgate/internal/dmgfile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// passes reports whether an image verifies with no error: its signature
// valid and no error finding, what the gate would let through.
func passes(res *Result) bool {
	if res.Status() != signing.StatusValid {
		return false
	}
	for _, f := range res.Findings {
		if f.Severity >= signing.SeverityError {
			return false
		}
	}
	return true
}

// cmsRange returns where the CMS blob (SuperBlob slot 0x10000, after its
// 8-byte blob header) lies in a signed image.
func cmsRange(t *testing.T, b []byte, sigOff int) testpki.Range {
	t.Helper()
	be := binary.BigEndian
	sb := b[sigOff:]
	for i := range int(be.Uint32(sb[8:])) {
		e := sb[12+8*i:]
		if be.Uint32(e) == 0x10000 {
			at := int(be.Uint32(e[4:]))
			n := int(be.Uint32(sb[at+4:]))
			return testpki.Range{Start: sigOff + at + 8, End: sigOff + at + n}
		}
	}
	t.Fatal("no CMS blob in the signature")
	return testpki.Range{}
}

// TestEveryByteFlipFails flips bytes of a signed disk image one at a time:
// every byte of the koly trailer, the plist, the code signature's
// SuperBlob and CodeDirectory, and, in the CMS, its signed attributes,
// signature value and signer certificate; and every 37th byte of the
// data fork (every one without -short... each costs a full decode). None
// may still verify (issue #15: tampering any signed byte fails). The CMS's
// unsigned bytes (version, digest set, the intermediate's copy, issuer
// and serial, timestamp token) may change, and so may the SuperBlob's
// length, which no hash covers (as in a Mach-O): grown over the zero
// padding after the last blob, it must then be reported
// (codesign/unowned-signature-data). The image's bzip2 chunk declares
// level 1 (Spec.Bzip2Level): the same bytes decode the same, but each
// flip's decoder allocates a 400 kB block buffer instead of 3.6 MB, which
// was half the test's CPU.
func TestEveryByteFlipFails(t *testing.T) {
	t.Parallel()
	b, lay := signed(t, dmgfile.Spec{Bzip2Level: 1}, dmgfile.SignSpec(testPKI, "com.example.dmg"), nil)
	if !passes(run(t, b)) {
		t.Fatal("the intact image does not verify")
	}
	cms := cmsRange(t, b, lay.SigOff)
	signedCMS, err := testpki.CMSSignedRanges(b[cms.Start:cms.End], testPKI.Leaf.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	superBlobLength := testpki.Range{Start: lay.SigOff + 4, End: lay.SigOff + 8}
	mustFail := func(i int) bool {
		if superBlobLength.Contains(i) {
			return false
		}
		if !cms.Contains(i) {
			return true
		}
		for _, r := range signedCMS {
			if r.Contains(i - cms.Start) {
				return true
			}
		}
		return false
	}
	dataStep := 37
	if testing.Short() {
		dataStep = 401
	}
	ts := trust(t)
	var at []int
	for i := 0; i < len(b); i++ {
		if i < lay.XMLOff && i%dataStep != 0 || !mustFail(i) {
			continue
		}
		at = append(at, i)
	}
	testpki.FlipEach(b, at, func(i int, c []byte) {
		res, err := Verify(bytes.NewReader(c), int64(len(c)), Options{Trust: ts, Time: checkTime})
		if err == nil && passes(res) {
			t.Errorf("byte %#x of %#x flipped: still verifies (%v)", i, len(b), rules(res))
		}
	})
	for i := superBlobLength.Start; i < superBlobLength.End; i++ {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		res, err := Verify(bytes.NewReader(c), int64(len(c)), Options{Trust: trust(t), Time: checkTime})
		if err == nil && passes(res) && !slices.Contains(rules(res), "codesign/unowned-signature-data") {
			t.Errorf("SuperBlob length byte %#x flipped: verifies silently (%v)", i, rules(res))
		}
	}
}
