package cms_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// checkRegion asserts that regions holds exactly one region, that it covers
// want inside enc, and that its payload flag is payload.
func checkRegion(t *testing.T, enc []byte, regions []cms.Region, want []byte, reason string, payload bool) {
	t.Helper()
	if len(regions) != 1 {
		t.Fatalf("regions %+v, want one", regions)
	}
	r := regions[0]
	if r.Offset < 0 || r.Offset+r.Len > len(enc) || !bytes.Equal(enc[r.Offset:r.Offset+r.Len], want) {
		t.Fatalf("region %+v does not cover %x", r, want)
	}
	if !strings.Contains(r.Reason, reason) || r.Payload != payload {
		t.Fatalf("region %+v, want reason with %q and payload %v", r, reason, payload)
	}
}

// TestCMSUnownedRegions: every part of a SignedData that no verified field
// owns is listed with its exact bytes.
func TestCMSUnownedRegions(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	base := testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}}
	with := func(f func(*testpki.CMSSpec)) testpki.CMSSpec { s := base; f(&s); return s }
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("P"), 40))
	attrCert := testpki.TLV(0xa1, bytes.Repeat([]byte{1}, 30)) // attribute certificate choice [1]
	brokenCert := testpki.TLV(0x30, testpki.TLV(0x02, []byte{1}))
	sha1Alg := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 0x0e, 0x03, 0x02, 0x1a}), []byte{5, 0})
	sha1WithParams := testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 0x0e, 0x03, 0x02, 0x1a}), payload)
	longOID := testpki.TLV(0x30, testpki.TLV(0x06, append([]byte{0x2a}, bytes.Repeat([]byte{0x50}, 40)...)))
	for _, tc := range []struct {
		name    string
		spec    testpki.CMSSpec
		want    []byte // the unowned bytes; nil for none
		reason  string
		payload bool
	}{
		{name: "clean", spec: base},
		{name: "empty crls field", spec: with(func(s *testpki.CMSSpec) { s.CRLs = []byte{} }), want: []byte{0xa1, 0x00}, reason: "crls"},
		{name: "crls field with data", spec: with(func(s *testpki.CMSSpec) { s.CRLs = payload }), want: testpki.TLV(0xa1, payload), reason: "crls", payload: true},
		{name: "attribute certificate", spec: with(func(s *testpki.CMSSpec) { s.RawCertificates = [][]byte{attrCert} }), want: attrCert, reason: "not an X.509 certificate", payload: true},
		{name: "certificate that does not parse", spec: with(func(s *testpki.CMSSpec) { s.RawCertificates = [][]byte{brokenCert} }), want: brokenCert, reason: "does not parse"},
		{name: "digestAlgorithms parameters", spec: with(func(s *testpki.CMSSpec) { s.DigestAlgorithmsParams = payload }), want: payload, reason: "digestAlgorithms", payload: true},
		{name: "digestAlgorithms NULL twice", spec: with(func(s *testpki.CMSSpec) { s.DigestAlgorithmsParams = []byte{5, 0, 5, 0} }), want: []byte{5, 0, 5, 0}, reason: "digestAlgorithms"},
		{name: "digestAlgorithms absent parameters", spec: with(func(s *testpki.CMSSpec) { s.DigestAlgorithmsParams = []byte{} })},
		{name: "digestAlgorithms entry no signer uses", spec: with(func(s *testpki.CMSSpec) { s.ExtraDigestAlgorithms = [][]byte{sha1Alg} }), want: sha1Alg, reason: "no signer uses"},
		{name: "unused digestAlgorithms entry with parameters", spec: with(func(s *testpki.CMSSpec) { s.ExtraDigestAlgorithms = [][]byte{sha1WithParams} }), want: sha1WithParams, reason: "no signer uses", payload: true},
		{name: "digestAlgorithms entry with a long OID", spec: with(func(s *testpki.CMSSpec) { s.ExtraDigestAlgorithms = [][]byte{longOID} }), want: longOID, reason: "no signer uses", payload: true},
		{name: "signer digestAlgorithm parameters", spec: with(func(s *testpki.CMSSpec) { s.SignerDigestParams = payload }), want: payload, reason: "SignerInfo digestAlgorithm", payload: true},
		{name: "signatureAlgorithm parameters", spec: with(func(s *testpki.CMSSpec) { s.SignatureParams = payload }), want: payload, reason: "signatureAlgorithm", payload: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := testpki.SignCMS(tc.spec)
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if len(sd.Unowned) != 0 {
					t.Fatalf("unowned %+v, want none", sd.Unowned)
				}
				return
			}
			checkRegion(t, der, sd.Unowned, tc.want, tc.reason, tc.payload)
			// The signature still verifies: none of these bytes is signed.
			if r := cms.VerifySigner(sd.Signers[0], sd.Certificates, nil, content[2:]); r.Err != nil {
				t.Errorf("signature broken by the change: %v", r.Err)
			}
		})
	}
}

