package cms_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/testpki"
)

// smallAlgEntries returns n distinct unused digestAlgorithms entries of
// exactly cms.MaxToleratedRegion bytes, each an OID whose arcs carry 11
// bytes of data.
func smallAlgEntries(n int) [][]byte {
	var out [][]byte
	for i := range n {
		arcs := append([]byte{0x2a}, bytes.Repeat([]byte{byte(0x20 + i%0x5f)}, 10)...)
		out = append(out, testpki.TLV(0x30, testpki.TLV(0x06, append(arcs, byte(i%0x7f)))))
	}
	return out
}

// TestJudgeSmallUnownedRegionsAddUp: unowned regions each small enough to
// be an oddity are a payload when together they hold more than
// cms.MaxToleratedTotal bytes; one or two stay warnings.
func TestJudgeSmallUnownedRegionsAddUp(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	for _, tc := range []struct {
		entries int
		payload bool
	}{{1, false}, {4, false}, {5, true}, {200, true}} {
		der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, ExtraDigestAlgorithms: smallAlgEntries(tc.entries)})
		sd, err := cms.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.Unowned) != tc.entries {
			t.Fatalf("%d entries: %d regions", tc.entries, len(sd.Unowned))
		}
		for _, r := range sd.Unowned {
			if r.Len != cms.MaxToleratedRegion || r.Payload {
				t.Fatalf("entry region %+v: want %d bytes, no payload alone", r, cms.MaxToleratedRegion)
			}
		}
		unowned, _ := cms.Judge(sd.Unowned, nil)
		for _, r := range unowned {
			if r.Payload != tc.payload {
				t.Errorf("%d entries of %d bytes: region %+v, want payload %v", tc.entries, cms.MaxToleratedRegion, r, tc.payload)
			}
		}
		if sd.Unowned[0].Payload {
			t.Error("Judge modified its input")
		}
	}
}

// TestJudgeUnusedCertificatesAddUp: unused certificates each under the
// size that makes one a payload are a payload when together they hold more
// than cms.MaxUnusedCertificateBytes.
func TestJudgeUnusedCertificatesAddUp(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	chain := []*x509.Certificate{p.signer.Cert, p.root.Cert}
	var carriers []*testpki.Cert
	for i := range 6 {
		var ext []pkix.Extension
		for k := range 3 {
			ext = append(ext, pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 20, k}, Value: testpki.TLV(0x04, bytes.Repeat([]byte{byte('a' + i)}, 1000))})
		}
		carriers = append(carriers, p.root.Issue(testpki.Spec{CommonName: "Carrier", KeyN: 10 + i, ExtraExtensions: ext}))
	}
	for _, tc := range []struct {
		n       int
		payload bool
	}{{1, false}, {4, false}, {6, true}} {
		der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: append([]*testpki.Cert{p.signer, p.root}, carriers[:tc.n]...)})
		sd, err := cms.Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		unused := sd.UnusedCertificates(chain)
		if len(unused) != tc.n {
			t.Fatalf("%d carriers: %d unused", tc.n, len(unused))
		}
		for _, r := range unused {
			if r.Payload || r.Len > cms.LargeCertificate {
				t.Fatalf("carrier %+v is a payload alone; the test needs one under the limits", r)
			}
		}
		_, judged := cms.Judge(nil, unused)
		for _, r := range judged {
			if r.Payload != tc.payload {
				t.Errorf("%d unused certificates: region %+v, want payload %v", tc.n, r, tc.payload)
			}
		}
	}
}

// TestAttributeCertificateToleratedOncePerSignedData: an unverifiable
// attribute certificate naming a chain certificate as issuer is tolerated
// once in a time-stamp token (a time-stamping service's), as a note, since
// no signature covers it; further ones are reported as payloads, or a
// thousand 1 KiB entries would hold a megabyte.
func TestAttributeCertificateToleratedOncePerSignedData(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	rootName := p.root.Cert.RawSubject
	chain := []*x509.Certificate{p.signer.Cert, p.root.Cert}
	attrs := func(b byte) []byte {
		return testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x2b, 6, 1, 4, 1, 0x84, 0x59, 10, 4, 1}), testpki.TLV(0x31, testpki.TLV(0x04, bytes.Repeat([]byte{b}, 500))))
	}
	first := attributeCertificate(t, rootName, attrs('A'), nil)
	second := attributeCertificate(t, rootName, attrs('B'), nil)
	if len(second) > cms.MaxToleratedAttrCert {
		t.Fatalf("test attribute certificate is %d bytes, want one tolerated alone", len(second))
	}
	der := testpki.SignCMS(testpki.CMSSpec{ContentType: cms.OIDTSTInfo, Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}, RawCertificates: [][]byte{first, second}})
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	got := sd.UnusedCertificates(chain)
	if len(got) != 2 || !got[0].Note || got[0].Payload || got[1].Note {
		t.Fatalf("regions %+v, want the first as a note and the second", got)
	}
	checkRegion(t, der, got[1:], second, "attribute certificate", true)
	checkRegion(t, der, got[:1], first, "time-stamp authority", false)
}

