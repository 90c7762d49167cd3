package authenticode

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// subject is what a signed format gives the steps every Authenticode
// signature goes through once its digest is recomputed: the PE image, a
// script, an MSI database or a cabinet. The steps after the digest (the
// signer, timestamps, chain, weak algorithms, ownership of the SignedData's
// bytes) are the same for all of them.
type subject interface {
	// structure returns the name of the check on the container around
	// signature s ("cert-table" for PE), the problems found there, and the
	// detail to report when there are none.
	structure(v *verifier, s *sigState) (check signing.CheckName, problems []string, ok string)
	// dataType judges the SpcIndirectDataContent type of j's signature; it
	// adds the checks and findings and returns false when the signature does
	// not sign this format at all (j is then malformed).
	dataType(j *judgement) bool
	// digest returns the format's recomputed Authenticode digest with h;
	// false when it was not computed.
	digest(h crypto.Hash) ([]byte, bool)
	// what names the digested content in messages ("image", "script").
	what() string
	// extra runs the format's checks beyond the digest (PE page hashes) and
	// reports whether the signature stays intact.
	extra(j *judgement) bool
	// rules gives the rule IDs of the format's own findings.
	rules() formatRules
}

// formatRules are the rule IDs a format reports under its own family; the
// rules about the SignedData, its signer, timestamps and chain are shared
// (authenticode/…).
type formatRules struct {
	// digestMismatch: the recomputed digest differs from the signed one.
	digestMismatch signing.Rule
	// malformed: a signature that cannot be parsed as Authenticode for this
	// format.
	malformed signing.Rule
}

// judgement carries one signature through the shared steps.
type judgement struct {
	v   *verifier
	sub subject
	i   int
	s   *sigState
	sig signing.Signature
	det Detail
	// intact and trusted become false as checks fail; the verdict follows.
	intact, trusted bool
	chk             cms.SignerCheck
	own             ownership
	weak            []string
	at              time.Time // the time the chain is checked at
	earliest        time.Time // with a timestamp, the earliest time it allows (signing.ChainOptions.Earliest)
	atName          func() string
}

// verifyOne checks one signature: the container's structure, the parsed
// SignedData and SpcIndirectDataContent, the signer and the digest, the
// format's own checks, unsigned attributes, timestamps, the chain, and the
// ownership of every byte of the SignedData.
func (v *verifier) verifyOne(i int, s *sigState) (signing.Signature, Detail) {
	j := &judgement{
		v: v, sub: v.sub, i: i, s: s,
		sig:    signing.Signature{Format: signing.FormatAuthenticode, Index: i},
		det:    Detail{Entry: s.entry, Parent: s.parent, Depth: s.depth, Offset: s.offset},
		intact: true, trusted: true,
	}
	j.structure()
	if v.unexamined > 0 {
		// What the signatures past the limit hold is covered by nothing
		// examined: no verdict on the file can be valid.
		j.sig.AddCheck(CheckSignatureCount, false, fmt.Sprintf("the file holds more than %d signatures; %d were not examined", maxSignatures, v.unexamined))
		j.intact = false
	}
	if !j.parsed() || !j.indirectData() {
		return j.sig, j.det
	}
	j.signer()
	if !j.sub.extra(j) {
		j.intact = false
	}
	j.signerVerdict()
	j.distinct()
	j.unsignedAttributes()
	j.timestamps()
	j.trust()
	if v.checkOwnership(i, s, &j.sig, &j.own) {
		j.intact = false
	}
	switch {
	case !j.intact:
		j.sig.Status = signing.StatusInvalid
	case !j.trusted:
		j.sig.Status = signing.StatusUntrusted
	default:
		j.sig.Status = signing.StatusValid
	}
	return j.sig, j.det
}

func (j *judgement) finding(rule signing.Rule, sev signing.Severity, msg string) {
	j.v.finding(rule, sev, j.i, j.s.offset, msg)
}

// malformed ends the judgement: the signature is not Authenticode for this
// format.
func (j *judgement) malformed(check signing.CheckName, detail, finding string) bool {
	j.sig.AddCheck(check, false, detail)
	j.sig.Status = signing.StatusMalformed
	j.finding(j.sub.rules().malformed, signing.SeverityError, finding)
	return false
}

