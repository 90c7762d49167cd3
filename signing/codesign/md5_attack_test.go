package codesign

import (
	"bytes"
	"crypto"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// TestAttackMD5CMSDigest: a CMS signature whose digest algorithm is MD5
// binds the CodeDirectory by an MD5 messageDigest, which a chosen-prefix
// collision forges (two CodeDirectories, one signature). It passed as valid
// with "(uses weak md5)" in a check's detail; Authenticode and pkg call
// MD5-bound content invalid, and so does codesign now. SHA-1 stays valid.
func TestAttackMD5CMSDigest(t *testing.T) {
	t.Parallel()
	p := machofile.NewPKI()
	for _, tc := range []struct {
		h    crypto.Hash
		want signing.Status
	}{{crypto.MD5, signing.StatusInvalid}, {crypto.SHA1, signing.StatusValid}, {crypto.SHA256, signing.StatusValid}} {
		s := machofile.Signer{Leaf: p.Leaf, Chain: []*testpki.Cert{p.CA}, Hash: tc.h, SigningTime: machofile.SignTime, TSA: p.TSA, TimestampAt: machofile.SignTime}
		spec := p.DeveloperIDSpec("com.example.app")
		spec.CMS = s.CMS
		b, _, err := machofile.Sign(machofile.Build(machofile.Spec{CPU: machofile.CPUX86_64, Seed: 81, CodeSize: 6000}), spec)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Verify(bytes.NewReader(b), int64(len(b)), Options{Trust: testTrust(t), Time: checkTime})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Signatures[0].Status; got != tc.want {
			t.Errorf("%v: status %s, want %s\n%s", tc.h, got, tc.want, dump(res))
		}
	}
}
