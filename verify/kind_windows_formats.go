package verify

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing/authenticode"
)

// Kinds of the Windows formats signed with Authenticode besides PE.
const (
	KindMSI        = report.KindMSI
	KindCAB        = report.KindCAB
	KindPowerShell = report.KindPowerShell
	KindJScript    = report.KindJScript
	KindVBScript   = report.KindVBScript
	KindWSF        = report.KindWSF
)

func init() {
	nativeVerifiers[KindMSI] = windowsVerifier(authenticode.VerifyMSI)
	nativeVerifiers[KindCAB] = windowsVerifier(authenticode.VerifyCAB)
	for k, sk := range map[Kind]authenticode.ScriptKind{
		KindPowerShell: authenticode.ScriptPowerShell, KindJScript: authenticode.ScriptJScript,
		KindVBScript: authenticode.ScriptVBScript, KindWSF: authenticode.ScriptWSF,
	} {
		nativeVerifiers[k] = windowsVerifier(func(r io.ReaderAt, size int64, opts authenticode.Options) (*authenticode.Result, error) {
			return authenticode.VerifyScript(r, size, sk, opts)
		})
	}
}

// windowsVerifier adapts an authenticode verifier of another format than
// PE, as verifyPE does.
func windowsVerifier(verify func(io.ReaderAt, int64, authenticode.Options) (*authenticode.Result, error)) nativeVerifier {
	return func(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error) {
		opts := authenticode.Options{Trust: env.trust, Time: env.time, FileHash: env.hash, Logger: env.log, Authentihashes: env.authentihashes}
		res, err := verify(r, size, opts)
		var fe *authenticode.FormatError
		switch {
		case errors.As(err, &fe):
			return nil, &malformedError{offset: fe.Offset, reason: fe.Reason}
		case errors.Is(err, authenticode.ErrNotMSI), errors.Is(err, authenticode.ErrNotCAB):
			return nil, &malformedError{offset: -1, reason: err.Error()}
		case err != nil:
			return nil, err
		}
		return &nativeResult{sigs: res.Signatures, findings: res.Findings, authentihash: res.Authentihash}, nil
	}
}

// msiCLSIDs are the root class identifiers of Windows Installer files:
// {000C1084-…} database, {000C1086-…} patch, {000C1082-…} transform.
var msiCLSIDs = [][]byte{
	{0x84, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46},
	{0x86, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46},
	{0x82, 0x10, 0x0c, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46},
}

// windowsKind identifies the signed Windows formats other than PE in a
// file named name whose first bytes are hdr: cabinets and MSI files by
// their magic (an MSI's compound file by its name or root class), scripts
// by their name, as Windows picks a script's signature rules by extension
// (a .js only when jsBlock, given r and size, reports a signature block:
// see hasJScriptBlock). It returns KindOther for anything else.
func windowsKind(r io.ReaderAt, name string, hdr []byte, size int64, jsBlock func(io.ReaderAt, int64) bool) Kind {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case len(hdr) >= 36 && bytes.HasPrefix(hdr, []byte("MSCF")) && hdr[24] == 3 && hdr[25] == 1:
		return KindCAB
	case len(hdr) >= 512 && bytes.HasPrefix(hdr, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		switch ext {
		case ".msi", ".msp", ".mst", ".msm":
			return KindMSI
		}
		// The root entry starts the first directory sector.
		shift := binary.LittleEndian.Uint16(hdr[30:])
		if shift != 9 && shift != 12 {
			return KindOther
		}
		off := (int64(binary.LittleEndian.Uint32(hdr[48:])) + 1) << shift
		var clsid [16]byte
		if off+96 <= size {
			if n, _ := r.ReadAt(clsid[:], off+80); n == len(clsid) {
				for _, c := range msiCLSIDs {
					if bytes.Equal(clsid[:], c) {
						return KindMSI
					}
				}
			}
		}
		return KindOther
	}
	switch ext {
	case ".ps1", ".psm1", ".psd1":
		return KindPowerShell
	case ".js": // as isJSName
		// Most .js files are web or Node.js code, never signed: only one
		// carrying a Windows Script Host signature block is a JScript.
		if jsBlock(r, size) {
			return KindJScript
		}
	case ".vbs":
		return KindVBScript
	case ".wsf":
		return KindWSF
	}
	return KindOther
}

// jsTail is how far from its end a .js is searched for a signature block.
const jsTail = 256 << 10

// isJSName reports whether name is that of a .js file, which windowsKind
// looks in for a JScript signature block.
func isJSName(name string) bool { return strings.ToLower(path.Ext(name)) == ".js" }

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

// hasJScriptBlock reports whether the last jsTail bytes of a file hold the
// begin line of a JScript signature block, in UTF-8 or UTF-16LE.
func hasJScriptBlock(r io.ReaderAt, size int64) bool {
	n := min(size, jsTail)
	buf := make([]byte, n)
	if k, _ := r.ReadAt(buf, size-n); int64(k) != n {
		return false
	}
	return jsBlockIn(buf)
}

// jsBlockIn reports whether tail holds the begin line of a JScript
// signature block, in UTF-8 or UTF-16LE.
func jsBlockIn(tail []byte) bool {
	return bytes.Contains(tail, jsBegin) || bytes.Contains(tail, jsBeginWide)
}
