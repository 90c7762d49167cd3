package cms_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

type pki struct {
	root, signer, tsa, badTSA *testpki.Cert
	trust                     *signing.TrustStore
}

func newPKI(t testing.TB) pki {
	root := testpki.NewRoot(testpki.Spec{CommonName: "CMS Root"})
	p := pki{
		root:   root,
		signer: root.Issue(testpki.Spec{CommonName: "CMS Signer", KeyN: 1}),
		tsa:    root.Issue(testpki.Spec{CommonName: "CMS TSA", KeyN: 2, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}),
		badTSA: root.Issue(testpki.Spec{CommonName: "CMS not a TSA", KeyN: 3}),
	}
	var err error
	p.trust, err = signing.NewTrustStore(signing.TrustStoreOptions{PEM: [][]byte{root.PEM()}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var content = testpki.TLV(0x30, testpki.TLV(0x04, []byte("indirect data")), testpki.TLV(0x02, []byte{7}))

func TestVerifySigner(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	ecSigner := p.root.Issue(testpki.Spec{CommonName: "EC Signer", KeyKind: testpki.ECDSA})
	ct := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 4}
	tests := []struct {
		name    string
		spec    testpki.CMSSpec
		tamper  func(sd *cms.SignedData) []byte // returns the content to verify
		wantErr error
		weak    crypto.Hash
	}{
		{name: "rsa sha256", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}}},
		{name: "ecdsa sha384", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: ecSigner, Certs: []*testpki.Cert{ecSigner}, Hash: crypto.SHA384}},
		{name: "sha1 is weak", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}, Hash: crypto.SHA1}, weak: crypto.SHA1},
		{name: "content changed", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}},
			tamper: func(sd *cms.SignedData) []byte { return append([]byte{1}, sd.Content...) }, wantErr: cms.ErrDigestMismatch},
		{name: "signer certificate missing", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.root}}, wantErr: cms.ErrNoSignerCert},
		{name: "signature flipped", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}},
			tamper: func(sd *cms.SignedData) []byte { sd.Signers[0].Signature[5] ^= 1; return sd.Content }, wantErr: cms.ErrSignature},
		{name: "signed attribute changed", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}, SigningTime: testpki.Epoch},
			tamper: func(sd *cms.SignedData) []byte {
				a := sd.Signers[0].RawSignedAttrs
				a[len(a)-1] ^= 1
				return sd.Content
			}, wantErr: cms.ErrSignature},
		{name: "content type attribute wrong", spec: testpki.CMSSpec{ContentType: ct, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}, OmitContentType: true}, wantErr: cms.ErrContentType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			der := testpki.SignCMS(tc.spec)
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if sd.Len != len(der) || !sd.ContentType.Equal(ct) || len(sd.Signers) != 1 {
				t.Fatalf("Len %d of %d, type %v, %d signers", sd.Len, len(der), sd.ContentType, len(sd.Signers))
			}
			c := sd.Content
			if tc.tamper != nil {
				c = tc.tamper(sd)
			}
			r := cms.VerifySigner(sd.Signers[0], sd.Certificates, ct, c)
			if !errors.Is(r.Err, tc.wantErr) || (tc.wantErr == nil && r.Err != nil) {
				t.Fatalf("err = %v, want %v", r.Err, tc.wantErr)
			}
			if r.WeakHash != tc.weak {
				t.Errorf("weak = %v, want %v", r.WeakHash, tc.weak)
			}
			if tc.wantErr == nil && (!r.DigestOK || !r.SignatureOK || r.Cert == nil) {
				t.Errorf("check %+v", r)
			}
		})
	}
}

func TestContentIsInnerBytes(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}})
	sd, err := cms.Parse(append(der, 0, 0, 0, 0, 'x'))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.RawContent, content) || !bytes.Equal(sd.Content, content[2:]) {
		t.Errorf("content %x raw %x", sd.Content, sd.RawContent)
	}
	if sd.Len != len(der) {
		t.Errorf("Len = %d, want %d (trailing bytes are not part of it)", sd.Len, len(der))
	}
}

// toBER rewrites every constructed element of a DER encoding with an
// indefinite length, as Apple's signer does.
func toBER(t *testing.T, der []byte) []byte {
	t.Helper()
	var out []byte
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			t.Fatal(err)
		}
		hdr := len(rv.FullBytes) - len(rv.Bytes)
		if rv.IsCompound {
			out = append(out, rv.FullBytes[0], 0x80)
			out = append(out, toBER(t, rv.Bytes)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, rv.FullBytes[:hdr]...)
			out = append(out, rv.Bytes...)
		}
		der = rest
	}
	return out
}

