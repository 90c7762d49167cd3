package cms_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

var (
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSpcIndirect   = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
)

func mustDER(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSingleInstanceAttributes: RFC 5652 §11.1 and §11.2 allow one
// messageDigest and one contentType attribute, each with one value. A second
// instance lets two verifiers read different digests from one signature.
func TestSingleInstanceAttributes(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	good := sha256.Sum256(content[2:])
	bad := bytes.Repeat([]byte{0xff}, 32)
	zero := make([]byte, 32)
	md := func(vals ...[]byte) testpki.Attr {
		a := testpki.Attr{Type: oidMessageDigest}
		for _, v := range vals {
			a.Values = append(a.Values, testpki.TLV(0x04, v))
		}
		return a
	}
	ctAttr := func(o asn1.ObjectIdentifier) testpki.Attr {
		return testpki.Attr{Type: oidContentType, Values: [][]byte{mustDER(t, o)}}
	}
	for _, tc := range []struct {
		name    string
		spec    testpki.CMSSpec
		wantErr error
	}{
		{"one messageDigest", testpki.CMSSpec{OmitMessageDigest: true, ExtraSigned: []testpki.Attr{md(good[:])}}, nil},
		{"two messageDigest attributes, the first right", testpki.CMSSpec{OmitMessageDigest: true, ExtraSigned: []testpki.Attr{md(good[:]), md(bad)}}, cms.ErrNoMessageDigest},
		{"two messageDigest attributes, the second right", testpki.CMSSpec{OmitMessageDigest: true, ExtraSigned: []testpki.Attr{md(zero), md(good[:])}}, cms.ErrNoMessageDigest},
		{"two equal messageDigest attributes", testpki.CMSSpec{OmitMessageDigest: true, ExtraSigned: []testpki.Attr{md(good[:]), md(good[:])}}, cms.ErrNoMessageDigest},
		{"messageDigest with two values", testpki.CMSSpec{OmitMessageDigest: true, ExtraSigned: []testpki.Attr{md(good[:], bad)}}, cms.ErrNoMessageDigest},
		{"no messageDigest", testpki.CMSSpec{OmitMessageDigest: true}, cms.ErrNoMessageDigest},
		{"two contentType attributes, the first right", testpki.CMSSpec{OmitContentType: true, ExtraSigned: []testpki.Attr{ctAttr(oidSpcIndirect), ctAttr(oidData)}}, cms.ErrContentType},
		{"two contentType attributes, both right", testpki.CMSSpec{OmitContentType: true, ExtraSigned: []testpki.Attr{ctAttr(oidSpcIndirect), ctAttr(oidSpcIndirect)}}, cms.ErrContentType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.ContentType, spec.Content, spec.Signer, spec.Certs = oidSpcIndirect, content, p.signer, []*testpki.Cert{p.signer}
			if !spec.OmitContentType {
				spec.ContentType = oidSpcIndirect
			}
			sd, err := cms.Parse(testpki.SignCMS(spec))
			if err != nil {
				t.Fatal(err)
			}
			r := cms.VerifySigner(sd.Signers[0], sd.Certificates, oidSpcIndirect, sd.Content)
			if !errors.Is(r.Err, tc.wantErr) || (tc.wantErr == nil && r.Err != nil) {
				t.Fatalf("err = %v, want %v", r.Err, tc.wantErr)
			}
			if tc.wantErr != nil && r.DigestOK && r.ContentTypeOK {
				t.Errorf("DigestOK and ContentTypeOK both true on a rejected signer")
			}
		})
	}
}