// TestSignerIdentifierIssuerPaddingNamesNothing: a signer identifier whose
// issuer name equals the certificate's as RFC 5280 compares names, but is
// padded with characters that fold away (controls, zero-width spaces,
// runs of spaces), would carry kilobytes in an unsigned field every check
// reads as owned; more than cms.MaxToleratedRegion bytes beyond the
// certificate's own issuer it names no certificate, and the signature does
// not verify. A few bytes of difference (another string type, case, a
// doubled space) still name it.
func TestSignerIdentifierIssuerPaddingNamesNothing(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	cn := p.signer.Cert.Issuer.CommonName
	name := func(v []byte) []byte {
		return testpki.TLV(0x30, testpki.TLV(0x31, testpki.TLV(0x30, testpki.TLV(0x06, []byte{0x55, 4, 3}), testpki.TLV(0x0c, v))))
	}
	padded := []byte(cn[:2])
	for i := range 600 {
		padded = append(padded, byte(0x0e+i%0x11)) // C0 controls other than spaces: mapped to nothing
	}
	padded = append(padded, cn[2:]...)
	for _, tc := range []struct {
		name   string
		issuer []byte
		want   bool
	}{
		{"certificate's bytes", p.signer.Cert.RawIssuer, true},
		{"UTF8String, other case, doubled space", name([]byte(strings.ToUpper(cn[:1]) + strings.ReplaceAll(cn[1:], " ", "  "))), true},
		{"padded with controls", name(padded), false},
		{"padded with zero-width spaces", name([]byte(cn[:1] + strings.Repeat("\u200b", 300) + cn[1:])), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			si := &cms.SignerInfo{Serial: p.signer.Cert.SerialNumber, IssuerRaw: tc.issuer}
			if got := cms.FindCertificate(si, []*x509.Certificate{p.root.Cert, p.signer.Cert}) == p.signer.Cert; got != tc.want {
				t.Errorf("identifier of %d bytes names the signer: %t, want %t", len(tc.issuer), got, tc.want)
			}
		})
	}
}

// berWith re-encodes der as Apple's signer does (indefinite lengths), with
// two freedoms BER has and DER drops: every OCTET STRING of at least 64
// bytes written as constructed fragments with empties empty fragments
// among them, and every definite length written in longForm bytes.
func berWith(t *testing.T, der []byte, empties, longForm int) []byte {
	t.Helper()
	length := func(n int) []byte {
		if longForm == 0 {
			return testpki.TLV(0x04, make([]byte, n))[1 : len(testpki.TLV(0x04, make([]byte, n)))-n]
		}
		b := []byte{0x80 | byte(longForm)}
		for i := longForm - 1; i >= 0; i-- {
			b = append(b, byte(n>>(8*i)))
		}
		return b
	}
	var out []byte
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			t.Fatal(err)
		}
		tag := rv.FullBytes[0]
		switch {
		case rv.IsCompound:
			out = append(append(append(out, tag, 0x80), berWith(t, rv.Bytes, empties, longForm)...), 0, 0)
		case tag == 0x04 && len(rv.Bytes) >= 64:
			out = append(out, 0x24, 0x80)
			half := len(rv.Bytes) / 2
			out = append(append(append(out, 0x04), length(half)...), rv.Bytes[:half]...)
			for range empties {
				out = append(out, 0x04, 0x00)
			}
			out = append(append(append(out, 0x04), length(len(rv.Bytes)-half)...), rv.Bytes[half:]...)
			out = append(out, 0, 0)
		default:
			out = append(append(append(out, tag), length(len(rv.Bytes))...), rv.Bytes...)
		}
		der = rest
	}
	return out
}

// TestBERSlackRefused: a BER signature whose encoding choices, dropped by
// its DER form, could carry data (empty OCTET STRING fragments, length
// octets beyond the minimal form) is refused beyond cms.MaxToleratedRegion
// bytes of them; Apple's BER (indefinite lengths, fragments) parses, and
// its signature verifies.
func TestBERSlackRefused(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	der := testpki.SignCMS(testpki.CMSSpec{Content: content, Signer: p.signer, Certs: []*testpki.Cert{p.signer, p.root}})
	for _, tc := range []struct {
		name             string
		empties, longLen int
		ok               bool
	}{
		{"indefinite lengths, split OCTET STRINGs", 0, 0, true},
		{"a few empty fragments", 4, 0, true},
		{"many empty fragments", 200, 0, false},
		{"four-byte lengths everywhere", 0, 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ber := berWith(t, der, tc.empties, tc.longLen)
			sd, err := cms.Parse(ber)
			if (err == nil) != tc.ok {
				t.Fatalf("Parse of %d BER bytes (DER %d): %v, want ok %v", len(ber), len(der), err, tc.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "DER form drops") {
					t.Errorf("error %v does not say why", err)
				}
				return
			}
			if r := cms.VerifySigner(sd.Signers[0], sd.Certificates, nil, content[2:]); r.Err != nil {
				t.Errorf("signature does not verify: %v", r.Err)
			}
		})
	}
}
