package pkg

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/notary"
)

// Check names this package adds to the shared ones.
const (
	// CheckTOCChecksum compares the table of contents checksum stored in
	// the heap with the hash of the table.
	CheckTOCChecksum signing.CheckName = "toc-checksum"
	// CheckFileChecksums checks every file's archived checksum against its
	// heap bytes, and every heap byte's owner.
	CheckFileChecksums signing.CheckName = "file-checksums"
	// CheckInstallerCertificate checks that the signer may sign installer
	// packages (Developer ID Installer, or Mac App Store installer), and
	// that a Developer ID leaf is issued by the Developer ID CA.
	CheckInstallerCertificate signing.CheckName = "installer-certificate"
)

// Apple certificate markers and extended key usages of installer signing.
var (
	// OIDDeveloperIDInstaller marks a Developer ID Installer leaf.
	//
	// Deprecated: use [signing.OIDAppleDeveloperIDInstaller].
	OIDDeveloperIDInstaller = signing.OIDAppleDeveloperIDInstaller
	// OIDDeveloperIDCA marks the Developer ID Certification Authority.
	//
	// Deprecated: use [signing.OIDAppleDeveloperIDCA].
	OIDDeveloperIDCA = signing.OIDAppleDeveloperIDCA
	// OIDEKUDeveloperIDInstaller is the Developer ID Installer EKU.
	//
	// Deprecated: use [signing.OIDAppleEKUDeveloperIDInstaller].
	OIDEKUDeveloperIDInstaller = signing.OIDAppleEKUDeveloperIDInstaller
	// OIDEKUMacInstaller is the 3rd Party Mac Developer Installer EKU (Mac
	// App Store packages).
	//
	// Deprecated: use [signing.OIDAppleEKUMacInstaller].
	OIDEKUMacInstaller = signing.OIDAppleEKUMacInstaller
)

// Options configures Verify. The zero value trusts nothing.
type Options struct {
	// Trust holds the roots chains must reach ([signing.EmbeddedApple] for
	// Apple's); nil trusts nothing, so every signature is at best
	// untrusted.
	Trust *signing.TrustStore
	// Time is when certificates must be valid when no timestamp verifies;
	// zero means now.
	Time time.Time
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger
}

// Result is what Verify found.
type Result struct {
	// Reader is the archive as read.
	Reader *Reader
	// Signatures are the package's signatures: the RSA <signature> first,
	// then each CMS <x-signature>. Empty when the package is unsigned.
	Signatures []signing.Signature
	// Findings are the problems found, with file offsets.
	Findings []signing.Finding
	// TOCChecksumOK reports a table of contents checksum present and equal
	// to the table's hash; FilesOK every file's archived checksum present
	// and matching and every heap byte owned.
	TOCChecksumOK, FilesOK bool
	// Notarization is what the ticket stapled after the archive says about
	// the table of contents checksum (the name Gatekeeper looks a package
	// up by, truncated to 20 bytes); every signature carries it too.
	// Apple's signature on the ticket is not verified.
	Notarization *signing.Notarization
	// Distribution is the product archive's Distribution as read, nil
	// for a component package or one that could not be read (a
	// pkg/distribution-malformed finding).
	Distribution *Distribution
	// Signers are each signature's signer chain, by index (the zero
	// SignerChain for a signature whose signer was not found), for
	// evaluating code requirements against the certificates themselves.
	Signers []SignerChain
}

// SignerChain is the certificate chain of a signature's signer, leaf
// first, as far as it was built.
type SignerChain struct {
	Chain []*x509.Certificate
	// Trusted reports that the chain verified to a trusted root.
	Trusted bool
}

type verifier struct {
	x    *Reader
	opts Options
	res  *Result
	// digest is the table of contents hash, stored the checksum in the heap.
	digest, stored []byte
	// cmsOwn attributes the bytes of each CMS signature, by index.
	cmsOwn map[int]*cmsOwnership
}