// TestDuplicateSignerCertificates: a signature may embed a look-alike with the
// signer's issuer and serial but another key; it must neither hide the real
// signer nor be reported as the signer.
func TestDuplicateSignerCertificates(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	lookalike := p.root.Issue(testpki.Spec{CommonName: "CMS Signer", KeyN: 6, Serial: p.signer.Cert.SerialNumber})
	if lookalike.Cert.SerialNumber.Cmp(p.signer.Cert.SerialNumber) != 0 || !bytes.Equal(lookalike.Cert.RawIssuer, p.signer.Cert.RawIssuer) {
		t.Fatal("look-alike does not share issuer and serial")
	}
	der := testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: p.signer, Certs: []*testpki.Cert{lookalike, p.signer}})
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	r := cms.VerifySigner(sd.Signers[0], sd.Certificates, oidSpcIndirect, sd.Content)
	if r.Err != nil || !r.SignatureOK || !bytes.Equal(r.Cert.Raw, p.signer.Cert.Raw) {
		t.Fatalf("err %v, signer %v; want the certificate whose key verifies", r.Err, r.Cert.PublicKey == p.signer.Cert.PublicKey)
	}
	// Only the look-alike: the signature does not verify and the error says so.
	r = cms.VerifySigner(sd.Signers[0], []*x509.Certificate{lookalike.Cert}, oidSpcIndirect, sd.Content)
	if !errors.Is(r.Err, cms.ErrSignature) || r.SignatureOK {
		t.Fatalf("look-alike only: err %v", r.Err)
	}
	// An empty subjectKeyIdentifier names nothing, not every certificate
	// without the extension.
	noSKI := &x509.Certificate{}
	if c := cms.FindCertificate(&cms.SignerInfo{SubjectKeyID: []byte{}}, []*x509.Certificate{noSKI}); c != nil {
		t.Error("empty subjectKeyIdentifier matched a certificate without one")
	}
}

// resign replaces si's signature with one made by sign over its signed
// attributes and sets the signature algorithm.
func resign(t *testing.T, si *cms.SignerInfo, alg asn1.ObjectIdentifier, params []byte, sig []byte) *cms.SignerInfo {
	t.Helper()
	c := *si
	c.SignatureAlgorithm, c.SignatureAlgorithmParams, c.Signature = alg, params, sig
	return &c
}

var (
	oidRSAPSS   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA1     = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidMGF1     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256RS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidEd25519  = asn1.ObjectIdentifier{1, 3, 101, 112}
)

func algID(t testing.TB, o asn1.ObjectIdentifier, null bool) []byte {
	if null {
		return testpki.TLV(0x30, mustDER(t, o), []byte{5, 0})
	}
	return testpki.TLV(0x30, mustDER(t, o))
}

// pss builds RSASSA-PSS-params; nil fields are left out.
func pss(hash, mgf, salt, trailer []byte, extra ...byte) []byte {
	var body []byte
	for i, f := range [][]byte{hash, mgf, salt, trailer} {
		if f != nil {
			body = append(body, testpki.TLV(0xa0+byte(i), f)...)
		}
	}
	return testpki.TLV(0x30, append(body, extra...))
}

func TestRSAPSS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	sd, err := cms.Parse(testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}}))
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	key := p.signer.Key.(*rsa.PrivateKey)
	signPSS := func(h crypto.Hash, salt int) []byte {
		hh := h.New()
		hh.Write(si.RawSignedAttrs)
		s, err := rsa.SignPSS(rand.Reader, key, h, hh.Sum(nil), &rsa.PSSOptions{SaltLength: salt, Hash: h})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sha256Alg := algID(t, oidSHA256, true)
	mgf256 := testpki.TLV(0x30, mustDER(t, oidMGF1), sha256Alg)
	salt := func(n int) []byte { return mustDER(t, n) }
	sig256 := signPSS(crypto.SHA256, 32)
	for _, tc := range []struct {
		name   string
		params []byte
		sig    []byte
		want   string // "" = verifies
		weak   crypto.Hash
	}{
		{"sha256 mgf1-sha256 salt 32", pss(sha256Alg, mgf256, salt(32), nil), sig256, "", 0},
		{"explicit trailerFieldBC", pss(sha256Alg, mgf256, salt(32), salt(1)), sig256, "", 0},
		{"defaults are sha1 and salt 20", nil, signPSS(crypto.SHA1, 20), "", crypto.SHA1},
		{"empty sequence is the defaults", pss(nil, nil, nil, nil), signPSS(crypto.SHA1, 20), "", crypto.SHA1},
		{"salt length differs", pss(sha256Alg, mgf256, salt(20), nil), sig256, "verification", 0},
		{"mask hash left at its sha1 default", pss(sha256Alg, nil, salt(32), nil), sig256, "MGF1", 0},
		{"trailer field 2", pss(sha256Alg, mgf256, salt(32), salt(2)), sig256, "trailer", 0},
		{"trailing data in the parameters", pss(sha256Alg, mgf256, salt(32), nil, 0x05, 0x00), sig256, "trailing", 0},
		{"data after the parameters", append(pss(sha256Alg, mgf256, salt(32), nil), 0x05, 0x00), sig256, "bad RSASSA-PSS parameters", 0},
		{"signature algorithm OID as the hash", pss(algID(t, oidSHA256RS, true), mgf256, salt(32), nil), sig256, "unsupported RSASSA-PSS hash", 0},
		{"hash parameters not NULL", pss(testpki.TLV(0x30, mustDER(t, oidSHA256), []byte{2, 1, 0}), mgf256, salt(32), nil), sig256, "parameters", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			weak, err := cms.CheckSignature(p.signer.Cert.PublicKey, resign(t, si, oidRSAPSS, tc.params, tc.sig), si.RawSignedAttrs)
			if tc.want == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			if err == nil && weak != tc.weak {
				t.Errorf("weak = %v, want %v", weak, tc.weak)
			}
		})
	}
}

