package cms_test

import (
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

// TestAttackTimestampCriticalExtension: RFC 3161 §2.4.2 and RFC 5280
// §4.2 make an extension marked critical that the reader does not know a
// reason to refuse what carries it: a TSA could qualify its time ("only
// for …", "not before …") in a critical extension. A TSTInfo with an
// unknown critical extension, or a TSA certificate with one, does not
// verify, so the signature counts as not timestamped, and the detail names
// the extension's OID. A non-critical unknown extension is ignored.
func TestAttackTimestampCriticalExtension(t *testing.T) {
	p := newPKI(t)
	stamped := []byte("signature value")
	const gt = "20240601133000Z"
	oid := asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 7}
	ext := func(critical bool) []byte {
		var crit []byte
		if critical {
			crit = []byte{0x01, 0x01, 0xff}
		}
		return testpki.TLV(0xa1, testpki.TLV(0x30, testpki.TLV(0x30, mustDER(t, oid), crit, testpki.TLV(0x04, []byte{0x05, 0x00}))))
	}
	implicit := testpki.TLV(0xa1, testpki.TLV(0x30, mustDER(t, oid), []byte{0x01, 0x01, 0xff}, testpki.TLV(0x04, nil)))
	tok := tokenOver(tstSpec{genTime: gt, stamped: stamped, tail: implicit}.der(t), p.tsa, nil, p.root)
	if ts := cms.VerifyTimestampToken(tok, stamped, cms.TimestampOptions{Trust: p.trust}); ts.Verified || !strings.Contains(ts.Detail, oid.String()) {
		t.Errorf("a critical extension, IMPLICIT-tagged as RFC 3161 says: verified=%v detail %q", ts.Verified, ts.Detail)
	}
	for _, critical := range []bool{false, true} {
		tok := tokenOver(tstSpec{genTime: gt, stamped: stamped, tail: ext(critical)}.der(t), p.tsa, nil, p.root)
		ts := cms.VerifyTimestampToken(tok, stamped, cms.TimestampOptions{Trust: p.trust})
		switch {
		case !critical && !ts.Verified:
			t.Errorf("a non-critical TSTInfo extension fails the timestamp: %s", ts.Detail)
		case critical && (ts.Verified || ts.Intact || !strings.Contains(ts.Detail, oid.String())):
			t.Errorf("a critical TSTInfo extension: verified=%v intact=%v detail %q, want a failure naming %s", ts.Verified, ts.Intact, ts.Detail, oid)
		}
	}

	at := testpki.Epoch.Add(time.Hour)
	tsa := p.root.Issue(testpki.Spec{CommonName: "TSA with a critical extension", KeyN: 4, EKU: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		ExtraExtensions: []pkix.Extension{{Id: oid, Critical: true, Value: []byte{0x05, 0x00}}}})
	ts := cms.VerifyTimestampToken(tsa.TimestampToken(crypto.SHA256, stamped, at, p.root), stamped, cms.TimestampOptions{Trust: p.trust})
	if ts.Verified || ts.Intact || !strings.Contains(ts.Detail, oid.String()) {
		t.Errorf("a TSA certificate with a critical extension: verified=%v intact=%v detail %q, want a failure naming %s", ts.Verified, ts.Intact, ts.Detail, oid)
	}
}
