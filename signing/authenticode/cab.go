package authenticode

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// ErrNotCAB is returned by VerifyCAB when the input does not start with a
// cabinet header ("MSCF").
var ErrNotCAB = errors.New("authenticode: not a cabinet")

// CFHEADER flags ([MS-CAB] 2.1).
const (
	cabPrevCabinet    = 0x0001
	cabNextCabinet    = 0x0002
	cabReservePresent = 0x0004
)

// cabSigReserve is the size of the header reserve that carries the
// signature locator: 00 00 10 00, offset, size, eight zero bytes.
const cabSigReserve = 20

// VerifyCAB checks the Authenticode signature of the cabinet in r (size
// bytes). A signed cabinet has a 20-byte header reserve (cbCFHeader) that
// locates the PKCS#7 after the cabinet's data; the digest covers the
// header except reserved1, iCabinet, the reserve sizes and the first 16
// bytes of the reserve, then everything from byte 56 to the signature
// (osslsigncode's reading of Microsoft's format). Then, like [Verify] for a
// PE file, the SignedData, signer, timestamps, chain and the ownership of
// every byte in it are checked.
//
// Reported: bytes after the signature (rule cab/data-after-signature) or
// after an unsigned cabinet's cbCabinet (cab/data-after-cabinet), bytes
// after the PKCS#7 inside the signature area (cab/signature-trailing-data),
// and unexpected values in the header fields the digest skips
// (cab/unhashed-header-data): a non-zero per-block reserve size (cbCFData)
// makes the signature invalid, since it changes what the signed bytes
// extract to. The cabinet's files are not extracted.
//
// Result.Authentihash holds the cabinet digests; the PE fields are zero. The
// error is [ErrNotCAB] when r is not a cabinet, a [*FormatError] when its
// header cannot be parsed, and otherwise an I/O error. opts.FileHash is
// written, and opts.Alongside run once the header and signature locator
// have been read, each on a goroutine of its own while the digest is
// computed, and VerifyCAB returns only once both are done.
func VerifyCAB(r io.ReaderAt, size int64, opts Options) (res *Result, err error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var h [60]byte
	n, err := readCABHeader(r, size, &h)
	if err != nil {
		return nil, err
	}
	v := &verifier{r: r, opts: opts, log: log}
	v.res = &Result{Status: signing.StatusUnsigned}
	sub := &cabSubject{digests: map[crypto.Hash][]byte{}}
	v.sub = sub
	// The file's hash and the digest (which skips the signature and some
	// header fields) take one core each (see hashFileAsync).
	wait := hashFileAsync(opts.FileHash, r, size)
	defer func() {
		if werr := wait(); err == nil && werr != nil {
			res, err = nil, werr
		}
	}()
	loc, err := readCABLocator(r, size, h[:], n)
	if err != nil {
		return nil, err
	}
	if loc.signed {
		v.cabSignature(h[:], size, loc.cbCabinet, loc.sigPos, loc.sigLen, loc.cbCFFolder, loc.cbCFData)
	} else {
		// The unsigned digest, by which a catalog lists the cabinet, skips
		// reserved1 too (TestAttackUnsignedCABReserved1).
		if x := binary.LittleEndian.Uint32(h[4:]); x != 0 {
			v.finding(RuleCABUnhashedHeaderData, signing.SeverityWarning, -1, 4,
				fmt.Sprintf("reserved1 is 0x%08x: the cabinet's digest, by which a catalog lists an unsigned cabinet, skips it", x))
		}
		if size > loc.cbCabinet {
			v.finding(RuleCABDataAfterCabinet, signing.SeverityError, -1, loc.cbCabinet,
				fmt.Sprintf("%d bytes follow the cabinet (cbCabinet %d) and belong to no part of it", size-loc.cbCabinet, loc.cbCabinet))
		}
	}
	// Only an I/O error can follow: the cabinet's contents may be read
	// alongside (Options.Alongside).
	waitAlongside := runAlongside(true, opts.Alongside)
	err = v.cabDigests(size, loc)
	waitAlongside()
	if err != nil {
		return nil, err
	}
	v.verifyAll()
	return v.res, nil
}

// readCABHeader reads the first 60 bytes of the cabinet into h and checks
// the signature and version; n is the number of bytes read.
func readCABHeader(r io.ReaderAt, size int64, h *[60]byte) (int, error) {
	n, err := r.ReadAt(h[:min(size, 60)], 0)
	if n < 4 || !bytes.Equal(h[:4], []byte("MSCF")) {
		return n, ErrNotCAB
	}
	if n < 36 {
		if err != nil && err != io.EOF {
			return n, fmt.Errorf("authenticode: %w", err)
		}
		return n, &FormatError{Offset: 0, Reason: "cabinet header cut short"}
	}
	if h[25] != 1 || h[24] != 3 {
		return n, &FormatError{Offset: 24, Reason: fmt.Sprintf("cabinet version %d.%d, want 1.3", h[25], h[24])}
	}
	return n, nil
}