// TestKeyTypeConfusion: the signature algorithm must fit the key.
func TestKeyTypeConfusion(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	ec := p.root.Issue(testpki.Spec{CommonName: "EC", KeyKind: testpki.ECDSA, KeyN: 1})
	ed := p.root.Issue(testpki.Spec{CommonName: "Ed25519 signer", KeyKind: testpki.Ed25519})
	// A real Ed25519 SignedData verifies.
	sd, err := cms.Parse(testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: ed, Certs: []*testpki.Cert{ed}, Hash: crypto.SHA512}))
	if err != nil {
		t.Fatal(err)
	}
	if r := cms.VerifySigner(sd.Signers[0], sd.Certificates, oidSpcIndirect, sd.Content); r.Err != nil || r.WeakHash != 0 {
		t.Fatalf("Ed25519 signer: %v (weak %v)", r.Err, r.WeakHash)
	}
	edSI := sd.Signers[0]
	sdRSA, _ := cms.Parse(testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}}))
	rsaSI := sdRSA.Signers[0]
	sdEC, _ := cms.Parse(testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: ec, Certs: []*testpki.Cert{ec}}))
	ecSI := sdEC.Signers[0]
	for _, tc := range []struct {
		name string
		pub  any
		si   *cms.SignerInfo
	}{
		{"Ed25519 algorithm with an RSA key", p.signer.Cert.PublicKey, resign(t, edSI, oidEd25519, nil, edSI.Signature)},
		{"RSA algorithm with an Ed25519 key", ed.Cert.PublicKey, resign(t, rsaSI, oidRSA, nil, rsaSI.Signature)},
		{"ECDSA algorithm with an RSA key", p.signer.Cert.PublicKey, resign(t, rsaSI, oidECDSA256, nil, rsaSI.Signature)},
		{"RSA algorithm with an ECDSA key", ec.Cert.PublicKey, resign(t, ecSI, oidSHA256RS, nil, ecSI.Signature)},
		{"RSA-PSS with an ECDSA key", ec.Cert.PublicKey, resign(t, ecSI, oidRSAPSS, nil, ecSI.Signature)},
		{"Ed25519 signature over other bytes", ed.Cert.PublicKey, resign(t, edSI, oidEd25519, nil, ed25519.Sign(ed.Key.(ed25519.PrivateKey), []byte("other")))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cms.CheckSignature(tc.pub, tc.si, tc.si.RawSignedAttrs); err == nil {
				t.Fatal("verified")
			}
		})
	}
	// ECDSA with SHA-1 verifies and is reported weak.
	sd1, _ := cms.Parse(testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: ec, Certs: []*testpki.Cert{ec}, Hash: crypto.SHA1}))
	if r := cms.VerifySigner(sd1.Signers[0], sd1.Certificates, oidSpcIndirect, sd1.Content); r.Err != nil || r.WeakHash != crypto.SHA1 {
		t.Fatalf("ECDSA-SHA1: err %v weak %v", r.Err, r.WeakHash)
	}
}

