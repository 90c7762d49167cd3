package authenticode

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
)

// ScriptKind is a script language whose Authenticode signature is carried,
// base64-encoded, in a comment block of the script itself.
type ScriptKind int

const (
	// ScriptPowerShell is a PowerShell script, module or data file (.ps1,
	// .psm1, .psd1): "# SIG # Begin signature block" at the end.
	ScriptPowerShell ScriptKind = iota + 1
	// ScriptJScript is a Windows Script Host JScript file (.js):
	// "// SIG // Begin signature block" at the end.
	ScriptJScript
	// ScriptVBScript is a Windows Script Host VBScript file (.vbs):
	// "'' SIG '' Begin signature block" at the end.
	ScriptVBScript
	// ScriptWSF is a Windows Script File (.wsf): a <signature> element
	// before the last </job>, its lines prefixed "** SIG ** ".
	ScriptWSF
	// ScriptPowerShellXML is a PowerShell XML file (.ps1xml type and
	// format data, whose script blocks PowerShell runs; .cdxml CIM
	// cmdlets; .psc1 console files): the PowerShell subject interface
	// package, "<!-- SIG # Begin signature block -->" at the end and each
	// line an XML comment.
	ScriptPowerShellXML
	// ScriptPowerShellMOF is a Managed Object Format file (.mof: WMI
	// classes and instances, PowerShell DSC configurations), signed with
	// the PowerShell subject interface package as osslsigncode and
	// Set-AuthenticodeSignature sign it: "/* SIG # Begin signature block
	// */" at the end and each line a C comment.
	ScriptPowerShellMOF
)

// String names the kind.
func (k ScriptKind) String() string {
	switch k {
	case ScriptPowerShell:
		return "PowerShell"
	case ScriptJScript:
		return "JScript"
	case ScriptVBScript:
		return "VBScript"
	case ScriptWSF:
		return "Windows Script File"
	case ScriptPowerShellXML:
		return "PowerShell XML"
	case ScriptPowerShellMOF:
		return "MOF"
	}
	return fmt.Sprintf("ScriptKind(%d)", int(k))
}

// ScriptKindOf returns the script kind a file name's extension gives, case
// folded: .ps1, .psm1 and .psd1 are PowerShell, .ps1xml, .cdxml and .psc1
// PowerShell XML, .mof MOF, .js JScript, .vbs VBScript and .wsf a Windows
// Script File. Windows picks the subject interface
// package by extension too, so the name decides how the digest is made.
func ScriptKindOf(name string) (ScriptKind, bool) {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".ps1", ".psm1", ".psd1":
		return ScriptPowerShell, true
	case ".ps1xml", ".cdxml", ".psc1":
		return ScriptPowerShellXML, true
	case ".mof":
		return ScriptPowerShellMOF, true
	case ".js":
		return ScriptJScript, true
	case ".vbs":
		return ScriptVBScript, true
	case ".wsf":
		return ScriptWSF, true
	}
	return 0, false
}

// scriptStyle is how a kind writes its signature block and which subject
// interface package (SIP) digests it.
type scriptStyle struct {
	begin, end, prefix string
	// suffix ends each line of the block (an XML comment's " -->").
	suffix string
	// sip is the SpcSipInfo GUID the signature must name (as stored).
	sip []byte
	// wsh marks the Windows Script Host SIP (wshext.dll): the byte order
	// mark is not hashed, a BOM-less .js or .vbs is read as ISO 8859-1, and
	// the count of UTF-16 code units follows the text in the digest.
	// PowerShell's SIP hashes the BOM and reads BOM-less files as UTF-8.
	wsh bool
	// latin1 reads a BOM-less file as ISO 8859-1 rather than UTF-8.
	latin1 bool
}

