package authenticode

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// WIN_CERTIFICATE values Authenticode requires.
const (
	winCertRevision2  = 0x0200
	winCertPKCSSigned = 0x0002
)

// verifier carries one Verify call's state.
type verifier struct {
	r    io.ReaderAt
	l    *layout
	opts Options
	log  *slog.Logger
	res  *Result
	// sub is the signed format the shared signature steps ask for digests
	// and structure.
	sub subject
	// encoded says the signatures are carried encoded (base64 text), so
	// offsets inside a PKCS#7 are not file offsets.
	encoded bool

	// tableProblems apply to every signature; entryProblems[i] to the
	// signatures of entry i.
	tableProblems []string
	entryProblems [][]string
	sigs          []*sigState
	budget        int64 // table bytes still allowed into memory

	stream  *streamResult
	pageErr map[string]string // page-hash algorithm name -> why not computed
	// signed maps what a verified signature signed (its key and signed
	// attributes) to the index of the first signature that did; see
	// judgement.distinct.
	signed map[string]int
	// unexamined counts the signatures beyond maxSignatures, which were
	// not parsed: no signature of the file is valid then.
	unexamined int
	// lowMapped is the part of the certificate table a low-alignment
	// image maps only through the rounding of its last page (see
	// checkLowAlignment); empty otherwise.
	lowMapped span
}

// sigState is one signature being verified.
type sigState struct {
	entry, parent, depth int
	offset               int64
	sd                   *cms.SignedData
	spc                  *indirectData
	malformed            string            // why it cannot be parsed; empty when it can
	malformedCheck       signing.CheckName // the check that failed: CheckSignedData, CheckContentType or CheckCertTable
	reported             bool              // the malformation is already a finding
}

// readTable walks DataDirectory[4] and the WIN_CERTIFICATE entries, checks
// their structure, looks for stuffing after each PKCS#7 blob and parses every
// signature, nested ones included.
func (v *verifier) readTable() error {
	l := v.l
	if l.secDirOff >= 0 && l.certLen == 0 && l.certOff != 0 {
		// The digest skips the entry, so its VirtualAddress is four bytes
		// no digest (nor a catalog listing the file by it) pins down.
		v.finding(RuleCertTableInvalid, signing.SeverityWarning, -1, l.secDirOff,
			fmt.Sprintf("the security directory entry gives VirtualAddress 0x%x with Size 0: no table is there, and the Authenticode digest skips those 4 bytes, so they carry data no digest covers", l.certOff))
	}
	if l.secDirOff < 0 || l.certLen == 0 {
		return nil
	}
	v.budget = maxTableBytes
	off, end := l.certOff, l.certOff+l.certLen
	table := func(reason string, at int64) {
		v.tableProblems = append(v.tableProblems, reason)
		v.finding(RuleCertTableInvalid, signing.SeverityError, -1, at, "certificate table: "+reason)
	}
	if off < l.secDirOff+8 || off < int64(l.sizeOfHeaders) {
		table(fmt.Sprintf("table at 0x%x overlaps the headers (SizeOfHeaders 0x%x)", off, l.sizeOfHeaders), l.secDirOff)
	}
	if off%8 != 0 {
		table(fmt.Sprintf("table offset 0x%x is not 8-byte aligned", off), l.secDirOff)
	}
	if end > l.size {
		table(fmt.Sprintf("table [0x%x, 0x%x) extends beyond the end of the file (0x%x)", off, end, l.size), l.secDirOff)
		end = l.size
	} else if end < l.size {
		v.finding(RuleDataAfterCertTable, signing.SeverityError, -1, end,
			fmt.Sprintf("%d bytes follow the certificate table, which must end the file; they are hashed, so every signature's digest breaks, and osslsigncode treats the file as unsigned", l.size-end))
		v.tableProblems = append(v.tableProblems, fmt.Sprintf("%d bytes after the table", l.size-end))
	}
	if off >= end {
		return nil
	}
	for i := 0; off < end; i++ {
		if i == maxEntries {
			table(fmt.Sprintf("more than %d entries; the rest were not examined", maxEntries), off)
			break
		}
		if end-off < 8 {
			table(fmt.Sprintf("%d bytes after the last entry do not hold a WIN_CERTIFICATE header", end-off), off)
			break
		}
		var h [8]byte
		if err := readFull(v.r, h[:], off); err != nil {
			return err
		}
		length := binary.LittleEndian.Uint32(h[0:])
		e := Entry{Offset: off, Length: length, Revision: binary.LittleEndian.Uint16(h[4:]), Type: binary.LittleEndian.Uint16(h[6:]), SignedDataLength: -1}
		if length < 8 || int64(length) > end-off {
			table(fmt.Sprintf("entry %d at 0x%x has dwLength %d, which does not fit the %d bytes left in the table: the entry lengths do not sum to the directory size", i, off, length, end-off), off)
			v.res.Entries = append(v.res.Entries, e)
			break
		}
		var probs []string
		if e.Revision != winCertRevision2 {
			probs = append(probs, fmt.Sprintf("wRevision 0x%04x, want 0x0200", e.Revision))
		}
		if e.Type != winCertPKCSSigned {
			probs = append(probs, fmt.Sprintf("wCertificateType 0x%04x, want 0x0002 (PKCS_SIGNED_DATA)", e.Type))
		}
		for _, p := range probs {
			v.finding(RuleCertTableInvalid, signing.SeverityError, -1, off, fmt.Sprintf("entry %d: %s", i, p))
		}
		next := off + (int64(length)+7)&^7
		if next > end {
			table(fmt.Sprintf("entry %d at 0x%x ends at 0x%x; rounded up to 8 bytes it passes the table end 0x%x, so the entry lengths do not sum to the directory size", i, off, off+int64(length), end), off)
			next = end
		}
		v.log.Debug("authenticode: certificate table entry", "index", i, "offset", off, "length", length, "revision", e.Revision, "type", e.Type)
		v.entryProblems = append(v.entryProblems, probs)
		if err := v.readEntry(i, &e, next); err != nil {
			return err
		}
		v.res.Entries = append(v.res.Entries, e)
		off = next
	}
	return nil
}