// TestTrailingData: bytes inside the ContentInfo that no structure owns are
// covered by no digest; they are refused rather than carried along (the
// place CVE-2013-3900 payloads hide in is one level out, after Len).
func TestTrailingData(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{ContentType: oidSpcIndirect, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}})
	var ci struct {
		Type asn1.ObjectIdentifier
		SD   asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	sdBody := ci.SD.Bytes // the SignedData SEQUENCE
	var sdSeq asn1.RawValue
	asn1.Unmarshal(sdBody, &sdSeq)
	junk := testpki.TLV(0x04, []byte("payload"))
	oid := mustDER(t, ci.Type)
	wrap := func(sd []byte, after ...[]byte) []byte {
		return testpki.TLV(0x30, append(append(oid, testpki.TLV(0xa0, sd)...), bytes.Join(after, nil)...))
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"after the [0] of ContentInfo", wrap(sdBody, junk)},
		{"after SignedData inside [0]", wrap(append(append([]byte(nil), sdBody...), junk...))},
		{"inside SignedData after signerInfos", wrap(testpki.TLV(0x30, sdSeq.Bytes, junk))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cms.Parse(wrap(sdBody)); err != nil {
				t.Fatalf("rebuilt original does not parse: %v", err)
			}
			_, err := cms.Parse(tc.in)
			var fe *cms.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "trailing") {
				t.Fatalf("err = %v, want a trailing-data FormatError", err)
			}
		})
	}
}

// tst builds a TSTInfo with the given optional tail and overrides.
type tstSpec struct {
	version int
	imprint []byte // AlgorithmIdentifier DER; SHA-256 when nil
	stamped []byte
	genTime string
	tail    []byte // optional fields after genTime
	after   []byte // bytes after the TSTInfo SEQUENCE
}

func (s tstSpec) der(t testing.TB) []byte {
	v := s.version
	if v == 0 {
		v = 1
	}
	alg := s.imprint
	if alg == nil {
		alg = algID(t, oidSHA256, true)
	}
	d := sha256.Sum256(s.stamped)
	body := testpki.TLV(0x30,
		mustDER(t, v),
		mustDER(t, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}),
		testpki.TLV(0x30, alg, testpki.TLV(0x04, d[:])),
		mustDER(t, 42),
		testpki.TLV(0x18, []byte(s.genTime)),
		s.tail,
	)
	return append(body, s.after...)
}

func tokenOver(tst []byte, tsa *testpki.Cert, extra []testpki.Attr, certs ...*testpki.Cert) []byte {
	return testpki.SignCMS(testpki.CMSSpec{ContentType: cms.OIDTSTInfo, Content: tst, ContentIsOctetString: true,
		Signer: tsa, Certs: append([]*testpki.Cert{tsa}, certs...), ExtraSigned: extra})
}