// structure checks the container around the signature (the certificate
// table of a PE file, the signature block of a script…).
func (j *judgement) structure() {
	check, probs, ok := j.sub.structure(j.v, j.s)
	switch {
	case j.s.reported:
		// The signature stands for a damaged container; its own check says so.
	case len(probs) > 0:
		j.sig.AddCheck(check, false, strings.Join(probs, "; "))
		j.intact = false
	default:
		j.sig.AddCheck(check, true, ok)
	}
}

// parsed reports whether the signature parsed; when not, it records why.
func (j *judgement) parsed() bool {
	s := j.s
	if s.malformed == "" {
		return true
	}
	name := s.malformedCheck
	if name == "" {
		name = "signed-data"
	}
	j.sig.AddCheck(name, false, s.malformed)
	j.sig.Status = signing.StatusMalformed
	if !s.reported {
		j.finding(j.sub.rules().malformed, signing.SeverityError, fmt.Sprintf("signature %d: %s", j.i, s.malformed))
	}
	return false
}

// indirectData checks the signer count, the SpcIndirectDataContent type and
// its digest algorithm, and records the signed and computed digests.
func (j *judgement) indirectData() bool {
	sd, spc, i := j.s.sd, j.s.spc, j.i
	if spc == nil {
		// A catalog: its signature covers the CTL itself.
		if len(sd.Signers) != 1 {
			return j.malformed(CheckSignerCount, fmt.Sprintf("%d SignerInfos, Authenticode requires exactly one", len(sd.Signers)),
				fmt.Sprintf("signature %d has %d signers, want exactly one", i, len(sd.Signers)))
		}
		j.sig.AddCheck(CheckSignerCount, true, "one SignerInfo")
		return j.sub.dataType(j)
	}
	if computed, ok := j.sub.digest(spc.hash); ok && spc.hash != 0 {
		j.sig.Digest = &signing.Digest{Algorithm: cms.HashName(spc.hash), Signed: hex.EncodeToString(spc.digest), Computed: hex.EncodeToString(computed)}
	}
	if len(sd.Signers) != 1 {
		return j.malformed(CheckSignerCount, fmt.Sprintf("%d SignerInfos, Authenticode requires exactly one", len(sd.Signers)),
			fmt.Sprintf("signature %d has %d signers, want exactly one", i, len(sd.Signers)))
	}
	j.sig.AddCheck(CheckSignerCount, true, "one SignerInfo")
	if !j.sub.dataType(j) {
		return false
	}
	if spc.hash == 0 || !slices.Contains(supported, spc.hash) || j.sig.Digest == nil {
		return j.malformed(signing.CheckDigest, fmt.Sprintf("unknown %s digest algorithm %s", j.sub.what(), spc.digestOID),
			fmt.Sprintf("signature %d uses an unknown digest algorithm %s", i, spc.digestOID))
	}
	return true
}

// signer checks the signer's contentType attribute and the recomputed
// digest; messageDigest and the signature follow the format's own checks
// (signerVerdict), so the checks keep their order.
func (j *judgement) signer() {
	sd, spc, i := j.s.sd, j.s.spc, j.i
	si := sd.Signers[0]
	if spc == nil {
		j.catalogSigner()
		return
	}
	j.chk = cms.VerifySigner(si, sd.Certificates, oidSpcIndirectData, sd.Content)
	if j.chk.ContentTypeOK {
		j.sig.AddCheck(CheckContentType, true, "SpcIndirectDataContent of "+dataTypeName(spc.dataType))
	} else {
		j.sig.AddCheck(CheckContentType, false, "the signed contentType attribute is missing or is not SpcIndirectDataContent")
		j.intact = false
	}
	alg, what := cms.HashName(spc.hash), j.sub.what()
	if j.sig.Digest.Match() {
		j.sig.AddCheck(signing.CheckDigest, true, alg+" "+what+" digest matches")
	} else {
		j.sig.AddCheck(signing.CheckDigest, false, fmt.Sprintf("%s %s digest: signed %s, computed %s", alg, what, j.sig.Digest.Signed, j.sig.Digest.Computed))
		j.finding(j.sub.rules().digestMismatch, signing.SeverityError,
			fmt.Sprintf("signature %d: the file's %s Authenticode digest %s differs from the signed %s: the %s was modified after signing", i, alg, j.sig.Digest.Computed, j.sig.Digest.Signed, what))
		j.intact = false
	}
}

