package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Kinds of the Windows formats signed with Authenticode besides PE.
const (
	KindMSI        = report.KindMSI
	KindCAB        = report.KindCAB
	KindMSIX       = report.KindMSIX
	KindCatalog    = report.KindCatalog
	KindPowerShell = report.KindPowerShell
	KindJScript    = report.KindJScript
	KindVBScript   = report.KindVBScript
	KindWSF        = report.KindWSF
	// KindEncodedScript: see script_encoded.go.
	KindEncodedScript = report.KindEncodedScript
	// KindBatch, KindScriptComponent, KindHTMLApplication: see
	// script_unsignable.go.
	KindBatch           = report.KindBatch
	KindScriptComponent = report.KindScriptComponent
	KindHTMLApplication = report.KindHTMLApplication
)

func init() {
	nativeVerifiers[KindMSI] = windowsVerifier(authenticode.VerifyMSI)
	nativeVerifiers[KindCAB] = windowsVerifier(authenticode.VerifyCAB)
	nativeVerifiers[KindMSIX] = windowsVerifier(authenticode.VerifyAPPX)
	nativeVerifiers[KindCatalog] = windowsVerifier(authenticode.VerifyCatalog)
	for k, sk := range map[Kind]authenticode.ScriptKind{
		KindPowerShell: authenticode.ScriptPowerShell, KindJScript: authenticode.ScriptJScript,
		KindVBScript: authenticode.ScriptVBScript, KindWSF: authenticode.ScriptWSF,
	} {
		nativeVerifiers[k] = func(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
			kind := sk
			if xk, ok := authenticode.ScriptKindOf(windowsExt(env.name)); ok && (xk == authenticode.ScriptPowerShellXML || xk == authenticode.ScriptPowerShellMOF) {
				kind = xk // a .ps1xml, .cdxml or .psc1: XML comment lines; a .mof: C comment lines
			}
			// A .wsf's src attributes are looked for in the bytes its
			// verifier read (script_kept.go).
			kr := &keptReaderAt{r: r, size: size}
			res, err := windowsVerifier(func(r io.ReaderAt, size int64, opts authenticode.Options) (*authenticode.Result, error) {
				return authenticode.VerifyScript(r, size, kind, opts)
			})(ctx, kr, size, env)
			if err == nil && kind == authenticode.ScriptWSF {
				res.findings = append(res.findings, wsfExternalSources(kr, size, res.sigs)...) // script_wsf_src.go
			}
			return res, err
		}
	}
}

// windowsVerifier adapts an authenticode verifier of another format than
// PE, as verifyPE does.
func windowsVerifier(verify func(io.ReaderAt, int64, authenticode.Options) (*authenticode.Result, error)) nativeVerifier {
	return func(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
		opts := authenticode.Options{Trust: env.trust, Time: env.time, FileHash: env.hash, Logger: env.log, Authentihashes: env.authentihashes, Alongside: env.alongside}
		res, err := verify(r, size, opts)
		var fe *authenticode.FormatError
		switch {
		case errors.As(err, &fe):
			return nil, &malformedError{offset: fe.Offset, reason: fe.Reason}
		case errors.Is(err, authenticode.ErrNotMSI), errors.Is(err, authenticode.ErrNotCAB), errors.Is(err, authenticode.ErrNotAPPX), errors.Is(err, authenticode.ErrNotCatalog):
			return nil, &malformedError{offset: -1, reason: err.Error()}
		case err != nil:
			return nil, err
		}
		return &nativeResult{sigs: res.Signatures, findings: res.Findings, authentihash: res.Authentihash, catalog: res.Catalog}, nil
	}
}

// windowsKind identifies the signed Windows formats other than PE in a
// file named name whose first bytes are hdr: cabinets and MSI files by
// their magic (an MSI's compound file by its name or root class), MSIX
// packages by their name or the parts their zip holds, scripts by their
// name, as Windows picks a script's signature rules by extension (a .js
// only when jsBlock, given r and size, reports a signature block: see
// hasJScriptBlock). It returns KindOther for anything else.
func windowsKind(r io.ReaderAt, name string, hdr []byte, size int64, jsBlock func(io.ReaderAt, int64) bool) Kind {
	ext := windowsExt(name)
	switch {
	case ext == ".msix" || ext == ".appx" || ext == ".msixbundle" || ext == ".appxbundle":
		return KindMSIX
	case IsZip(hdr) && zipHoldsAPPXParts(r, size):
		return KindMSIX
	}
	// One detector for verify and sbom: a cabinet, or a compound file that
	// is an MSI by its name or root class; another compound file (a Word
	// document) is no Windows format.
	switch container.Detect(r, ext, hdr, size) {
	case container.CAB:
		return KindCAB
	case container.MSI:
		return KindMSI
	}
	if container.CompoundFile(hdr) {
		return KindOther
	}
	switch ext {
	case ".cat":
		return catalogKind(name, hdr)
	case ".js": // as isJSName
		// Most .js files are web or Node.js code, never signed: only one
		// carrying a Windows Script Host signature block is a JScript.
		if jsBlock(r, size) {
			return KindJScript
		}
		return KindOther
	}
	return scriptKindOfExt(ext)
}