func TestTSTInfoStrictness(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("signature value")
	const gt = "20240601133000Z"
	accuracy := testpki.TLV(0x30, mustDER(t, 1), testpki.TLV(0x80, []byte{0x01, 0xf4}), testpki.TLV(0x81, []byte{7}))
	tsaName := testpki.TLV(0xa0, testpki.TLV(0xa4, p.tsa.Cert.RawSubject))
	ext := testpki.TLV(0xa1, testpki.TLV(0x30, testpki.TLV(0x30, mustDER(t, asn1.ObjectIdentifier{1, 2, 3}), testpki.TLV(0x04, nil))))
	for _, tc := range []struct {
		name string
		spec tstSpec
		want string // "" = verifies
		at   time.Time
	}{
		{"minimal", tstSpec{genTime: gt}, "", time.Date(2024, 6, 1, 13, 30, 0, 0, time.UTC)},
		{"every optional field", tstSpec{genTime: gt, tail: bytes.Join([][]byte{accuracy, {0x01, 0x01, 0xff}, mustDER(t, big.NewInt(99)), tsaName, ext}, nil)}, "", time.Date(2024, 6, 1, 13, 30, 0, 0, time.UTC)},
		{"fractional seconds", tstSpec{genTime: "20240601133000.25Z"}, "", time.Date(2024, 6, 1, 13, 30, 0, 250e6, time.UTC)},
		{"nine fraction digits", tstSpec{genTime: "20240601133000.123456789Z"}, "", time.Date(2024, 6, 1, 13, 30, 0, 123456789, time.UTC)},
		{"version 2", tstSpec{version: 2, genTime: gt}, "version 2", time.Time{}},
		{"data after the last field", tstSpec{genTime: gt, tail: testpki.TLV(0x04, []byte("x"))}, "unexpected data", time.Time{}},
		{"fields out of order", tstSpec{genTime: gt, tail: append(mustDER(t, 99), accuracy...)}, "unexpected data", time.Time{}},
		{"data after the TSTInfo", tstSpec{genTime: gt, after: []byte{0x05, 0x00}}, "trailing", time.Time{}},
		{"accuracy millis out of range", tstSpec{genTime: gt, tail: testpki.TLV(0x30, testpki.TLV(0x80, []byte{0x03, 0xe8}))}, "accuracy", time.Time{}},
		{"local time", tstSpec{genTime: "20240601133000"}, "UTC", time.Time{}},
		{"empty fraction", tstSpec{genTime: "20240601133000.Z"}, "fraction", time.Time{}},
		{"signature algorithm OID as imprint algorithm", tstSpec{genTime: gt, imprint: algID(t, oidSHA256RS, true)}, "unknown messageImprint", time.Time{}},
		{"imprint algorithm parameters not NULL", tstSpec{genTime: gt, imprint: testpki.TLV(0x30, mustDER(t, oidSHA256), mustDER(t, 1))}, "parameters", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.stamped = stamped
			tok := tokenOver(tc.spec.der(t), p.tsa, nil, p.root)
			ts := cms.VerifyTimestampToken(tok, stamped, cms.TimestampOptions{Trust: p.trust})
			if tc.want == "" {
				if !ts.Verified || !ts.Time.Equal(tc.at) {
					t.Fatalf("verified=%v time %v detail %q, want %v", ts.Verified, ts.Time, ts.Detail, tc.at)
				}
				return
			}
			if ts.Verified || !strings.Contains(ts.Detail, tc.want) {
				t.Fatalf("verified=%v detail %q, want failure mentioning %q", ts.Verified, ts.Detail, tc.want)
			}
		})
	}
	info, err := cms.ParseTSTInfo(tstSpec{genTime: gt, stamped: stamped, tail: bytes.Join([][]byte{accuracy, {0x01, 0x01, 0xff}, mustDER(t, big.NewInt(99)), tsaName}, nil)}.der(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.Accuracy != time.Second+500*time.Millisecond+7*time.Microsecond || !info.Ordering || info.Nonce.Int64() != 99 || len(info.RawTSA) == 0 {
		t.Errorf("optional fields: %+v", info)
	}
}

func TestTSACertificateRules(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("signature value")
	at := testpki.Epoch.Add(time.Hour)
	ts := x509.ExtKeyUsageTimeStamping
	for _, tc := range []struct {
		name string
		spec testpki.Spec
		want string
	}{
		{"timeStamping only", testpki.Spec{EKU: []x509.ExtKeyUsage{ts}}, ""},
		{"anyExtendedKeyUsage is not timeStamping", testpki.Spec{EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}, "lacks the timeStamping"},
		{"timeStamping among others", testpki.Spec{EKU: []x509.ExtKeyUsage{ts, x509.ExtKeyUsageCodeSigning}}, "besides timeStamping"},
		{"a CA with timeStamping", testpki.Spec{CA: true, EKU: []x509.ExtKeyUsage{ts}}, "is a CA"},
		{"key usage without digitalSignature", testpki.Spec{EKU: []x509.ExtKeyUsage{ts}, KeyUsage: x509.KeyUsageKeyEncipherment}, "key usage"},
		{"nonRepudiation key usage", testpki.Spec{EKU: []x509.ExtKeyUsage{ts}, KeyUsage: x509.KeyUsageContentCommitment}, ""},
		{"not yet valid at genTime", testpki.Spec{EKU: []x509.ExtKeyUsage{ts}, NotBefore: at.Add(time.Minute)}, "not valid until"},
		{"expired at genTime", testpki.Spec{EKU: []x509.ExtKeyUsage{ts}, NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.Add(-time.Minute)}, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.CommonName, spec.KeyN = "TSA "+tc.name, 4
			tsa := p.root.Issue(spec)
			got := cms.VerifyTimestampToken(tsa.TimestampToken(crypto.SHA256, stamped, at, p.root), stamped, cms.TimestampOptions{Trust: p.trust})
			if tc.want == "" {
				if !got.Verified {
					t.Fatalf("not verified: %s", got.Detail)
				}
				return
			}
			if got.Verified || !strings.Contains(got.Detail, tc.want) {
				t.Fatalf("verified=%v detail %q, want failure mentioning %q", got.Verified, got.Detail, tc.want)
			}
		})
	}
}

