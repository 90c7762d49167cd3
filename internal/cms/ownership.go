package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"github.com/shipgate/shipgate/internal/x509name"
	"slices"

	"github.com/shipgate/shipgate/signing"
)

// Thresholds above which an unused certificate is a payload carrier rather
// than a leftover. Real code-signing certificates stay well below them: RSA
// 4096 leaves with long policy and distribution-point extensions are about
// 2 KiB, and their largest extension a few hundred bytes (a CT SCT list, the
// biggest common one, about 700 bytes).
const (
	// LargeCertificate is the encoded size beyond which an unused
	// certificate is a payload.
	LargeCertificate = 4096
	// LargeExtension is the extension value size beyond which an unused
	// certificate is a payload.
	LargeExtension = 1024
	// maxCompletionChecks bounds the signature checks spent deciding which
	// certificates complete a chain; a hostile set that exhausts it gets its
	// remaining certificates reported as unused.
	maxCompletionChecks = 256
	// maxCertificateCopies is how many times one certificate on a verified
	// chain may appear in a certificate set: osslsigncode's time-stamp
	// tokens carry the TSA certificate twice. Further copies are reported
	// as unused.
	maxCertificateCopies = 2
	// MaxToleratedTotal is the most bytes that the small unowned regions of
	// one signature (each at most MaxToleratedRegion) may hold together;
	// beyond it they are a payload split into pieces (a thousand unused
	// 16-byte digestAlgorithms entries hold 13 KB). Real oddities (an
	// empty crls field, a doubled NULL, an unused SHA-1 entry) are a few
	// bytes each and rarely more than one.
	MaxToleratedTotal = 64
	// MaxUnusedCertificateBytes is the most bytes that the unused
	// certificates of one signature may hold together; beyond it they are a
	// payload split into certificates each under LargeCertificate. Leftover
	// intermediates and cross-certificates are a few, about 1.5 KiB each.
	MaxUnusedCertificateBytes = 4 * LargeCertificate
)

// Judge returns unowned and unused (regions of one signature, from its
// Unowned, nested structures and [SignedData.UnusedCertificates]) with
// every region flagged as a Payload when, together, they could carry one:
// unowned regions that are no payload each but hold more than
// MaxToleratedTotal bytes together, or unused certificates that hold more
// than MaxUnusedCertificateBytes together. The inputs are not modified.
func Judge(unowned, unused []Region) ([]Region, []Region) {
	return judgeTotal(unowned, MaxToleratedTotal, "small unowned regions"), judgeTotal(unused, MaxUnusedCertificateBytes, "unused certificates")
}

func judgeTotal(regions []Region, limit int, what string) []Region {
	out := slices.Clone(regions)
	total := 0
	for _, r := range out {
		if !r.Payload && !r.Note {
			total += r.Len
		}
	}
	if total <= limit {
		return out
	}
	for i := range out {
		if !out[i].Payload && !out[i].Note {
			out[i].Payload = true
			out[i].Reason += fmt.Sprintf(" (%s of this signature hold %d bytes together, more than %d)", what, total, limit)
		}
	}
	return out
}

// UnusedCertificates returns a Region (offsets in DER) for each certificate
// of sd that no chain uses, and for each attribute certificate of sd that no
// certificate of those chains signed, unless it names such a certificate as
// its issuer and is at most MaxToleratedAttrCert bytes long (the first such
// one only: a time-stamping service embeds one). A certificate is used when it is, byte for byte,
// on one of chains (the signer's chain, a time-stamping authority's, a legacy
// countersigner's: whatever the caller verified with sd's certificates), or
// when it completes one: its key verifies the signature of a used
// certificate, and its own signature verifies with the key of a certificate
// we hold (itself, for a root) or no certificate we hold is named as its
// issuer and no used certificate has its name and key (the issuer it stands
// for is then already on a chain: another certificate for it, under an
// issuer nobody can check, adds nothing but room for a payload). That covers a root embedded beside a chain that ended at the trust
// store's copy of it, and the intermediates of a chain cut short at an
// expired leaf. A modified copy of a used certificate (same name and key, a
// payload added) breaks its own signature and stays unused, and so does one
// re-signed under an issuer we do not hold. A byte-identical copy of a
// used certificate is used too, once: osslsigncode's time-stamp tokens
// carry the TSA certificate twice; a third copy and beyond are reported
// (their number and order could spell data).
//
// An unused certificate larger than LargeCertificate bytes, or with an
// extension value larger than LargeExtension bytes (or another field longer
// than any real one, see carrierReason), is flagged as a Payload:
// the certificate set is covered by no signature, so anyone can add such a
// certificate to a signed file. Smaller ones are leftovers (an intermediate
// of another path, a cross-certificate) and are not.
func (sd *SignedData) UnusedCertificates(chains ...[]*x509.Certificate) []Region {
	used, budget := sd.usedCertificates(chains)
	out := sd.unusedAttrCerts(used, budget)
	out = append(out, sd.unusedCerts(used)...)
	slices.SortStableFunc(out, func(a, b Region) int { return a.Offset - b.Offset })
	return out
}

