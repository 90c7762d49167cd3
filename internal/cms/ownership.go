package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
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
	// maxCompletionChecks bounds the signature checks spent deciding whether
	// unused self-signed certificates complete a chain.
	maxCompletionChecks = 64
)

// UnusedCertificates returns a Region (offsets in DER) for each certificate
// of sd that no chain uses. A certificate is used when it is, byte for byte,
// on one of chains (the signer's chain, a time-stamping authority's, a legacy
// countersigner's: whatever the caller verified with sd's certificates), or
// when it is a self-signed root that completes one of them: its own
// signature verifies and it signs a certificate of a chain. That covers a
// root embedded beside a chain that ended at the trust store's copy of it, or
// at an untrusted root. A second copy of a used certificate is reported too,
// as an oddity.
//
// An unused certificate larger than LargeCertificate bytes, or with an
// extension value larger than LargeExtension bytes, is flagged as a Payload:
// the certificate set is covered by no signature, so anyone can add such a
// certificate to a signed file. Smaller ones are leftovers (an intermediate
// of another path, a cross-certificate) and are not.
func (sd *SignedData) UnusedCertificates(chains ...[]*x509.Certificate) []Region {
	var used []*x509.Certificate
	for _, ch := range chains {
		for _, c := range ch {
			if c != nil && !slices.ContainsFunc(used, func(u *x509.Certificate) bool { return bytes.Equal(u.Raw, c.Raw) }) {
				used = append(used, c)
			}
		}
	}
	onChain := func(c *x509.Certificate) bool {
		return slices.ContainsFunc(used, func(u *x509.Certificate) bool { return bytes.Equal(u.Raw, c.Raw) })
	}
	budget := maxCompletionChecks
	completes := func(c *x509.Certificate) bool {
		if !bytes.Equal(c.RawSubject, c.RawIssuer) {
			return false
		}
		signsUsed := false
		for _, u := range used {
			if !bytes.Equal(u.RawIssuer, c.RawSubject) || bytes.Equal(u.Raw, c.Raw) {
				continue
			}
			if budget--; budget < 0 {
				return false
			}
			if signedBy(u, c) == nil {
				signsUsed = true
				break
			}
		}
		if !signsUsed {
			return false
		}
		if budget--; budget < 0 {
			return false
		}
		return signedBy(c, c) == nil
	}
	var out []Region
	seen := map[string]int{}
	for i, c := range sd.Certificates {
		off := 0
		if i < len(sd.CertificateOffsets) {
			off = sd.CertificateOffsets[i]
		}
		if first, dup := seen[string(c.Raw)]; dup {
			out = append(out, Region{Offset: off, Len: len(c.Raw),
				Reason: fmt.Sprintf("certificate %q repeats certificate %d byte for byte", c.Subject.String(), first)})
			continue
		}
		seen[string(c.Raw)] = i
		if onChain(c) || completes(c) {
			continue
		}
		r := Region{Offset: off, Len: len(c.Raw), Reason: fmt.Sprintf("certificate %q is on no verified chain", c.Subject.String())}
		big := 0
		for _, e := range c.Extensions {
			big = max(big, len(e.Value))
		}
		switch {
		case len(c.Raw) > LargeCertificate:
			r.Payload = true
			r.Reason += fmt.Sprintf(" and is %d bytes long (more than %d)", len(c.Raw), LargeCertificate)
		case big > LargeExtension:
			r.Payload = true
			r.Reason += fmt.Sprintf(" and carries a %d-byte extension (more than %d)", big, LargeExtension)
		}
		out = append(out, r)
	}
	return out
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
// regions, the certificates on neither tsaChain nor completing it, and the
// unsigned attributes of its SignerInfos, which no verifier of a token reads.
// tsaChain is the authority's chain as verified (a [signing.Timestamp]'s
// Chain). A token that does not parse yields nothing: its verification
// already failed.
func TimestampTokenRegions(token []byte, tsaChain []signing.Identity) []Region {
	sd, err := Parse(token)
	if err != nil {
		return nil
	}
	out := append([]Region(nil), sd.Unowned...)
	out = append(out, sd.UnusedCertificates(IdentityCertificates(tsaChain))...)
	for _, si := range sd.Signers {
		out = append(out, unsignedAttrRegion(sd, si, "unsigned attributes of the time-stamp token's signer")...)
	}
	return sortRegions(out)
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