// essCertV2 builds a SigningCertificateV2 value naming der (hash SHA-256 by
// default, or alg), with issuerSerial when given.
func essCertV2(t testing.TB, der []byte, alg []byte, h crypto.Hash, issuerSerial []byte) []byte {
	hh := h.New()
	hh.Write(der)
	id := append(append([]byte(nil), alg...), testpki.TLV(0x04, hh.Sum(nil))...)
	id = append(id, issuerSerial...)
	return testpki.TLV(0x30, testpki.TLV(0x30, testpki.TLV(0x30, id)))
}

func essCertV1(der []byte, issuerSerial []byte) []byte {
	d := sha1.Sum(der)
	return testpki.TLV(0x30, testpki.TLV(0x30, testpki.TLV(0x30, testpki.TLV(0x04, d[:]), issuerSerial)))
}

func issuerSerial(t testing.TB, c *x509.Certificate, serial *big.Int) []byte {
	return testpki.TLV(0x30, testpki.TLV(0x30, testpki.TLV(0xa4, c.RawIssuer)), mustDER(t, serial))
}

func TestESSSigningCertificate(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("signature value")
	tst := tstSpec{genTime: "20240601133000Z", stamped: stamped}.der(t)
	tsaDER := p.tsa.Cert.Raw
	v1 := func(val []byte) testpki.Attr {
		return testpki.Attr{Type: cms.OIDAttrSigningCertificate, Values: [][]byte{val}}
	}
	v2 := func(vals ...[]byte) testpki.Attr {
		return testpki.Attr{Type: cms.OIDAttrSigningCertificateV2, Values: vals}
	}
	// A second certificate for the TSA's key, as a renewal would make, but
	// without the timeStamping usage.
	twin := p.root.Issue(testpki.Spec{CommonName: "CMS TSA", KeyN: 2, Serial: big.NewInt(77)})
	for _, tc := range []struct {
		name  string
		attrs []testpki.Attr
		certs []*testpki.Cert
		want  string
	}{
		{"v2 default hash", []testpki.Attr{v2(essCertV2(t, tsaDER, nil, crypto.SHA256, nil))}, nil, ""},
		{"v2 sha384 with issuerSerial", []testpki.Attr{v2(essCertV2(t, tsaDER, algID(t, cms.OIDForHash(crypto.SHA384), false), crypto.SHA384, issuerSerial(t, p.tsa.Cert, p.tsa.Cert.SerialNumber)))}, nil, ""},
		{"v1 with issuerSerial", []testpki.Attr{v1(essCertV1(tsaDER, issuerSerial(t, p.tsa.Cert, p.tsa.Cert.SerialNumber)))}, nil, ""},
		{"v1 and v2 agree", []testpki.Attr{v1(essCertV1(tsaDER, nil)), v2(essCertV2(t, tsaDER, nil, crypto.SHA256, nil))}, nil, ""},
		{"v2 names another certificate of the token", []testpki.Attr{v2(essCertV2(t, p.root.Cert.Raw, nil, crypto.SHA256, nil))}, nil, "signer identifier does not"},
		{"v2 names a certificate not in the token", []testpki.Attr{v2(essCertV2(t, p.badTSA.Cert.Raw, nil, crypto.SHA256, nil))}, nil, "names no certificate"},
		{"v1 issuerSerial with another serial", []testpki.Attr{v1(essCertV1(tsaDER, issuerSerial(t, p.tsa.Cert, big.NewInt(5))))}, nil, "names no certificate"},
		{"v2 with two values", []testpki.Attr{v2(essCertV2(t, tsaDER, nil, crypto.SHA256, nil), essCertV2(t, tsaDER, nil, crypto.SHA256, nil))}, nil, "once"},
		{"v2 names the same-key twin", []testpki.Attr{v2(essCertV2(t, twin.Cert.Raw, nil, crypto.SHA256, nil))}, []*testpki.Cert{twin}, "signer identifier does not"},
		{"v2 garbage", []testpki.Attr{v2(testpki.TLV(0x30, testpki.TLV(0x02, []byte{1})))}, nil, "bad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := tokenOver(tst, p.tsa, tc.attrs, append([]*testpki.Cert{p.root}, tc.certs...)...)
			got := cms.VerifyTimestampToken(tok, stamped, cms.TimestampOptions{Trust: p.trust})
			if tc.want == "" {
				if !got.Verified {
					t.Fatalf("not verified: %s", got.Detail)
				}
				return
			}
			if got.Verified || !strings.Contains(got.Detail, tc.want) {
				t.Fatalf("verified=%v detail %q, want failure mentioning %q", got.Verified, got.Detail, tc.want)
			}
		})
	}
}