// containsCert reports whether list holds a certificate byte-identical to c.
func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	return slices.ContainsFunc(list, func(u *x509.Certificate) bool { return bytes.Equal(u.Raw, c.Raw) })
}

// usedCertificates returns the certificates of chains, then those of sd
// that issue one of them and are themselves anchored, until none is added;
// budget is what is left of maxCompletionChecks signature checks.
func (sd *SignedData) usedCertificates(chains [][]*x509.Certificate) (used []*x509.Certificate, budget int) {
	has := containsCert
	for _, ch := range chains {
		for _, c := range ch {
			if c != nil && !has(used, c) {
				used = append(used, c)
			}
		}
	}
	budget = maxCompletionChecks
	check := func(c, parent *x509.Certificate) bool {
		if budget--; budget < 0 {
			return false
		}
		return signedBy(c, parent) == nil
	}
	issuesUsed := func(c *x509.Certificate) bool {
		for _, u := range used {
			if bytes.Equal(u.RawIssuer, c.RawSubject) && !bytes.Equal(u.Raw, c.Raw) && check(u, c) {
				return true
			}
		}
		return false
	}
	// twin reports a used certificate with c's name and key: c is then
	// another certificate of an issuer the chains already have (a
	// cross-certificate, or a forgery under a made-up issuer), which must
	// show its own signature to count.
	twin := func(c *x509.Certificate) bool {
		return slices.ContainsFunc(used, func(u *x509.Certificate) bool {
			return bytes.Equal(u.RawSubject, c.RawSubject) && bytes.Equal(u.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo)
		})
	}
	anchored := func(c *x509.Certificate) bool {
		named := false
		for _, p := range slices.Concat(sd.Certificates, used) {
			if !bytes.Equal(p.RawSubject, c.RawIssuer) {
				continue
			}
			named = true
			if check(c, p) {
				return true
			}
		}
		return !named && !twin(c)
	}
	for grew := true; grew; {
		grew = false
		for _, c := range sd.Certificates {
			if !has(used, c) && issuesUsed(c) && anchored(c) {
				used = append(used, c)
				grew = true
			}
		}
	}
	return used, budget
}

// unusedAttrCerts returns the regions of the attribute certificates that
// no used certificate signed, within budget signature checks, but for one
// time-stamp server's (see MaxToleratedAttrCert) where its certificates
// are (see holdsTimestampCertificates).
func (sd *SignedData) unusedAttrCerts(used []*x509.Certificate, budget int) []Region {
	var out []Region
	// One per SignedData, as Microsoft's tokens carry, and none in a set
	// that holds no time-stamp server's certificates: there it would be a
	// kilobyte anyone may add to a signed file unreported.
	tolerated := !sd.holdsTimestampCertificates(used)
	for _, ac := range sd.attrCerts {
		if slices.ContainsFunc(used, func(u *x509.Certificate) bool {
			if budget--; budget < 0 {
				return false
			}
			return ac.signedBy(u)
		}) {
			continue
		}
		if !tolerated && ac.issuer != nil && ac.n <= MaxToleratedAttrCert && slices.ContainsFunc(used, func(u *x509.Certificate) bool { return x509name.Equal(ac.issuer, u.RawSubject) }) {
			// A time-stamp server's attribute certificate (see
			// MaxToleratedAttrCert): tolerated, but covered by no
			// signature (not the token's: its certificate set is
			// outside its signed content), so reported as a note.
			tolerated = true
			out = append(out, Region{Offset: ac.off, Len: ac.n, Unused: true, Note: true,
				Reason: "attribute certificate naming a time-stamp authority's certificate as its issuer, whose signature nothing verifies: tolerated as a time-stamp server's (one per certificate set), but its bytes could be anyone's"})
			continue
		}
		r := newRegion(ac.off, ac.n, "attribute certificate signed by no certificate on a verified chain")
		out = append(out, r)
	}
	return out
}

