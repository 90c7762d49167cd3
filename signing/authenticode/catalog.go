package authenticode

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/ctl"
	"github.com/shipgate/shipgate/signing"
)

// Catalog object identifiers (wincrypt.h, mscat.h).
var (
	oidCTL                = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 1}
	oidCatalogList        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 1}
	oidCatalogListMember  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 2}
	oidCatalogListMember2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 1, 3}
	oidCatNameValue       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 2, 1}
	oidCatMemberInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 12, 2, 2}
)

// OIDCTL is the content type of a catalog's SignedData, the certificate
// trust list (szOID_CTL).
var OIDCTL = oidCTL

// Limits on hostile catalogs.
const (
	// MaxCatalogBytes bounds the size of a catalog file read into memory:
	// the largest PKCS#7 internal/cms parses (16 MiB, some 40,000 members
	// as makecat writes them).
	MaxCatalogBytes = cms.MaxSize
	// MaxCatalogMembers bounds the members of one catalog (Windows' largest
	// hold tens of thousands).
	MaxCatalogMembers = 1 << 19
	// maxMemberAttributes bounds the attributes of one member.
	maxMemberAttributes = 64
)

// ErrNotCatalog is returned by [VerifyCatalog] and [ParseCatalog] when the
// input is not a PKCS#7 SignedData whose content is a certificate trust list
// of the catalog usage (1.3.6.1.4.1.311.12.1.1).
var ErrNotCatalog = errors.New("authenticode: not a security catalog")

// MemberKind says which digest of a file a catalog member records, from the
// type of its SpcIndirectDataContent.
type MemberKind string

const (
	// MemberPE records a PE file's Authenticode image digest
	// (SpcPeImageData, 1.3.6.1.4.1.311.2.1.15).
	MemberPE MemberKind = "pe-image"
	// MemberFile records the digest of every byte of the file (the
	// SpcLink "file" type, 1.3.6.1.4.1.311.2.1.25, that makecat uses for
	// files no subject interface package knows).
	MemberFile MemberKind = "file"
	// MemberSIP records the digest a subject interface package computes
	// (SpcSipInfo, 1.3.6.1.4.1.311.2.1.30: scripts, MSI databases).
	MemberSIP MemberKind = "sip"
	// MemberUnknown is any other type; such a member matches no file.
	MemberUnknown MemberKind = "unknown"
)

// Catalog is the certificate trust list a Windows security catalog (.cat)
// signs: the list of its members, each a file digest.
type Catalog struct {
	// Version is the CTL version (0 for v1).
	Version int `json:"version"`
	// ListIdentifier is the listIdentifier, lowercase hex; empty when absent.
	ListIdentifier string `json:"listIdentifier,omitempty"`
	// ThisUpdate is ctlThisUpdate, the time the catalog was made.
	ThisUpdate time.Time `json:"thisUpdate"`
	// MemberVersion is 1 for szOID_CATALOG_LIST_MEMBER, 2 for
	// szOID_CATALOG_LIST_MEMBER2.
	MemberVersion int `json:"memberVersion"`
	// Members are the trusted subjects, in catalog order.
	Members []Member `json:"members"`
}

// Member is one member of a catalog.
type Member struct {
	// Tag is the subjectIdentifier: the UTF-16LE member tag decoded (makecat
	// writes the digest in uppercase hex), or the bytes in hex when they are
	// not text.
	Tag string `json:"tag"`
	// Kind says which digest of the file Digest is.
	Kind MemberKind `json:"kind"`
	// Algorithm is the digest algorithm ("sha1", "sha256"…), or its OID
	// when unknown; empty when the member has no SpcIndirectDataContent.
	Algorithm string `json:"algorithm,omitempty"`
	// Digest is the member's digest, lowercase hex; empty when the member
	// has no SpcIndirectDataContent.
	Digest string `json:"digest,omitempty"`
	// Name is the value of the "File" name-value attribute; empty when
	// there is none.
	Name string `json:"name,omitempty"`
	// SubjectGUID is the subject interface package named by CAT_MEMBERINFO.
	SubjectGUID string `json:"subjectGUID,omitempty"`
	// Offset is the member's offset in the catalog file.
	Offset int64 `json:"offset"`
	// hash is Algorithm as a crypto.Hash; 0 when unknown.
	hash crypto.Hash
}

