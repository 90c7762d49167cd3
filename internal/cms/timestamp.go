package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/x509name"
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
	// RefuseMD5 fails a TSA chain through an MD5-signed certificate
	// ([signing.ChainOptions.RefuseMD5]), as macOS's time-stamping policy
	// (basic X.509, kSecPolicyCheckWeakSignature) does for Apple
	// signatures.
	RefuseMD5 bool
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
	// Accuracy is the TSA's stated accuracy of GenTime, zero when absent.
	Accuracy time.Duration
	// Ordering is the ordering flag (false when absent).
	Ordering bool
	// Nonce is the request's nonce, nil when absent.
	Nonce *big.Int
	// RawTSA is the DER GeneralName naming the TSA, nil when absent. It is
	// informational: RFC 3161 does not bind it to the signer certificate.
	RawTSA []byte
	// CriticalExtensions are the OIDs of the extensions marked critical.
	// No TSTInfo extension is known, so any makes the token unusable
	// (RFC 5280 §4.2, which RFC 3161 §2.4.2 refers to).
	CriticalExtensions []asn1.ObjectIdentifier
}

// criticalExtensions reads the TSTInfo's extensions field, "[1] IMPLICIT
// Extensions" (the Extension SEQUENCEs directly; an explicitly tagged
// SEQUENCE OF them is read too), and returns the OIDs of those marked
// critical.
func criticalExtensions(ext cryptobyte.String) ([]asn1.ObjectIdentifier, error) {
	var crit []asn1.ObjectIdentifier
	if len(ext) > 0 {
		// An explicit SEQUENCE OF wraps the extensions: its first element
		// is a SEQUENCE, an Extension's is an OID.
		inner := ext
		var first cryptobyte.String
		if inner.ReadASN1(&first, cbasn1.SEQUENCE) && inner.Empty() && first.PeekASN1Tag(cbasn1.SEQUENCE) {
			ext = first
		}
	}
	for n := 0; !ext.Empty(); n++ {
		var e cryptobyte.String
		var oid asn1.ObjectIdentifier
		var val cryptobyte.String
		critical := false
		if !ext.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&oid) ||
			e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&critical) || !e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
			return nil, errAt(0, "bad TSTInfo extension %d", n)
		}
		if critical {
			crit = append(crit, oid)
		}
	}
	return crit, nil
}

// ParseTSTInfo parses a DER TSTInfo (RFC 3161 §2.4.2). It requires version 1,
// a digest algorithm it knows in the messageImprint, and no data after the
// last field; the optional accuracy, ordering, nonce, tsa and extensions
// fields are read in their order.
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
	if !in.Empty() {
		return nil, errAt(len(der)-len(in), "trailing data after TSTInfo")
	}
	t.Version = int(v)
	if t.Version != 1 {
		return nil, errAt(0, "TSTInfo version %d, want 1", t.Version)
	}
	if !alg.Empty() {
		var null cryptobyte.String
		if !alg.ReadASN1(&null, cbasn1.NULL) || !null.Empty() || !alg.Empty() {
			return nil, errAt(0, "bad messageImprint algorithm parameters")
		}
	}
	var hm cryptobyte.String
	if !mi.ReadASN1(&hm, cbasn1.OCTET_STRING) || !mi.Empty() || !s.ReadASN1Integer(t.Serial) {
		return nil, errAt(0, "bad TSTInfo messageImprint or serial")
	}
	t.HashedMessage = hm
	t.ImprintHash, _ = digestByOID(t.ImprintOID)
	var gt cryptobyte.String
	if !s.ReadASN1(&gt, cbasn1.GeneralizedTime) {
		return nil, errAt(0, "bad TSTInfo genTime")
	}
	tm, err := parseGeneralizedTime(string(gt))
	if err != nil {
		return nil, err
	}
	t.GenTime = tm
	if s.PeekASN1Tag(cbasn1.SEQUENCE) {
		var acc cryptobyte.String
		s.ReadASN1(&acc, cbasn1.SEQUENCE)
		d, err := parseAccuracy(acc)
		if err != nil {
			return nil, err
		}
		t.Accuracy = d
	}
	if s.PeekASN1Tag(cbasn1.BOOLEAN) && !s.ReadASN1Boolean(&t.Ordering) {
		return nil, errAt(0, "bad TSTInfo ordering")
	}
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		if !s.ReadASN1Integer(t.Nonce) {
			return nil, errAt(0, "bad TSTInfo nonce")
		}
	}
	if s.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var tsa, gn cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadASN1(&tsa, cbasn1.Tag(0).Constructed().ContextSpecific()) || !tsa.ReadAnyASN1Element(&gn, &tag) || !tsa.Empty() {
			return nil, errAt(0, "bad TSTInfo tsa name")
		}
		t.RawTSA = gn
	}
	if s.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var ext cryptobyte.String
		s.ReadASN1(&ext, cbasn1.Tag(1).Constructed().ContextSpecific())
		crit, err := criticalExtensions(ext)
		if err != nil {
			return nil, err
		}
		t.CriticalExtensions = crit
	}
	if !s.Empty() {
		return nil, errAt(0, "unexpected data after the TSTInfo fields")
	}
	return t, nil
}