// SIP GUIDs as SpcSipInfo stores them (the byte order the signers write).
var (
	sipPowerShell = mustHex("1fcc3b60594b084eb724d2c6297ef351")
	sipJScript    = mustHex("10e0c906ce38d411a2a300104bd35090")
	sipVBScript   = mustHex("4ef029169927b54d8fe5ace10f17ebab")
	sipWSF        = mustHex("7005611ace38d411a2a300104bd35090")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func (k ScriptKind) style() (scriptStyle, bool) {
	switch k {
	case ScriptPowerShell:
		return scriptStyle{begin: "# SIG # Begin signature block", end: "# SIG # End signature block", prefix: "# ", sip: sipPowerShell}, true
	case ScriptJScript:
		return scriptStyle{begin: "// SIG // Begin signature block", end: "// SIG // End signature block", prefix: "// SIG // ", sip: sipJScript, wsh: true, latin1: true}, true
	case ScriptVBScript:
		return scriptStyle{begin: "'' SIG '' Begin signature block", end: "'' SIG '' End signature block", prefix: "'' SIG '' ", sip: sipVBScript, wsh: true, latin1: true}, true
	case ScriptPowerShellXML:
		return scriptStyle{begin: "<!-- SIG # Begin signature block -->", end: "<!-- SIG # End signature block -->", prefix: "<!-- ", suffix: " -->", sip: sipPowerShell}, true
	case ScriptPowerShellMOF:
		return scriptStyle{begin: "/* SIG # Begin signature block */", end: "/* SIG # End signature block */", prefix: "/* ", suffix: " */", sip: sipPowerShell}, true
	case ScriptWSF:
		return scriptStyle{begin: "<signature>", end: "</signature>", prefix: "** SIG ** ", sip: sipWSF, wsh: true}, true
	}
	return scriptStyle{}, false
}

// maxScriptBytes caps the scripts VerifyScript reads into memory.
const maxScriptBytes = 64 << 20

// scriptEncoding is how a script's bytes map to UTF-16 code units.
type scriptEncoding int

const (
	encUTF8 scriptEncoding = iota
	encLatin1
	encUTF16LE
)

// scriptBlock is a parsed signature block.
type scriptBlock struct {
	// start is where the CR LF before the begin line starts; end is the
	// first byte after the end line's CR LF.
	start, end int
	der        []byte // the decoded PKCS#7
	problems   []string
}

// VerifyScript checks the Authenticode signature of the script in r (size
// bytes) of the given kind: the signature block's framing, the digest of
// the text before the block (after it too, for a .wsf) recomputed as the
// kind's subject interface package does, and then, like [Verify] for a PE
// file, the SignedData, its signer, timestamps, chain and the ownership of
// every byte in it. Bytes after the block of a .ps1, .js or .vbs are
// reported (rule script/content-after-signature): no signature covers them,
// yet the interpreter runs them. Lines of the block holding anything but
// base64 after their prefix, or of widths other than the first line's (the
// last no wider, none empty), and a .wsf block not right before the last
// </job>, are malformed (script/malformed-signature); bytes of hashed
// UTF-8 text that are not UTF-8 are reported (script/invalid-text-encoding)
// since the digest hashes U+FFFD for any of them.
//
// Result.Authentihash holds the script's SIP digests (the hash a catalog
// lists for it); the PE fields of Result are zero. A file with no signature
// block is StatusUnsigned. The error is a [*FormatError] when the file is
// larger than 64 MiB or is not text of the kind's encoding, and otherwise an
// I/O error.
//
// The digest rules follow Windows as osslsigncode (PowerShell) and jsign
// (PowerShell, JScript, VBScript, WSF) implement them: PowerShell hashes
// the UTF-16LE text, byte order mark included, with a BOM-less file read as
// UTF-8; the Windows Script Host SIP hashes the UTF-16LE text without the
// BOM, reads a BOM-less .js or .vbs as ISO 8859-1, and appends the count of
// UTF-16 code units as a little-endian uint32.
func VerifyScript(r io.ReaderAt, size int64, kind ScriptKind, opts Options) (*Result, error) {
	st, ok := kind.style()
	if !ok {
		return nil, fmt.Errorf("authenticode: unknown script kind %d", int(kind))
	}
	if size < 0 || size > maxScriptBytes {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("script of %d bytes exceeds the %d-byte limit", size, maxScriptBytes)}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	data := make([]byte, size)
	if err := readFull(r, data, 0); err != nil {
		return nil, err
	}
	if opts.FileHash != nil {
		opts.FileHash.Write(data)
	}
	enc, bom := scriptEncodingOf(data, st)
	if enc == encUTF16LE && len(data)%2 != 0 {
		return nil, &FormatError{Offset: size - 1, Reason: "UTF-16 script has an odd number of bytes"}
	}
	v := &verifier{r: r, opts: opts, log: log, encoded: true}
	v.res = &Result{Status: signing.StatusUnsigned}
	blk := findScriptBlock(data, enc, st)
	// The hashed text: before the block, and for a .wsf after it too.
	text, at := [][]byte{data}, []int{0}
	if blk != nil {
		text = [][]byte{data[:blk.start]}
		if kind == ScriptWSF {
			text, at = append(text, data[blk.end:]), append(at, blk.end)
		}
	}
	if st.wsh {
		text[0], at[0] = text[0][bom:], bom
	}
	sub := &scriptSubject{kind: kind, style: st, digests: map[crypto.Hash][]byte{}}
	v.sub = sub
	if enc == encUTF8 {
		v.scriptInvalidUTF8(text, at, blk != nil)
	}
	if blk != nil {
		sub.problems = append(sub.problems, blk.problems...)
		v.scriptSignature(kind, blk, data, enc)
	} else if k := bytes.Index(data, encodeASCII(st.begin, enc)); k >= 0 {
		v.finding(RuleScriptMalformedSignature, signing.SeverityWarning, -1, int64(k),
			fmt.Sprintf("%q appears but not as a line framed by CR LF, as signers write it: the script is treated as unsigned", st.begin))
	}
	algs := []crypto.Hash{crypto.SHA256}
	algs = append(algs, opts.Authentihashes...)
	for _, s := range v.sigs {
		if s.spc != nil {
			algs = append(algs, s.spc.hash)
		}
	}
	v.res.Authentihash = map[string]string{}
	for _, a := range dedupe(algs) {
		if !slices.Contains(supported, a) || !a.Available() {
			continue
		}
		d := scriptDigest(a.New(), text, enc, st.wsh)
		sub.digests[a] = d
		v.res.Authentihash[cms.HashName(a)] = hex.EncodeToString(d)
	}
	v.verifyAll()
	return v.res, nil
}

// scriptEncodingOf reads the byte order mark: UTF-8 (EF BB BF) or UTF-16LE
// (FF FE); without one a file is UTF-8, or ISO 8859-1 for the kinds Windows
// reads so. bom is the mark's length.
func scriptEncodingOf(b []byte, st scriptStyle) (enc scriptEncoding, bom int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return encUTF16LE, 2
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return encUTF8, 3
	case st.latin1:
		return encLatin1, 0
	}
	return encUTF8, 0
}