// TestCMSSignerInfoRegionsRelative: a SignerInfo parsed alone reports its
// regions relative to its own encoding.
func TestCMSSignerInfoRegionsRelative(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer}, SignerDigestParams: []byte{5, 0, 5, 0}})
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	si := sd.Signers[0]
	alone, err := cms.ParseSignerInfo(append([]byte(nil), si.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	checkRegion(t, si.Raw, alone.Unowned, []byte{5, 0, 5, 0}, "digestAlgorithm", false)
	if off, ok := sd.OffsetOf(si.Raw); !ok || sd.Unowned[0].Offset != off+alone.Unowned[0].Offset {
		t.Errorf("SignedData region %+v, SignerInfo at %d region %+v", sd.Unowned[0], off, alone.Unowned[0])
	}
}

// TestCMSUnusedCertificates: certificates on no verified chain are
// reported; large ones, or ones with a large extension, as payloads.
func TestCMSUnusedCertificates(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	inter := p.root.Issue(testpki.Spec{CommonName: "CMS Intermediate", CA: true, KeyN: 4})
	leaf := inter.Issue(testpki.Spec{CommonName: "CMS Leaf", KeyN: 5})
	stranger := testpki.NewRoot(testpki.Spec{CommonName: "Stranger", KeyN: 6})
	bigExt := p.root.Issue(testpki.Spec{CommonName: "Carrier", KeyN: 7,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: testpki.TLV(0x04, bytes.Repeat([]byte("x"), 1500))}}})
	otherRoot := testpki.NewRoot(testpki.Spec{CommonName: "CMS Root", KeyKind: testpki.ECDSA}) // same name, other key
	chain := []*x509.Certificate{leaf.Cert, inter.Cert}
	// A copy of the intermediate with its signature broken, as any change
	// to its contents (an added payload) would leave it.
	forged := append([]byte(nil), inter.Cert.Raw...)
	forged[len(forged)-1] ^= 1
	for _, tc := range []struct {
		name    string
		certs   []*testpki.Cert
		raw     [][]byte
		chain   []*x509.Certificate
		unused  []string // subjects, in order
		payload []bool
	}{
		{name: "chain only", certs: []*testpki.Cert{leaf, inter}, chain: chain},
		{name: "root completing the chain", certs: []*testpki.Cert{leaf, inter, p.root}, chain: chain},
		{name: "root on the chain", certs: []*testpki.Cert{leaf, inter, p.root}, chain: append(chain, p.root.Cert)},
		{name: "look-alike root", certs: []*testpki.Cert{leaf, inter, otherRoot}, chain: chain, unused: []string{"CMS Root"}, payload: []bool{false}},
		{name: "stranger", certs: []*testpki.Cert{leaf, stranger, inter}, chain: chain, unused: []string{"Stranger"}, payload: []bool{false}},
		{name: "large extension", certs: []*testpki.Cert{leaf, inter, bigExt}, chain: chain, unused: []string{"Carrier"}, payload: []bool{true}},
		{name: "copy of a used certificate", certs: []*testpki.Cert{leaf, inter, inter}, chain: chain},
		{name: "copies of an unused certificate", certs: []*testpki.Cert{leaf, inter, stranger, bigExt, bigExt}, chain: chain, unused: []string{"Stranger", "Carrier", "Carrier"}, payload: []bool{false, true, true}},
		{name: "chain cut at the leaf", certs: []*testpki.Cert{leaf, inter, p.root}, chain: chain[:1]},
		{name: "forged intermediate copy", certs: []*testpki.Cert{leaf, inter}, raw: [][]byte{forged}, chain: append(chain, p.root.Cert), unused: []string{"CMS Intermediate"}, payload: []bool{false}},
		{name: "no chain", certs: []*testpki.Cert{leaf, inter}, unused: []string{"CMS Leaf", "CMS Intermediate"}, payload: []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: leaf, Certs: tc.certs, RawCertificates: tc.raw})
			sd, err := cms.Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			got := sd.UnusedCertificates(tc.chain)
			if len(got) != len(tc.unused) {
				t.Fatalf("unused %+v, want %v", got, tc.unused)
			}
			for i, r := range got {
				if !strings.Contains(r.Reason, tc.unused[i]) || r.Payload != tc.payload[i] {
					t.Errorf("region %d %+v, want %q payload %v", i, r, tc.unused[i], tc.payload[i])
				}
				if c, err := x509.ParseCertificate(der[r.Offset : r.Offset+r.Len]); err != nil || !strings.Contains(c.Subject.CommonName, tc.unused[i]) {
					t.Errorf("region %d does not hold the certificate: %v", i, err)
				}
			}
		})
	}
}