func TestBER(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}, Detached: true})
	ber := toBER(t, der)
	if bytes.Equal(ber, der) {
		t.Fatal("conversion made no change")
	}
	sd, err := cms.Parse(append(ber, 1, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.DER, der) || sd.Len != len(ber) {
		t.Fatalf("BER did not normalise to the DER (Len %d of %d)", sd.Len, len(ber))
	}
	if sd.Content != nil {
		t.Error("detached signature has content")
	}
	if r := cms.VerifySigner(sd.Signers[0], sd.Certificates, nil, content[2:]); r.Err != nil {
		t.Fatal(r.Err)
	}
	// Constructed OCTET STRING chunks are joined.
	chunked := []byte{0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00}
	wrapped := append([]byte{0x30, 0x80}, append(chunked, 0, 0)...)
	if _, err := cms.Parse(wrapped); err == nil || !strings.Contains(err.Error(), "ContentInfo") {
		t.Errorf("want a ContentInfo error after normalising, got %v", err)
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}})
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated", der[:len(der)/2]},
		{"length too long", []byte{0x30, 0x85, 1, 1, 1, 1, 1}},
		{"length past end", []byte{0x30, 0x82, 0xff, 0xff, 0}},
		{"primitive indefinite", []byte{0x04, 0x80, 0, 0}},
		{"missing end of contents", []byte{0x30, 0x80, 0x04, 0x00}},
		{"deep nesting", bytes.Repeat([]byte{0x30, 0x80}, 100)},
		{"not signed data", testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2a, 0x03}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cms.Parse(tc.in)
			var fe *cms.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *cms.FormatError", err)
			}
		})
	}
}

func TestTimestampToken(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("the signature value")
	at := testpki.Epoch.Add(90 * time.Minute)
	good := p.tsa.TimestampToken(crypto.SHA256, stamped, at, p.root)
	ts := cms.VerifyTimestampToken(good, stamped, cms.TimestampOptions{Trust: p.trust})
	if !ts.Verified || !ts.Time.Equal(at) || ts.Kind != signing.TimestampRFC3161 || ts.Authority == nil {
		t.Fatalf("good token: %+v", ts)
	}
	// A token that verifies but whose authority's chain is not trusted is
	// intact: its detail says so instead of calling the token invalid.
	for _, tc := range []struct {
		name, want string
		token      []byte
		stamped    []byte
		trust      *signing.TrustStore
		intact     bool
	}{
		{"imprint over other bytes", "messageImprint", good, []byte("another signature"), p.trust, false},
		{"untrusted authority", `timestamp intact but its authority's chain does not reach a trusted root (no issuer found for "CN=CMS Root"`, good, stamped, nil, true},
		{"authority without timeStamping", "timeStamping", p.badTSA.TimestampToken(crypto.SHA256, stamped, at), stamped, p.trust, false},
		{"authority expired at genTime", "timestamp intact but its authority's chain is not trusted (certificate \"CN=CMS TSA\" expired", p.tsa.TimestampToken(crypto.SHA256, stamped, testpki.Epoch.AddDate(6, 0, 0)), stamped, p.trust, true},
		{"garbage", "does not parse", []byte{1, 2, 3}, stamped, p.trust, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := cms.VerifyTimestampToken(tc.token, tc.stamped, cms.TimestampOptions{Trust: tc.trust})
			if ts.Verified || !strings.Contains(ts.Detail, tc.want) || ts.Intact != tc.intact {
				t.Fatalf("verified=%v intact=%v detail %q, want failure mentioning %q, intact=%v", ts.Verified, ts.Intact, ts.Detail, tc.want, tc.intact)
			}
		})
	}
}