// encodeASCII writes an ASCII marker in the file's encoding.
func encodeASCII(s string, enc scriptEncoding) []byte {
	if enc != encUTF16LE {
		return []byte(s)
	}
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, s[i], 0)
	}
	return out
}

// indexAligned finds sep in b at or after from, at an offset that is a
// multiple of align.
func indexAligned(b, sep []byte, from, align int) int {
	for from <= len(b) {
		k := bytes.Index(b[from:], sep)
		if k < 0 {
			return -1
		}
		if (from+k)%align == 0 {
			return from + k
		}
		from += k + 1
	}
	return -1
}

// findScriptBlock finds the first signature block, framed as every signer
// writes it: CR LF, the begin line, lines of prefix and base64, the end
// line, CR LF. It returns nil when there is none.
func findScriptBlock(data []byte, enc scriptEncoding, st scriptStyle) *scriptBlock {
	align := 1
	if enc == encUTF16LE {
		align = 2
	}
	crlf := encodeASCII("\r\n", enc)
	beginLine := encodeASCII("\r\n"+st.begin+"\r\n", enc)
	start := indexAligned(data, beginLine, 0, align)
	if start < 0 {
		return nil
	}
	blk := &scriptBlock{start: start}
	prefix, suffix, endLine := encodeASCII(st.prefix, enc), encodeASCII(st.suffix, enc), encodeASCII(st.end, enc)
	var b64 []byte
	var widths []int // base64 characters per line
	at := start + len(beginLine)
	for {
		nl := indexAligned(data, crlf, at, align)
		line := data[at:]
		next := len(data)
		if nl >= 0 {
			line, next = data[at:nl], nl+len(crlf)
		}
		if bytes.Equal(line, endLine) {
			// An end line closing the file without its CR LF is tolerated:
			// editors drop a final newline, and nothing follows.
			blk.end = next
			break
		}
		if nl < 0 || !bytes.HasPrefix(line, prefix) || len(line) < len(prefix)+len(suffix) || !bytes.HasSuffix(line, suffix) {
			blk.problems = append(blk.problems, fmt.Sprintf("line at 0x%x inside the signature block is not a %q line and the block has no end line before it", at, st.prefix))
			blk.end = len(data)
			break
		}
		chunk, ok := decodeASCII(line[len(prefix):len(line)-len(suffix)], enc)
		if !ok {
			blk.problems = append(blk.problems, fmt.Sprintf("line at 0x%x inside the signature block is not ASCII", at))
			blk.end = len(data)
			break
		}
		// Only base64 after the prefix: decoders skip CR and LF, but the
		// interpreters end a line at a lone CR or LF, so what follows one
		// would be code inside the block, not a comment.
		if k := slices.IndexFunc(chunk, func(c byte) bool { return !isBase64(c) }); k >= 0 {
			blk.problems = append(blk.problems, fmt.Sprintf("line at 0x%x inside the signature block holds %q, not base64, after its prefix", at, chunk[k]))
		}
		b64 = append(b64, chunk...)
		widths = append(widths, len(chunk))
		at = next
	}
	if why := scriptLineLayout(widths); why != "" {
		blk.problems = append(blk.problems, why)
	}
	der, err := base64.StdEncoding.Strict().DecodeString(string(b64))
	if err != nil {
		blk.problems = append(blk.problems, "the signature block is not base64: "+err.Error())
		return blk
	}
	blk.der = der
	return blk
}