// parseAccuracy reads Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL,
// millis [0] INTEGER (1..999) OPTIONAL, micros [1] INTEGER (1..999) OPTIONAL }.
func parseAccuracy(s cryptobyte.String) (time.Duration, error) {
	var d time.Duration
	var n int64
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		if !s.ReadASN1Int64WithTag(&n, cbasn1.INTEGER) || n < 0 || n > 1<<32 {
			return 0, errAt(0, "bad TSTInfo accuracy seconds")
		}
		d += time.Duration(n) * time.Second
	}
	for i, unit := range []time.Duration{time.Millisecond, time.Microsecond} {
		tag := cbasn1.Tag(i).ContextSpecific()
		if s.PeekASN1Tag(tag) {
			if !s.ReadASN1Int64WithTag(&n, tag) || n < 1 || n > 999 {
				return 0, errAt(0, "bad TSTInfo accuracy fraction")
			}
			d += time.Duration(n) * unit
		}
	}
	if !s.Empty() {
		return 0, errAt(0, "bad TSTInfo accuracy")
	}
	return d, nil
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
// messageImprint against stamped, the ESS signing-certificate(-v2) attribute
// against the signer certificate when present, and the authority's chain with
// the timeStamping usage at the asserted time (so genTime must lie inside the
// TSA certificate's validity). The result's Time is set whenever the token
// parses; Verified only when every check passed.
//
// The TSA certificate must be an end entity whose extended key usage holds
// timeStamping alone, and whose key usage, if present, allows digitalSignature
// or nonRepudiation (RFC 3161 §2.3); anyExtendedKeyUsage does not stand in for
// timeStamping. That the extension is critical, which §2.3 also asks, is not
// required (OpenSSL requires it). Revocation of the TSA certificate and
// the TSTInfo policy, nonce and tsa name are not checked: the caller did not
// make the request, so there is no nonce or policy to compare against.
func VerifyTimestampToken(token, stamped []byte, opts TimestampOptions) *signing.Timestamp {
	ts := &signing.Timestamp{Kind: signing.TimestampRFC3161}
	sd, err := Parse(token)
	if err != nil {
		ts.Detail = "time-stamp token does not parse: " + err.Error()
		return ts
	}
	if !sd.ContentType.Equal(OIDTSTInfo) {
		ts.Detail = fmt.Sprintf("time-stamp token content type %.64s is not TSTInfo", sd.ContentType.String())
		return ts
	}
	info, err := ParseTSTInfo(sd.Content)
	if err != nil {
		ts.Detail = "TSTInfo does not parse: " + err.Error()
		return ts
	}
	ts.Time, ts.Accuracy = info.GenTime, info.Accuracy
	if len(sd.Signers) != 1 {
		ts.Detail = fmt.Sprintf("time-stamp token has %d signers, want exactly one", len(sd.Signers))
		return ts
	}
	si := sd.Signers[0]
	certs := append(append([]*x509.Certificate(nil), sd.Certificates...), opts.Certificates...)
	signerCerts := certs
	essCert, err := essSigningCertificate(si, certs)
	if err != nil {
		ts.Detail = "time-stamp token " + err.Error()
		return ts
	}
	if essCert != nil {
		// The attribute names the one certificate the TSA signed with; a
		// look-alike with the same issuer and serial must not stand in.
		if FindCertificate(si, []*x509.Certificate{essCert}) == nil {
			ts.Detail = fmt.Sprintf("time-stamp token signing-certificate attribute names %q, which the signer identifier does not", essCert.Subject.String())
			return ts
		}
		signerCerts = []*x509.Certificate{essCert}
	}
	chk := VerifySigner(si, signerCerts, OIDTSTInfo, sd.Content)
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
	if len(info.CriticalExtensions) > 0 {
		ts.Detail = fmt.Sprintf("TSTInfo carries critical extension %s, which shipgate does not know, so the timestamp cannot be relied on", info.CriticalExtensions[0])
		return ts
	}
	if prob := tsaCertProblem(chk.Cert, true); prob != "" {
		ts.Detail = prob
		return ts
	}
	return finishTimestamp(ts, chk.Cert, certs, opts)
}