func (v *verifier) add(rule signing.Rule, sev signing.Severity, off int64, format string, args ...any) *signing.Finding {
	f := signing.Finding{Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...)}
	if off >= 0 {
		o := off
		f.Offset = &o
	}
	v.res.Findings = append(v.res.Findings, f)
	return &v.res.Findings[len(v.res.Findings)-1]
}

// Verify reads the flat package of size bytes at r and checks it as
// pkgutil --check-signature and the installer do, offline: the table of
// contents checksum against the table, every file's archived checksum
// against its heap bytes (and the extracted one against the decoded bytes),
// the ownership of every heap byte, each RSA and CMS signature over the
// checksum, the signer's chain to opts.Trust at the CMS timestamp's time
// when one verifies (else opts.Time), and the installer certificate kind.
// A package that cannot be read returns ErrNotXar or a *FormatError;
// tampering and untrusted signers are Results.
//
// A notarization ticket stapled after the archive is parsed and searched
// for the table of contents checksum; Apple's signature on it is not
// verified. Not checked: certificate revocation (OCSP), and the Payload's
// contents, which [OpenFS] exposes for the caller to verify.
func Verify(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	x, err := NewReader(r, size)
	if err != nil {
		return nil, err
	}
	v := &verifier{x: x, opts: opts, res: &Result{Reader: x}, cmsOwn: map[int]*cmsOwnership{}}
	for _, p := range x.Problems {
		sev := p.Severity
		v.add(p.Rule, sev, p.Offset, "%s", p.Message)
	}
	signed := len(x.Signatures) > 0
	v.checkTOC(signed)
	v.checkFiles(signed)
	v.checkDistribution()
	at := opts.Time
	var ts *signing.Timestamp
	sigs := make([]signing.Signature, len(x.Signatures))
	v.res.Signers = make([]SignerChain, len(x.Signatures))
	leaves := make([]*x509.Certificate, len(x.Signatures))
	// CMS first: its timestamp is the time every chain is checked at.
	for i, s := range x.Signatures {
		if s.Extended {
			sigs[i], leaves[i] = v.verifyCMS(i, s)
			if t := sigs[i].Timestamp; t.Counts() && ts == nil {
				ts, at = t, t.Latest()
			}
		}
	}
	for i, s := range x.Signatures {
		if !s.Extended {
			sigs[i], leaves[i] = v.verifyRSA(i, s)
		}
	}
	var first *x509.Certificate
	for i := range sigs {
		s := &sigs[i]
		if leaves[i] != nil {
			v.judgeChain(s, x.Signatures[i], leaves[i], at, ts)
			if first == nil {
				first = leaves[i]
			} else if !first.Equal(leaves[i]) {
				v.add(RuleSignerMismatch, signing.SeverityError, x.HeapStart+x.Signatures[i].Ref.Offset,
					"signature %d is by %q but signature 0 by %q: one package, two signers", i, signing.FormatName(leaves[i].Subject), signing.FormatName(first.Subject)).Signature = i
				s.AddCheck(signing.CheckSignature, false, "signed by another certificate than the package's first signature")
				s.Status = s.Status.Worse(signing.StatusInvalid)
			}
		}
		if !v.res.TOCChecksumOK {
			s.Status = s.Status.Worse(signing.StatusInvalid)
		}
		if !v.res.FilesOK {
			s.Status = s.Status.Worse(signing.StatusInvalid)
		}
	}
	for i := range sigs {
		if own := v.cmsOwn[i]; own != nil {
			v.reportOwnership(&sigs[i], own)
		}
	}
	unowned := v.notarize()
	for i := range sigs {
		sigs[i].Notarization = v.res.Notarization
		if unowned {
			// Bytes after the archive that are not a ticket: nobody
			// signed them.
			sigs[i].Status = sigs[i].Status.Worse(signing.StatusInvalid)
		}
	}
	v.res.Signatures = sigs
	if opts.Logger != nil {
		for _, s := range sigs {
			opts.Logger.Debug("pkg signature", "index", s.Index, "format", s.Format, "status", s.Status)
		}
		opts.Logger.Debug("pkg checked", "tocChecksum", v.res.TOCChecksumOK, "files", v.res.FilesOK, "findings", len(v.res.Findings))
	}
	return v.res, nil
}