// scriptLineLayout says what is wrong with the widths of a block's base64
// lines, or "" when they are as signers write them: every line as wide as
// the first, the last one no wider and not empty. Decoders join the lines
// whatever their widths, so empty lines, or widths that vary, would carry
// bytes no digest covers (a payload spelled in the line count or widths).
func scriptLineLayout(widths []int) string {
	if len(widths) == 0 {
		return ""
	}
	w, last := widths[0], widths[len(widths)-1]
	for i, n := range widths[:len(widths)-1] {
		if n != w {
			return fmt.Sprintf("base64 line %d holds %d characters, the first %d: the lines of a block are of one width, the last one no wider", i+1, n, w)
		}
	}
	if last == 0 || last > w {
		return fmt.Sprintf("the last base64 line holds %d characters, the others %d: the last must be neither empty nor wider", last, w)
	}
	return ""
}

// lowerASCII returns a copy of b with ASCII letters in lower case, every
// other byte (and so every offset) kept.
func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// isBase64 reports whether c belongs to the standard base64 alphabet, the
// padding included.
func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// decodeASCII returns the ASCII text of b in the file's encoding.
func decodeASCII(b []byte, enc scriptEncoding) ([]byte, bool) {
	if enc != encUTF16LE {
		for _, c := range b {
			if c >= 0x80 {
				return nil, false
			}
		}
		return b, true
	}
	out := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if b[i+1] != 0 || b[i] >= 0x80 {
			return nil, false
		}
		out = append(out, b[i])
	}
	return out, true
}

