package codesign

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// Apple OIDs of code-signing CMS attributes and certificate markers.
var (
	// OIDCDHashesPlist is the signed attribute holding a plist of the
	// 20-byte cdhashes of every CodeDirectory, in slot order.
	OIDCDHashesPlist = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 1}
	// OIDCDHashes is the signed attribute holding each CodeDirectory's full
	// digest with its algorithm.
	OIDCDHashes = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 9, 2}
	// OIDDeveloperIDApplication marks a Developer ID Application leaf.
	//
	// Deprecated: use [signing.OIDAppleDeveloperIDApplication].
	OIDDeveloperIDApplication = signing.OIDAppleDeveloperIDApplication
	// OIDDeveloperIDCA marks the Developer ID Certification Authority.
	//
	// Deprecated: use [signing.OIDAppleDeveloperIDCA].
	OIDDeveloperIDCA = signing.OIDAppleDeveloperIDCA
)

var oidOU = asn1.ObjectIdentifier{2, 5, 4, 11}

// maxCMSAlign bounds the zero bytes that may follow the CMS inside its
// blob of an embedded signature: fewer than 8, alignment, as Authenticode
// allows after its PKCS#7.
const maxCMSAlign = 8

func hashName(h crypto.Hash) string { return cms.HashName(h) }

// verifyCMS checks the CMS signature over the primary CodeDirectory and
// everything that binds the signer to this slice.
func (s *sliceState) verifyCMS(opts Options, payload []byte) {
	sigAt := s.slice.Offset + int64(s.sigOff)
	if b := s.sb.find(slotSignature); b != nil {
		sigAt += int64(b.off)
	}
	sd, err := cms.Parse(payload)
	if err != nil {
		s.check(CheckCMS, false, "CMS signature does not parse: "+err.Error())
		s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, sigAt, "CMS signature does not parse: "+err.Error())
		return
	}
	switch tail := payload[sd.Len:]; {
	case len(tail) > 0 && !allZero(tail):
		s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, sigAt+8+int64(sd.Len),
			fmt.Sprintf("%d bytes follow the CMS signature inside its blob: nobody signed them", len(tail)))
	case s.embedded && len(tail) >= maxCMSAlign:
		// The blob's length is covered by no hash: grown over the
		// padding after the SuperBlob (with the SuperBlob's), it claims
		// zeros nobody signed, and its value is free. Signers leave
		// their padding after the SuperBlob, not inside the CMS's blob.
		s.add(RuleUnownedSignatureData, signing.SeverityError, signing.StatusInvalid, sigAt+8+int64(sd.Len),
			fmt.Sprintf("%d zero bytes follow the CMS signature inside its blob, more than alignment needs: nobody signed them, and no signer leaves padding there", len(tail)))
	}
	own := cmsOwnership{Ownership: cms.Ownership{SD: sd}, at: sigAt + 8}
	defer own.report(s)
	if len(sd.Signers) != 1 {
		s.check(signing.CheckSignature, false, fmt.Sprintf("CMS has %d signers, want exactly one", len(sd.Signers)))
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, fmt.Sprintf("CMS has %d signers, want exactly one", len(sd.Signers)))
		return
	}
	si := sd.Signers[0]
	chk := s.checkCMSSigner(sd, si, sigAt)
	s.checkCDHashAttrs(si, sigAt)
	own.UnsignedAttrs(si)
	if chk.Cert == nil {
		return
	}
	id := signing.NewIdentity(chk.Cert)
	s.sig.Signer = &id
	at := s.checkCMSTimestamp(opts, sd, si, &own)
	s.checkCMSChain(opts, sd, chk.Cert, at, &own, sigAt)
	s.checkTeamID(chk.Cert)
}