// cabLocation is what the cabinet header says about the signature and the
// per-folder and per-block reserves.
type cabLocation struct {
	cbCabinet            int64
	signed               bool
	sigPos, sigLen       int64
	cbCFFolder, cbCFData byte
}

// readCABLocator reads the signature locator from the header h (n bytes
// read) and checks that the optional set names, then the folders, end
// where the files start.
func readCABLocator(r io.ReaderAt, size int64, h []byte, n int) (cabLocation, error) {
	le := binary.LittleEndian
	var loc cabLocation
	loc.cbCabinet = int64(le.Uint32(h[8:]))
	coffFiles := int64(le.Uint32(h[16:]))
	cFolders := int64(le.Uint16(h[26:]))
	flags := le.Uint16(h[30:])
	// The signature locator.
	var cbCFHeader int64
	idx := int64(36)
	if flags&cabReservePresent != 0 {
		if n < 40 {
			return loc, &FormatError{Offset: 36, Reason: "cabinet reserve sizes cut short"}
		}
		cbCFHeader, loc.cbCFFolder, loc.cbCFData = int64(le.Uint16(h[36:])), h[38], h[39]
		idx = 40 + cbCFHeader
	}
	loc.signed = flags&cabReservePresent != 0 && cbCFHeader == cabSigReserve && n >= 60 &&
		le.Uint32(h[44:]) != 0 && le.Uint32(h[48:]) != 0
	loc.sigPos, loc.sigLen = int64(le.Uint32(h[44:])), int64(le.Uint32(h[48:]))
	if !loc.signed {
		loc.sigPos, loc.sigLen = size, 0
	}
	// The optional names, then the folders, must end where the files start.
	if flags&(cabPrevCabinet|cabNextCabinet) != 0 {
		k, err := cabSetNamesLen(r, size, idx, flags)
		if err != nil {
			return loc, err
		}
		idx += k
	}
	foldersEnd := idx + cFolders*(8+int64(loc.cbCFFolder))
	switch {
	case loc.cbCabinet > size:
		return loc, &FormatError{Offset: 8, Reason: fmt.Sprintf("cbCabinet %d exceeds the file size %d", loc.cbCabinet, size)}
	case coffFiles != foldersEnd:
		return loc, &FormatError{Offset: 16, Reason: fmt.Sprintf("coffFiles 0x%x, the folders end at 0x%x", coffFiles, foldersEnd)}
	}
	return loc, nil
}

// cabSetNamesLen returns the length of the previous and next cabinet and
// disk names that start at idx, each NUL-terminated within 256 bytes.
func cabSetNamesLen(r io.ReaderAt, size, idx int64, flags uint16) (int64, error) {
	count := 0
	if flags&cabPrevCabinet != 0 {
		count += 2
	}
	if flags&cabNextCabinet != 0 {
		count += 2
	}
	var names [4 * 256]byte
	m, _ := r.ReadAt(names[:min(int64(len(names)), max(size-idx, 0))], idx)
	k := 0
	for range count {
		z := bytes.IndexByte(names[k:m], 0)
		if z < 0 || z > 255 {
			return 0, &FormatError{Offset: idx + int64(k), Reason: "cabinet set name not terminated within 256 bytes"}
		}
		k += z + 1
	}
	return int64(k), nil
}

// cabDigests hashes the signed ranges of the cabinet with every algorithm
// wanted and supported, into the subject and Result.Authentihash.
func (v *verifier) cabDigests(size int64, loc cabLocation) error {
	sub := v.sub.(*cabSubject)
	ranges := [][2]int64{{0, 4}, {8, size - 8}}
	if loc.signed {
		end := min(loc.sigPos, size)
		ranges = [][2]int64{{0, 4}, {8, 26}, {56, max(end-56, 0)}}
	}
	algs := []crypto.Hash{crypto.SHA256}
	algs = append(algs, v.opts.Authentihashes...)
	for _, s := range v.sigs {
		if s.spc != nil {
			algs = append(algs, s.spc.hash)
		}
	}
	var hs []hash.Hash
	var ws []io.Writer
	var use []crypto.Hash
	for _, a := range dedupe(algs) {
		if slices.Contains(supported, a) && a.Available() {
			d := a.New()
			hs, ws, use = append(hs, d), append(ws, d), append(use, a)
		}
	}
	w := io.MultiWriter(ws...)
	for _, rg := range ranges {
		if _, err := io.Copy(w, io.NewSectionReader(v.r, rg[0], rg[1])); err != nil {
			return fmt.Errorf("authenticode: %w", err)
		}
	}
	v.res.Authentihash = map[string]string{}
	for i, a := range use {
		d := hs[i].Sum(nil)
		sub.digests[a] = d
		v.res.Authentihash[cms.HashName(a)] = hex.EncodeToString(d)
	}
	return nil
}