// signerVerdict reports messageDigest and the signature over the signed
// attributes, and the signer's own signingTime.
func (j *judgement) signerVerdict() {
	chk, si := j.chk, j.s.sd.Signers[0]
	switch {
	case chk.Computed == nil && chk.Err != nil:
		j.sig.AddCheck(CheckMessageDigest, false, chk.Err.Error())
	case chk.DigestOK:
		j.sig.AddCheck(CheckMessageDigest, true, "messageDigest matches SpcIndirectDataContent")
	default:
		j.sig.AddCheck(CheckMessageDigest, false, "messageDigest attribute does not match SpcIndirectDataContent: the signed content was altered")
	}
	if chk.Cert != nil {
		id := signing.NewIdentity(chk.Cert)
		j.sig.Signer = &id
	}
	switch {
	case chk.SignatureOK:
		j.sig.AddCheck(signing.CheckSignature, true, "signature over the signed attributes verifies with the signer's key")
	case chk.Cert == nil:
		j.sig.AddCheck(signing.CheckSignature, false, "signer certificate not found among the embedded certificates")
	default:
		j.sig.AddCheck(signing.CheckSignature, false, chk.Err.Error())
	}
	if !chk.DigestOK || !chk.SignatureOK || !chk.ContentTypeOK {
		j.intact = false
		msg := "signature does not verify"
		if chk.Err != nil {
			msg = chk.Err.Error()
		}
		j.finding(RuleSignatureInvalid, signing.SeverityError, fmt.Sprintf("signature %d: %s", j.i, msg))
	}
	if st := si.Attr(cms.OIDAttrSigningTime); st != nil && len(st.Values) == 1 {
		if t, ok := parseTime(st.Values[0]); ok {
			j.det.SigningTime = &t
		}
	}
}

// timestamps verifies every timestamp; the first that verifies sets the
// validation time.
func (j *judgement) timestamps() {
	sd := j.s.sd
	si := sd.Signers[0]
	var best *signing.Timestamp
	sc := &timestampScan{
		// Windows refuses MD5-signed certificates for time stamping (MD5
		// deprecation, advisory 2862973): a collision forges them
		// (TestAttackMD5SignedTimestampAuthority).
		opts:   cms.TimestampOptions{Trust: j.v.opts.Trust, Certificates: sd.Certificates, RefuseMD5: true},
		named:  map[*x509.Certificate]bool{},
		copies: timestampCopies{},
	}
	for _, a := range si.UnsignedAttrs {
		for _, val := range a.Values {
			ts, ok := j.timestamp(sc, a.Type, val)
			if !ok {
				continue
			}
			j.det.Timestamps = append(j.det.Timestamps, *ts)
			if best == nil || (ts.Verified && !best.Verified) {
				best = ts
			}
		}
	}
	j.timestampDisagreement()
	j.timestampVerdict(best)
}

// timestampScan is the state kept across the timestamps of one signature.
type timestampScan struct {
	opts       cms.TimestampOptions
	unverified int // signed bytes of the timestamps that did not verify
	failed     int // timestamps that did not verify
	// named keeps the certificates that timestamps which did not verify
	// name, up to cms.MaxUnusedCertificateBytes in all (namedBytes): beyond
	// it, many broken timestamps would make as many certificates used.
	named      map[*x509.Certificate]bool
	namedBytes int
	copies     timestampCopies
}

// vouched returns the certificates of cs that a timestamp which did not
// verify may still make used, within the byte budget.
func (sc *timestampScan) vouched(cs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		if !sc.named[c] {
			if sc.namedBytes+len(c.Raw) > cms.MaxUnusedCertificateBytes {
				continue
			}
			sc.named[c] = true
			sc.namedBytes += len(c.Raw)
		}
		out = append(out, c)
	}
	return out
}