// checkCMSSigner checks the CMS's content type, its messageDigest against
// the primary CodeDirectory, and its signature over the signed
// attributes, and records the digests.
func (s *sliceState) checkCMSSigner(sd *cms.SignedData, si *cms.SignerInfo, sigAt int64) cms.SignerCheck {
	primary := s.cds[0]
	if !sd.ContentType.Equal(cms.OIDData) || sd.RawContent != nil {
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt,
			fmt.Sprintf("CMS must be detached id-data over the CodeDirectory (content type %s, attached content %t)", sd.ContentType, sd.RawContent != nil))
	}
	chk := cms.VerifySigner(si, sd.Certificates, cms.OIDData, primary.raw)
	d := &signing.Digest{Algorithm: hashName(si.Hash), Signed: hex.EncodeToString(chk.MessageDigest)}
	if si.Hash != 0 && si.Hash.Available() {
		d.Computed = hex.EncodeToString(digest(si.Hash, primary.recomputed(primary.extSlots)))
	}
	s.sig.Digest = d
	switch {
	case chk.MessageDigest == nil:
		s.check(CheckCMSDigest, false, errString(chk.Err))
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, "CMS signer: "+errString(chk.Err))
	case !chk.DigestOK:
		s.check(CheckCMSDigest, false, fmt.Sprintf("messageDigest %x, primary CodeDirectory hashes to %x", chk.MessageDigest, chk.Computed))
		s.add(RuleCMSDigestMismatch, signing.SeverityError, signing.StatusInvalid, s.slice.Offset+primary.off,
			fmt.Sprintf("CMS messageDigest %x does not match the primary CodeDirectory (%s %x)", chk.MessageDigest, hashName(si.Hash), chk.Computed))
	default:
		s.check(CheckCMSDigest, true, fmt.Sprintf("messageDigest equals the %s of the primary CodeDirectory", hashName(si.Hash)))
	}
	switch {
	case chk.Cert == nil:
		s.check(signing.CheckSignature, false, "the signer's certificate is not in the signature")
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, "the signer's certificate is not in the CMS signature")
	case !chk.SignatureOK:
		s.check(signing.CheckSignature, false, errString(chk.Err))
		if chk.MessageDigest != nil {
			s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, "CMS signer: "+errString(chk.Err))
		}
	case !chk.ContentTypeOK:
		s.check(signing.CheckSignature, false, "signed contentType is not id-data")
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, "signed contentType attribute is not id-data")
	case si.Hash == crypto.MD5 || chk.WeakHash == crypto.MD5:
		// An MD5 messageDigest or signature binds the CodeDirectory
		// against no forger: a chosen-prefix collision gives two
		// CodeDirectories one signature. Authenticode and pkg call
		// MD5-bound content invalid too (TestAttackMD5CMSDigest).
		s.check(signing.CheckSignature, false, "the CMS signer binds the CodeDirectory with MD5, which a collision forges")
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, sigAt, "the CMS signer binds the CodeDirectory with MD5, which does not resist a forger")
	default:
		detail := "signature over the signed attributes verifies"
		if chk.WeakHash != 0 {
			detail += fmt.Sprintf(" (uses weak %s)", hashName(chk.WeakHash))
		}
		s.check(signing.CheckSignature, true, detail)
	}
	return chk
}

// checkCMSTimestamp verifies the signer's RFC 3161 timestamp, if any,
// notes its regions in own, and returns the time to check the chain at:
// the timestamp's when it verifies, else opts.Time.
func (s *sliceState) checkCMSTimestamp(opts Options, sd *cms.SignedData, si *cms.SignerInfo, own *cmsOwnership) time.Time {
	at := opts.Time
	tok := si.UnsignedAttr(cms.OIDAttrTimeStampToken)
	if tok == nil || len(tok.Values) == 0 {
		return at
	}
	ts := cms.VerifyTimestampToken(tok.Values[0], si.Signature, cms.TimestampOptions{Trust: opts.Trust, RefuseMD5: true})
	own.Timestamp(tok.Values[0], ts)
	s.sig.Timestamp = ts
	if ts.Verified {
		at = ts.Latest()
		s.check(signing.CheckTimestamp, true, "RFC 3161 timestamp at "+ts.Time.UTC().Format("2006-01-02T15:04:05Z")+" verifies; the chain is checked at that time")
	} else {
		detail := "timestamp does not verify, so it does not move the validation time: " + ts.Detail
		if ts.Intact {
			// "timestamp intact but its authority's chain …": the
			// token is good, only its trust is not.
			detail = ts.Detail + ", so it does not move the validation time"
		}
		s.check(signing.CheckTimestamp, false, detail)
	}
	return at
}

// checkCMSChain verifies the signer leaf's chain at time at, records it
// (in own too, whose certificates are then judged), and classifies the
// signer by Apple's markers.
func (s *sliceState) checkCMSChain(opts Options, sd *cms.SignedData, leaf *x509.Certificate, at time.Time, own *cmsOwnership, sigAt int64) {
	cr := opts.Trust.VerifyChain(leaf, sd.Certificates, signing.ChainOptions{
		Time:                    at,
		Earliest:                s.sig.Timestamp.Earliest(),
		Usage:                   x509.ExtKeyUsageCodeSigning,
		ExplicitUsage:           true,
		LeafKeyUsage:            x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		RefuseMD5:               true,
		AllowCriticalExtensions: signing.AppleMarkerExtensions(),
	})
	s.sig.Chain = cr.Identities()
	own.Chains = [][]*x509.Certificate{cr.Chain}
	s.chain, s.chainTrusted = cr.Chain, cr.Trusted
	own.JudgeCertificates = true
	if cr.Trusted {
		s.check(signing.CheckChain, true, fmt.Sprintf("chains to %q", signing.FormatName(cr.Chain[len(cr.Chain)-1].Subject)))
	} else {
		s.check(signing.CheckChain, false, cr.Problem)
		s.add(RuleUntrustedChain, signing.SeverityError, signing.StatusUntrusted, sigAt,
			fmt.Sprintf("signer %q does not chain to a trusted root: %s", signing.FormatName(leaf.Subject), cr.Problem))
	}
	s.appleKind(leaf, cr, sigAt)
}