func TestCountersignature(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("outer encrypted digest")
	at := testpki.Epoch.Add(time.Hour)
	cs := p.tsa.Countersign(crypto.SHA1, stamped, at)
	opts := cms.TimestampOptions{Trust: p.trust, Certificates: []*x509.Certificate{p.tsa.Cert, p.root.Cert}}
	ts := cms.VerifyCountersignature(cs, stamped, opts)
	if !ts.Verified || !ts.Time.Equal(at) || ts.Kind != signing.TimestampLegacy {
		t.Fatalf("good countersignature: %+v", ts)
	}
	if ts := cms.VerifyCountersignature(cs, []byte("other"), opts); ts.Verified || !strings.Contains(ts.Detail, "messageDigest") {
		t.Errorf("wrong stamped bytes: %+v", ts)
	}
	opts.Certificates = []*x509.Certificate{p.root.Cert}
	if ts := cms.VerifyCountersignature(cs, stamped, opts); ts.Verified || !strings.Contains(ts.Detail, "not found") {
		t.Errorf("authority certificate missing: %+v", ts)
	}
}

func FuzzParse(f *testing.F) {
	p := newPKI(f)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, SigningTime: testpki.Epoch})
	f.Add(der)
	f.Add(p.tsa.TimestampToken(crypto.SHA256, []byte("x"), testpki.Epoch, p.root))
	f.Add([]byte{0x30, 0x80, 0x06, 0x01, 0x2a, 0x00, 0x00})
	tst := tstSpec{genTime: "20240601133000.5Z", stamped: []byte("x"), tail: []byte{0x30, 0x03, 0x02, 0x01, 0x01}}.der(f)
	f.Add(tokenOver(tst, p.tsa, []testpki.Attr{{Type: cms.OIDAttrSigningCertificateV2, Values: [][]byte{essCertV2(f, p.tsa.Cert.Raw, nil, crypto.SHA256, nil)}}}, p.root))
	// Seeds for the ownership paths: crls, non-certificate entries, odd
	// algorithm parameters, a root beside the chain.
	f.Add(testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root},
		CRLs: testpki.TLV(0x04, []byte("crl")), RawCertificates: [][]byte{testpki.TLV(0xa1, []byte{1, 2}), testpki.TLV(0x30, nil)},
		DigestAlgorithmsParams: []byte{5, 0, 5, 0}, SignerDigestParams: []byte{4, 1, 'x'}, SignatureParams: []byte{}}))
	f.Add(p.signer.Countersign(crypto.SHA1, []byte("x"), testpki.Epoch))
	f.Add(toBER(&testing.T{}, testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.tsa},
		Detached: true, CRLs: testpki.TLV(0x04, []byte("crl")), SignerDigestParams: []byte{4, 1, 'x'}})))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, r := range cms.CountersignatureRegions(b) {
			if r.Offset < 0 || r.Offset+r.Len > len(b) {
				t.Fatalf("countersignature region %+v outside %d bytes", r, len(b))
			}
		}
		sd, err := cms.Parse(b)
		if err != nil {
			return
		}
		if sd.Len > len(b) {
			t.Fatalf("Len %d beyond input %d", sd.Len, len(b))
		}
		regions := append(append([]cms.Region(nil), sd.Unowned...), sd.UnusedCertificates(sd.Certificates)...)
		regions = append(regions, cms.TimestampTokenRegions(b, nil)...)
		for i := 1; i < len(sd.Unowned); i++ {
			if a, b := sd.Unowned[i-1], sd.Unowned[i]; a.Offset+a.Len > b.Offset {
				t.Fatalf("unowned regions overlap or are out of order: %+v, %+v", a, b)
			}
		}
		for _, r := range regions {
			if r.Offset < 0 || r.Len <= 0 || r.Offset+r.Len > len(sd.DER) {
				t.Fatalf("region %+v outside the %d-byte DER", r, len(sd.DER))
			}
			if off, n := sd.InputSpan(r.Offset, r.Len); off < 0 || n <= 0 || off+n > sd.Len {
				t.Fatalf("region %+v maps to [%d, +%d), outside the %d input bytes", r, off, n, sd.Len)
			}
		}
		for _, si := range sd.Signers {
			cms.VerifySigner(si, sd.Certificates, sd.ContentType, sd.Content)
			for _, a := range si.UnsignedAttrs {
				for _, v := range a.Values {
					cms.VerifyTimestampToken(v, si.Signature, cms.TimestampOptions{Trust: p.trust})
					cms.VerifyCountersignature(v, si.Signature, cms.TimestampOptions{Trust: p.trust, Certificates: sd.Certificates})
				}
			}
		}
		if sd.ContentType.Equal(cms.OIDTSTInfo) {
			cms.ParseTSTInfo(sd.Content)
		}
	})
}
