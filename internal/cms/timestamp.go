package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/signing"
)

// TimestampOptions says how to judge a time-stamping authority.
type TimestampOptions struct {
	// Trust holds the roots a TSA chain must reach; nil trusts nothing, so no
	// timestamp verifies.
	Trust *signing.TrustStore
	// Certificates are extra certificates to build chains with (for a legacy
	// countersignature, the enclosing SignedData's certificates).
	Certificates []*x509.Certificate
}

// TSTInfo is the content of an RFC 3161 time-stamp token.
type TSTInfo struct {
	Version       int
	Policy        asn1.ObjectIdentifier
	ImprintHash   crypto.Hash
	ImprintOID    asn1.ObjectIdentifier
	HashedMessage []byte
	Serial        *big.Int
	GenTime       time.Time
}

// ParseTSTInfo parses a DER TSTInfo (RFC 3161 §2.4.2).
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	in := cryptobyte.String(der)
	var s, mi, alg cryptobyte.String
	t := &TSTInfo{Serial: new(big.Int)}
	var v int64
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !s.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) ||
		!s.ReadASN1ObjectIdentifier(&t.Policy) || !s.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&t.ImprintOID) {
		return nil, errAt(0, "bad TSTInfo")
	}
	t.Version = int(v)
	var hm cryptobyte.String
	if !mi.ReadASN1(&hm, cbasn1.OCTET_STRING) || !s.ReadASN1Integer(t.Serial) {
		return nil, errAt(0, "bad TSTInfo messageImprint or serial")
	}
	t.HashedMessage = hm
	t.ImprintHash, _ = HashByOID(t.ImprintOID)
	var gt cryptobyte.String
	if !s.ReadASN1(&gt, cbasn1.GeneralizedTime) {
		return nil, errAt(0, "bad TSTInfo genTime")
	}
	tm, err := parseGeneralizedTime(string(gt))
	if err != nil {
		return nil, err
	}
	t.GenTime = tm
	return t, nil
}

// parseGeneralizedTime accepts the RFC 3161 form YYYYMMDDhhmmss[.s+]Z.
func parseGeneralizedTime(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") || len(s) < 15 {
		return time.Time{}, fmt.Errorf("cms: genTime %q is not UTC GeneralizedTime", s)
	}
	layout := "20060102150405Z"
	if strings.Contains(s, ".") {
		frac := len(s) - strings.Index(s, ".") - 2
		if frac < 1 || frac > 9 {
			return time.Time{}, fmt.Errorf("cms: bad fraction in genTime %q", s)
		}
		layout = "20060102150405." + strings.Repeat("9", frac) + "Z"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cms: bad genTime %q: %w", s, err)
	}
	return t.UTC(), nil
}

// VerifyTimestampToken verifies an RFC 3161 time-stamp token (a ContentInfo
// holding SignedData over a TSTInfo) over stamped, the signature value it
// countersigns: the token's single signer and its signature, the
// messageImprint against stamped, and the authority's chain with the
// timeStamping usage at the asserted time. The result's Time is set whenever
// the token parses; Verified only when every check passed.
func VerifyTimestampToken(token, stamped []byte, opts TimestampOptions) *signing.Timestamp {
	ts := &signing.Timestamp{Kind: signing.TimestampRFC3161}
	sd, err := Parse(token)
	if err != nil {
		ts.Detail = "time-stamp token does not parse: " + err.Error()
		return ts
	}
	if !sd.ContentType.Equal(OIDTSTInfo) {
		ts.Detail = fmt.Sprintf("time-stamp token content type %s is not TSTInfo", sd.ContentType)
		return ts
	}
	info, err := ParseTSTInfo(sd.Content)
	if err != nil {
		ts.Detail = "TSTInfo does not parse: " + err.Error()
		return ts
	}
	ts.Time = info.GenTime
	if len(sd.Signers) != 1 {
		ts.Detail = fmt.Sprintf("time-stamp token has %d signers, want exactly one", len(sd.Signers))
		return ts
	}
	certs := append(append([]*x509.Certificate(nil), sd.Certificates...), opts.Certificates...)
	chk := VerifySigner(sd.Signers[0], certs, OIDTSTInfo, sd.Content)
	if chk.Cert != nil {
		id := signing.NewIdentity(chk.Cert)
		ts.Authority = &id
	}
	if chk.Err != nil {
		ts.Detail = "time-stamp token signature: " + chk.Err.Error()
		return ts
	}
	if info.ImprintHash == 0 || !info.ImprintHash.Available() {
		ts.Detail = fmt.Sprintf("unknown messageImprint algorithm %s", info.ImprintOID)
		return ts
	}
	h := info.ImprintHash.New()
	h.Write(stamped)
	if !bytes.Equal(h.Sum(nil), info.HashedMessage) {
		ts.Detail = "time-stamp messageImprint does not match the signature it stamps"
		return ts
	}
	return finishTimestamp(ts, chk.Cert, certs, opts)
}

// VerifyCountersignature verifies a legacy Authenticode countersignature (the
// DER SignerInfo value of a PKCS#9 counterSignature attribute) over stamped:
// its messageDigest against stamped, its signature, its signingTime, and the
// authority's chain with the timeStamping usage at that time.
func VerifyCountersignature(signerInfo, stamped []byte, opts TimestampOptions) *signing.Timestamp {
	ts := &signing.Timestamp{Kind: signing.TimestampLegacy}
	si, err := ParseSignerInfo(signerInfo)
	if err != nil {
		ts.Detail = "countersignature does not parse: " + err.Error()
		return ts
	}
	if st := si.Attr(OIDAttrSigningTime); st != nil && len(st.Values) == 1 {
		var tm time.Time
		if rest, err := asn1.Unmarshal(st.Values[0], &tm); err == nil && len(rest) == 0 {
			ts.Time = tm.UTC()
		}
	}
	if ts.Time.IsZero() {
		ts.Detail = "countersignature has no signingTime"
		return ts
	}
	chk := VerifySigner(si, opts.Certificates, nil, stamped)
	if chk.Cert != nil {
		id := signing.NewIdentity(chk.Cert)
		ts.Authority = &id
	}
	if chk.Err != nil {
		ts.Detail = "countersignature: " + chk.Err.Error()
		return ts
	}
	return finishTimestamp(ts, chk.Cert, opts.Certificates, opts)
}

func finishTimestamp(ts *signing.Timestamp, leaf *x509.Certificate, certs []*x509.Certificate, opts TimestampOptions) *signing.Timestamp {
	r := opts.Trust.VerifyChain(leaf, certs, signing.ChainOptions{Time: ts.Time, Usage: x509.ExtKeyUsageTimeStamping})
	ts.Chain = r.Identities()
	if !r.Trusted {
		ts.Detail = "time-stamping authority not trusted: " + r.Problem
		return ts
	}
	ts.Verified = true
	return ts
}