// cabSignature checks the signature locator and the header fields the
// digest skips, and parses the PKCS#7.
func (v *verifier) cabSignature(h []byte, size, cbCabinet, sigPos, sigLen int64, cbCFFolder, cbCFData byte) {
	sub := v.sub.(*cabSubject)
	le := binary.LittleEndian
	var odd []string
	if x := le.Uint32(h[4:]); x != 0 {
		odd = append(odd, fmt.Sprintf("reserved1 is 0x%08x", x))
	}
	if !bytes.Equal(h[40:44], []byte{0, 0, 0x10, 0}) {
		odd = append(odd, fmt.Sprintf("the signature reserve starts % x, not 00 00 10 00", h[40:44]))
	}
	if !allZero(h[52:56]) {
		odd = append(odd, fmt.Sprintf("reserve bytes 52-55 are % x, not zero", h[52:56]))
	}
	if flags := le.Uint16(h[30:]); flags&(cabPrevCabinet|cabNextCabinet) == 0 && le.Uint16(h[34:]) != 0 {
		odd = append(odd, fmt.Sprintf("iCabinet is %d in a cabinet of no set", le.Uint16(h[34:])))
	}
	if cbCFData != 0 {
		// The byte moves where each CFDATA block's data starts: the covered
		// bytes would extract to other files.
		why := fmt.Sprintf("cbCFData is %d: the digest skips it, yet it decides where each data block's bytes start", cbCFData)
		sub.problems = append(sub.problems, why)
		v.finding(RuleCABUnhashedHeaderData, signing.SeverityError, -1, 39, why+", so the signed bytes can be made to extract differently")
	}
	if len(odd) > 0 {
		v.finding(RuleCABUnhashedHeaderData, signing.SeverityWarning, -1, 4,
			"header fields the digest skips hold unexpected values: "+strings.Join(odd, "; "))
	}
	end := sigPos + sigLen
	switch {
	case cbCFFolder != 0:
		v.addMalformed(0, -1, 0, 38, fmt.Sprintf("cbCFFolder is %d: a signed cabinet's folder entries carry no reserve", cbCFFolder))
		return
	case sigPos < cbCabinet || end > size:
		v.addMalformed(0, -1, 0, 44, fmt.Sprintf("signature [0x%x, 0x%x) lies inside the cabinet (cbCabinet 0x%x) or beyond the file (0x%x)", sigPos, end, cbCabinet, size))
		return
	case sigLen > maxTableBytes:
		v.addMalformed(0, -1, 0, sigPos, fmt.Sprintf("PKCS#7 blob of %d bytes exceeds the %d-byte limit", sigLen, maxTableBytes))
		return
	}
	if sigPos > cbCabinet {
		v.finding(RuleCABDataAfterCabinet, signing.SeverityWarning, -1, cbCabinet,
			fmt.Sprintf("%d bytes lie between the cabinet's end (cbCabinet 0x%x) and its signature: the digest covers them, no extractor reads them", sigPos-cbCabinet, cbCabinet))
	}
	if end < size {
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the signature", size-end))
		v.finding(RuleCABDataAfterSignature, signing.SeverityError, -1, end,
			fmt.Sprintf("%d bytes follow the signature, which must end the file: no signature covers them", size-end))
	}
	blob := make([]byte, sigLen)
	if err := readFull(v.r, blob, sigPos); err != nil {
		v.addMalformed(0, -1, 0, sigPos, "signature cannot be read: "+err.Error())
		return
	}
	sd, err := cms.Parse(blob)
	if err != nil {
		v.addMalformed(0, -1, 0, sigPos, "PKCS#7 SignedData does not parse: "+err.Error())
		return
	}
	// Up to 7 zero bytes may align the signature, as in a PE table.
	if tail := blob[sd.Len:]; len(tail) >= 8 || !allZero(tail) {
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the PKCS#7 in the signature area", len(tail)))
		v.finding(RuleCABSignatureTrailingData, signing.SeverityError, 0, sigPos+int64(sd.Len),
			fmt.Sprintf("the signature area holds %d bytes after its PKCS#7 SignedData: no signature covers them", len(tail)))
	}
	v.addSignature(0, -1, 0, sigPos, sd, blob, sigPos)
}

// cabSubject is a cabinet for the shared signature steps.
type cabSubject struct {
	digests  map[crypto.Hash][]byte
	problems []string
}

func (c *cabSubject) structure(*verifier, *sigState) (signing.CheckName, []string, string) {
	return "cab-signature", c.problems, "the signature follows the cabinet and ends the file, nothing after its PKCS#7"
}

func (c *cabSubject) dataType(j *judgement) bool {
	spc, i := j.s.spc, j.i
	if !spc.dataType.Equal(oidSpcCabData) {
		return j.malformed(CheckContentType, fmt.Sprintf("SpcIndirectDataContent type %s is not the cabinet type (1.3.6.1.4.1.311.2.1.25)", spc.dataType),
			fmt.Sprintf("signature %d does not sign a cabinet (type %s)", i, spc.dataType))
	}
	return true
}

func (c *cabSubject) digest(h crypto.Hash) ([]byte, bool) {
	d, ok := c.digests[h]
	return d, ok
}

func (c *cabSubject) what() string { return "cabinet" }

func (c *cabSubject) extra(*judgement) bool { return true }

func (c *cabSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleCABDigestMismatch, malformed: RuleCABMalformedSignature}
}
