package blocklist

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/cms"
)

// Microsoft certificate trust list object identifiers (MS-CAESO, wincrypt.h).
var (
	oidCTL                = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 1}
	oidDisallowedList     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 30}
	oidCertSignatureHash  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 11, 15}
	oidDisallowedFileTime = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 11, 104}
	oidFriendlyName       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 11, 11}
	oidSHA1               = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// maxCTLSubjects bounds the entries of one CTL (Microsoft's hold hundreds).
const maxCTLSubjects = 1 << 22

// ctl reads a Microsoft certificate trust list of disallowed certificates
// (disallowedcert.stl): a PKCS#7 SignedData whose content is a CTL with
// subjectUsage szOID_DISALLOWED_LIST. Entries are keyed by the list's
// subjectAlgorithm — SHA-1 or SHA-256 thumbprints, or the TBS "signature
// hash" (1.3.6.1.4.1.311.10.11.15) — and a DisallowedFileTime attribute
// becomes the entry's window start: signatures timestamped before it still
// validate. Lists of other usages (authroot.stl trusts roots) are refused.
func (p *parser) ctl(b []byte) error {
	der := b
	if i := bytes.Index(b, []byte("-----BEGIN")); i >= 0 {
		blk, _ := pem.Decode(b[i:])
		if blk == nil {
			return p.errLine(1, "bad PEM block")
		}
		der = blk.Bytes
	}
	sd, err := cms.Parse(der)
	if err != nil {
		return p.errOff(0, "PKCS#7: %v", err)
	}
	if !sd.ContentType.Equal(oidCTL) {
		return p.errOff(0, "PKCS#7 content type %s is not a certificate trust list (%s)", sd.ContentType, oidCTL)
	}
	if sd.RawContent == nil {
		return p.errOff(0, "PKCS#7 has no content")
	}
	// Offsets are reported in the input when it is DER (BER input is
	// converted and offsets then refer to the DER form).
	base := int64(bytes.Index(der, sd.RawContent))
	if base < 0 {
		base = 0
	}
	content := cryptobyte.String(sd.RawContent)
	// Tolerate the CTL wrapped in an OCTET STRING.
	if len(content) > 0 && content[0] == 0x04 {
		var inner cryptobyte.String
		if !content.ReadASN1(&inner, cbasn1.OCTET_STRING) {
			return p.errOff(base, "bad CTL OCTET STRING")
		}
		base += int64(len(sd.RawContent) - len(inner))
		content = inner
	}
	whole := content
	off := func(s cryptobyte.String) int64 { return base + int64(len(whole)-len(s)) }
	var ctl cryptobyte.String
	if !content.ReadASN1(&ctl, cbasn1.SEQUENCE) {
		return p.errOff(base, "CTL is not a SEQUENCE")
	}
	var version int64
	if ctl.PeekASN1Tag(cbasn1.INTEGER) && !ctl.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) {
		return p.errOff(off(ctl), "bad CTL version")
	}
	var usage cryptobyte.String
	if !ctl.ReadASN1(&usage, cbasn1.SEQUENCE) {
		return p.errOff(off(ctl), "bad CTL subjectUsage")
	}
	disallowed := false
	var usages []string
	for !usage.Empty() {
		var oid asn1.ObjectIdentifier
		if !usage.ReadASN1ObjectIdentifier(&oid) {
			return p.errOff(off(usage), "bad subjectUsage OID")
		}
		usages = append(usages, oid.String())
		disallowed = disallowed || oid.Equal(oidDisallowedList)
	}
	if !disallowed {
		return p.errOff(base, "CTL subjectUsage [%s] is not the disallowed list %s: a trust list of another kind (authroot.stl trusts its subjects) is not a blocklist", strings.Join(usages, " "), oidDisallowedList)
	}
	if ctl.PeekASN1Tag(cbasn1.OCTET_STRING) && !ctl.SkipASN1(cbasn1.OCTET_STRING) {
		return p.errOff(off(ctl), "bad CTL listIdentifier")
	}
	if ctl.PeekASN1Tag(cbasn1.INTEGER) && !ctl.SkipASN1(cbasn1.INTEGER) {
		return p.errOff(off(ctl), "bad CTL sequenceNumber")
	}
	var thisUpdate time.Time
	if !readTime(&ctl, &thisUpdate) {
		return p.errOff(off(ctl), "bad CTL thisUpdate")
	}
	if ctl.PeekASN1Tag(cbasn1.UTCTime) || ctl.PeekASN1Tag(cbasn1.GeneralizedTime) {
		var next time.Time
		if !readTime(&ctl, &next) {
			return p.errOff(off(ctl), "bad CTL nextUpdate")
		}
	}
	var alg cryptobyte.String
	var algOID asn1.ObjectIdentifier
	algOff := off(ctl)
	if !ctl.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&algOID) {
		return p.errOff(algOff, "bad CTL subjectAlgorithm")
	}
	var kind Kind
	var lengths []int
	switch {
	case algOID.Equal(oidSHA1):
		kind, lengths = KindCertSHA1, []int{20}
	case algOID.Equal(oidSHA256):
		kind, lengths = KindCertSHA256, []int{32}
	case algOID.Equal(oidCertSignatureHash):
		kind, lengths = KindTBS, []int{16, 20, 32, 48}
	default:
		return p.errOff(algOff, "unsupported CTL subjectAlgorithm %s (want SHA-1, SHA-256 or the certificate signature hash %s)", algOID, oidCertSignatureHash)
	}
	var subjects cryptobyte.String
	if ctl.PeekASN1Tag(cbasn1.SEQUENCE) && !ctl.ReadASN1(&subjects, cbasn1.SEQUENCE) {
		return p.errOff(off(ctl), "bad CTL trustedSubjects")
	}
	n := 0
	for !subjects.Empty() {
		n++
		if n > maxCTLSubjects {
			return p.errOff(off(subjects), "more than %d CTL subjects", maxCTLSubjects)
		}
		entOff := off(subjects)
		var subj, id cryptobyte.String
		if !subjects.ReadASN1(&subj, cbasn1.SEQUENCE) || !subj.ReadASN1(&id, cbasn1.OCTET_STRING) {
			return p.errOff(entOff, "bad CTL trusted subject")
		}
		okLen := false
		for _, l := range lengths {
			okLen = okLen || len(id) == l
		}
		if !okLen {
			return p.errOff(entOff, "subject identifier of %d bytes does not fit subjectAlgorithm %s", len(id), algOID)
		}
		e := Entry{Kind: kind, Value: hex.EncodeToString(id)}
		var attrs cryptobyte.String
		if subj.PeekASN1Tag(cbasn1.SET) && !subj.ReadASN1(&attrs, cbasn1.SET) {
			return p.errOff(entOff, "bad CTL subject attributes")
		}
		for !attrs.Empty() {
			var a, vals cryptobyte.String
			var typ asn1.ObjectIdentifier
			if !attrs.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&typ) || !a.ReadASN1(&vals, cbasn1.SET) {
				return p.errOff(entOff, "bad CTL subject attribute")
			}
			var v cryptobyte.String
			switch {
			case typ.Equal(oidDisallowedFileTime):
				if !vals.ReadASN1(&v, cbasn1.OCTET_STRING) || len(v) != 8 {
					return p.errOff(entOff, "DisallowedFileTime is not an 8-byte FILETIME")
				}
				t := fileTime(binary.LittleEndian.Uint64(v))
				e.NotBefore = &t
			case typ.Equal(oidFriendlyName):
				if vals.ReadASN1(&v, cbasn1.OCTET_STRING) {
					e.Note = utf16le(v)
				}
			}
		}
		if err := p.addAt(e, 0, entOff); err != nil {
			return err
		}
	}
	p.ctlSignature(sd)
	return nil
}