// jsTail is how far from its end a .js is first searched for a signature
// block (where signers put it, so a signed script is told by one read);
// hasJScriptBlock then searches the rest, since code appended after the
// block must not make the script an other file.
const jsTail = 256 << 10

// windowsExt returns, in lower case, the extension of the name Windows
// gives a file named name: the last element without its default-stream
// suffix (::$DATA) and its trailing dots and spaces, which CreateFile
// drops. Windows picks a script's interpreter and signature rules by that
// extension, so install.ps1. (or "install.ps1 ", install.ps1::$DATA) in a
// zip, extracted as install.ps1, was an other file, unverified
// (TestAttackScriptNameWindowsTrims).
func windowsExt(name string) string {
	base := name[strings.LastIndexAny(name, `/\`)+1:]
	for {
		n := len(base)
		if k := len(base) - len("::$DATA"); k >= 0 && strings.EqualFold(base[k:], "::$DATA") {
			base = base[:k]
		}
		if base = strings.TrimRight(base, ". "); len(base) == n {
			break
		}
	}
	return strings.ToLower(path.Ext(base))
}

// isScriptName reports whether name is that of a script kind Windows
// signs (see windowsKind), by the extension Windows gives it and the
// authenticode package's list of script extensions: a .js among them,
// though only one holding a signature block is a JScript.
func isScriptName(name string) bool {
	_, ok := authenticode.ScriptKindOf(windowsExt(name))
	return ok || encodedScriptExt(windowsExt(name)) || unsignableScriptKind(windowsExt(name)) != KindOther
}

// isJSName reports whether name is that of a .js file, which windowsKind
// looks in for a JScript signature block.
func isJSName(name string) bool { return windowsExt(name) == ".js" }

// jsBegin and jsBeginWide are the begin line of a JScript signature block
// in UTF-8 and UTF-16LE.
var (
	jsBegin     = []byte("// SIG // Begin signature block")
	jsBeginWide = func() []byte {
		w := make([]byte, 0, 2*len(jsBegin))
		for _, c := range jsBegin {
			w = append(w, c, 0)
		}
		return w
	}()
)

// hasJScriptBlock reports whether a file holds the begin line of a
// JScript signature block, in UTF-8 or UTF-16LE: its last jsTail bytes
// are looked at first, then the bytes before them, a chunk at a time. A
// block anywhere makes the file a JScript: a signed script with more than
// jsTail bytes of code appended after its block was an other file, its
// appended code unreported (TestAttackJScriptCodeFarAfterBlock).
func hasJScriptBlock(r io.ReaderAt, size int64) bool {
	const overlap = 2*len("// SIG // Begin signature block") - 1
	buf := make([]byte, min(size, jsTail)+int64(overlap))
	var next [overlap]byte // the first bytes of the chunk after this one
	kept := 0
	for end := size; end > 0; {
		m := min(end, jsTail)
		chunk := buf[:m]
		if k, _ := r.ReadAt(chunk, end-m); int64(k) != m {
			return false
		}
		// A begin line across two chunks is found in this one's bytes
		// followed by the next one's first bytes.
		if jsBlockIn(append(chunk, next[:kept]...)) {
			return true
		}
		kept = copy(next[:], chunk)
		end -= m
	}
	return false
}

// jsBlockIn reports whether tail holds the begin line of a JScript
// signature block, in UTF-8 or UTF-16LE: bytes.Contains of either, in
// one pass over the slashes both start with (two bytes.Contains took four
// times as long as that pass on a small .js, which every Node.js module
// in a release is).
func jsBlockIn(tail []byte) bool {
	for i := 0; len(tail)-i >= len(jsBegin); i++ {
		k := bytes.IndexByte(tail[i:len(tail)-len(jsBegin)+1], '/')
		if k < 0 {
			return false
		}
		i += k
		switch tail[i+1] {
		case '/':
			if bytes.HasPrefix(tail[i:], jsBegin) {
				return true
			}
		case 0:
			if bytes.HasPrefix(tail[i:], jsBeginWide) {
				return true
			}
		}
	}
	return false
}

// newJSScan returns a scan for the begin line's tail from "SIG", in UTF-8
// and UTF-16LE, anywhere in a file: a begin line holds one, and one that
// is not a begin line costs only a second look (hasJScriptBlock).
func newJSScan() *tailScan {
	return &tailScan{sigs: [][]byte{jsBegin[3:], jsBeginWide[6:]}, tail: 1 << 62}
}

// msixScanLimit bounds the central directory read to tell an MSIX package
// from another zip archive.
const msixScanLimit = 64 << 20

// zipHoldsAPPXParts reports whether the central directory of the zip
// archive of size bytes at r (the archive the file is, not one after a
// stub: an MSIX package starts with its first record) lists
// AppxSignature.p7x or AppxBlockMap.xml.
func zipHoldsAPPXParts(r io.ReaderAt, size int64) bool {
	z, ok, err := findZipEnd(r, size, []int64{size}, nil)
	if err != nil || !ok || !z.valid {
		return false
	}
	var rec [eocdLen]byte
	if n, _ := r.ReadAt(rec[:], z.off); n < len(rec) {
		return false
	}
	le := binary.LittleEndian
	records, dirSize, dirOff := uint64(le.Uint16(rec[10:])), uint64(le.Uint32(rec[12:])), uint64(le.Uint32(rec[16:]))
	if records == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff {
		var loc [20]byte
		if n, _ := r.ReadAt(loc[:], z.off-20); z.off < 20 || n < len(loc) || string(loc[:4]) != "PK\x06\x07" {
			return false
		}
		var d64 [56]byte
		off64 := int64(le.Uint64(loc[8:]))
		if n, _ := r.ReadAt(d64[:], off64); off64 < 0 || n < len(d64) || string(d64[:4]) != "PK\x06\x06" {
			return false
		}
		records, dirSize, dirOff = le.Uint64(d64[32:]), le.Uint64(d64[40:]), le.Uint64(d64[48:])
	}
	if dirSize > msixScanLimit || dirOff > uint64(size) || dirSize > uint64(size)-dirOff {
		return false
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, int64(dirOff), int64(dirSize)), 1<<16)
	var h [46]byte
	name := make([]byte, 0, 64)
	for range records {
		if _, err := io.ReadFull(br, h[:]); err != nil || string(h[:4]) != "PK\x01\x02" {
			return false
		}
		n, rest := int(le.Uint16(h[28:])), int(le.Uint16(h[30:]))+int(le.Uint16(h[32:]))
		if n == len("AppxSignature.p7x") || n == len("AppxBlockMap.xml") {
			name = name[:n]
			if _, err := io.ReadFull(br, name); err != nil {
				return false
			}
			if s := string(name); s == "AppxSignature.p7x" || s == "AppxBlockMap.xml" {
				return true
			}
		} else {
			rest += n
		}
		if _, err := br.Discard(rest); err != nil {
			return false
		}
	}
	return false
}

// catalogKind returns KindCatalog for a file named name (.cat) whose first
// bytes hdr start a signed certificate trust list, else KindOther. It needs
// no more than the header, so streamed archive entries are recognised too.
func catalogKind(name string, hdr []byte) Kind {
	if windowsExt(name) == ".cat" && isCatalogHeader(hdr) {
		return KindCatalog
	}
	return KindOther
}

// isCatalogHeader reports whether hdr, a file's first bytes, starts a DER
// ContentInfo of SignedData whose encapsulated content type is a
// certificate trust list (1.3.6.1.4.1.311.10.1):
//
//	SEQUENCE { OID signedData, [0] { SEQUENCE { INTEGER version,
//	  SET digestAlgorithms, SEQUENCE { OID ctl, … } … } } }
//
// Only the headers are read: the lengths must fit the file, not hdr.
func isCatalogHeader(hdr []byte) bool {
	signedData := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	ctl := []byte{0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0a, 0x01}
	b := hdr
	// enter reads the header of an element with tag t and returns its
	// contents (cut to hdr) and whether it is there.
	enter := func(t byte) bool {
		if len(b) < 2 || b[0] != t {
			return false
		}
		n, l := int(b[1]), 2
		if n >= 0x80 {
			k := n & 0x7f
			if k == 0 || k > 4 || len(b) < 2+k {
				return false
			}
			l += k
		}
		b = b[l:]
		return true
	}
	skip := func(t byte) bool {
		if len(b) < 2 || b[0] != t {
			return false
		}
		n, l := int(b[1]), 2
		if n >= 0x80 {
			k := n & 0x7f
			if k == 0 || k > 2 || len(b) < 2+k {
				return false
			}
			n = 0
			for _, c := range b[2 : 2+k] {
				n = n<<8 | int(c)
			}
			l += k
		}
		if len(b) < l+n {
			return false
		}
		b = b[l+n:]
		return true
	}
	if !enter(0x30) || !bytes.HasPrefix(b, signedData) {
		return false
	}
	b = b[len(signedData):]
	return enter(0xa0) && enter(0x30) && skip(0x02) && skip(0x31) && enter(0x30) && bytes.HasPrefix(b, ctl)
}