// checkTOC compares the stored table of contents checksum with the hash of
// the compressed table.
func (v *verifier) checkTOC(signed bool) {
	x := v.x
	c := x.TOCChecksum
	at := x.HeapStart + c.Ref.Offset
	v.digest = x.TOCDigest()
	switch {
	case x.Hash == 0:
		if signed || c.Present {
			v.add(RuleTOCChecksumMismatch, signing.SeverityError, 24, "the xar header names no checksum algorithm, so nothing binds the table of contents to its signature")
		}
		return
	case !c.Present:
		v.add(RuleTOCChecksumMismatch, signing.SeverityError, int64(x.Header.Size), "the table of contents has no <checksum>: nothing binds it to the archive's signature")
		return
	}
	if h, ok := hashByName(c.Style); !ok || h != x.Hash {
		v.add(RuleTOCChecksumMismatch, signing.SeverityError, 24, "the table of contents checksum style %q is not the header's algorithm (%s)", c.Style, hashName(x.Hash))
		return
	}
	if c.Ref.Size != int64(x.Hash.Size()) {
		v.add(RuleTOCChecksumMismatch, signing.SeverityError, at, "the table of contents checksum is %d bytes, %s has %d", c.Ref.Size, hashName(x.Hash), x.Hash.Size())
		return
	}
	stored, err := x.ReadHeap(c.Ref, 64)
	if err != nil {
		v.add(RuleMalformed, signing.SeverityError, at, "reading the table of contents checksum: %v", err)
		return
	}
	v.stored = stored
	if !bytes.Equal(stored, v.digest) {
		v.add(RuleTOCChecksumMismatch, signing.SeverityError, at, "the table of contents hashes to %s %x, the heap records %x: the table was changed after the archive was written", hashName(x.Hash), v.digest, stored)
		return
	}
	if x.Hash == crypto.MD5 {
		// A colliding table of contents can be made for an MD5 checksum:
		// the signature does not bind this one.
		v.add(RuleWeakChecksum, signing.SeverityError, 24, "the table of contents checksum is MD5, which does not bind it against a forger")
		return
	}
	v.res.TOCChecksumOK = true
}

