package codesign

import (
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// Options controls verification. The zero value is usable: it trusts no
// root, checks at the current time and logs nothing.
type Options struct {
	// Trust holds the roots a CMS signer's chain must reach; nil trusts
	// nothing, so every CMS signature is at best untrusted. Apple's roots are
	// in signing.EmbeddedApple.
	Trust *signing.TrustStore
	// Time is when chains are checked when no verified timestamp says
	// otherwise; zero means now.
	Time time.Time
	// FileHash, when set, receives every byte of the file once, in order,
	// during the same read that checks the pages, so callers get the file's
	// digest without a second pass. It receives nothing when Verify returns
	// ErrNotMachO or an I/O error.
	FileHash hash.Hash
	// Files, when set, lets VerifyBundle take what the caller already knows
	// about the bundle's files instead of reading them again; nil means
	// VerifyBundle reads every file itself. Verify does not use it.
	Files BundleFiles
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger

	// appleRoot, set by tests only, replaces the check that a chain's
	// anchor is one of Apple's roots ("anchor apple generic").
	appleRoot func(*x509.Certificate) bool
}

// BundleFiles gives VerifyBundle facts about a bundle's files that the
// caller computed while reading them, so that a caller hashing every file of
// a release anyway does not have them read twice.
type BundleFiles interface {
	// SHA256 returns the SHA-256 of the regular file at p (a path in the
	// fs.FS given to VerifyBundle), computed over the bytes it holds now,
	// and true; or false when the caller does not know it, and VerifyBundle
	// then hashes the file itself. VerifyBundle calls it for files sealed by
	// a SHA-256 hash (CodeResources hash2), from one goroutine.
	SHA256(p string) ([]byte, bool)
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// ErrNotMachO results when the input is neither a Mach-O file nor a
// universal (fat) file. Callers skip such files.
var ErrNotMachO = errors.New("codesign: not a Mach-O file")

// FormatError results when a Mach-O or fat header cannot be parsed. Offset
// is the byte offset in the file where parsing failed.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("codesign: %s (at offset %#x)", e.Reason, e.Offset)
}

// Result is everything Verify found about a file: its slices, one
// Signature per slice, and the findings.
type Result struct {
	// Universal reports a fat file (0xcafebabe or 0xcafebabf).
	Universal bool `json:"universal"`
	// Slices lists the slices in the order the fat header gives them; a thin
	// file has one slice covering it.
	Slices []Slice `json:"slices"`
	// Signatures holds one signature per slice; Index is the slice number.
	Signatures []signing.Signature `json:"signatures"`
	// Findings are the problems found, each tied to a signature index (or -1
	// for the file as a whole) and, where one applies, a file offset.
	Findings []signing.Finding `json:"findings"`
}

// Status returns the worst status of the file's signatures, and at least
// invalid when a finding about the file as a whole (bytes of a universal
// file outside every slice, for example) is an error: such bytes are
// covered by no signature, so the file is not what was signed.
func (r *Result) Status() signing.Status {
	s := signing.StatusValid
	for _, sig := range r.Signatures {
		s = s.Worse(sig.Status)
	}
	for _, f := range r.Findings {
		if f.Signature < 0 && f.Severity == signing.SeverityError {
			s = s.Worse(signing.StatusInvalid)
		}
	}
	if len(r.Signatures) == 0 {
		return signing.StatusMalformed
	}
	return s
}

// Slice describes one architecture of a file and its code signature.
type Slice struct {
	// Arch names the architecture ("arm64", "x86_64", "arm64e"…).
	Arch string `json:"arch"`
	// CPUType and CPUSubtype are the raw Mach-O values.
	CPUType    uint32 `json:"cpuType"`
	CPUSubtype uint32 `json:"cpuSubtype"`
	// Offset and Size locate the slice in the file.
	Offset int64 `json:"offset"`
	Size   int64 `json:"size"`
	// SignatureOffset and SignatureSize locate the LC_CODE_SIGNATURE data
	// in the slice; both are zero when the slice is unsigned.
	SignatureOffset int64 `json:"signatureOffset,omitempty"`
	SignatureSize   int64 `json:"signatureSize,omitempty"`
	// Identifier, TeamID and Flags come from the primary CodeDirectory.
	Identifier string `json:"identifier,omitempty"`
	TeamID     string `json:"teamID,omitempty"`
	Flags      uint32 `json:"flags,omitempty"`
	// Adhoc reports CS_ADHOC; LinkerSigned CS_LINKER_SIGNED (an ad-hoc
	// signature the linker wrote).
	Adhoc        bool `json:"adhoc,omitempty"`
	LinkerSigned bool `json:"linkerSigned,omitempty"`
	// CodeDirectories are the primary directory and its alternates, in slot order.
	CodeDirectories []CodeDirectory `json:"codeDirectories,omitempty"`
	// CDHashes are the 20-byte cdhashes (lowercase hex) of CodeDirectories,
	// in the same order, for blocklists and notarization tickets.
	CDHashes []string `json:"cdhashes,omitempty"`
	// Requirements reports a requirement set blob; Entitlements is the XML
	// entitlements blob's plist and DEREntitlements the DER one, as signed.
	Requirements    bool   `json:"requirements,omitempty"`
	Entitlements    string `json:"entitlements,omitempty"`
	DEREntitlements []byte `json:"derEntitlements,omitempty"`
	// CMS reports a non-empty CMS signature blob.
	CMS bool `json:"cms,omitempty"`

	// req holds the facts requirements are evaluated against; nil when
	// the slice's signature was not verified that far.
	req *reqContext
	// ents holds the entitlements as checkEntitlementForms decoded them,
	// for grantedWeakening to read instead of decoding them again; nil
	// when they were not decoded there.
	ents *decodedEntitlements
}

// Open verifies the file at path. It is sugar for Verify on an *os.File.
func Open(path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("codesign: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("codesign: %w", err)
	}
	r, err := Verify(f, st.Size(), opts)
	if err != nil && !errors.Is(err, ErrNotMachO) {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return r, err
}

// Verify checks the code signature of every slice of the Mach-O or
// universal file held in r[0:size]: the layout of the signature, every
// CodeDirectory's code pages and special slots, the cdhashes, and for
// signatures with a CMS blob the messageDigest, the cdhashes attributes, the
// signer's signature, the chain to opts.Trust, the team ID and the
// timestamp. It reads the file once, in order, streaming pages through a
// fixed window, and never holds a slice in memory.
//
// Tampered and malformed signatures are reported in the Result, not as
// errors. Verify returns ErrNotMachO for other files, and a *FormatError
// together with a Result (one malformed signature and a codesign/malformed
// finding) when the Mach-O or fat header itself cannot be parsed. Any other
// error is an I/O failure.
//
// Verify evaluates each slice's designated requirement; it does not check
// revocation (OCSP) or notarization tickets.
func Verify(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	return verify(r, size, opts, nil)
}