// scriptInvalidUTF8 reports bytes of the hashed text (parts at the given
// file offsets) that are not UTF-8. The digest hashes U+FFFD for each of
// them, so any invalid byte could stand in for another, carrying data the
// digest does not pin down: a signature over it is then invalid (an
// error). An unsigned script gets a note: its digest is the one a catalog
// may list it by, and a catalog member holding it vouches for every file
// whose invalid bytes differ (callers look such a script up by its flat
// digest alone).
func (v *verifier) scriptInvalidUTF8(text [][]byte, at []int, signed bool) {
	first, n := -1, 0
	for i, t := range text {
		for k := 0; k < len(t); {
			r, size := utf8.DecodeRune(t[k:])
			if r == utf8.RuneError && size == 1 {
				if first < 0 {
					first = at[i] + k
				}
				n++
			}
			k += size
		}
	}
	if n == 0 {
		return
	}
	if !signed {
		v.finding(RuleScriptInvalidText, signing.SeverityNote, -1, int64(first),
			fmt.Sprintf("%d bytes of the text read as UTF-8 are not UTF-8, the first at 0x%x: the script's Authenticode digest covers U+FFFD for each, not the bytes, so no catalog vouches for it by that digest (only by its flat digest)", n, first))
		return
	}
	sub := v.sub.(*scriptSubject)
	sub.problems = append(sub.problems, fmt.Sprintf("%d bytes of the signed text are not UTF-8", n))
	v.finding(RuleScriptInvalidText, signing.SeverityError, -1, int64(first),
		fmt.Sprintf("%d bytes of the text read as UTF-8 are not UTF-8, the first at 0x%x: the digest covers U+FFFD for each, not the bytes, which could be swapped for other invalid ones", n, first))
}

// scriptSignature parses the block's PKCS#7 and checks what surrounds it.
func (v *verifier) scriptSignature(kind ScriptKind, blk *scriptBlock, data []byte, enc scriptEncoding) {
	off := int64(blk.start)
	size := len(data)
	sub := v.sub.(*scriptSubject)
	if kind == ScriptWSF {
		// Signers put the element right before the last </job>. The digest
		// joins the text around it, so elsewhere (inside a script element,
		// between two tokens) it would change the file without changing
		// the digest.
		closing := encodeASCII("</job>", enc)
		rest := lowerASCII(data[blk.end:])
		if !bytes.HasPrefix(rest, closing) || indexAligned(rest, closing, len(closing), len(closing)/6) >= 0 {
			why := "the <signature> element is not right before the last </job>"
			sub.problems = append(sub.problems, why)
			v.finding(RuleScriptMalformedSignature, signing.SeverityError, -1, off, why+": the digest joins the text around it, so it could sit anywhere")
		}
	}
	if kind != ScriptWSF && blk.end < size {
		n := size - blk.end
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the signature block", n))
		v.finding(RuleScriptContentAfterSignature, signing.SeverityError, -1, int64(blk.end),
			fmt.Sprintf("%d bytes follow the signature block: no signature covers them, yet %s runs them", n, kind))
	}
	for _, p := range blk.problems {
		v.finding(RuleScriptMalformedSignature, signing.SeverityError, -1, off, "signature block: "+p)
	}
	if blk.der == nil {
		v.sigs = append(v.sigs, &sigState{parent: -1, offset: off, malformed: "the signature block does not decode: " + strings.Join(blk.problems, "; "), malformedCheck: "signature-block", reported: true})
		return
	}
	if len(blk.der) > maxTableBytes {
		v.addMalformed(0, -1, 0, off, fmt.Sprintf("PKCS#7 blob of %d bytes exceeds the %d-byte limit", len(blk.der), maxTableBytes))
		return
	}
	sd, err := cms.Parse(blk.der)
	if err != nil {
		v.addMalformed(0, -1, 0, off, "PKCS#7 SignedData does not parse: "+err.Error())
		return
	}
	if extra := len(blk.der) - sd.Len; extra > 0 {
		sub.problems = append(sub.problems, fmt.Sprintf("%d bytes after the PKCS#7 in the block", extra))
		v.finding(RuleScriptSignatureTrailingData, signing.SeverityError, 0, off,
			fmt.Sprintf("the signature block decodes to %d bytes after its PKCS#7 SignedData: no signature covers them", extra))
	}
	v.addSignature(0, -1, 0, off, sd, nil, 0)
}

