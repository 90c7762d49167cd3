package blocklist

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/ctl"
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

// maxCTLSubjects bounds the entries of one CTL (Microsoft's hold hundreds);
// maxCTLAttributes the attributes of one entry.
const (
	maxCTLSubjects   = 1 << 22
	maxCTLAttributes = 64
)

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
	l, err := ctl.Parse(content)
	if err != nil {
		var ce *ctl.Error
		if errors.As(err, &ce) {
			return p.errOff(base+int64(ce.Offset), "%s", ce.Reason)
		}
		return p.errOff(base, "%v", err)
	}
	var usages []string
	for _, u := range l.Usages {
		usages = append(usages, u.String())
	}
	if !slices.ContainsFunc(l.Usages, oidDisallowedList.Equal) {
		return p.errOff(base, "CTL subjectUsage [%s] is not the disallowed list %s: a trust list of another kind (authroot.stl trusts its subjects) is not a blocklist", strings.Join(usages, " "), oidDisallowedList)
	}
	algOff := base + int64(l.AlgorithmOffset)
	var kind Kind
	var lengths []int
	switch algOID := l.Algorithm; {
	case algOID.Equal(oidSHA1):
		kind, lengths = KindCertSHA1, []int{20}
	case algOID.Equal(oidSHA256):
		kind, lengths = KindCertSHA256, []int{32}
	case algOID.Equal(oidCertSignatureHash):
		kind, lengths = KindTBS, []int{16, 20, 32, 48}
	default:
		return p.errOff(algOff, "unsupported CTL subjectAlgorithm %s (want SHA-1, SHA-256 or the certificate signature hash %s)", algOID, oidCertSignatureHash)
	}
	err = l.Subjects(maxCTLSubjects, maxCTLAttributes, func(s ctl.Subject) error {
		entOff := base + int64(s.Offset)
		if !slices.Contains(lengths, len(s.ID)) {
			return p.errOff(entOff, "subject identifier of %d bytes does not fit subjectAlgorithm %s", len(s.ID), l.Algorithm)
		}
		e := Entry{Kind: kind, Value: hex.EncodeToString(s.ID)}
		for _, a := range s.Attributes {
			if len(a.Values) == 0 {
				continue
			}
			v := cryptobyte.String(a.Values[0])
			var octets cryptobyte.String
			switch {
			case a.Type.Equal(oidDisallowedFileTime):
				if !v.ReadASN1(&octets, cbasn1.OCTET_STRING) || len(octets) != 8 {
					return p.errOff(entOff, "DisallowedFileTime is not an 8-byte FILETIME")
				}
				t := fileTime(binary.LittleEndian.Uint64(octets))
				e.NotBefore = &t
			case a.Type.Equal(oidFriendlyName):
				if v.ReadASN1(&octets, cbasn1.OCTET_STRING) {
					e.Note = utf16le(octets)
				}
			}
		}
		return p.addAt(e, 0, entOff)
	})
	if err != nil {
		var ce *ctl.Error
		if errors.As(err, &ce) {
			return p.errOff(base+int64(ce.Offset), "%s", ce.Reason)
		}
		return err
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