// holdsTimestampCertificates reports whether sd's certificate set is where
// a time-stamp server's certificates are: sd is an RFC 3161 token, or a
// signer carries a legacy countersignature, whose authority's certificates
// share its signature's set. The countersignature must verify over the
// signer's signature with a used certificate (one on a verified chain):
// unsigned attributes are covered by no signature, so anyone can add one
// that does not, and the tolerance would then hide their kilobyte
// (TestAttackAttributeCertificateBesideForgedCountersignature).
func (sd *SignedData) holdsTimestampCertificates(used []*x509.Certificate) bool {
	if sd.ContentType.Equal(OIDTSTInfo) {
		return true
	}
	for _, si := range sd.Signers {
		a := si.UnsignedAttr(OIDAttrCounterSign)
		if a == nil {
			continue
		}
		for _, v := range a.Values {
			cs, err := ParseSignerInfo(v)
			if err != nil {
				continue
			}
			if VerifySigner(cs, used, nil, si.Signature).Err == nil {
				return true
			}
		}
	}
	return false
}

// unusedCerts returns the regions of the certificates of sd that are not
// used, and of the copies of used ones beyond maxCertificateCopies.
func (sd *SignedData) unusedCerts(used []*x509.Certificate) []Region {
	has := containsCert
	var out []Region
	copies := map[string]int{} // occurrences of each used certificate so far
	for i, c := range sd.Certificates {
		off := 0
		if i < len(sd.CertificateOffsets) {
			off = sd.CertificateOffsets[i]
		}
		if has(used, c) {
			if copies[string(c.Raw)]++; copies[string(c.Raw)] <= maxCertificateCopies {
				continue
			}
			// More copies than any signer writes: their number and order
			// are free, so they can spell data; judged as unused ones are.
			out = append(out, Region{Offset: off, Len: len(c.Raw), Unused: true,
				Reason: fmt.Sprintf("certificate %q is copy %d of one on a verified chain (at most %d are tolerated): it adds nothing", c.Subject.String(), copies[string(c.Raw)], maxCertificateCopies)})
			continue
		}
		r := Region{Offset: off, Len: len(c.Raw), Unused: true, Reason: fmt.Sprintf("certificate %q is on no verified chain", c.Subject.String())}
		if why := carrierReason(c); why != "" {
			r.Payload = true
			r.Reason += " and " + why
		}
		out = append(out, r)
	}
	return out
}

// carrierReason says why c is large enough to carry a payload (more than
// LargeCertificate bytes; an extension value or a name of more than
// LargeExtension; a signature value or public key longer than any real
// one), or returns "".
func carrierReason(c *x509.Certificate) string {
	big := 0
	for _, e := range c.Extensions {
		big = max(big, len(e.Value))
	}
	switch {
	case len(c.Raw) > LargeCertificate:
		return fmt.Sprintf("is %d bytes long (more than %d)", len(c.Raw), LargeCertificate)
	case big > LargeExtension:
		return fmt.Sprintf("carries a %d-byte extension (more than %d)", big, LargeExtension)
	case len(c.Signature) > largeSignature:
		// An RSA-8192 signature is 1024 bytes; an unused certificate's
		// issuer is often unknown, so its signature is whatever its
		// maker wrote (TestAttackUnusedCertificateFieldCarrier).
		return fmt.Sprintf("carries a %d-byte signature value (more than %d)", len(c.Signature), largeSignature)
	case max(len(c.RawSubject), len(c.RawIssuer)) > LargeExtension:
		return fmt.Sprintf("carries a %d-byte name (more than %d)", max(len(c.RawSubject), len(c.RawIssuer)), LargeExtension)
	case len(c.RawSubjectPublicKeyInfo) > largePublicKey:
		return fmt.Sprintf("carries a %d-byte public key (more than %d)", len(c.RawSubjectPublicKeyInfo), largePublicKey)
	}
	return ""
}

// Field sizes past which an unused certificate is a payload carrier: no
// signature value is longer than an RSA-8192 one, and no public key than
// an RSA-16384 one's SubjectPublicKeyInfo.
const (
	largeSignature = 1024
	largePublicKey = 2 * LargeExtension
)

// NamedAuthority returns c as the certificate a timestamp that did not
// verify names as its authority, to count as used: nil when c is nil or
// large enough to carry a payload (see [SignedData.UnusedCertificates]),
// since a broken timestamp vouches for nothing, and naming a carrier
// certificate in one must not make it owned.
func NamedAuthority(c *x509.Certificate) *x509.Certificate {
	if c == nil || carrierReason(c) != "" {
		return nil
	}
	return c
}

