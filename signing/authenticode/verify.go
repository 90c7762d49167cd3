package authenticode

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// supported lists the image digest algorithms Verify recomputes.
var supported = []crypto.Hash{crypto.MD5, crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512}

// hash runs the single pass: one hasher per distinct image-digest algorithm,
// one job per distinct page-hash algorithm, the checksum and opts.FileHash.
func (v *verifier) hash() error {
	algs := []crypto.Hash{crypto.SHA256}
	algs = append(algs, v.opts.Authentihashes...)
	var pageAlgs []crypto.Hash
	for _, s := range v.sigs {
		if s.spc == nil {
			continue
		}
		if slices.Contains(supported, s.spc.hash) {
			algs = append(algs, s.spc.hash)
		}
		if s.spc.hasPages && s.spc.pageErr == "" {
			pageAlgs = append(pageAlgs, s.spc.pageAlg)
		}
	}
	algs = dedupe(algs)
	var usable []crypto.Hash
	for _, a := range algs {
		if slices.Contains(supported, a) && a.Available() {
			usable = append(usable, a)
		}
	}
	v.pageErr = map[string]string{}
	var jobs []*pageJob
	for _, a := range dedupe(pageAlgs) {
		j, why := newPageJob(v.l, a)
		if j == nil {
			v.pageErr[cms.HashName(a)] = why
			continue
		}
		jobs = append(jobs, j)
	}
	img := newImageHasher(v.l, usable)
	v.log.Debug("authenticode: hashing", "size", v.l.size, "algorithms", len(usable), "pageTables", len(jobs))
	sr, err := stream(v.r, v.l.size, v.l, img, jobs, v.opts.FileHash)
	if err != nil {
		return err
	}
	v.stream = sr
	v.res.Checksum.Computed = sr.checksum
	v.res.Authentihash = map[string]string{}
	for a, d := range sr.digests {
		v.res.Authentihash[cms.HashName(a)] = hex.EncodeToString(d)
	}
	return nil
}

func dedupe(h []crypto.Hash) []crypto.Hash {
	slices.Sort(h)
	return slices.Compact(h)
}

// finding records a finding; sig is a signature index or -1.
func (v *verifier) finding(rule signing.Rule, sev signing.Severity, sig int, off int64, msg string) {
	v.res.Findings = append(v.res.Findings, signing.NewFinding(rule, sev, msg).At(off).For(sig))
}

// verifyAll judges every signature and the file-level checks.
func (v *verifier) verifyAll() {
	ck := v.res.Checksum
	ckOK := ck.Stored == 0 || ck.Stored == ck.Computed
	ckDetail := fmt.Sprintf("stored 0x%08x, computed 0x%08x", ck.Stored, ck.Computed)
	if ck.Stored == 0 {
		ckDetail = fmt.Sprintf("not set (computed 0x%08x)", ck.Computed)
	}
	if !ckOK {
		v.finding(RuleChecksumMismatch, signing.SeverityWarning, -1, v.l.checksumOff,
			"PE checksum is wrong ("+ckDetail+"): the file was changed after linking or signing; Windows enforces it only for drivers and boot files")
	}
	for i, s := range v.sigs {
		sig, det := v.verifyOne(i, s)
		sig.AddCheck("checksum", ckOK, ckDetail+"; a warning, it does not change the status")
		v.log.Debug("authenticode: signature", "index", i, "entry", det.Entry, "parent", det.Parent, "offset", det.Offset, "status", sig.Status.String())
		v.res.Signatures = append(v.res.Signatures, sig)
		v.res.Details = append(v.res.Details, det)
	}
	if len(v.res.Signatures) > 0 {
		v.res.Status = signing.StatusValid
		for _, s := range v.res.Signatures {
			v.res.Status = v.res.Status.Worse(s.Status)
		}
	}
	sort.SliceStable(v.res.Findings, func(a, b int) bool {
		fa, fb := v.res.Findings[a], v.res.Findings[b]
		if *fa.Offset != *fb.Offset {
			return *fa.Offset < *fb.Offset
		}
		if fa.Rule != fb.Rule {
			return fa.Rule < fb.Rule
		}
		return fa.Signature < fb.Signature
	})
}

