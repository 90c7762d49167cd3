package authenticode

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/binary"
	"testing"

	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// cabBytes builds a cabinet with one uncompressed folder holding one file;
// with reserve it carries the 20-byte signature reserve, locating a
// signature of sigLen bytes right after the cabinet.
func cabBytes(reserve bool, sigLen int) []byte {
	le := binary.LittleEndian
	data := bytes.Repeat([]byte("hello cabinet payload\r\n"), 3)
	hdrLen := 36
	if reserve {
		hdrLen += 4 + cabSigReserve
	}
	filesOff := hdrLen + 8
	file := le.AppendUint32(nil, uint32(len(data)))
	file = le.AppendUint32(file, 0)
	file = le.AppendUint16(file, 0)
	file = le.AppendUint16(file, 0x5a21)
	file = le.AppendUint16(file, 0x6000)
	file = le.AppendUint16(file, 0x20)
	file = append(file, "hello.txt\x00"...)
	dataOff := filesOff + len(file)
	cfdata := le.AppendUint32(nil, 0)
	cfdata = le.AppendUint16(cfdata, uint16(len(data)))
	cfdata = le.AppendUint16(cfdata, uint16(len(data)))
	cfdata = append(cfdata, data...)
	total := dataOff + len(cfdata)
	h := []byte("MSCF")
	h = le.AppendUint32(h, 0)
	h = le.AppendUint32(h, uint32(total))
	h = le.AppendUint32(h, 0)
	h = le.AppendUint32(h, uint32(filesOff))
	h = le.AppendUint32(h, 0)
	h = append(h, 3, 1)
	h = le.AppendUint16(h, 1) // folders
	h = le.AppendUint16(h, 1) // files
	flags := uint16(0)
	if reserve {
		flags = cabReservePresent
	}
	h = le.AppendUint16(h, flags)
	h = le.AppendUint16(h, 0x1234)
	h = le.AppendUint16(h, 0)
	if reserve {
		h = le.AppendUint16(h, cabSigReserve)
		h = append(h, 0, 0)
		h = append(h, 0, 0, 0x10, 0)
		h = le.AppendUint32(h, uint32(total))
		h = le.AppendUint32(h, uint32(sigLen))
		h = append(h, make([]byte, 8)...)
	}
	folder := le.AppendUint32(nil, uint32(dataOff))
	folder = le.AppendUint16(folder, 1)
	folder = le.AppendUint16(folder, 0)
	return bytes.Join([][]byte{h, folder, file, cfdata}, nil)
}

// cabDigest is the signed cabinet digest written out plainly: the header
// without reserved1, iCabinet, the reserve sizes and the locator, then the
// rest of the cabinet.
func cabDigest(h crypto.Hash, cab []byte) []byte {
	d := h.New()
	d.Write(cab[0:4])
	d.Write(cab[8:34])
	d.Write(cab[56:])
	return d.Sum(nil)
}

// signCAB signs cabBytes in Go; trailing follows the PKCS#7.
func signCAB(t testing.TB, p *fixtures.PKI, trailing []byte) []byte {
	t.Helper()
	cab := cabBytes(true, 0)
	link := testpki.TLV(0xa2, testpki.TLV(0x80, []byte{0, '<', 0, '<', 0, '<'}))
	content := testpki.TLV(0x30,
		testpki.TLV(0x30, mustDER(pefile.OIDSpcCabData), link),
		testpki.TLV(0x30, testpki.TLV(0x30, mustDER(testpki.HashOID(crypto.SHA256)), []byte{5, 0}), testpki.TLV(0x04, cabDigest(crypto.SHA256, cab))))
	blob, err := pefile.SignContent(content, pefile.SignSpec{Signer: p.Leaf, Certs: []*testpki.Cert{p.Inter}, SigningTime: fixtures.Now.AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	blob = append(blob, trailing...)
	cab = cabBytes(true, len(blob))
	return append(cab, blob...)
}

func verifyCAB(t testing.TB, b []byte, trust *signing.TrustStore) *Result {
	t.Helper()
	res, err := VerifyCAB(bytes.NewReader(b), int64(len(b)), Options{Trust: trust, Time: fixtures.Now})
	if err != nil {
		t.Fatalf("VerifyCAB: %v", err)
	}
	return res
}

// TestCABSignedValid verifies a Go-signed cabinet; unsigned ones, with and
// without the reserve, are unsigned.
func TestCABSignedValid(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	if res := verifyCAB(t, signCAB(t, p, nil), trust); res.Status != signing.StatusValid || len(res.Findings) != 0 {
		t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
	}
	for _, reserve := range []bool{false, true} {
		if res := verifyCAB(t, cabBytes(reserve, 0), trust); res.Status != signing.StatusUnsigned || len(res.Findings) != 0 {
			t.Errorf("reserve %v: status %s findings %+v, want unsigned", reserve, res.Status, res.Findings)
		}
	}
}

// TestCABTamperedDigestMismatch changes a byte of the file data.
func TestCABTamperedDigestMismatch(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signCAB(t, p, nil)
	b[bytes.Index(b, []byte("hello cabinet"))] = 'j'
	if res := verifyCAB(t, b, scriptTrust(t, p)); res.Status != signing.StatusInvalid || !hasRule(res, RuleCABDigestMismatch) {
		t.Fatalf("status %s findings %+v, want invalid with %s", res.Status, res.Findings, RuleCABDigestMismatch)
	}
}

// TestCABPayloadReported appends data after the signature, stuffs it
// after the PKCS#7 inside the signature area, writes into the header
// fields the digest skips, and appends after an unsigned cabinet.
func TestCABPayloadReported(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	trust := scriptTrust(t, p)
	payload := bytes.Repeat([]byte("PAYLOAD!"), 32)
	reserved := signCAB(t, p, nil)
	copy(reserved[4:8], "evil")
	cases := []struct {
		name   string
		b      []byte
		rule   signing.Rule
		status signing.Status
	}{
		{"after-signature", append(signCAB(t, p, nil), payload...), RuleCABDataAfterSignature, signing.StatusInvalid},
		{"in-signature-area", signCAB(t, p, payload), RuleCABSignatureTrailingData, signing.StatusInvalid},
		{"reserved1", reserved, RuleCABUnhashedHeaderData, signing.StatusValid},
		{"after-unsigned", append(cabBytes(false, 0), payload...), RuleCABDataAfterCabinet, signing.StatusUnsigned},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := verifyCAB(t, c.b, trust)
			if res.Status != c.status || !hasRule(res, c.rule) || hasRule(res, RuleCABDigestMismatch) {
				t.Fatalf("status %s findings %+v, want %s with %s", res.Status, res.Findings, c.status, c.rule)
			}
		})
	}
}