// signedBy checks c's signature with parent's key, MD5 and SHA-1 included
// (old roots and timestamping chains use them; crypto/x509 refuses them).
func signedBy(c, parent *x509.Certificate) error {
	err := parent.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	var ins x509.InsecureAlgorithmError
	if err == nil || !errors.As(err, &ins) {
		return err
	}
	var h crypto.Hash
	switch c.SignatureAlgorithm {
	case x509.MD5WithRSA:
		h = crypto.MD5
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1:
		h = crypto.SHA1
	default:
		return err
	}
	return signing.VerifyWeakSignature(parent.PublicKey, h, c.RawTBSCertificate, c.Signature)
}

// Nested collects the regions found inside structures a SignedData holds
// (time-stamp tokens, countersignatures, attribute values), moved to offsets
// of the SignedData's DER and split into unused certificates and other
// unowned bytes, ready for [Judge].
type Nested struct {
	Unowned, Unused []Region
}

// Add records regions, counted from the start of val, where val is a slice
// of sd.DER; regions of a val that is not part of sd.DER are dropped.
func (n *Nested) Add(sd *SignedData, val []byte, regions []Region) {
	off, ok := sd.OffsetOf(val)
	if !ok {
		return
	}
	for _, r := range Shift(regions, off) {
		if r.Unused {
			n.Unused = append(n.Unused, r)
		} else {
			n.Unowned = append(n.Unowned, r)
		}
	}
}

// Shift returns regions with delta added to every offset, for moving the
// regions of a nested structure (a time-stamp token, a countersignature) to
// the offsets of the encoding that holds it.
func Shift(regions []Region, delta int) []Region {
	out := make([]Region, len(regions))
	for i, r := range regions {
		r.Offset += delta
		out[i] = r
	}
	return out
}

// TimestampTokenRegions parses an RFC 3161 time-stamp token and returns what
// in it nobody owns, offsets counted from the token's start: its Unowned
// regions, the certificates that neither ts's authority chain uses nor
// complete it (see [TimestampCertificates]), and the unsigned attributes of
// its SignerInfos, which no verifier of a token reads; and, in a token that
// verified, a nonce longer than a random number's 33 bytes. ts is what
// [VerifyTimestampToken] said of the token. A token that does not parse
// yields nothing: its verification already failed.
func TimestampTokenRegions(token []byte, ts *signing.Timestamp) []Region {
	sd, err := Parse(token)
	if err != nil {
		return nil
	}
	out := append([]Region(nil), sd.Unowned...)
	out = append(out, sd.UnusedCertificates(TimestampCertificates(ts))...)
	for _, si := range sd.Signers {
		out = append(out, unsignedAttrRegion(sd, si, "unsigned attributes of the time-stamp token's signer")...)
	}
	if ts != nil && ts.Verified {
		// A token that does not verify has its signed bytes counted
		// by UnverifiedTimestampRegions instead.
		out = append(out, tstNonceRegion(sd)...)
	}
	return sortRegions(out)
}

// TimestampCertificates returns the certificates a timestamp's verification
// used: its authority's chain, or the authority alone when verification
// stopped before the chain was built (a bad imprint, say), so that the
// certificates of a broken timestamp are judged by what they are, not
// reported unused for the timestamp's failure; but, when the timestamp did
// not verify, no certificate large enough to carry a payload (see
// [NamedAuthority]).
func TimestampCertificates(ts *signing.Timestamp) []*x509.Certificate {
	if ts == nil {
		return nil
	}
	out := IdentityCertificates(ts.Chain)
	if !ts.Verified {
		// A chain that did not verify vouches for nothing either.
		out = slices.DeleteFunc(out, func(c *x509.Certificate) bool { return NamedAuthority(c) == nil })
	}
	if len(out) == 0 && ts.Authority != nil {
		if c := NamedAuthority(ts.Authority.Certificate); c != nil {
			out = []*x509.Certificate{c}
		}
	}
	return out
}

// CountersignatureRegions returns what nobody owns in a legacy PKCS#9
// countersignature SignerInfo (its DER as the attribute value holds it),
// offsets counted from its start: its Unowned regions and its unsigned
// attributes, which no verifier reads. Certificates are the enclosing
// SignedData's, judged with it.
func CountersignatureRegions(signerInfo []byte) []Region {
	si, err := ParseSignerInfo(signerInfo)
	if err != nil {
		return nil
	}
	out := append([]Region(nil), si.Unowned...)
	if len(si.RawUnsignedAttrs) > 0 {
		off, _ := si.OffsetOf(si.RawUnsignedAttrs)
		out = append(out, newRegion(off, len(si.RawUnsignedAttrs), "unsigned attributes of a countersignature"))
	}
	return sortRegions(out)
}