// checkTeamID checks that every CodeDirectory's team ID is the signing
// certificate leaf's OU.
func (s *sliceState) checkTeamID(leaf *x509.Certificate) {
	primary := s.cds[0]
	ou := subjectOU(leaf)
	teamOK := true
	for _, cd := range s.cds {
		if cd.TeamID != "" && cd.TeamID != ou {
			teamOK = false
			s.add(RuleTeamIDMismatch, signing.SeverityError, signing.StatusInvalid, s.slice.Offset+cd.off,
				fmt.Sprintf("%s names team %q but the signing certificate's OU is %q", slotName(cd.Slot), cd.TeamID, ou))
		}
	}
	switch {
	case !teamOK:
		s.check(CheckTeamID, false, fmt.Sprintf("CodeDirectory team %q, certificate OU %q", primary.TeamID, ou))
	case primary.TeamID == "":
		s.check(CheckTeamID, true, "the CodeDirectory names no team")
	default:
		s.check(CheckTeamID, true, fmt.Sprintf("team %s matches the certificate's OU", primary.TeamID))
	}
}

// appleKind classifies the signer by Apple's markers (signing.ExplainApple),
// records the kind on the signer, checks that a Developer ID leaf hangs
// from the Developer ID CA, and reports a development or App Store
// certificate, whose code Gatekeeper does not run outside development or
// the store.
func (s *sliceState) appleKind(leaf *x509.Certificate, cr signing.ChainResult, sigAt int64) {
	var issuer *x509.Certificate
	if len(cr.Chain) > 1 {
		issuer = cr.Chain[1]
	}
	ac := signing.ExplainApple(leaf, issuer)
	s.sig.Signer.AppleKind = ac.Kind
	if len(s.sig.Chain) > 0 {
		s.sig.Chain[0].AppleKind = ac.Kind
	}
	if ac.Claim(signing.AppleKindDeveloperIDApplication) {
		switch {
		case ac.Kind == signing.AppleKindDeveloperIDApplication:
			s.check(CheckDeveloperID, true, "Developer ID Application leaf (1.2.840.113635.100.6.1.13) under the Developer ID CA (1.2.840.113635.100.6.2.6)")
		case issuer == nil:
			s.check(CheckDeveloperID, false, "Developer ID leaf, but its issuer was not found")
		case ac.IssuerMismatch:
			s.check(CheckDeveloperID, false, "Developer ID leaf not confirmed by its issuer: "+ac.Problem)
			if cr.Trusted {
				s.add(RuleUntrustedChain, signing.SeverityError, signing.StatusUntrusted, sigAt,
					fmt.Sprintf("Developer ID leaf %q is issued by %q, which does not carry the Developer ID CA marker 1.2.840.113635.100.6.2.6 as Apple writes it (%s)", signing.FormatName(leaf.Subject), signing.FormatName(issuer.Subject), ac.Problem))
			}
		default:
			s.check(CheckDeveloperID, false, "Developer ID leaf whose kind is unknown: "+ac.Problem)
		}
	}
	switch ac.Kind {
	case signing.AppleKindDevelopment, signing.AppleKindDistribution, signing.AppleKindMacInstallerDistribution:
		s.add(RuleNotDistributionCertificate, signing.SeverityWarning, signing.StatusValid, sigAt,
			fmt.Sprintf("signed with an %s certificate (%s): Gatekeeper runs such code only in development or from the App Store, not when it is downloaded; releases published outside the store are signed with a Developer ID Application certificate", ac.Kind, leaf.Subject.CommonName))
	}
}

func errString(err error) string {
	if err == nil {
		return "unknown failure"
	}
	return err.Error()
}