// readEntry reads one entry's PKCS#7 blob, checks what follows it, and parses
// its signatures.
func (v *verifier) readEntry(i int, e *Entry, next int64) error {
	blobOff := e.Offset + 8
	blobLen := int64(e.Length) - 8
	want := blobLen
	// Read only as much as the outer DER element claims, so a table stuffed
	// with megabytes costs no memory; the stuffing is judged by its length.
	var hdr [6]byte
	if blobLen >= int64(len(hdr)) {
		if err := readFull(v.r, hdr[:], blobOff); err != nil {
			return err
		}
		if n, ok := derLength(hdr[:]); ok && n <= blobLen {
			want = n
		}
	}
	if want > v.budget {
		v.addMalformed(i, -1, 0, blobOff, fmt.Sprintf("PKCS#7 blob of %d bytes exceeds the %d-byte limit", want, maxTableBytes))
		return nil
	}
	v.budget -= want
	blob := make([]byte, want)
	if err := readFull(v.r, blob, blobOff); err != nil {
		return err
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		v.addMalformed(i, -1, 0, blobOff, "PKCS#7 SignedData does not parse: "+err.Error())
		return nil
	}
	e.SignedDataLength = int64(sd.Len)
	// Everything from the end of the PKCS#7 to the next 8-byte boundary lies
	// outside every signature: at most 7 zero bytes of alignment are allowed
	// (the check Windows applies with EnableCertPaddingCheck).
	tail := blobOff + int64(sd.Len)
	e.Trailing = next - tail
	switch {
	case e.Trailing >= 8:
		v.finding(RuleCertTablePadding, signing.SeverityError, len(v.sigs), tail,
			fmt.Sprintf("entry %d carries %d bytes after its PKCS#7 signature (CVE-2013-3900 stuffing): they are not covered by any signature", i, e.Trailing))
		v.entryProblems[i] = append(v.entryProblems[i], fmt.Sprintf("%d bytes after the PKCS#7 blob", e.Trailing))
	case e.Trailing > 0:
		pad := make([]byte, e.Trailing)
		if err := readFull(v.r, pad, tail); err != nil {
			return err
		}
		if !allZero(pad) {
			v.finding(RuleCertTablePadding, signing.SeverityError, len(v.sigs), tail,
				fmt.Sprintf("entry %d has non-zero bytes in the %d-byte alignment padding after its PKCS#7 signature", i, e.Trailing))
			v.entryProblems[i] = append(v.entryProblems[i], "non-zero alignment padding")
		}
	}
	v.addSignature(i, -1, 0, blobOff, sd, blob, blobOff)
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// derLength returns the total length of the definite-length DER element whose
// header starts b.
func derLength(b []byte) (int64, bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, false
	}
	l := int64(b[1])
	if l < 0x80 {
		return 2 + l, true
	}
	n := int(l & 0x7f)
	if n == 0 || n > 4 || len(b) < 2+n {
		return 0, false
	}
	l = 0
	for _, c := range b[2 : 2+n] {
		l = l<<8 | int64(c)
	}
	return int64(2+n) + l, true
}