// timestamp verifies the unsigned attribute value val of type typ when it
// is a timestamp, and records the bytes and certificates it owns; false
// when val is no timestamp or a copy of one already seen.
func (j *judgement) timestamp(sc *timestampScan, typ asn1.ObjectIdentifier, val []byte) (*signing.Timestamp, bool) {
	v, sd := j.v, j.s.sd
	si := sd.Signers[0]
	var ts *signing.Timestamp
	legacy := typ.Equal(oidCounterSignature)
	switch {
	case typ.Equal(oidRFC3161CounterSign):
		ts = cms.VerifyTimestampToken(val, si.Signature, sc.opts)
		if sc.copies.copied(j, val, legacy, ts) {
			return nil, false
		}
		j.own.nested.Add(sd, val, cms.TimestampTokenRegions(val, ts))
	case legacy:
		ts = cms.VerifyCountersignature(val, si.Signature, sc.opts)
		if !ts.Verified {
			if alt := v.rawRSACountersignature(val, si.Signature, sd.Certificates, ts); alt != nil {
				ts = alt
			}
		}
		if sc.copies.copied(j, val, legacy, ts) {
			return nil, false
		}
		j.own.nested.Add(sd, val, cms.CountersignatureRegions(val))
		if len(cms.TimestampCertificates(ts)) == 0 {
			// Verification stopped before naming the authority (no
			// signingTime, say): its certificate is still the one
			// the countersignature names, not an unused one.
			if cs, err := cms.ParseSignerInfo(val); err == nil {
				if c := cms.NamedAuthority(cms.FindCertificate(cs, sd.Certificates)); c != nil {
					j.own.chains = append(j.own.chains, sc.vouched([]*x509.Certificate{c}))
				}
			}
		}
	default:
		return nil, false
	}
	if !ts.Verified {
		sc.failed++
		r, n := cms.UnverifiedTimestampRegions(val, legacy, sc.unverified, sd.Certificates)
		if sc.failed > maxOwnedTimestamps {
			r = surplusFailedTimestamp(val, sc.failed)
		}
		sc.unverified += n
		j.own.nested.Add(sd, val, r)
	}
	// The authority's chain may use the SignedData's certificates.
	if ts.Verified {
		j.own.chains = append(j.own.chains, cms.TimestampCertificates(ts))
	} else {
		j.own.chains = append(j.own.chains, sc.vouched(cms.TimestampCertificates(ts)))
	}
	return selfStamped(ts, j.chk.Cert), true
}

// selfStamped returns ts unverified when its authority signed with the key
// of signer, the certificate whose signature it dates: a code-signing
// certificate that also lists timeStamping can countersign itself, and whoever
// holds its key (long after it expired, say) could date new signatures inside
// its validity. Such a timestamp proves nothing about when the signature was
// made; its bytes stay owned as a verified timestamp's.
func selfStamped(ts *signing.Timestamp, signer *x509.Certificate) *signing.Timestamp {
	if !ts.Verified || signer == nil || ts.Authority == nil || ts.Authority.Certificate == nil {
		return ts
	}
	pub, ok := ts.Authority.Certificate.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(signer.PublicKey) {
		return ts
	}
	out := *ts
	out.Verified = false
	out.Detail = "timestamp intact but its authority's key is the signer's own key: a signer cannot date its own signature"
	return &out
}

// timestampVerdict sets the validation time from best, the timestamp that
// counts (nil when there is none), and reports it.
func (j *judgement) timestampVerdict(best *signing.Timestamp) {
	v, i := j.v, j.i
	chk := j.chk
	lifetime := chk.Cert != nil && slices.ContainsFunc(chk.Cert.UnknownExtKeyUsage, oidLifetimeSigning.Equal)
	j.at = v.opts.Time
	j.atName = func() string {
		// "now" is named, not printed, so that reports stay byte-identical.
		if v.opts.Time.IsZero() && (best == nil || !best.Verified || lifetime) {
			return "the current time"
		}
		return j.at.UTC().Format(time.RFC3339)
	}
	if j.at.IsZero() {
		j.at = time.Now()
	}
	if best != nil {
		j.sig.Timestamp = best
		if best.Verified {
			detail := fmt.Sprintf("%s timestamp at %s verified", best.Kind, best.Time.UTC().Format(time.RFC3339))
			if lifetime {
				detail += "; the leaf has the lifetime-signing usage, so the chain is checked at " + j.atName()
				// Nor does the timestamp date the signature for the
				// blocklists: Windows judges a revocation as of now.
				ts := *best // best may be shared
				ts.Disregarded = "the leaf has the lifetime-signing usage (1.3.6.1.4.1.311.10.3.13): Windows lets no timestamp date its signature"
				j.sig.Timestamp = &ts
			} else {
				j.at, j.earliest = best.Latest(), best.Earliest()
			}
			j.sig.AddCheck(signing.CheckTimestamp, true, detail)
		} else {
			// An intact timestamp's Detail says "timestamp intact but its
			// authority's chain …": the token is good, only its trust
			// is not.
			what := fmt.Sprintf("%s timestamp does not verify: %s", best.Kind, best.Detail)
			if best.Intact {
				what = fmt.Sprintf("%s %s", best.Kind, best.Detail)
			}
			j.sig.AddCheck(signing.CheckTimestamp, false, fmt.Sprintf("%s; the chain is checked at %s", what, j.atName()))
			j.finding(RuleTimestampInvalid, signing.SeverityWarning, fmt.Sprintf("signature %d: %s", i, what))
		}
	}
	j.det.ValidationTime = j.at.UTC()
}