// checkFiles checks each entry's data against its checksums.
func (v *verifier) checkFiles(signed bool) {
	x := v.x
	ok := true
	for _, p := range x.Problems {
		if p.Severity == signing.SeverityError && (p.Rule == RuleUnownedHeapData || p.Rule == RuleHeapOverlap || p.Rule == RuleMalformed) {
			ok = false
		}
	}
	checked := map[Data]DataCheck{}
	missingSev := signing.SeverityWarning
	if signed {
		missingSev = signing.SeverityError
	}
	for _, e := range x.Entries {
		switch {
		case e.Type == TypeFile, e.Type == TypeDirectory:
		case e.Type == TypeHardlink && e.Unsafe == "" && x.DataEntry(e) == nil:
			// Extracted, it is a second name for data shipgate cannot
			// attribute: as "Payload" or "Scripts" it would install
			// files nothing here has looked at.
			ok = false
			v.add(RuleUnsupportedEntry, signing.SeverityError, -1, "table of contents entry %s is a hard link to id %q, which names no single file with a safe name: the data extracted under its name is not checked", quotePath(e.Path), e.Link)
		case e.Type == TypeHardlink:
		default:
			v.add(RuleUnsupportedEntry, signing.SeverityWarning, -1, "table of contents entry %s is a %q, which is not opened", quotePath(e.Path), e.Type)
		}
		d := e.Data
		if d == nil {
			continue
		}
		at := x.HeapStart + d.Ref.Offset
		if e.Type == TypeDirectory {
			v.add(RuleUnsupportedEntry, signing.SeverityWarning, at, "directory %s carries %d bytes of data, which no extractor writes and which were not opened", quotePath(e.Path), d.Ref.Size)
		}
		switch d.Encoding {
		case EncodingNone, EncodingZlib, EncodingBzip2:
		default:
			v.add(RuleUnsupportedEntry, signing.SeverityError, at, "the data of %s has the unknown encoding %q, so it cannot be read", quotePath(e.Path), d.Encoding)
		}
		ah, aok := hashByName(d.Archived.Style)
		if !aok || d.Archived.Hex == "" {
			ok = false
			v.add(RuleFileChecksumMissing, missingSev, at, "%s has no archived checksum in a known algorithm (%q), so the table of contents does not bind its bytes", quotePath(e.Path), d.Archived.Style)
		} else if ah == crypto.MD5 {
			ok = false
			v.add(RuleWeakChecksum, missingSev, at, "%s is bound by an MD5 archived checksum, which does not resist a forger", quotePath(e.Path))
		}
		// Entries may share one <data> (xar stores duplicate files once):
		// it is decoded once, or a thousand entries naming one
		// thousandfold stream would decode it a thousand times.
		c, seen := checked[*d]
		if !seen {
			c = x.CheckData(e)
			checked[*d] = c
		}
		switch {
		case aok && d.Archived.Hex != "" && !c.ArchivedOK:
			ok = false
			v.add(RuleFileChecksumMismatch, signing.SeverityError, at, "%s: its %d heap bytes hash to %s %s, the table of contents records %s", quotePath(e.Path), d.Ref.Size, d.Archived.Style, c.ArchivedComputed, d.Archived.Hex)
		case c.Err != nil:
			ok = false
			v.add(RuleMalformed, signing.SeverityError, at, "%s: %v", quotePath(e.Path), c.Err)
		case c.ExtractedComputed != "" && !c.ExtractedOK:
			ok = false
			v.add(RuleFileChecksumMismatch, signing.SeverityError, at, "%s: its decoded bytes hash to %s %s, the table of contents records %s", quotePath(e.Path), d.Extracted.Style, c.ExtractedComputed, d.Extracted.Hex)
		}
	}
	v.res.FilesOK = ok
}

func (v *verifier) newSig(i int, s Signature) signing.Signature {
	f := signing.FormatApplePkg
	if s.Extended {
		f = signing.FormatApplePkgCMS
	}
	sig := signing.Signature{Format: f, Index: i, Status: signing.StatusValid}
	if v.res.TOCChecksumOK {
		sig.AddCheck(CheckTOCChecksum, true, fmt.Sprintf("the table of contents hashes to the %s checksum the heap records", hashName(v.x.Hash)))
	} else {
		sig.AddCheck(CheckTOCChecksum, false, "the table of contents does not match its checksum")
	}
	if v.res.FilesOK {
		sig.AddCheck(CheckFileChecksums, true, "every file's heap bytes match the archived checksum the table records, and every heap byte is owned")
	} else {
		sig.AddCheck(CheckFileChecksums, false, "a file's bytes do not match the table of contents, or heap bytes belong to nothing")
	}
	return sig
}