// Hash returns the member's digest algorithm, 0 when unknown.
func (m Member) Hash() crypto.Hash { return m.hash }

// Lookup returns the members whose digest of the given kind and algorithm
// is digest (lowercase hex).
func (c *Catalog) Lookup(kind MemberKind, alg crypto.Hash, digest string) []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Kind == kind && m.hash == alg && alg != 0 && m.Digest == digest {
			out = append(out, m)
		}
	}
	return out
}

// Hashes returns the digest algorithms the catalog's members use, sorted.
func (c *Catalog) Hashes() []crypto.Hash {
	var out []crypto.Hash
	for _, m := range c.Members {
		if m.hash != 0 && !slices.Contains(out, m.hash) {
			out = append(out, m.hash)
		}
	}
	slices.Sort(out)
	return out
}

// ParseCatalog parses the catalog in der (a PKCS#7 ContentInfo) without
// verifying its signature. The error is [ErrNotCatalog] when der is not a
// catalog, a [*FormatError] naming the offset when its CTL is malformed.
func ParseCatalog(der []byte) (*Catalog, error) {
	sd, err := cms.Parse(der)
	if err != nil || !sd.ContentType.Equal(oidCTL) || sd.RawContent == nil {
		return nil, ErrNotCatalog
	}
	return parseCTL(sd)
}

// parseCTL parses the CTL of sd as a catalog ([MS-CAESO] 4.4.5.3): its
// subjectUsage holds szOID_CATALOG_LIST, its subjectAlgorithm is
// szOID_CATALOG_LIST_MEMBER or …MEMBER2, and each trusted subject is a
// member: the tag, then attributes among which SpcIndirectDataContent
// carries the digest.
func parseCTL(sd *cms.SignedData) (*Catalog, error) {
	base := int64(0)
	if off, ok := sd.OffsetOf(sd.RawContent); ok {
		base = int64(off)
	}
	formatError := func(err error) error {
		var ce *ctl.Error
		if errors.As(err, &ce) {
			return &FormatError{Offset: base + int64(ce.Offset), Reason: "catalog: " + ce.Reason}
		}
		return err
	}
	l, err := ctl.Parse(sd.RawContent)
	if err != nil {
		return nil, formatError(err)
	}
	c := &Catalog{Version: l.Version, ThisUpdate: l.ThisUpdate, ListIdentifier: hex.EncodeToString(l.ListIdentifier)}
	var usages []string
	for _, u := range l.Usages {
		usages = append(usages, u.String())
	}
	if !slices.ContainsFunc(l.Usages, oidCatalogList.Equal) {
		return nil, fmt.Errorf("%w: CTL subjectUsage [%s] lacks the catalog list %s", ErrNotCatalog, strings.Join(usages, " "), oidCatalogList)
	}
	switch {
	case l.Algorithm.Equal(oidCatalogListMember):
		c.MemberVersion = 1
	case l.Algorithm.Equal(oidCatalogListMember2):
		c.MemberVersion = 2
	default:
		return nil, &FormatError{Offset: base + int64(l.AlgorithmOffset), Reason: fmt.Sprintf("catalog: subjectAlgorithm %s is not a catalog member list (%s or %s)", l.Algorithm, oidCatalogListMember, oidCatalogListMember2)}
	}
	guids := map[string]string{} // every member names one of a few SIPs
	err = l.Subjects(MaxCatalogMembers, maxMemberAttributes, func(s ctl.Subject) error {
		m, reason, at := parseMember(s)
		if reason != "" {
			return &ctl.Error{Offset: at, Reason: reason}
		}
		m.Offset = base + int64(s.Offset)
		if g, ok := guids[m.SubjectGUID]; ok {
			m.SubjectGUID = g
		} else if len(guids) < 64 {
			guids[m.SubjectGUID] = m.SubjectGUID
		}
		c.Members = append(c.Members, m)
		return nil
	})
	if err != nil {
		return nil, formatError(err)
	}
	return c, nil
}