// VerifyCountersignature verifies a legacy Authenticode countersignature (the
// DER SignerInfo value of a PKCS#9 counterSignature attribute) over stamped:
// its messageDigest against stamped, its signature, its signingTime (UTCTime
// or GeneralizedTime, exactly one), and the authority's chain with the
// timeStamping usage at that time. The authority must be an end entity that
// lists timeStamping explicitly; unlike RFC 3161 it need not be the only usage
// nor critical, since the TSAs of that era did not all mark it so. Revocation
// is not checked.
func VerifyCountersignature(signerInfo, stamped []byte, opts TimestampOptions) *signing.Timestamp {
	ts := &signing.Timestamp{Kind: signing.TimestampLegacy}
	si, err := ParseSignerInfo(signerInfo)
	if err != nil {
		ts.Detail = "countersignature does not parse: " + err.Error()
		return ts
	}
	if st, ok := singleValue(si.SignedAttrs, OIDAttrSigningTime); ok {
		if tm, err := parseSigningTime(st); err == nil {
			ts.Time = tm
		}
	}
	if ts.Time.IsZero() {
		ts.Detail = "countersignature has no single valid signingTime"
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
	if prob := tsaCertProblem(chk.Cert, false); prob != "" {
		ts.Detail = prob
		return ts
	}
	return finishTimestamp(ts, chk.Cert, opts.Certificates, opts)
}

// parseSigningTime reads a PKCS#9 signingTime value: UTCTime (required for
// 1950–2049) or GeneralizedTime, fractional seconds allowed.
func parseSigningTime(der []byte) (time.Time, error) {
	s := cryptobyte.String(der)
	var v cryptobyte.String
	switch {
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		if !s.ReadASN1(&v, cbasn1.GeneralizedTime) || !s.Empty() {
			return time.Time{}, errAt(0, "bad signingTime")
		}
		return parseGeneralizedTime(string(v))
	case s.PeekASN1Tag(cbasn1.UTCTime):
		var tm time.Time
		if !s.ReadASN1UTCTime(&tm) || !s.Empty() {
			return time.Time{}, errAt(0, "bad signingTime")
		}
		return tm.UTC(), nil
	}
	return time.Time{}, errAt(0, "signingTime is neither UTCTime nor GeneralizedTime")
}

// tsaCertProblem says why c may not act as a time-stamping authority, or "".
// strict applies RFC 3161 §2.3: timeStamping is the only extended key usage.
// The extension's criticality is not required: it tells relying parties that
// do not understand the extension to refuse the certificate, and this check
// understands and enforces it, so the key is held to time-stamping either way.
// CountersignatureAuthorityProblem says why c may not sign a legacy
// Authenticode countersignature (the rules VerifyCountersignature applies:
// an end entity listing timeStamping explicitly, with a fitting key usage),
// or returns "". Callers that verify a countersignature by other means (the
// raw RSA signatures of old Symantec TSAs) apply it too.
func CountersignatureAuthorityProblem(c *x509.Certificate) string {
	return tsaCertProblem(c, false)
}

func tsaCertProblem(c *x509.Certificate, strict bool) string {
	name := fmt.Sprintf("time-stamping authority %q", c.Subject.String())
	if c.BasicConstraintsValid && c.IsCA {
		return name + " is a CA certificate, not an end entity"
	}
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return name + " has a key usage without digitalSignature or nonRepudiation"
	}
	if !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		return name + " lacks the " + signing.UsageName(x509.ExtKeyUsageTimeStamping) + " extended key usage"
	}
	for _, ext := range c.UnhandledCriticalExtensions {
		// Netscape's certificate type the chain check judges, as it
		// does on every certificate.
		if !ext.Equal(oidNetscapeCertType) {
			return name + " has an unhandled critical extension " + ext.String() + ", so its timestamps cannot be relied on"
		}
	}
	if !strict {
		return ""
	}
	if len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage) != 1 {
		return name + " has extended key usages besides timeStamping (RFC 3161 §2.3 allows only it)"
	}
	return ""
}