// scriptDigest hashes text as the SIP does: UTF-16LE code units, and for
// the Windows Script Host their count as a little-endian uint32.
func scriptDigest(h hash.Hash, text [][]byte, enc scriptEncoding, wsh bool) []byte {
	var units uint32
	buf := make([]byte, 0, 64<<10)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	for _, t := range text {
		switch enc {
		case encUTF16LE:
			h.Write(t)
			units += uint32(len(t) / 2)
		case encLatin1:
			for _, c := range t {
				buf = append(buf, c, 0)
				units++
				if len(buf) >= cap(buf)-2 {
					flush()
				}
			}
		default:
			for len(t) > 0 {
				r, n := utf8.DecodeRune(t)
				t = t[n:]
				if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
					buf = binary.LittleEndian.AppendUint16(buf, uint16(r1))
					buf = binary.LittleEndian.AppendUint16(buf, uint16(r2))
					units += 2
				} else {
					buf = binary.LittleEndian.AppendUint16(buf, uint16(r))
					units++
				}
				if len(buf) >= cap(buf)-4 {
					flush()
				}
			}
		}
	}
	flush()
	if wsh {
		h.Write(binary.LittleEndian.AppendUint32(nil, units))
	}
	return h.Sum(nil)
}

// scriptSubject is a script for the shared signature steps.
type scriptSubject struct {
	kind     ScriptKind
	style    scriptStyle
	digests  map[crypto.Hash][]byte
	problems []string
}

func (s *scriptSubject) structure(v *verifier, _ *sigState) (signing.CheckName, []string, string) {
	return "signature-block", s.problems, "one signature block in " + s.kind.String() + " comments, framed by CR LF, nothing after it but what the format allows"
}

func (s *scriptSubject) dataType(j *judgement) bool {
	return sipDataType(j, s.style.sip, s.kind.String())
}

// sipDataType checks that the SpcIndirectDataContent is SpcSipInfo naming
// the expected subject interface package.
func sipDataType(j *judgement, want []byte, what string) bool {
	spc, i := j.s.spc, j.i
	if !spc.dataType.Equal(oidSpcSipInfo) {
		return j.malformed(CheckContentType, fmt.Sprintf("SpcIndirectDataContent type %s is not SpcSipInfo (1.3.6.1.4.1.311.2.1.30)", spc.dataType),
			fmt.Sprintf("signature %d does not sign a %s (type %s)", i, what, spc.dataType))
	}
	guid, ok := sipGUID(spc.value)
	if !ok || !bytes.Equal(guid, want) {
		return j.malformed(CheckSIP, fmt.Sprintf("SpcSipInfo names subject interface package %x, not the %s one (%x)", guid, what, want),
			fmt.Sprintf("signature %d names subject interface package %x, not the %s one", i, guid, what))
	}
	j.sig.AddCheck(CheckSIP, true, fmt.Sprintf("SpcSipInfo names the %s subject interface package", what))
	return true
}

// sipGUID reads the GUID of SpcSipInfo:
//
//	SEQUENCE { version INTEGER, guid OCTET STRING (16), INTEGER × 5 }
func sipGUID(der []byte) ([]byte, bool) {
	in := cryptobyte.String(der)
	var seq, guid cryptobyte.String
	var ver int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&ver) || !seq.ReadASN1(&guid, cbasn1.OCTET_STRING) || len(guid) != 16 {
		return nil, false
	}
	return bytes.Clone(guid), true
}

func (s *scriptSubject) digest(h crypto.Hash) ([]byte, bool) {
	d, ok := s.digests[h]
	return d, ok
}

func (s *scriptSubject) what() string { return "script" }

func (s *scriptSubject) extra(*judgement) bool { return true }

func (s *scriptSubject) rules() formatRules {
	return formatRules{digestMismatch: RuleScriptDigestMismatch, malformed: RuleScriptMalformedSignature}
}