// parseMember reads one member's attributes; when one does not parse it
// returns why and the offset of the attribute.
func parseMember(s ctl.Subject) (m Member, reason string, at int) {
	m = Member{Kind: MemberUnknown, Tag: memberTag(s.ID)}
	spc := false
	for _, a := range s.Attributes {
		bad := func(format string, args ...any) (Member, string, int) {
			return m, fmt.Sprintf("member %q: ", m.Tag) + fmt.Sprintf(format, args...), a.Offset
		}
		switch {
		case a.Type.Equal(oidSpcIndirectData):
			if spc {
				return bad("two SpcIndirectDataContent attributes")
			}
			spc = true
			if len(a.Values) != 1 {
				return bad("SpcIndirectDataContent attribute must hold one value")
			}
			d, err := parseIndirectData(a.Values[0])
			if err != nil {
				return bad("%v", err)
			}
			switch {
			case d.dataType.Equal(oidSpcPEImageData):
				m.Kind = MemberPE
			case d.dataType.Equal(oidSpcCabData):
				m.Kind = MemberFile
			case d.dataType.Equal(oidSpcSipInfo):
				m.Kind = MemberSIP
			}
			m.hash = d.hash
			m.Algorithm = cms.HashName(d.hash)
			if d.hash == 0 || !slices.Contains(supported, d.hash) {
				m.hash, m.Algorithm = 0, d.digestOID.String()
			} else if len(d.digest) != d.hash.Size() {
				return bad("%s digest of %d bytes", m.Algorithm, len(d.digest))
			}
			m.Digest = hex.EncodeToString(d.digest)
		case a.Type.Equal(oidCatMemberInfo):
			v := cryptobyte.String(first(a.Values))
			var info, guid cryptobyte.String
			if !v.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1(&guid, cbasn1.Tag(30)) {
				return bad("bad CAT_MEMBERINFO")
			}
			m.SubjectGUID = bmpString(guid)
		case a.Type.Equal(oidCatNameValue):
			v := cryptobyte.String(first(a.Values))
			var nv, tag, val cryptobyte.String
			var flags int64
			if !v.ReadASN1(&nv, cbasn1.SEQUENCE) || !nv.ReadASN1(&tag, cbasn1.Tag(30)) ||
				!nv.ReadASN1Int64WithTag(&flags, cbasn1.INTEGER) || !nv.ReadASN1(&val, cbasn1.OCTET_STRING) {
				return bad("bad CAT_NAMEVALUE")
			}
			if strings.EqualFold(bmpString(tag), "File") {
				m.Name = decodeUTF16LE(val)
			}
		}
	}
	return m, "", 0
}

// first returns the first of vals, nil when there is none.
func first(vals [][]byte) []byte {
	if len(vals) == 0 {
		return nil
	}
	return vals[0]
}

// memberTag decodes a subjectIdentifier: UTF-16LE text (a trailing NUL
// dropped) when every unit is printable ASCII, else hex.
func memberTag(id []byte) string {
	b := id
	if len(b) >= 2 && b[len(b)-2] == 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-2]
	}
	if len(b) == 0 || len(b)%2 != 0 {
		return hex.EncodeToString(id)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c < 0x20 || c > 0x7e {
			return hex.EncodeToString(id)
		}
		sb.WriteByte(byte(c))
	}
	return sb.String()
}

// bmpString decodes a BMPString (UTF-16BE).
func bmpString(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, binary.BigEndian.Uint16(b[i:]))
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00")
}