func TestCountersignatureDetails(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("outer encrypted digest")
	d := sha1.Sum(stamped)
	md := testpki.Attr{Type: oidMessageDigest, Values: [][]byte{testpki.TLV(0x04, d[:])}}
	ct := testpki.Attr{Type: oidContentType, Values: [][]byte{mustDER(t, oidData)}}
	st := func(v string, tag byte) testpki.Attr {
		return testpki.Attr{Type: oidSigningTime, Values: [][]byte{testpki.TLV(tag, []byte(v))}}
	}
	anyEKU := p.root.Issue(testpki.Spec{CommonName: "any-EKU countersigner", KeyN: 5, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	withCS := p.root.Issue(testpki.Spec{CommonName: "TSA that also signs code", KeyN: 6, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageCodeSigning}})
	for _, tc := range []struct {
		name   string
		signer *testpki.Cert
		attrs  []testpki.Attr
		want   string
		at     time.Time
	}{
		{"UTCTime", p.tsa, []testpki.Attr{ct, md, st("240601130000Z", 0x17)}, "", time.Date(2024, 6, 1, 13, 0, 0, 0, time.UTC)},
		{"GeneralizedTime with fraction", p.tsa, []testpki.Attr{ct, md, st("20240601130000.5Z", 0x18)}, "", time.Date(2024, 6, 1, 13, 0, 0, 5e8, time.UTC)},
		{"two signingTime attributes", p.tsa, []testpki.Attr{ct, md, st("240601130000Z", 0x17), st("250601130000Z", 0x17)}, "signingTime", time.Time{}},
		{"no signingTime", p.tsa, []testpki.Attr{ct, md}, "signingTime", time.Time{}},
		{"two messageDigest attributes", p.tsa, []testpki.Attr{ct, md, st("240601130000Z", 0x17), {Type: oidMessageDigest, Values: [][]byte{testpki.TLV(0x04, make([]byte, 20))}}}, "messageDigest", time.Time{}},
		{"authority with anyExtendedKeyUsage only", anyEKU, []testpki.Attr{ct, md, st("240601130000Z", 0x17)}, "lacks the timeStamping", time.Time{}},
		{"legacy authority with more usages", withCS, []testpki.Attr{ct, md, st("240601130000Z", 0x17)}, "", time.Date(2024, 6, 1, 13, 0, 0, 0, time.UTC)},
		{"signingTime outside the authority's validity", p.tsa, []testpki.Attr{ct, md, st("300601130000Z", 0x17)}, "expired", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := tc.signer.SignerInfo(crypto.SHA1, tc.attrs, nil)
			opts := cms.TimestampOptions{Trust: p.trust, Certificates: []*x509.Certificate{tc.signer.Cert, p.root.Cert}}
			got := cms.VerifyCountersignature(cs, stamped, opts)
			if got.Kind != signing.TimestampLegacy {
				t.Errorf("kind %q", got.Kind)
			}
			if tc.want == "" {
				if !got.Verified || !got.Time.Equal(tc.at) {
					t.Fatalf("verified=%v time %v detail %q", got.Verified, got.Time, got.Detail)
				}
				return
			}
			if got.Verified || !strings.Contains(got.Detail, tc.want) {
				t.Fatalf("verified=%v detail %q, want failure mentioning %q", got.Verified, got.Detail, tc.want)
			}
		})
	}
}
