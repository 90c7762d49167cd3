package authenticode

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/pefile"
	"github.com/shipgate/shipgate/internal/pefile/fixtures"
	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/signing"
)

// swapElement returns der with the DER element old (found by its whole
// encoding, at any depth of constructed elements) replaced by repl, the
// lengths of the elements around it rewritten. Tags must be one byte.
func swapElement(t *testing.T, der, old, repl []byte) []byte {
	t.Helper()
	if bytes.Equal(der, old) {
		return repl
	}
	var e asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &e); err != nil || len(rest) != 0 {
		t.Fatalf("swapElement: %v (%d bytes left)", err, len(rest))
	}
	if !e.IsCompound || !bytes.Contains(der, old) {
		return der
	}
	var kids [][]byte
	for rest := e.Bytes; len(rest) > 0; {
		var k asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &k); err != nil {
			t.Fatal(err)
		}
		kids = append(kids, swapElement(t, k.FullBytes, old, repl))
	}
	return testpki.TLV(der[0], kids...)
}

// padSignature returns the timestamp ts (a legacy countersignature
// SignerInfo, or an RFC 3161 token) with its signer's signature value
// replaced by size bytes of data.
func padSignature(t *testing.T, ts []byte, legacy bool, size int) []byte {
	t.Helper()
	var si *cms.SignerInfo
	if legacy {
		var err error
		if si, err = cms.ParseSignerInfo(ts); err != nil {
			t.Fatal(err)
		}
	} else {
		sd, err := cms.Parse(ts)
		if err != nil {
			t.Fatal(err)
		}
		si = sd.Signers[0]
	}
	return swapElement(t, ts, testpki.TLV(0x04, si.Signature), testpki.TLV(0x04, bytes.Repeat([]byte("HIDDEN!!"), size/8)))
}

// TestAttackUnverifiedTimestampSignatureValue: a timestamp that does not
// verify is taken for a real one that failed as long as its signed bytes
// stay small, but its signature value was not counted: 40 KB of data as a
// legacy countersignature's or an RFC 3161 token's signature passed as
// valid beside a timestamp-invalid warning. The signature value now counts
// with the signed bytes: unowned signature data, an error.
func TestAttackUnverifiedTimestampSignatureValue(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	at := fixtures.Now.AddDate(0, -1, 0)
	for _, legacy := range []bool{true, false} {
		for _, size := range []int{4096, 40000} {
			stamp := func(p *fixtures.PKI, sig []byte) (tokens, leg [][]byte) {
				if legacy {
					return nil, [][]byte{padSignature(t, p.TSA.Countersign(crypto.SHA256, sig, at), true, size)}
				}
				return [][]byte{padSignature(t, p.TSA.TimestampToken(crypto.SHA256, sig, at, p.Root), false, size)}, nil
			}
			b := stampsFor(t, stamp, func(tok, leg [][]byte) []testpki.Attr {
				if legacy {
					return []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: leg}}
				}
				return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}}
			})
			res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
			if res.Status != signing.StatusInvalid || len(findingsOf(res, RuleUnownedSignatureData)) != 1 {
				t.Errorf("legacy=%v, %d bytes: status %s, findings %+v; want invalid with unowned signature data", legacy, size, res.Status, res.Findings)
			}
		}
	}
}

// TestUntrustedTimestampsValid: a real pair of timestamps that fail (a
// legacy countersignature and an RFC 3161 token from an authority the trust
// store lacks) are a warning; the signature stays valid.
func TestUntrustedTimestampsValid(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	at := fixtures.Now.AddDate(0, -1, 0)
	stamp := func(p *fixtures.PKI, sig []byte) (tokens, legacy [][]byte) {
		eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		tsa := p.OtherRoot.Issue(testpki.Spec{CommonName: "Unknown TSA", KeyN: 16, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
			ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}})
		return [][]byte{tsa.TimestampToken(crypto.SHA384, sig, at, p.OtherRoot)}, [][]byte{tsa.Countersign(crypto.SHA256, sig, at)}
	}
	b := stampsFor(t, stamp, func(tok, leg [][]byte) []testpki.Attr {
		return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}, {Type: pefile.OIDCounterSignature, Values: leg}}
	})
	res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	if res.Status != signing.StatusValid || len(findingsOf(res, RuleUnownedSignatureData)) != 0 || len(findingsOf(res, RuleTimestampInvalid)) != 1 {
		t.Errorf("status %s, findings %+v; want valid with a timestamp-invalid warning", res.Status, res.Findings)
	}
}

// padIssuer returns the timestamp ts (as for padSignature) with its
// signer's identifier naming an issuer that holds size bytes of data, so
// that it names no certificate.
func padIssuer(t *testing.T, ts []byte, legacy bool, size int) []byte {
	t.Helper()
	var si *cms.SignerInfo
	if legacy {
		var err error
		if si, err = cms.ParseSignerInfo(ts); err != nil {
			t.Fatal(err)
		}
	} else {
		sd, err := cms.Parse(ts)
		if err != nil {
			t.Fatal(err)
		}
		si = sd.Signers[0]
	}
	serial, err := asn1.Marshal(si.Serial)
	if err != nil {
		t.Fatal(err)
	}
	cn, _ := asn1.Marshal(asn1.ObjectIdentifier{2, 5, 4, 3})
	name := testpki.TLV(0x30, testpki.TLV(0x31, testpki.TLV(0x30, cn, testpki.TLV(0x0c, bytes.Repeat([]byte("HIDDEN!!"), size/8)))))
	return swapElement(t, ts, testpki.TLV(0x30, si.IssuerRaw, serial), testpki.TLV(0x30, name, serial))
}