// decodeUTF16LE decodes UTF-16LE text up to its first NUL.
func decodeUTF16LE(b []byte) string {
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

// VerifyCatalog checks the signature of the security catalog in r (size
// bytes): a PKCS#7 SignedData, the whole file, whose content is a
// certificate trust list of catalog members. The signer's messageDigest
// must match the CTL, and the signer, timestamps, chain, weak algorithms
// and the ownership of every byte of the SignedData are checked as for a PE
// file's signature. Result.Catalog holds the members of the first
// signature's CTL.
//
// Reported besides: bytes after the SignedData (rule
// catalog/data-after-signature), members listed twice
// (catalog/duplicate-member), one tag or file name with two digests
// (catalog/conflicting-member), and a tag written as a digest other than
// the member's (catalog/member-tag-mismatch). Whether a given file is a
// member is for the caller to ask ([Catalog.Lookup]); a catalog whose
// Result.Status is not valid vouches for nothing.
//
// Result.Authentihash holds the digest of the CTL content. The error is
// [ErrNotCatalog] when r is not a catalog, a [*FormatError] when its CTL
// cannot be parsed, and otherwise an I/O error.
func VerifyCatalog(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if size > MaxCatalogBytes {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("catalog of %d bytes exceeds the %d-byte limit", size, MaxCatalogBytes)}
	}
	buf := make([]byte, size)
	if err := readFull(r, buf, 0); err != nil {
		return nil, err
	}
	if opts.FileHash != nil {
		opts.FileHash.Write(buf)
	}
	sd, err := cms.Parse(buf)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrNotCatalog, err)
	case !sd.ContentType.Equal(oidCTL) || sd.RawContent == nil:
		return nil, fmt.Errorf("%w: content type %s", ErrNotCatalog, sd.ContentType)
	}
	cat, err := parseCTL(sd)
	if err != nil {
		return nil, err
	}
	v := &verifier{r: r, opts: opts, log: log}
	v.res = &Result{Status: signing.StatusUnsigned, Catalog: cat}
	sub := &catalogSubject{}
	v.sub = sub
	v.res.Authentihash = map[string]string{}
	for _, a := range dedupe(append([]crypto.Hash{crypto.SHA256}, opts.Authentihashes...)) {
		if slices.Contains(supported, a) && a.Available() {
			h := a.New()
			h.Write(sd.Content)
			v.res.Authentihash[cms.HashName(a)] = hex.EncodeToString(h.Sum(nil))
		}
	}
	if tail := size - int64(sd.Len); tail > 0 {
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the SignedData", tail))
		v.finding(RuleCatalogDataAfterSignature, signing.SeverityError, -1, int64(sd.Len),
			fmt.Sprintf("%d bytes follow the catalog's PKCS#7 SignedData, which must be the whole file: no signature covers them", tail))
	}
	sub.content = sd.RawContent
	v.addSignature(0, -1, 0, 0, sd, buf, 0)
	v.catalogMembers(cat)
	for _, h := range cat.Hashes() {
		if cms.Weak(h) {
			sub.weak = append(sub.weak, "member digests "+cms.HashName(h))
		}
	}
	v.verifyAll()
	return v.res, nil
}

// catalogMembers reports members listed twice and tags or names given two
// digests.
func (v *verifier) catalogMembers(c *Catalog) {
	type seen struct {
		m     Member
		index int
	}
	byTag := map[string]seen{}
	byName := map[string]seen{}
	var findings []signing.Finding
	for i, m := range c.Members {
		key := m.Kind.String() + " " + m.Algorithm + " " + m.Digest
		if p, ok := byTag[m.Tag]; ok {
			pk := p.m.Kind.String() + " " + p.m.Algorithm + " " + p.m.Digest
			if pk == key {
				findings = append(findings, signing.NewFinding(RuleCatalogDuplicateMember, signing.SeverityWarning,
					fmt.Sprintf("members %d and %d have the same tag %q and digest", p.index, i, m.Tag)).At(m.Offset))
			} else {
				findings = append(findings, signing.NewFinding(RuleCatalogConflictingMember, signing.SeverityError,
					fmt.Sprintf("members %d and %d have the same tag %q but different digests (%s, %s): which file the tag stands for is ambiguous", p.index, i, m.Tag, pk, key)).At(m.Offset))
			}
		} else {
			byTag[m.Tag] = seen{m, i}
		}
		if m.Name != "" {
			name := strings.ToLower(m.Name)
			if p, ok := byName[name]; ok && p.m.Digest != m.Digest && p.m.Kind == m.Kind && p.m.Algorithm == m.Algorithm {
				findings = append(findings, signing.NewFinding(RuleCatalogConflictingMember, signing.SeverityError,
					fmt.Sprintf("members %d and %d both name the file %q with different %s digests %s and %s", p.index, i, m.Name, m.Algorithm, p.m.Digest, m.Digest)).At(m.Offset))
			} else if !ok {
				byName[name] = seen{m, i}
			}
		}
		// makecat writes a hashed member's tag as its digest in hex.
		if m.Digest != "" && m.hash != 0 && len(m.Tag) == 2*m.hash.Size() && isHex(m.Tag) && !strings.EqualFold(m.Tag, m.Digest) {
			findings = append(findings, signing.NewFinding(RuleCatalogTagMismatch, signing.SeverityWarning,
				fmt.Sprintf("member %d's tag %s is a digest, but not its %s digest %s", i, m.Tag, m.Algorithm, m.Digest)).At(m.Offset))
		}
	}
	v.res.Findings = append(v.res.Findings, findings...)
}