// verifyOne checks one signature.
func (v *verifier) verifyOne(i int, s *sigState) (signing.Signature, Detail) {
	sig := signing.Signature{Format: signing.FormatAuthenticode, Index: i}
	det := Detail{Entry: s.entry, Parent: s.parent, Depth: s.depth, Offset: s.offset}
	var intact, trusted = true, true

	// Structure of the table and this signature's entry.
	probs := append([]string(nil), v.tableProblems...)
	if s.entry < len(v.entryProblems) {
		probs = append(probs, v.entryProblems[s.entry]...)
	}
	switch {
	case s.reported:
		// The signature stands for a damaged table; its own check says so.
	case len(probs) > 0:
		sig.AddCheck("cert-table", false, strings.Join(probs, "; "))
		intact = false
	default:
		sig.AddCheck("cert-table", true, fmt.Sprintf("entry %d: revision 0x0200, PKCS_SIGNED_DATA, aligned, table ends the file, no bytes after the PKCS#7", s.entry))
	}
	if s.malformed != "" {
		name := s.malformedCheck
		if name == "" {
			name = "signed-data"
		}
		sig.AddCheck(name, false, s.malformed)
		sig.Status = signing.StatusMalformed
		if !s.reported {
			v.finding(RuleMalformedSignature, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d: %s", i, s.malformed))
		}
		return sig, det
	}
	sd, spc := s.sd, s.spc
	alg := cms.HashName(spc.hash)
	if computed, ok := v.stream.digests[spc.hash]; ok && spc.hash != 0 {
		sig.Digest = &signing.Digest{Algorithm: alg, Signed: hex.EncodeToString(spc.digest), Computed: hex.EncodeToString(computed)}
	}

	if len(sd.Signers) != 1 {
		sig.AddCheck("signer-count", false, fmt.Sprintf("%d SignerInfos, Authenticode requires exactly one", len(sd.Signers)))
		sig.Status = signing.StatusMalformed
		v.finding(RuleMalformedSignature, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d has %d signers, want exactly one", i, len(sd.Signers)))
		return sig, det
	}
	sig.AddCheck("signer-count", true, "one SignerInfo")
	si := sd.Signers[0]
	if spc.dataType.Equal(oidIndividualPurpose) {
		// osslsigncode, sbverify and UEFI firmware check only the digest, so
		// they accept such a signature; Windows does not know the type.
		sig.AddCheck("indirect-data-type", false, "SpcIndirectDataContent type is 1.3.6.1.4.1.311.2.1.21 (individual purpose), not SpcPeImageData (1.3.6.1.4.1.311.2.1.15); the image digest is verified as usual; a warning, it does not change the status")
		v.finding(RuleNonstandardIndirectDataType, signing.SeverityWarning, i, s.offset,
			fmt.Sprintf("signature %d: SpcIndirectDataContent names 1.3.6.1.4.1.311.2.1.21 instead of SpcPeImageData as its type (as Debian's fwupdx64.efi.signed does); osslsigncode, sbverify and UEFI firmware accept it, Windows may not", i))
	} else if !spc.dataType.Equal(oidSpcPEImageData) {
		sig.AddCheck("content-type", false, fmt.Sprintf("SpcIndirectDataContent type %s is not SpcPeImageData (1.3.6.1.4.1.311.2.1.15)", spc.dataType))
		sig.Status = signing.StatusMalformed
		v.finding(RuleMalformedSignature, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d does not sign a PE image (type %s)", i, spc.dataType))
		return sig, det
	}
	if spc.hash == 0 || !slices.Contains(supported, spc.hash) || sig.Digest == nil {
		sig.AddCheck("digest", false, fmt.Sprintf("unknown image digest algorithm %s", spc.digestOID))
		sig.Status = signing.StatusMalformed
		v.finding(RuleMalformedSignature, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d uses an unknown digest algorithm %s", i, spc.digestOID))
		return sig, det
	}

	// Cryptographic integrity of the signer: messageDigest, contentType and
	// the signature over the signed attributes.
	chk := cms.VerifySigner(si, sd.Certificates, oidSpcIndirectData, sd.Content)
	if chk.ContentTypeOK {
		sig.AddCheck("content-type", true, "SpcIndirectDataContent of SpcPeImageData")
	} else {
		sig.AddCheck("content-type", false, "the signed contentType attribute is missing or is not SpcIndirectDataContent")
		intact = false
	}

	// The image digest.
	if sig.Digest.Match() {
		sig.AddCheck("digest", true, alg+" image digest matches")
	} else {
		sig.AddCheck("digest", false, fmt.Sprintf("%s image digest: signed %s, computed %s", alg, sig.Digest.Signed, sig.Digest.Computed))
		v.finding(RuleDigestMismatch, signing.SeverityError, i, s.offset,
			fmt.Sprintf("signature %d: the file's %s Authenticode digest %s differs from the signed %s: the image was modified after signing", i, alg, sig.Digest.Computed, sig.Digest.Signed))
		intact = false
	}

	// Page hashes.
	if spc.hasPages {
		ok, unverified, detail, at, ph := v.checkPages(spc)
		det.PageHashes = ph
		sig.AddCheck("page-hashes", ok, detail)
		if !ok && !unverified {
			intact = false
			v.finding(RulePageHashMismatch, signing.SeverityError, i, at, fmt.Sprintf("signature %d: %s", i, detail))
		}
	}

	switch {
	case chk.Computed == nil && chk.Err != nil:
		sig.AddCheck("message-digest", false, chk.Err.Error())
	case chk.DigestOK:
		sig.AddCheck("message-digest", true, "messageDigest matches SpcIndirectDataContent")
	default:
		sig.AddCheck("message-digest", false, "messageDigest attribute does not match SpcIndirectDataContent: the signed content was altered")
	}
	if chk.Cert != nil {
		id := signing.NewIdentity(chk.Cert)
		sig.Signer = &id
	}
	switch {
	case chk.SignatureOK:
		sig.AddCheck("signature", true, "signature over the signed attributes verifies with the signer's key")
	case chk.Cert == nil:
		sig.AddCheck("signature", false, "signer certificate not found among the embedded certificates")
	default:
		sig.AddCheck("signature", false, chk.Err.Error())
	}
	if !chk.DigestOK || !chk.SignatureOK || !chk.ContentTypeOK {
		intact = false
		msg := "signature does not verify"
		if chk.Err != nil {
			msg = chk.Err.Error()
		}
		v.finding(RuleSignatureInvalid, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d: %s", i, msg))
	}
	if st := si.Attr(cms.OIDAttrSigningTime); st != nil && len(st.Values) == 1 {
		if t, ok := parseTime(st.Values[0]); ok {
			det.SigningTime = &t
		}
	}

	// Unsigned attributes: timestamps and nested signatures are known; the
	// rest is unauthenticated data.
	var stuffed []string
	stuffedBytes := 0
	for _, a := range si.UnsignedAttrs {
		det.UnsignedAttributes = append(det.UnsignedAttributes, a.Type.String())
		if a.Type.Equal(oidNestedSignature) || a.Type.Equal(oidRFC3161CounterSign) || a.Type.Equal(oidCounterSignature) {
			continue
		}
		n := 0
		for _, val := range a.Values {
			n += len(val)
		}
		if n > 2*len(a.Values) { // more than empty or NULL values
			stuffed = append(stuffed, fmt.Sprintf("%s (%d bytes)", a.Type, n))
			stuffedBytes += n
		}
	}
	if len(stuffed) > 0 {
		// Like bytes no field owns: an error once there is room for a
		// payload, a warning below. The status is left alone (the signed
		// content is intact), so a vendor that tags installers per download
		// can lower the rule's severity in its policy.
		sev := signing.SeverityWarning
		if stuffedBytes > cms.MaxToleratedRegion {
			sev = signing.SeverityError
		}
		sig.AddCheck("unsigned-attributes", false, "unknown unsigned attributes carry data: "+strings.Join(stuffed, ", ")+"; the status is unchanged")
		v.finding(RuleUnsignedAttributeData, sev, i, s.offset,
			fmt.Sprintf("signature %d carries unauthenticated data in unknown unsigned attributes: %s", i, strings.Join(stuffed, ", ")))
	}

	// Timestamps: every one is verified; the first that verifies sets the
	// validation time.
	var best *signing.Timestamp
	var own ownership
	tsOpts := cms.TimestampOptions{Trust: v.opts.Trust, Certificates: sd.Certificates}
	unverified := 0 // signed bytes of the timestamps that did not verify
	// vouched keeps the certificates that timestamps which did not verify
	// name, up to cms.MaxUnusedCertificateBytes in all: beyond it, many
	// broken timestamps would make as many certificates used.
	named := map[*x509.Certificate]bool{}
	namedBytes := 0
	vouched := func(cs []*x509.Certificate) []*x509.Certificate {
		var out []*x509.Certificate
		for _, c := range cs {
			if !named[c] {
				if namedBytes+len(c.Raw) > cms.MaxUnusedCertificateBytes {
					continue
				}
				named[c] = true
				namedBytes += len(c.Raw)
			}
			out = append(out, c)
		}
		return out
	}
	for _, a := range si.UnsignedAttrs {
		for _, val := range a.Values {
			var ts *signing.Timestamp
			switch {
			case a.Type.Equal(oidRFC3161CounterSign):
				ts = cms.VerifyTimestampToken(val, si.Signature, tsOpts)
				own.nested.Add(sd, val, cms.TimestampTokenRegions(val, ts))
			case a.Type.Equal(oidCounterSignature):
				ts = cms.VerifyCountersignature(val, si.Signature, tsOpts)
				if !ts.Verified {
					if alt := v.rawRSACountersignature(val, si.Signature, sd.Certificates, ts); alt != nil {
						ts = alt
					}
				}
				own.nested.Add(sd, val, cms.CountersignatureRegions(val))
				if len(cms.TimestampCertificates(ts)) == 0 {
					// Verification stopped before naming the authority (no
					// signingTime, say): its certificate is still the one
					// the countersignature names, not an unused one.
					if cs, err := cms.ParseSignerInfo(val); err == nil {
						if c := cms.NamedAuthority(cms.FindCertificate(cs, sd.Certificates)); c != nil {
							own.chains = append(own.chains, vouched([]*x509.Certificate{c}))
						}
					}
				}
			default:
				continue
			}
			if !ts.Verified {
				r, n := cms.UnverifiedTimestampRegions(val, a.Type.Equal(oidCounterSignature), unverified)
				unverified += n
				own.nested.Add(sd, val, r)
			}
			// The authority's chain may use the SignedData's certificates.
			if ts.Verified {
				own.chains = append(own.chains, cms.TimestampCertificates(ts))
			} else {
				own.chains = append(own.chains, vouched(cms.TimestampCertificates(ts)))
			}
			det.Timestamps = append(det.Timestamps, *ts)
			if best == nil || (ts.Verified && !best.Verified) {
				best = ts
			}
		}
	}
	lifetime := chk.Cert != nil && slices.ContainsFunc(chk.Cert.UnknownExtKeyUsage, oidLifetimeSigning.Equal)
	at := v.opts.Time
	atName := func() string {
		// "now" is named, not printed, so that reports stay byte-identical.
		if v.opts.Time.IsZero() && (best == nil || !best.Verified || lifetime) {
			return "the current time"
		}
		return at.UTC().Format(time.RFC3339)
	}
	if at.IsZero() {
		at = time.Now()
	}
	if best != nil {
		sig.Timestamp = best
		if best.Verified {
			detail := fmt.Sprintf("%s timestamp at %s verified", best.Kind, best.Time.UTC().Format(time.RFC3339))
			if lifetime {
				detail += "; the leaf has the lifetime-signing usage, so the chain is checked at " + atName()
			} else {
				at = best.Time
			}
			sig.AddCheck("timestamp", true, detail)
		} else {
			// An intact timestamp's Detail says "timestamp intact but its
			// authority's chain …": the token is good, only its trust
			// is not.
			what := fmt.Sprintf("%s timestamp does not verify: %s", best.Kind, best.Detail)
			if best.Intact {
				what = fmt.Sprintf("%s %s", best.Kind, best.Detail)
			}
			sig.AddCheck("timestamp", false, fmt.Sprintf("%s; the chain is checked at %s", what, atName()))
			v.finding(RuleTimestampInvalid, signing.SeverityWarning, i, s.offset, fmt.Sprintf("signature %d: %s", i, what))
		}
	}
	det.ValidationTime = at.UTC()

	// Trust: the leaf may sign code, and its chain reaches a trusted root at
	// the time that counts.
	var weak []string
	if cms.Weak(spc.hash) {
		weak = append(weak, "image digest "+alg)
	}
	if chk.WeakHash != 0 {
		weak = append(weak, "signer digest "+cms.HashName(chk.WeakHash))
	}
	if chk.Cert == nil {
		sig.AddCheck("eku", false, "no signer certificate")
		sig.AddCheck("chain", false, "no signer certificate")
		trusted = false
	} else {
		if ok, detail := codeSigningLeaf(chk.Cert); ok {
			sig.AddCheck("eku", true, detail)
		} else {
			sig.AddCheck("eku", false, detail)
			trusted = false
		}
		cr := v.opts.Trust.VerifyChain(chk.Cert, sd.Certificates, signing.ChainOptions{Time: at, Usage: x509.ExtKeyUsageCodeSigning})
		own.chains = append(own.chains, cr.Chain)
		sig.Chain = cr.Identities()
		for _, w := range cr.Weak {
			weak = append(weak, fmt.Sprintf("certificate %q signed with %s", w.Subject, w.Algorithm))
		}
		if cr.Trusted {
			sig.AddCheck("chain", true, fmt.Sprintf("chain of %d reaches a trusted root at %s", len(cr.Chain), atName()))
		} else {
			sig.AddCheck("chain", false, cr.Problem)
			trusted = false
		}
	}
	if !trusted {
		why := []string{}
		for _, c := range sig.Checks {
			if (c.Name == "eku" || c.Name == "chain") && !c.OK {
				why = append(why, c.Detail)
			}
		}
		v.finding(RuleUntrustedChain, signing.SeverityError, i, s.offset, fmt.Sprintf("signature %d is not trusted: %s", i, strings.Join(dedupeStrings(why), "; ")))
	}
	if len(weak) > 0 {
		sev := signing.SeverityWarning
		for _, w := range weak {
			if strings.Contains(w, "md5") || strings.Contains(w, "MD5") {
				sev = signing.SeverityError // MD5 collisions forged a code-signing CA (Flame, 2012)
			}
		}
		v.finding(RuleWeakAlgorithm, sev, i, s.offset, fmt.Sprintf("signature %d uses weak algorithms: %s", i, strings.Join(weak, "; ")))
	}
	if v.checkOwnership(i, s, &sig, &own) {
		intact = false
	}
	switch {
	case !intact:
		sig.Status = signing.StatusInvalid
	case !trusted:
		sig.Status = signing.StatusUntrusted
	default:
		sig.Status = signing.StatusValid
	}
	return sig, det
}

// rawRSACountersignature re-checks a legacy countersignature whose RSA
// signature covers the bare digest of its signed attributes, without the
// DigestInfo prefix PKCS #1 v1.5 prescribes: Symantec's "Time Stamping
// Services Signer - G4" signed them that way for years, and Windows accepts
// them. It returns nil when the countersignature is not of that kind.
func (v *verifier) rawRSACountersignature(val, stamped []byte, certs []*x509.Certificate, ts *signing.Timestamp) *signing.Timestamp {
	cs, err := cms.ParseSignerInfo(val)
	if err != nil || ts.Time.IsZero() {
		return nil
	}
	chk := cms.VerifySigner(cs, certs, nil, stamped)
	if !chk.DigestOK || chk.Cert == nil || chk.SignatureOK || cs.Hash == 0 || !cs.Hash.Available() {
		return nil
	}
	pub, ok := chk.Cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil
	}
	h := cs.Hash.New()
	h.Write(cs.RawSignedAttrs)
	if rsa.VerifyPKCS1v15(pub, 0, h.Sum(nil), cs.Signature) != nil {
		return nil
	}
	out := *ts
	// The signature checks out; the authority is held to the rules of a
	// regular countersignature.
	if prob := cms.CountersignatureAuthorityProblem(chk.Cert); prob != "" {
		out.Detail = prob
		return &out
	}
	out.SetChain(v.opts.Trust.VerifyChain(chk.Cert, certs, signing.ChainOptions{Time: ts.Time, Usage: x509.ExtKeyUsageTimeStamping}))
	return &out
}

// codeSigningLeaf checks that the leaf may sign code: the codeSigning (or any)
// extended key usage, and digitalSignature when key usage is present.
func codeSigningLeaf(c *x509.Certificate) (bool, string) {
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return false, "signer key usage lacks digitalSignature"
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageCodeSigning {
			return true, "signer has the codeSigning extended key usage (1.3.6.1.5.5.7.3.3)"
		}
		if u == x509.ExtKeyUsageAny {
			return true, "signer has anyExtendedKeyUsage"
		}
	}
	return false, "signer lacks the codeSigning extended key usage (1.3.6.1.5.5.7.3.3)"
}

func dedupeStrings(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// checkPages compares a signed page-hash table with the recomputed one. When
// the file's layout does not allow recomputing it, unverified is set and the
// status is left alone: the image digest already covers every byte the pages
// do, so a signature whose digest matches cannot have tampered pages.
func (v *verifier) checkPages(spc *indirectData) (ok, unverified bool, detail string, at int64, ph *PageHashes) {
	name := cms.HashName(spc.pageAlg)
	at = v.l.secDirOff
	if spc.pageErr != "" {
		return false, false, "page hashes: " + spc.pageErr, at, nil
	}
	ph = &PageHashes{Algorithm: name}
	n := 4 + spc.pageAlg.Size()
	if len(spc.pageTable)%n != 0 {
		return false, false, fmt.Sprintf("%s page-hash table of %d bytes is not a whole number of %d-byte entries", name, len(spc.pageTable), n), at, ph
	}
	ph.Pages = len(spc.pageTable) / n
	if why, bad := v.pageErr[name]; bad {
		return false, true, "page hashes not verified: " + why + "; a warning, the image digest covers the same bytes", at, ph
	}
	got := v.stream.pages[spc.pageAlg]
	if len(got) != ph.Pages {
		return false, false, fmt.Sprintf("%s page-hash table has %d entries, the file has %d pages", name, ph.Pages, len(got)), at, ph
	}
	for k, p := range got {
		e := spc.pageTable[k*n : (k+1)*n]
		if int64(binary.LittleEndian.Uint32(e)) != p.offset || !bytes.Equal(e[4:], p.sum) {
			return false, false, fmt.Sprintf("%s page hash %d (file offset 0x%x) does not match: the page was modified after signing", name, k, p.offset), p.offset, ph
		}
	}
	ph.Match = true
	return true, false, fmt.Sprintf("%d %s page hashes match", ph.Pages, name), 0, ph
}

func parseTime(der []byte) (time.Time, bool) {
	var t time.Time
	rest, err := asn1.Unmarshal(der, &t)
	if err != nil || len(rest) != 0 {
		return time.Time{}, false
	}
	return t.UTC(), true
}