// essSigningCertificate checks the ESS signing-certificate (RFC 2634 §5.4)
// and signing-certificate-v2 (RFC 5035) signed attributes of si when present:
// each must appear once with one value, and the first ESSCertID of each must
// name the same certificate of certs by hash (and by issuer and serial when
// given). It returns that certificate, or nil when neither attribute is
// present.
func essSigningCertificate(si *SignerInfo, certs []*x509.Certificate) (*x509.Certificate, error) {
	var found *x509.Certificate
	for _, v2 := range []bool{false, true} {
		oid := OIDAttrSigningCertificate
		if v2 {
			oid = OIDAttrSigningCertificateV2
		}
		if si.Attr(oid) == nil {
			continue
		}
		val, ok := singleValue(si.SignedAttrs, oid)
		if !ok {
			return nil, fmt.Errorf("signing-certificate attribute %s must appear once with one value", oid)
		}
		h, certHash, issuerSerial, err := parseESSCertID(val, v2)
		if err != nil {
			return nil, err
		}
		var match *x509.Certificate
		for _, c := range certs {
			d, _ := digest(h, c.Raw)
			if bytes.Equal(d, certHash) && (issuerSerial == nil || issuerSerialMatches(issuerSerial, c)) {
				match = c
				break
			}
		}
		if match == nil {
			return nil, fmt.Errorf("signing-certificate attribute %s names no certificate of the token", oid)
		}
		if found != nil && found != match {
			return nil, errors.New("signing-certificate and signing-certificate-v2 name different certificates")
		}
		found = match
	}
	return found, nil
}

// parseESSCertID returns the hash, certHash and raw IssuerSerial of the first
// ESSCertID (v2: ESSCertIDv2) of a SigningCertificate(V2) value.
func parseESSCertID(val []byte, v2 bool) (crypto.Hash, []byte, []byte, error) {
	bad := func(what string) (crypto.Hash, []byte, []byte, error) {
		return 0, nil, nil, fmt.Errorf("signing-certificate attribute: bad %s", what)
	}
	in := cryptobyte.String(val)
	var sc, ids, id cryptobyte.String
	if !in.ReadASN1(&sc, cbasn1.SEQUENCE) || !in.Empty() || !sc.ReadASN1(&ids, cbasn1.SEQUENCE) || !ids.ReadASN1(&id, cbasn1.SEQUENCE) {
		return bad("structure")
	}
	h := crypto.SHA1
	if v2 {
		h = crypto.SHA256 // DEFAULT id-sha256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
				return bad("hash algorithm")
			}
			hh, ok := digestByOID(oid)
			if !ok || !hh.Available() {
				return 0, nil, nil, fmt.Errorf("signing-certificate-v2 attribute: unknown hash %s", oid)
			}
			h = hh
		}
	}
	var certHash cryptobyte.String
	if !id.ReadASN1(&certHash, cbasn1.OCTET_STRING) {
		return bad("certHash")
	}
	var issuerSerial []byte
	if !id.Empty() {
		var is cryptobyte.String
		if !id.ReadASN1Element(&is, cbasn1.SEQUENCE) || !id.Empty() {
			return bad("issuerSerial")
		}
		issuerSerial = is
	}
	return h, certHash, issuerSerial, nil
}

// issuerSerialMatches reports whether IssuerSerial ::= SEQUENCE { issuer
// GeneralNames, serialNumber } names c: the serial is c's, and one
// directoryName of issuer is c's issuer, compared as RFC 5280 §7.1 names.
func issuerSerialMatches(der []byte, c *x509.Certificate) bool {
	in := cryptobyte.String(der)
	var is, names cryptobyte.String
	serial := new(big.Int)
	if !in.ReadASN1(&is, cbasn1.SEQUENCE) || !is.ReadASN1(&names, cbasn1.SEQUENCE) || !is.ReadASN1Integer(serial) || !is.Empty() {
		return false
	}
	if c.SerialNumber == nil || serial.Cmp(c.SerialNumber) != 0 {
		return false
	}
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return false
		}
		if tag == cbasn1.Tag(4).Constructed().ContextSpecific() && x509name.Equal(gn, c.RawIssuer) {
			return true
		}
	}
	return false
}

func finishTimestamp(ts *signing.Timestamp, leaf *x509.Certificate, certs []*x509.Certificate, opts TimestampOptions) *signing.Timestamp {
	ts.SetChain(opts.Trust.VerifyChain(leaf, certs, signing.ChainOptions{Time: ts.Time, Usage: x509.ExtKeyUsageTimeStamping, RefuseMD5: opts.RefuseMD5}))
	return ts
}