func (v *verifier) addMalformed(entry, parent, depth int, off int64, reason string) {
	if len(v.sigs) >= maxSignatures {
		if v.unexamined == 0 {
			v.finding(RuleMalformedSignature, signing.SeverityError, -1, off, fmt.Sprintf("more than %d signatures; the rest were not examined", maxSignatures))
		}
		v.unexamined++
		return
	}
	v.sigs = append(v.sigs, &sigState{entry: entry, parent: parent, depth: depth, offset: off, malformed: reason})
}

// addSignature records sd, whose PKCS#7 is at file offset off, and, depth
// first, every value of every nested-signature attribute of its signers.
// within is the entry's whole blob, at file offset withinOff: nested values
// are located in it.
func (v *verifier) addSignature(entry, parent, depth int, off int64, sd *cms.SignedData, within []byte, withinOff int64) {
	if len(v.sigs) >= maxSignatures {
		if v.unexamined == 0 {
			v.finding(RuleMalformedSignature, signing.SeverityError, -1, off, fmt.Sprintf("more than %d signatures; the rest were not examined", maxSignatures))
		}
		v.unexamined++
		return
	}
	s := &sigState{entry: entry, parent: parent, depth: depth, offset: off, sd: sd}
	idx := len(v.sigs)
	v.sigs = append(v.sigs, s)
	_, catalog := v.sub.(*catalogSubject)
	switch {
	case catalog && !sd.ContentType.Equal(oidCTL):
		s.malformed = fmt.Sprintf("content type %s is not a certificate trust list (1.3.6.1.4.1.311.10.1)", sd.ContentType)
		s.malformedCheck = CheckContentType
	case catalog && sd.RawContent == nil:
		s.malformed = "SignedData carries no content"
	case catalog:
		// The CTL is the content itself; the first signature's was parsed.
	case !sd.ContentType.Equal(oidSpcIndirectData):
		s.malformed = fmt.Sprintf("content type %s is not SpcIndirectDataContent (1.3.6.1.4.1.311.2.1.4)", sd.ContentType)
		s.malformedCheck = CheckContentType
	case sd.RawContent == nil:
		s.malformed = "SignedData carries no content"
	default:
		spc, err := parseIndirectData(sd.RawContent)
		if err != nil {
			s.malformed = err.Error()
		} else {
			s.spc = spc
		}
	}
	for _, si := range sd.Signers {
		for _, a := range si.UnsignedAttrs {
			if !a.Type.Equal(oidNestedSignature) {
				continue
			}
			for _, val := range a.Values {
				noff := off
				if k := bytes.Index(within, val); k >= 0 {
					noff = withinOff + int64(k)
				}
				if depth+1 > maxNestDepth {
					v.addMalformed(entry, idx, depth+1, noff, fmt.Sprintf("nested more than %d levels deep", maxNestDepth))
					continue
				}
				nsd, err := cms.Parse(val)
				if err != nil {
					v.addMalformed(entry, idx, depth+1, noff, "nested PKCS#7 SignedData does not parse: "+err.Error())
					continue
				}
				v.addSignature(entry, idx, depth+1, noff, nsd, within, withinOff)
			}
		}
	}
}