func parseCerts(ders [][]byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i, d := range ders {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, fmt.Errorf("KeyInfo certificate %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func (v *verifier) malformedSig(sig *signing.Signature, at int64, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	sig.AddCheck(signing.CheckSignature, false, msg)
	sig.Status = sig.Status.Worse(signing.StatusMalformed)
	v.add(RuleSignatureInvalid, signing.SeverityError, at, "signature %d: %s", sig.Index, msg).Signature = sig.Index
}

// start begins the Signature of s, which must be of style style, at its
// heap offset; ok is false when it cannot be verified at all.
func (v *verifier) start(i int, s Signature, style string) (sig signing.Signature, at int64, ok bool) {
	sig = v.newSig(i, s)
	at = v.x.HeapStart + s.Ref.Offset
	switch {
	case s.Style != style:
		v.malformedSig(&sig, at, "signature style %q is not %s", s.Style, style)
	case v.x.Hash == 0:
		v.malformedSig(&sig, at, "the archive has no checksum for the signature to sign")
	default:
		return sig, at, true
	}
	return sig, at, false
}

// verifyRSA checks an RSA <signature>: PKCS#1 v1.5 over the table of
// contents checksum, with the header's hash, by the first KeyInfo
// certificate.
func (v *verifier) verifyRSA(i int, s Signature) (signing.Signature, *x509.Certificate) {
	x := v.x
	sig, at, ok := v.start(i, s, "RSA")
	if !ok {
		return sig, nil
	}
	certs, err := parseCerts(s.Certificates)
	if err != nil || len(certs) == 0 {
		v.malformedSig(&sig, at, "no usable certificate in KeyInfo: %v", err)
		return sig, nil
	}
	leaf := certs[0]
	id := signing.NewIdentity(leaf)
	sig.Signer = &id
	sig.Digest = &signing.Digest{Algorithm: hashName(x.Hash), Signed: hex.EncodeToString(v.stored), Computed: hex.EncodeToString(v.digest)}
	pub, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok {
		v.malformedSig(&sig, at, "the KeyInfo leaf %q has a %T key, not RSA", signing.FormatName(leaf.Subject), leaf.PublicKey)
		return sig, leaf
	}
	if s.Ref.Size != int64(pub.Size()) {
		v.malformedSig(&sig, at, "the signature is %d bytes, the %d-bit key signs %d", s.Ref.Size, pub.N.BitLen(), pub.Size())
		return sig, leaf
	}
	raw, err := x.ReadHeap(s.Ref, maxSignatureSize)
	if err != nil {
		v.malformedSig(&sig, at, "%v", err)
		return sig, leaf
	}
	if err := rsa.VerifyPKCS1v15(pub, x.Hash, v.digest, raw); err != nil {
		sig.AddCheck(signing.CheckSignature, false, "the RSA signature does not verify over the table of contents checksum")
		sig.Status = sig.Status.Worse(signing.StatusInvalid)
		v.add(RuleSignatureInvalid, signing.SeverityError, at, "signature %d: the RSA signature by %q does not verify over the table of contents %s checksum", i, signing.FormatName(leaf.Subject), hashName(x.Hash)).Signature = i
		return sig, leaf
	}
	sig.AddCheck(signing.CheckSignature, true, fmt.Sprintf("RSA PKCS#1 v1.5 signature over the %s table of contents checksum verifies", hashName(x.Hash)))
	return sig, leaf
}

// verifyCMS checks a CMS <x-signature>: detached id-data over the table of
// contents checksum bytes.
func (v *verifier) verifyCMS(i int, s Signature) (signing.Signature, *x509.Certificate) {
	x := v.x
	sig, at, ok := v.start(i, s, "CMS")
	if !ok {
		return sig, nil
	}
	raw, err := x.ReadHeap(s.Ref, maxSignatureSize)
	if err != nil {
		v.malformedSig(&sig, at, "%v", err)
		return sig, nil
	}
	sd, err := cms.Parse(raw)
	if err != nil {
		v.malformedSig(&sig, at, "CMS signature does not parse: %v", err)
		return sig, nil
	}
	if sd.Len < len(raw) {
		v.add(RuleUnownedHeapData, signing.SeverityError, at+int64(sd.Len), "%d heap bytes follow the CMS signature %d inside its range: nobody signed them", len(raw)-sd.Len, i).Signature = i
		sig.Status = sig.Status.Worse(signing.StatusInvalid)
	}
	own := &cmsOwnership{Ownership: cms.Ownership{SD: sd}, at: at}
	v.cmsOwn[i] = own
	if len(sd.Signers) != 1 {
		v.malformedSig(&sig, at, "CMS has %d signers, want exactly one", len(sd.Signers))
		return sig, nil
	}
	own.UnsignedAttrs(sd.Signers[0])
	if !sd.ContentType.Equal(cms.OIDData) || sd.RawContent != nil {
		v.malformedSig(&sig, at, "CMS must be detached id-data over the checksum (content type %s, attached content %t)", sd.ContentType, sd.RawContent != nil)
		return sig, nil
	}
	si := sd.Signers[0]
	chk := cms.VerifySigner(si, sd.Certificates, cms.OIDData, v.digest)
	sig.Digest = &signing.Digest{Algorithm: cms.HashName(si.Hash), Signed: hex.EncodeToString(chk.MessageDigest), Computed: hex.EncodeToString(chk.Computed)}
	switch {
	case chk.Cert == nil:
		v.malformedSig(&sig, at, "the signer's certificate is not in the CMS signature")
		return sig, nil
	case chk.MessageDigest == nil || !chk.DigestOK:
		sig.AddCheck(signing.CheckDigest, false, "CMS messageDigest is not the hash of the table of contents checksum: "+errString(chk.Err))
		sig.Status = sig.Status.Worse(signing.StatusInvalid)
		v.add(RuleSignatureInvalid, signing.SeverityError, at, "signature %d: the CMS messageDigest does not match the table of contents checksum: %s", i, errString(chk.Err)).Signature = i
	case !chk.SignatureOK || !chk.ContentTypeOK:
		sig.AddCheck(signing.CheckDigest, true, "CMS messageDigest matches the table of contents checksum")
		sig.AddCheck(signing.CheckSignature, false, errString(chk.Err))
		sig.Status = sig.Status.Worse(signing.StatusInvalid)
		v.add(RuleSignatureInvalid, signing.SeverityError, at, "signature %d: the CMS signature does not verify: %s", i, errString(chk.Err)).Signature = i
	default:
		sig.AddCheck(signing.CheckDigest, true, "CMS messageDigest matches the table of contents checksum")
		sig.AddCheck(signing.CheckSignature, true, "CMS signature over the signed attributes verifies")
	}
	id := signing.NewIdentity(chk.Cert)
	sig.Signer = &id
	if tok := si.UnsignedAttr(cms.OIDAttrTimeStampToken); tok != nil && len(tok.Values) > 0 {
		ts := cms.VerifyTimestampToken(tok.Values[0], si.Signature, cms.TimestampOptions{Trust: v.opts.Trust, RefuseMD5: true})
		own.Timestamp(tok.Values[0], ts)
		sig.Timestamp = ts
		if ts.Verified {
			sig.AddCheck(signing.CheckTimestamp, true, "RFC 3161 timestamp at "+ts.Time.UTC().Format("2006-01-02T15:04:05Z")+" verifies; chains are checked at that time")
		} else {
			sig.AddCheck(signing.CheckTimestamp, false, "timestamp does not verify, so it does not move the validation time: "+ts.Detail)
		}
	}
	// The chain is built from the CMS certificates and the KeyInfo's
	// (judgeChain), whose use is then judged (reportOwnership).
	return sig, chk.Cert
}

func errString(err error) string {
	if err == nil {
		return "unknown failure"
	}
	return err.Error()
}

// judgeChain builds the signer's chain at time at and checks that the
// certificate may sign installer packages.
func (v *verifier) judgeChain(sig *signing.Signature, s Signature, leaf *x509.Certificate, at time.Time, ts *signing.Timestamp) {
	x := v.x
	off := x.HeapStart + s.Ref.Offset
	keyInfo, _ := parseCerts(s.Certificates)
	inter := append([]*x509.Certificate(nil), keyInfo...)
	own := v.cmsOwn[sig.Index]
	if own != nil {
		inter = append(inter, own.SD.Certificates...)
	}
	if ts != nil && sig.Timestamp == nil {
		// The package's CMS timestamp dates this signature too.
		sig.AddCheck(signing.CheckTimestamp, true, "the package's CMS timestamp at "+ts.Time.UTC().Format("2006-01-02T15:04:05Z")+" dates this signature")
	}
	// macOS's basic X.509 policy refuses MD5-signed certificates
	// (kSecPolicyCheckWeakSignature) in an installer's chain as in code's.
	cr := v.opts.Trust.VerifyChain(leaf, inter, signing.ChainOptions{Time: at, Earliest: ts.Earliest(), AllowCriticalExtensions: signing.AppleMarkerExtensions(), RefuseMD5: true})
	sig.Chain = cr.Identities()
	if sig.Index >= 0 && sig.Index < len(v.res.Signers) {
		v.res.Signers[sig.Index] = SignerChain{Chain: cr.Chain, Trusted: cr.Trusted}
	}
	if cr.Trusted {
		sig.AddCheck(signing.CheckChain, true, fmt.Sprintf("chains to %q", signing.FormatName(cr.Chain[len(cr.Chain)-1].Subject)))
	} else {
		sig.AddCheck(signing.CheckChain, false, cr.Problem)
		sig.Status = sig.Status.Worse(signing.StatusUntrusted)
		v.add(RuleUntrustedChain, signing.SeverityError, off, "signature %d: signer %q does not chain to a trusted root: %s", sig.Index, signing.FormatName(leaf.Subject), cr.Problem).Signature = sig.Index
	}
	if own != nil {
		own.Chains, own.JudgeCertificates = [][]*x509.Certificate{cr.Chain}, true
	}
	v.keyInfoCertificates(sig, keyInfo, cr.Chain, off)
	var issuer *x509.Certificate
	if len(cr.Chain) > 1 {
		issuer = cr.Chain[1]
	}
	ac := signing.ExplainApple(leaf, issuer)
	if sig.Signer != nil {
		sig.Signer.AppleKind = ac.Kind
	}
	if len(sig.Chain) > 0 {
		sig.Chain[0].AppleKind = ac.Kind
	}
	ok, store, detail := installerCert(leaf, ac, cr.Trusted)
	sig.AddCheck(CheckInstallerCertificate, ok, detail)
	if !ok {
		sig.Status = sig.Status.Worse(signing.StatusUntrusted)
		v.add(RuleNotInstallerCertificate, signing.SeverityError, off, "signature %d: %s", sig.Index, detail).Signature = sig.Index
	}
	if ok && store {
		v.add(RuleNotDistributionCertificate, signing.SeverityError, off, "signature %d: signed with a Mac App Store installer certificate (%s, kind %s): the installer and Gatekeeper refuse such a package outside the App Store; packages published for download are signed with a Developer ID Installer certificate", sig.Index, leaf.Subject.CommonName, kindName(ac.Kind)).Signature = sig.Index
	}
}

// kindName spells an Apple certificate kind in a message.
func kindName(k signing.AppleCertKind) string {
	if k == signing.AppleKindNone {
		return "not an Apple certificate"
	}
	return string(k)
}

// installerCert reports whether leaf (classified as ac) may sign installer
// packages: it carries the Developer ID Installer or Mac installer
// extended key usage, and a Developer ID Installer leaf (marker
// 1.2.840.113635.100.6.1.14 or its EKU) is a developer-id-installer, issued
// by a CA with the Developer ID marker (1.2.840.113635.100.6.2.6). The
// issuer is judged only on a trusted chain: an untrusted one is reported
// already. store reports a Mac App Store installer certificate (3rd Party
// Mac Developer Installer), which may sign packages only for the store.
func installerCert(leaf *x509.Certificate, ac signing.AppleClassification, trusted bool) (ok, store bool, detail string) {
	var devID, mas bool
	for _, o := range leaf.UnknownExtKeyUsage {
		devID = devID || o.Equal(signing.OIDAppleEKUDeveloperIDInstaller)
		mas = mas || o.Equal(signing.OIDAppleEKUMacInstaller)
	}
	if !devID && !mas {
		return false, false, fmt.Sprintf("%q has neither the Developer ID Installer (1.2.840.113635.100.4.13) nor the Mac installer (1.2.840.113635.100.4.9) extended key usage: it may not sign installer packages", signing.FormatName(leaf.Subject))
	}
	if ac.Claim(signing.AppleKindDeveloperIDInstaller) {
		switch {
		case !trusted:
			return true, false, "Developer ID Installer certificate; its issuer is not judged on an untrusted chain"
		case ac.IssuerMismatch:
			return false, false, fmt.Sprintf("Developer ID Installer leaf %q is not issued by a CA with the Developer ID marker 1.2.840.113635.100.6.2.6", signing.FormatName(leaf.Subject))
		case ac.Kind != signing.AppleKindDeveloperIDInstaller:
			return false, false, fmt.Sprintf("Developer ID Installer leaf %q is of no single kind: %s", signing.FormatName(leaf.Subject), ac.Problem)
		}
		return true, false, "Developer ID Installer certificate under the Developer ID CA"
	}
	return true, true, fmt.Sprintf("Mac installer certificate (3rd Party Mac Developer Installer, kind %s): for the Mac App Store only", kindName(ac.Kind))
}

// notarize records the stapled ticket, if any, against the table of
// contents checksum as computed: a ticket naming another package is a
// warning, one that does not parse an error. It reports whether bytes after
// the archive are covered by nothing (a malformed ticket, trailers of
// unknown types).
func (v *verifier) notarize() (unowned bool) {
	var hs []string
	if len(v.digest) >= 20 {
		hs = []string{hex.EncodeToString(v.digest[:20])}
	}
	var raw []byte
	loc := ""
	if st := v.x.Stapled; st != nil && st.Ticket != nil {
		raw, loc = st.Ticket, fmt.Sprintf("package trailer at %#x", st.TicketOffset)
	}
	n := notary.Check(raw, loc, hs)
	v.res.Notarization = n
	if st := v.x.Stapled; st != nil {
		for _, u := range st.Unknown {
			unowned = true
			v.add(RuleNotarizationTicketMalformed, signing.SeverityError, u.Offset, "a stapler trailer of unknown type %d holds %d bytes at %#x: Security.framework skips it and no signature covers it", u.Type, u.Length, u.Offset-u.Length)
		}
	}
	if raw == nil {
		return unowned
	}
	at := v.x.Stapled.TicketOffset
	switch {
	case n.Status == signing.NotarizationMalformed:
		unowned = true
		v.add(RuleNotarizationTicketMalformed, signing.SeverityError, at, "the ticket stapled after the archive does not parse (%s): no signature covers its %d bytes", n.Detail, len(raw))
	case n.Detail != "":
		v.add(RuleNotarizationTicketLayout, signing.SeverityWarning, at, "the stapled ticket is not laid out as shipgate reads tickets (%s): no signature covers its %d bytes", n.Detail, len(raw))
		if !n.Bound() {
			v.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, at, "the stapled notarization ticket does not name the table of contents checksum %v: it is a ticket for another package", hs)
		}
		v.add(RuleNotarizationTicketUnverified, signing.SeverityNote, at, "stapled notarization ticket of %d bytes: it parses, but Apple's signature on it is not verified", len(raw))
	case !n.Bound():
		v.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, at, "the stapled notarization ticket does not name the table of contents checksum %v: it is a ticket for another package", hs)
		fallthrough
	default:
		v.add(RuleNotarizationTicketUnverified, signing.SeverityNote, at, "stapled notarization ticket of %d bytes: it parses, but Apple's signature on it is not verified", len(raw))
	}
	return unowned
}