// TestCMSTimestampTokenRegions: the token's own SignedData follows the same
// rules: unused certificates, unowned fields and unsigned attributes of its
// signer are reported, offsets counted from the token.
func TestCMSTimestampTokenRegions(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	stamped := []byte("the signature value")
	at := testpki.Epoch.Add(time.Hour)
	good := p.tsa.TimestampToken(crypto.SHA256, stamped, at, p.root)
	ts := cms.VerifyTimestampToken(good, stamped, cms.TimestampOptions{Trust: p.trust})
	if !ts.Verified {
		t.Fatal(ts.Detail)
	}
	if r := cms.TimestampTokenRegions(good, ts); len(r) != 0 {
		t.Fatalf("clean token: %+v", r)
	}
	tst, err := cms.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	stuffed := testpki.SignCMS(testpki.CMSSpec{ContentType: cms.OIDTSTInfo, Content: tst.Content, ContentIsOctetString: true,
		Signer: p.tsa, Certs: []*testpki.Cert{p.tsa, p.root, p.badTSA}, CRLs: []byte{},
		Unsigned: []testpki.Attr{{Type: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2}, Values: [][]byte{testpki.TLV(0x04, bytes.Repeat([]byte("u"), 64))}}}})
	ts = cms.VerifyTimestampToken(stuffed, stamped, cms.TimestampOptions{Trust: p.trust})
	if !ts.Verified {
		t.Fatal(ts.Detail)
	}
	got := cms.TimestampTokenRegions(stuffed, ts)
	var reasons []string
	for _, r := range got {
		reasons = append(reasons, r.Reason)
		if r.Offset+r.Len > len(stuffed) {
			t.Errorf("region %+v beyond the token", r)
		}
	}
	joined := strings.Join(reasons, "; ")
	for _, want := range []string{"CMS not a TSA", "crls", "unsigned attributes"} {
		if !strings.Contains(joined, want) {
			t.Errorf("regions %q lack %q", joined, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d regions, want 3: %+v", len(got), got)
	}
}

// TestCMSCountersignatureRegions: a legacy countersignature's own
// parameters and unsigned attributes are reported.
func TestCMSCountersignatureRegions(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	cs := p.tsa.Countersign(crypto.SHA256, []byte("sig"), testpki.Epoch)
	if r := cms.CountersignatureRegions(cs); len(r) != 0 {
		t.Fatalf("clean countersignature: %+v", r)
	}
	si, err := cms.ParseSignerInfo(cs)
	if err != nil {
		t.Fatal(err)
	}
	extra := testpki.TLV(0x31, testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2a, 0x03}), testpki.TLV(0x31, testpki.TLV(0x04, []byte("nested")))))
	extra[0] = 0xa1
	stuffed := testpki.TLV(0x30, append(append([]byte(nil), si.Raw[2:]...), extra...))
	if si.Raw[1] >= 0x80 {
		// Long-form length: strip the header by parsing.
		var rv asn1.RawValue
		asn1.Unmarshal(si.Raw, &rv)
		stuffed = testpki.TLV(0x30, append(append([]byte(nil), rv.Bytes...), extra...))
	}
	checkRegion(t, stuffed, cms.CountersignatureRegions(stuffed), extra, "unsigned attributes of a countersignature", true)
}

// TestBERLengthBounded: a long-form length is bounded before it becomes an
// int, so four 0xff bytes cannot wrap to "indefinite".
func TestBERLengthBounded(t *testing.T) {
	t.Parallel()
	for _, in := range [][]byte{
		{0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00},
		{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00},
		{0x30, 0x84, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00},
	} {
		if _, err := cms.Parse(in); err == nil || !strings.Contains(err.Error(), "length") {
			t.Errorf("%x: err = %v, want a length error", in, err)
		}
	}
}

// TestCMSRegionsOfBERInput: for BER input (Apple's indefinite lengths) the
// regions are found in the DER re-encoding, and InputSpan maps them back to
// the input bytes that encode the same elements.
func TestCMSRegionsOfBERInput(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	payload := testpki.TLV(0x04, bytes.Repeat([]byte("P"), 40))
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.badTSA},
		Detached: true, CRLs: payload, SignerDigestParams: payload})
	ber := toBER(t, der)
	sd, err := cms.Parse(ber)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{
		append(append([]byte{0xa1, 0x80}, payload...), 0, 0), // crls, indefinite
		payload, // the digestAlgorithm parameters, primitive
	}
	if len(sd.Unowned) != len(want) {
		t.Fatalf("unowned %+v", sd.Unowned)
	}
	for i, r := range sd.Unowned {
		off, n := sd.InputSpan(r.Offset, r.Len)
		if off < 0 || off+n > len(ber) || !bytes.Equal(ber[off:off+n], want[i]) {
			t.Errorf("region %d %+v maps to [%d, +%d), not to its BER encoding", i, r, off, n)
		}
	}
	unused := sd.UnusedCertificates([]*x509.Certificate{p.signer.Cert})
	if len(unused) != 1 {
		t.Fatalf("unused %+v", unused)
	}
	off, n := sd.InputSpan(unused[0].Offset, unused[0].Len)
	if got := ber[off : off+n]; !bytes.Equal(got, toBER(t, p.badTSA.Cert.Raw)) {
		t.Errorf("unused certificate maps to %x", got[:min(len(got), 16)])
	}
	// DER input maps to itself.
	sdDER, _ := cms.Parse(der)
	if off, n := sdDER.InputSpan(sdDER.Unowned[0].Offset, 7); off != sdDER.Unowned[0].Offset || n != 7 {
		t.Errorf("DER input mapped to %d, %d", off, n)
	}
}
