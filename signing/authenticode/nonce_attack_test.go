package authenticode

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// nonceToken returns an RFC 3161 token by tsa over stamped at time at whose
// TSTInfo carries nonce, as a public authority answers a request that
// chose it.
func nonceToken(t *testing.T, tsa *testpki.Cert, stamped []byte, at time.Time, nonce *big.Int) []byte {
	t.Helper()
	der := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	imprint := sha256.Sum256(stamped)
	tst := testpki.TLV(0x30,
		der(1),
		der(asn1.ObjectIdentifier{1, 2, 3, 4, 1}),
		testpki.TLV(0x30, testpki.TLV(0x30, der(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}), []byte{5, 0}), testpki.TLV(0x04, imprint[:])),
		der(big.NewInt(7)),
		testpki.TLV(0x18, []byte(at.UTC().Format("20060102150405Z"))),
		der(nonce),
	)
	return testpki.SignCMS(testpki.CMSSpec{ContentType: cms.OIDTSTInfo, Content: tst, ContentIsOctetString: true,
		Signer: tsa, Certs: []*testpki.Cert{tsa}, Hash: crypto.SHA256})
}

// TestAttackTimestampNoncePayload: the nonce of an RFC 3161 token is the
// requester's choice, signed by the authority as it is. Anyone holding a
// signed file (no key needed) can ask a public authority for a new token
// over its signature with a nonce that spells kilobytes of their data, and
// put it in place of the timestamp: the signature stays valid, and a
// loader that reads its own certificate table (as 3CX's d3dcompiler_47.dll
// did) finds the payload. The token verified and every byte of it was
// owned, so no finding named it. A 64-bit nonce, as signers send, stays
// silent, and so does NuGet's 256-bit one; a longer one is data no
// signature vouches for.
func TestAttackTimestampNoncePayload(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	p := fixtures.NewPKI()
	spec := pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, Hash: crypto.SHA256}
	blob, err := pefile.Sign(fixtures.Base(), spec)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		t.Fatal(err)
	}
	at := fixtures.Now.AddDate(0, -1, 0)
	build := func(nonce *big.Int) []byte {
		s := spec
		s.Unsigned = []testpki.Attr{{Type: oidRFC3161CounterSign, Values: [][]byte{nonceToken(t, p.TSA, sd.Signers[0].Signature, at, nonce)}}}
		b, err := pefile.SignAttach(fixtures.Base(), s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var res *Result
	for _, nonce := range []*big.Int{
		new(big.Int).SetUint64(0x8badf00ddeadbeef),            // signtool, OpenSSL
		new(big.Int).SetBytes(bytes.Repeat([]byte{0xa5}, 32)), // NuGet: 256 bits and a sign byte
	} {
		res = verifyBytes(t, build(nonce), Options{Trust: trust, Time: fixtures.Now})
		if res.Status != signing.StatusValid || len(res.Findings) != 0 || res.Signatures[0].Timestamp == nil || !res.Signatures[0].Timestamp.Verified {
			t.Fatalf("%d-bit nonce: %s %+v", nonce.BitLen(), res.Status, res.Findings)
		}
	}
	payload := bytes.Repeat([]byte("MZ payload! "), 200)
	big := build(new(big.Int).SetBytes(append([]byte{0x7f}, payload...)))
	res = verifyBytes(t, big, Options{Trust: trust, Time: fixtures.Now})
	if !res.Signatures[0].Timestamp.Verified {
		t.Fatalf("the payload token does not verify: %+v", res.Signatures[0].Timestamp)
	}
	if res.Status == signing.StatusValid {
		t.Errorf("a %d-byte nonce in the timestamp passed as valid: %+v", len(payload), res.Findings)
	}
	found := false
	for _, f := range res.Findings {
		found = found || (f.Rule == RuleUnownedSignatureData && f.Severity == signing.SeverityError)
	}
	if !found {
		t.Errorf("no %s error: %+v", RuleUnownedSignatureData, res.Findings)
	}
	// osslsigncode, like Windows, checks no nonce: the file verifies there.
	ossl, err := exec.LookPath("osslsigncode")
	if err != nil {
		t.Log("osslsigncode not installed; skipping the cross-check")
		return
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "big.exe")
	if err := os.WriteFile(in, big, 0o600); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(fixtureDir, "root.pem")
	out, err := exec.Command(ossl, "verify", "-CAfile", root, "-TSA-CAfile", root, "-time", "1717243200", "-in", in).CombinedOutput()
	if err != nil {
		t.Errorf("osslsigncode rejects the payload token, so the attack is not what Windows sees: %v\n%s", err, out)
	}
}