// checkCDHashAttrs checks Apple's signed attributes that bind every
// CodeDirectory (the plist of cdhashes and the list of full digests).
// Without them alternate directories are bound by nothing and can be swapped.
func (s *sliceState) checkCDHashAttrs(si *cms.SignerInfo, sigAt int64) {
	ok := true
	fail := func(msg string) {
		ok = false
		s.add(RuleCDHashMismatch, signing.SeverityError, signing.StatusInvalid, sigAt, msg)
	}
	var details []string
	plistAttr := si.Attr(OIDCDHashesPlist)
	if plistAttr != nil {
		got, err := parseCDHashesPlist(plistAttr)
		switch {
		case err != nil:
			fail("cdhashes attribute (1.2.840.113635.100.9.1) does not parse: " + err.Error())
		case len(got) != len(s.cds):
			fail(fmt.Sprintf("cdhashes attribute lists %d cdhashes, the signature has %d CodeDirectories", len(got), len(s.cds)))
		default:
			for i, cd := range s.cds {
				if hex.EncodeToString(got[i]) != cd.CDHash {
					fail(fmt.Sprintf("cdhashes attribute entry %d is %x, %s has cdhash %s", i, got[i], slotName(cd.Slot), cd.CDHash))
				}
			}
			details = append(details, fmt.Sprintf("cdhashes plist binds all %d CodeDirectories", len(s.cds)))
		}
	}
	if a := si.Attr(OIDCDHashes); a != nil {
		covered := map[uint32]bool{}
		for i, v := range a.Values {
			var e struct {
				Alg    asn1.ObjectIdentifier
				Digest []byte
			}
			if rest, err := asn1.Unmarshal(v, &e); err != nil || len(rest) != 0 {
				fail(fmt.Sprintf("cdhashes attribute (1.2.840.113635.100.9.2) value %d does not parse", i))
				continue
			}
			h, known := cms.HashByOID(e.Alg)
			match := false
			for _, cd := range s.cds {
				if known && cd.hash == h && bytes.Equal(digest(h, cd.raw), e.Digest) {
					match = true
					covered[cd.Slot] = true
				}
			}
			if !match {
				fail(fmt.Sprintf("cdhashes attribute (1.2.840.113635.100.9.2) value %d (%s %x) matches no CodeDirectory", i, e.Alg, e.Digest))
			}
		}
		for _, cd := range s.cds {
			if !covered[cd.Slot] {
				fail(fmt.Sprintf("%s is not listed in the cdhashes attribute (1.2.840.113635.100.9.2)", slotName(cd.Slot)))
			}
		}
		details = append(details, "cdhashes digest list checked")
	}
	if plistAttr == nil && si.Attr(OIDCDHashes) == nil {
		if len(s.cds) > 1 {
			fail(fmt.Sprintf("%d alternate CodeDirectories are bound by no cdhashes attribute: they could be swapped", len(s.cds)-1))
		} else {
			details = append(details, "no cdhashes attribute; the single CodeDirectory is bound by messageDigest")
		}
	}
	if ok {
		s.check(CheckCDHashes, true, joinDetail(details))
	} else {
		s.check(CheckCDHashes, false, "the signed cdhashes do not match every CodeDirectory")
	}
}

func parseCDHashesPlist(a *cms.Attribute) ([][]byte, error) {
	if len(a.Values) != 1 {
		return nil, fmt.Errorf("%d values, want one", len(a.Values))
	}
	var raw []byte
	if rest, err := asn1.Unmarshal(a.Values[0], &raw); err != nil || len(rest) != 0 {
		return nil, errors.New("value is not an OCTET STRING")
	}
	var p struct {
		CDHashes [][]byte `plist:"cdhashes"`
	}
	if _, err := plist.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p.CDHashes == nil {
		return nil, errors.New("plist has no cdhashes array")
	}
	return p.CDHashes, nil
}

// subjectOU is the leaf's team as macOS reads it: the last OU
// ([signing.SubjectAttribute]).
func subjectOU(c *x509.Certificate) string {
	s, _ := signing.SubjectAttribute(c, oidOU)
	return s
}

// cmsOwnership attributes the bytes of a slice's CMS signature (see
// [cms.Ownership]); at is the file offset of the CMS blob's first byte
// (after the 8-byte blob header).
type cmsOwnership struct {
	cms.Ownership
	at int64
}

// report turns the regions into findings: one that can carry a payload is
// an error that makes the signature invalid (as bytes after the CMS in its
// blob do), a smaller one a warning. The signature-data check is added only
// when there is something to say, so clean reports stay as they were.
func (o *cmsOwnership) report(s *sliceState) {
	say, ok, detail := o.Report(func(unused bool, what string, r cms.Region, off, n int) {
		rule, st := RuleUnownedSignatureData, signing.StatusValid
		if unused {
			rule = RuleUnusedCertificate
		}
		if r.Payload {
			st = signing.StatusInvalid
		}
		s.add(rule, r.Severity(), st, o.at+int64(off),
			fmt.Sprintf("%s %d bytes at offset 0x%x of the CMS signature: %s; no signature covers them", what, n, off, r.Reason))
	})
	if say {
		s.check(signing.CheckSignatureData, ok, detail)
	}
}