// trust checks that the leaf may sign code and that its chain reaches a
// trusted root at the time that counts, and reports weak algorithms.
func (j *judgement) trust() {
	v, sd, spc, chk, i := j.v, j.s.sd, j.s.spc, j.chk, j.i
	if spc != nil && cms.Weak(spc.hash) {
		j.weak = append(j.weak, j.sub.what()+" digest "+cms.HashName(spc.hash))
	}
	if chk.WeakHash != 0 {
		j.weak = append(j.weak, "signer digest "+cms.HashName(chk.WeakHash))
	}
	if chk.Cert == nil {
		j.sig.AddCheck(signing.CheckEKU, false, "no signer certificate")
		j.sig.AddCheck(signing.CheckChain, false, "no signer certificate")
		j.trusted = false
	} else {
		if ok, detail := codeSigningLeaf(chk.Cert); ok {
			j.sig.AddCheck(signing.CheckEKU, true, detail)
		} else {
			j.sig.AddCheck(signing.CheckEKU, false, detail)
			j.trusted = false
		}
		cr := v.opts.Trust.VerifyChain(chk.Cert, sd.Certificates, signing.ChainOptions{Time: j.at, Earliest: j.earliest, Usage: x509.ExtKeyUsageCodeSigning, RefuseMD5: j.refuseMD5Chain()})
		j.own.chains = append(j.own.chains, cr.Chain)
		j.sig.Chain = cr.Identities()
		for _, w := range cr.Weak {
			j.weak = append(j.weak, fmt.Sprintf("certificate %q signed with %s", w.Subject, w.Algorithm))
		}
		if cr.Trusted {
			j.sig.AddCheck(signing.CheckChain, true, fmt.Sprintf("chain of %d reaches a trusted root at %s", len(cr.Chain), j.atName()))
		} else {
			j.sig.AddCheck(signing.CheckChain, false, cr.Problem)
			j.trusted = false
		}
	}
	if !j.trusted {
		why := []string{}
		for _, c := range j.sig.Checks {
			if (c.Name == "eku" || c.Name == "chain") && !c.OK {
				why = append(why, c.Detail)
			}
		}
		j.finding(RuleUntrustedChain, signing.SeverityError, fmt.Sprintf("signature %d is not trusted: %s", i, strings.Join(dedupeStrings(why), "; ")))
	}
	if len(j.weak) > 0 {
		sev := signing.SeverityWarning
		for _, w := range j.weak {
			if strings.Contains(w, "md5") || strings.Contains(w, "MD5") {
				sev = signing.SeverityError // MD5 collisions forged a code-signing CA (Flame, 2012)
			}
		}
		msg := fmt.Sprintf("signature %d uses weak algorithms: %s", i, strings.Join(j.weak, "; "))
		if md5 := j.md5Bindings(); len(md5) > 0 {
			j.intact = false
			j.sig.AddCheck(CheckDigestAlgorithm, false, "the signed content is bound with MD5 ("+strings.Join(md5, "; ")+"), which a collision forges")
			msg += ": content bound only by MD5 is not bound against a forger, so the signature is invalid"
		}
		j.finding(RuleWeakAlgorithm, sev, msg)
	}
}

// dataTypeName names an SpcIndirectDataContent type in checks.
func dataTypeName(oid asn1.ObjectIdentifier) string {
	switch {
	case oid.Equal(oidSpcPEImageData), oid.Equal(oidIndividualPurpose):
		return "SpcPeImageData"
	case oid.Equal(oidSpcSipInfo):
		return "SpcSipInfo"
	case oid.Equal(oidSpcCabData):
		return "SpcLink (cabinet)"
	}
	return oid.String()
}