// ctlSignature records whether the CTL's signature verified. The signer's
// chain is not checked: the list is trusted as the file the user chose.
func (p *parser) ctlSignature(sd *cms.SignedData) {
	if len(sd.Signers) == 0 {
		p.warnOff(0, "CTL is not signed; its entries are trusted as read")
		return
	}
	chk := cms.VerifySigner(sd.Signers[0], sd.Certificates, sd.ContentType, sd.Content)
	if chk.Err != nil {
		p.warnOff(0, "CTL signature does not verify (%v); its entries are used as read", chk.Err)
		return
	}
	p.warnOff(0, "CTL signature verifies with the embedded certificate %q, whose chain is not checked", chk.Cert.Subject.String())
}

// fileTime converts a Windows FILETIME (100 ns units since 1601-01-01 UTC).
func fileTime(ft uint64) time.Time {
	const epochDiff = 116444736000000000 // 1601 to 1970 in 100 ns units
	if ft < epochDiff {
		return time.Unix(0, 0).UTC()
	}
	ft -= epochDiff
	return time.Unix(int64(ft/1e7), int64(ft%1e7)*100).UTC()
}

// utf16le decodes a NUL-terminated UTF-16LE string.
func utf16le(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func readTime(s *cryptobyte.String, t *time.Time) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.ReadASN1UTCTime(t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.ReadASN1GeneralizedTime(t)
	}
	return false
}
