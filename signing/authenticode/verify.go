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
	// The PE checksum is a warning of its own and a check on every
	// signature; other formats have none.
	var addChecksum func(*signing.Signature)
	if v.l != nil {
		ck := v.res.Checksum
		ckOK := ck.Stored == 0 || ck.Stored == ck.Computed
		ckDetail := fmt.Sprintf("stored 0x%08x, computed 0x%08x", ck.Stored, ck.Computed)
		if ck.Stored == 0 {
			ckDetail = fmt.Sprintf("not set (computed 0x%08x)", ck.Computed)
		}
		sev, why := v.checksumJudgement()
		if !ckOK {
			v.finding(RuleChecksumMismatch, sev, -1, v.l.checksumOff, "PE checksum is wrong ("+ckDetail+"): "+why)
		}
		addChecksum = func(sig *signing.Signature) {
			sig.AddCheck(CheckChecksum, ckOK, ckDetail+"; "+article(sev)+", it does not change the status")
		}
	}
	for i, s := range v.sigs {
		sig, det := v.verifyOne(i, s)
		if addChecksum != nil {
			addChecksum(&sig)
		}
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
	signing.SortFindings(v.res.Findings)
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
	out.SetChain(v.opts.Trust.VerifyChain(chk.Cert, certs, signing.ChainOptions{Time: ts.Time, Usage: x509.ExtKeyUsageTimeStamping, RefuseMD5: true}))
	return &out
}

// codeSigningLeaf checks that the leaf may sign code: the codeSigning (or any)
// extended key usage, and digitalSignature when key usage is present.
// anyExtendedKeyUsage alone is accepted, as CryptoAPI's chain engine takes
// it for every requested usage (TestAnyEKUOnlyLeafAccepted); macOS does
// not, and signing/codesign refuses it.
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