func (k MemberKind) String() string { return string(k) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// catalogSubject is a catalog for the shared signature steps: its
// signature covers its own content, the CTL, not a digest of a file.
type catalogSubject struct {
	problems []string
	// content is the first signature's CTL element; nested signatures
	// must sign the same.
	content []byte
	// weak lists weak member digest algorithms.
	weak []string
}

func (c *catalogSubject) structure(*verifier, *sigState) (signing.CheckName, []string, string) {
	return "catalog-file", c.problems, "the PKCS#7 SignedData is the whole file"
}

func (c *catalogSubject) dataType(j *judgement) bool {
	if !bytes.Equal(j.s.sd.RawContent, c.content) {
		return j.malformed(CheckContentType, "the nested signature signs another CTL than the catalog's",
			fmt.Sprintf("signature %d signs another CTL than the catalog's first signature", j.i))
	}
	j.sig.AddCheck(CheckCTL, true, "certificate trust list of catalog members parses")
	return true
}

func (c *catalogSubject) digest(crypto.Hash) ([]byte, bool) { return nil, false }

func (c *catalogSubject) what() string { return "catalog" }

func (c *catalogSubject) extra(j *judgement) bool {
	j.weak = append(j.weak, c.weak...)
	return true
}

func (c *catalogSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleCatalogDigestMismatch, malformed: RuleCatalogMalformedSignature}
}

// catalogSigner checks the signer's contentType attribute and its
// messageDigest over the CTL, which stand for a catalog's digest: the
// signed digest is the messageDigest, the computed one the CTL's.
func (j *judgement) catalogSigner() {
	sd, i := j.s.sd, j.i
	j.chk = cms.VerifySigner(sd.Signers[0], sd.Certificates, oidCTL, sd.Content)
	chk := j.chk
	if chk.ContentTypeOK {
		j.sig.AddCheck(CheckContentType, true, "certificate trust list")
	} else {
		j.sig.AddCheck(CheckContentType, false, "the signed contentType attribute is missing or is not a certificate trust list")
		j.intact = false
	}
	if chk.Hash == 0 || chk.Computed == nil {
		j.sig.AddCheck(signing.CheckDigest, false, "the CTL digest cannot be computed: unknown digest algorithm")
		j.intact = false
		return
	}
	alg := cms.HashName(chk.Hash)
	j.sig.Digest = &signing.Digest{Algorithm: alg, Signed: hex.EncodeToString(chk.MessageDigest), Computed: hex.EncodeToString(chk.Computed)}
	if j.sig.Digest.Match() {
		j.sig.AddCheck(signing.CheckDigest, true, alg+" digest of the CTL matches messageDigest")
		return
	}
	j.sig.AddCheck(signing.CheckDigest, false, fmt.Sprintf("%s CTL digest: signed %s, computed %s", alg, j.sig.Digest.Signed, j.sig.Digest.Computed))
	j.finding(RuleCatalogDigestMismatch, signing.SeverityError,
		fmt.Sprintf("signature %d: the catalog's %s CTL digest %s differs from the signed %s: the member list was modified after signing", i, alg, j.sig.Digest.Computed, j.sig.Digest.Signed))
	j.intact = false
}