// TestAttackUnverifiedTimestampSignerIdentifier: a timestamp whose signer
// identifier names no certificate does not verify, and its issuer name was
// nobody's bytes yet counted for nothing: 32 KB of data in it passed as
// valid beside a timestamp-invalid warning. Such an identifier now counts
// with the timestamp's signed bytes: unowned signature data, an error.
func TestAttackUnverifiedTimestampSignerIdentifier(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	at := fixtures.Now.AddDate(0, -1, 0)
	for _, legacy := range []bool{true, false} {
		stamp := func(p *fixtures.PKI, sig []byte) (tokens, leg [][]byte) {
			if legacy {
				return nil, [][]byte{padIssuer(t, p.TSA.Countersign(crypto.SHA256, sig, at), true, 32000)}
			}
			return [][]byte{padIssuer(t, p.TSA.TimestampToken(crypto.SHA256, sig, at, p.Root), false, 32000)}, nil
		}
		b := stampsFor(t, stamp, func(tok, leg [][]byte) []testpki.Attr {
			if legacy {
				return []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: leg}}
			}
			return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}}
		})
		res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
		if res.Status != signing.StatusInvalid || len(findingsOf(res, RuleUnownedSignatureData)) != 1 {
			t.Errorf("legacy=%v: status %s, findings %+v; want invalid with unowned signature data", legacy, res.Status, res.Findings)
		}
	}
}

// TestAttackUnverifiedTimestampContentType: an RFC 3161 token whose
// content type is not TSTInfo does not verify, and the type's OID was
// counted for nothing: 20 KB of arcs passed as valid beside a
// timestamp-invalid warning (whose detail printed them all). It now counts
// with the token's signed bytes: unowned signature data, an error.
func TestAttackUnverifiedTimestampContentType(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	tstInfo, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4})
	long := testpki.TLV(0x06, append([]byte{0x2a}, bytes.Repeat([]byte{0x01}, 20000)...))
	stamp := func(p *fixtures.PKI, sig []byte) (tokens, leg [][]byte) {
		tok := p.TSA.TimestampToken(crypto.SHA256, sig, fixtures.Now.AddDate(0, -1, 0), p.Root)
		sd, err := cms.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		content := testpki.TLV(0xa0, testpki.TLV(0x04, sd.Content))
		return [][]byte{swapElement(t, tok, testpki.TLV(0x30, tstInfo, content), testpki.TLV(0x30, long, content))}, nil
	}
	b := stampsFor(t, stamp, func(tok, _ [][]byte) []testpki.Attr {
		return []testpki.Attr{{Type: pefile.OIDRFC3161CounterSign, Values: tok}}
	})
	res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	if res.Status != signing.StatusInvalid || len(findingsOf(res, RuleUnownedSignatureData)) != 1 {
		t.Errorf("status %s, findings %+v; want invalid with unowned signature data", res.Status, res.Findings)
	}
	for _, f := range findingsOf(res, RuleTimestampInvalid) {
		if len(f.Message) > 500 {
			t.Errorf("timestamp-invalid message of %d bytes", len(f.Message))
		}
	}
}

// TestAttackEmptyFailedTimestamps: countersignatures with no signed
// attributes and an empty signature, naming the real authority, count next
// to nothing as signed bytes; 100 of them, each with one of four digest
// algorithms (two bits apiece), passed as valid beside one
// timestamp-invalid warning. Past two per signature, each timestamp that
// does not verify is unowned signature data, an error.
func TestAttackEmptyFailedTimestamps(t *testing.T) {
	t.Parallel()
	trust := fixtureTrust(t)
	algs := []asn1.ObjectIdentifier{{1, 3, 14, 3, 2, 26}, {2, 16, 840, 1, 101, 3, 4, 2, 1}, {2, 16, 840, 1, 101, 3, 4, 2, 2}, {2, 16, 840, 1, 101, 3, 4, 2, 3}}
	rsa, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1})
	stamp := func(p *fixtures.PKI, sig []byte) (tokens, leg [][]byte) {
		cs, err := cms.ParseSignerInfo(p.TSA.Countersign(crypto.SHA256, sig, fixtures.Now))
		if err != nil {
			t.Fatal(err)
		}
		serial, _ := asn1.Marshal(cs.Serial)
		for i := range 100 {
			alg, _ := asn1.Marshal(algs[i%len(algs)])
			leg = append(leg, testpki.TLV(0x30, []byte{2, 1, 1}, testpki.TLV(0x30, cs.IssuerRaw, serial), testpki.TLV(0x30, alg), testpki.TLV(0x30, rsa), testpki.TLV(0x04)))
		}
		return nil, leg
	}
	b := stampsFor(t, stamp, func(_, leg [][]byte) []testpki.Attr {
		return []testpki.Attr{{Type: pefile.OIDCounterSignature, Values: leg}}
	})
	res := verifyBytes(t, b, Options{Trust: trust, Time: fixtures.Now})
	if n := len(findingsOf(res, RuleUnownedSignatureData)); res.Status != signing.StatusInvalid || n != 98 {
		t.Errorf("status %s, %d unowned-signature-data findings; want invalid, 98", res.Status, n)
	}
}