func unsignedAttrRegion(sd *SignedData, si *SignerInfo, what string) []Region {
	if len(si.RawUnsignedAttrs) == 0 {
		return nil
	}
	off, _ := sd.OffsetOf(si.RawUnsignedAttrs)
	return []Region{newRegion(off, len(si.RawUnsignedAttrs), "%s", what)}
}

// IdentityCertificates returns the certificates of ids, skipping those
// without one.
func IdentityCertificates(ids []signing.Identity) []*x509.Certificate {
	var out []*x509.Certificate
	for _, id := range ids {
		if id.Certificate != nil {
			out = append(out, id.Certificate)
		}
	}
	return out
}

func sortRegions(r []Region) []Region {
	slices.SortStableFunc(r, func(a, b Region) int { return a.Offset - b.Offset })
	return r
}

// MaxUnverifiedSigned is the most bytes of signed attributes, content and
// signature values that a timestamp which does not verify may hold and
// still be taken for a real one that failed (an authority the trust store
// lacks, an expired certificate): a real token's TSTInfo and signed
// attributes, or a legacy countersignature's signed attributes, are a few
// hundred bytes, and a signature value at most 512 (RSA-4096), so two real
// timestamps that failed fit.
const MaxUnverifiedSigned = 1536

// UnverifiedTimestampRegions returns what nobody owns in a timestamp that
// did not verify, offsets counted from its start, and the bytes of signed
// attributes, content and signature values it holds (a signature that
// does not verify is bytes of the signer's choosing, as long as they
// like), a token's content type if not TSTInfo, and its signer identifiers when they name none of certs (the
// enclosing SignedData's certificates; a token's own are added). No
// signature vouches for them: when
// they hold more than MaxUnverifiedSigned bytes together with before (the
// bytes of the signature's earlier timestamps that did not verify, so that
// many small ones add up), the whole value is a payload region. A value
// that does not parse as a timestamp at all (legacy says a PKCS#9
// countersignature SignerInfo, else an RFC 3161 token) is a region of its
// own size. Its certificates are judged as usual.
func UnverifiedTimestampRegions(val []byte, legacy bool, before int, certs []*x509.Certificate) ([]Region, int) {
	var signers []*SignerInfo
	n := 0
	if legacy {
		si, err := ParseSignerInfo(val)
		if err != nil {
			return []Region{newRegion(0, len(val), "countersignature that does not parse (%v)", err)}, 0
		}
		signers = []*SignerInfo{si}
	} else {
		sd, err := Parse(val)
		if err != nil {
			return []Region{newRegion(0, len(val), "time-stamp token that does not parse (%v)", err)}, 0
		}
		signers, n = sd.Signers, len(sd.Content)
		certs = append(slices.Clip(certs), sd.Certificates...)
		if !sd.ContentType.Equal(OIDTSTInfo) {
			// Any content type's arcs are bytes of the signer's choosing.
			n += oidLen(sd.ContentType)
		}
	}
	for _, si := range signers {
		n += len(si.RawSignedAttrs) + len(si.Signature)
		if FindCertificate(si, certs) == nil {
			// An identifier that names no certificate here is bytes of
			// the signer's choosing too.
			n += len(si.IssuerRaw) + len(si.SubjectKeyID)
			if si.Serial != nil {
				n += len(si.Serial.Bytes())
			}
		}
	}
	if before+n <= MaxUnverifiedSigned {
		return nil, n
	}
	return []Region{{Offset: 0, Len: len(val), Payload: true,
		Reason: fmt.Sprintf("timestamp that does not verify, with %d bytes of signed attributes, content and signature (%d with the signature's other such timestamps, more than a real one's %d): no signature vouches for them", n, before+n, MaxUnverifiedSigned)}}, n
}

// oidLen returns the length of oid's DER encoding, tag and length included.
func oidLen(oid asn1.ObjectIdentifier) int {
	b, err := asn1.Marshal(oid)
	if err != nil {
		return 0
	}
	return len(b)
}

// Severity returns the severity a verifier reports r with: an error when
// it can carry a payload, a note for a tolerated structure (Note), a
// warning for a smaller oddity.
func (r Region) Severity() signing.Severity {
	switch {
	case r.Payload:
		return signing.SeverityError
	case r.Note:
		return signing.SeverityNote
	}
	return signing.SeverityWarning
}