// TestCABMalformedLocator points the signature outside the file.
func TestCABMalformedLocator(t *testing.T) {
	t.Parallel()
	p := fixtures.NewPKI()
	b := signCAB(t, p, nil)
	binary.LittleEndian.PutUint32(b[48:], 1<<30)
	if res := verifyCAB(t, b, scriptTrust(t, p)); res.Status != signing.StatusMalformed || !hasRule(res, RuleCABMalformedSignature) {
		t.Fatalf("status %s findings %+v, want malformed with %s", res.Status, res.Findings, RuleCABMalformedSignature)
	}
}

// TestOsslsigncodeCAB has osslsigncode sign our cabinet: we accept it and
// compute its digest; it accepts our Go-signed one; a tampered copy fails
// for both.
func TestOsslsigncodeCAB(t *testing.T) {
	t.Parallel()
	e := newOsslEnv(t)
	// osslsigncode 2.9 adds the reserve itself; it cannot sign a cabinet
	// whose reserve locates no signature.
	for name, in := range map[string][]byte{"plain": cabBytes(false, 0)} {
		t.Run(name, func(t *testing.T) {
			signed, out := e.sign(t, e.write(name+".cab", in), name+"-signed.cab")
			res := verifyCAB(t, signed, e.trust)
			if res.Status != signing.StatusValid || len(res.Findings) != 0 {
				t.Fatalf("status %s findings %+v, want valid", res.Status, res.Findings)
			}
			want := osslDigests(t, e.tool, out)
			if len(want) != 1 || res.Signatures[0].Digest.Computed != want[0] {
				t.Errorf("osslsigncode computes %v, we computed %s", want, res.Signatures[0].Digest.Computed)
			}
			bad := bytes.Clone(signed)
			bad[bytes.Index(bad, []byte("hello cabinet"))] = 'j'
			if o, err := e.verify(e.write(name+"-bad.cab", bad)); err == nil {
				t.Errorf("osslsigncode accepts the tampered cabinet:\n%s", o)
			}
			if res := verifyCAB(t, bad, e.trust); res.Status != signing.StatusInvalid || !hasRule(res, RuleCABDigestMismatch) {
				t.Errorf("tampered: status %s findings %+v", res.Status, res.Findings)
			}
		})
	}
	if o, err := e.verify(e.write("go-signed.cab", signCAB(t, e.p, nil))); err != nil {
		t.Errorf("osslsigncode rejects our signed cabinet: %v\n%s", err, o)
	}
}

// FuzzVerifyCAB feeds mutated cabinets to VerifyCAB: it must not panic.
func FuzzVerifyCAB(f *testing.F) {
	p := fixtures.NewPKI()
	f.Add(cabBytes(false, 0))
	f.Add(cabBytes(true, 0))
	f.Add(signCAB(f, p, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := VerifyCAB(bytes.NewReader(b), int64(len(b)), Options{})
		if err == nil && res.Authentihash["sha256"] == "" {
			t.Fatal("no sha256 digest")
		}
	})
}

func mustDER(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
