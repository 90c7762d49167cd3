package authenticode

import (
	"crypto"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing"
)

// ErrNotPE is returned when the input is not a PE file at all: no "MZ"
// header, or no "PE\0\0" signature where e_lfanew points. Callers walking a
// release skip such files.
var ErrNotPE = errors.New("authenticode: not a PE file")

// FormatError reports a PE file whose headers cannot be parsed. A signature
// that cannot be parsed is not a FormatError: it is a [signing.Signature]
// with status malformed inside a [Result].
type FormatError struct {
	// Offset is the file offset of the offending structure.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("authenticode: %s at offset 0x%x", e.Reason, e.Offset)
}

// Options configures Verify. The zero value verifies integrity fully and
// trusts no root, so every intact signature comes out untrusted.
type Options struct {
	// Trust holds the roots signing and time-stamping chains must reach; nil
	// trusts nothing.
	Trust *signing.TrustStore
	// Time is the time chains are checked at when a signature has no verified
	// timestamp; zero means now. A verified timestamp's time always takes
	// precedence (except for leaves with the lifetime-signing usage).
	Time time.Time
	// FileHash, when not nil, receives every byte of the file once, in order,
	// during the same single read that computes the Authenticode digests, so a
	// caller gets a whole-file hash without a second pass. It is written only
	// when Verify returns a Result: after ErrNotPE, a FormatError or an I/O
	// error it may hold nothing or part of the file, and the caller must hash
	// the file itself.
	FileHash hash.Hash
	// Authentihashes lists extra algorithms of the image hash to compute for
	// Result.Authentihash (blocklists name SHA-1 and MD5 ones). SHA-256 and the
	// algorithms the signatures use are always computed.
	Authentihashes []crypto.Hash
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger
	// Alongside, when not nil, is run by VerifyMSI on a goroutine of its
	// own while it computes the streams' digest, which starts once the
	// compound file has opened and its signature streams and unowned
	// bytes have been read: the last point at which VerifyMSI can return
	// a FormatError, so Alongside runs only for a database VerifyMSI does
	// not find malformed (an I/O error can still follow). VerifyCAB runs
	// it likewise once the cabinet's header and signature locator have
	// been read. Both return only once Alongside has returned. A caller
	// reads the file's contents in it (verify walks the cabinets), so
	// that their hashing takes a core while the digest and FileHash take
	// theirs, instead of waiting for both. The other verifiers ignore it.
	Alongside func()
}

// Result holds the facts about one file's Authenticode signatures and the
// verdict that follows from them. For a script, an MSI database or a
// cabinet ([VerifyScript], [VerifyMSI], [VerifyCAB]) the PE fields
// (Checksum, CertTable, Entries, PE32Plus, Machine) are zero, Authentihash
// holds that format's digests, and every signature's Detail.Entry is 0.
type Result struct {
	// Status is the file's verdict: StatusUnsigned when it carries no
	// signature, otherwise the worst status of its signatures. A file whose
	// certificate table is declared but holds no signature (cut short, or
	// the table damaged) is not unsigned: it gets one StatusMalformed
	// signature standing for the table. Every signature
	// has to hold, nested ones included, for a file to be valid; a caller that
	// wants Windows' view of the primary signature alone reads
	// Signatures[0].Status. File-level tampering (bytes stuffed after a PKCS#7
	// blob, a malformed table, data after the table) makes every signature it
	// touches invalid, so it is never hidden by this aggregation.
	Status signing.Status `json:"status"`
	// Signatures are the signatures in index order: each WIN_CERTIFICATE entry,
	// then its nested signatures depth first.
	Signatures []signing.Signature `json:"signatures"`
	// Details hold facts about Signatures[i] that the shared signature object
	// has no room for.
	Details []Detail `json:"details"`
	// Findings are the problems found, with offsets and signature indexes,
	// in the order of [signing.CompareFindings].
	Findings []signing.Finding `json:"findings"`
	// Authentihash maps an algorithm name ("sha256", "sha1"…) to the
	// Authenticode image hash, lowercase hex, as blocklists list it. The
	// "sha256" entry is always present.
	Authentihash map[string]string `json:"authentihash"`
	// Checksum is the PE checksum as stored and as computed.
	Checksum Checksum `json:"checksum"`
	// CertTable is the certificate table as DataDirectory[4] gives it (a file
	// offset and a size); zero when the file has none.
	CertTable Span `json:"certTable"`
	// Entries describes each WIN_CERTIFICATE entry of the table.
	Entries []Entry `json:"entries,omitempty"`
	// Catalog is the member list of a security catalog ([VerifyCatalog]);
	// nil for other formats.
	Catalog *Catalog `json:"catalog,omitempty"`
	// PE32Plus reports a 64-bit optional header; Machine is the COFF machine.
	PE32Plus bool   `json:"pe32Plus"`
	Machine  uint16 `json:"machine"`
}

// Checksum is the PE checksum of the optional header.
type Checksum struct {
	// Stored is the CheckSum field; zero means the linker did not set it.
	Stored uint32 `json:"stored"`
	// Computed is the checksum of the file as it is.
	Computed uint32 `json:"computed"`
}

// Span is a byte range of the file.
type Span struct {
	Offset int64 `json:"offset"`
	Size   int64 `json:"size"`
}

// Entry is one WIN_CERTIFICATE of the certificate table.
type Entry struct {
	// Offset is the entry's file offset; Length is dwLength, header included.
	Offset int64  `json:"offset"`
	Length uint32 `json:"length"`
	// Revision is wRevision (0x0200 expected) and Type wCertificateType
	// (0x0002, PKCS_SIGNED_DATA, expected).
	Revision uint16 `json:"revision"`
	Type     uint16 `json:"type"`
	// SignedDataLength is how many bytes of bCertificate the PKCS#7 uses; -1
	// when it does not parse.
	SignedDataLength int64 `json:"signedDataLength"`
	// Trailing counts the bytes after the PKCS#7 up to the next 8-byte
	// boundary: at most 7 zero bytes are alignment, anything else is stuffing.
	Trailing int64 `json:"trailing"`
}

// Detail holds per-signature facts beyond [signing.Signature].
type Detail struct {
	// Entry is the index of the WIN_CERTIFICATE entry the signature is in.
	Entry int `json:"entry"`
	// Parent is the index of the signature this one is nested in, -1 for a
	// top-level one; Depth counts the nesting levels.
	Parent int `json:"parent"`
	Depth  int `json:"depth"`
	// Offset is the file offset of the signature's PKCS#7 blob (for a nested
	// one, where its encoding was found inside the entry).
	Offset int64 `json:"offset"`
	// SigningTime is the signer's own signingTime attribute: unauthenticated
	// by any third party, so never used as a validation time.
	SigningTime *time.Time `json:"signingTime,omitempty"`
	// ValidationTime is the time the chain was checked at.
	ValidationTime time.Time `json:"validationTime"`
	// Timestamps lists every countersignature found, verified or not.
	Timestamps []signing.Timestamp `json:"timestamps,omitempty"`
	// PageHashes describes the page-hash table, nil when there is none.
	PageHashes *PageHashes `json:"pageHashes,omitempty"`
	// UnsignedAttributes lists the OIDs of the signer's unsigned attributes.
	UnsignedAttributes []string `json:"unsignedAttributes,omitempty"`
}

// PageHashes describes a signature's page-hash table.
type PageHashes struct {
	// Algorithm is "sha1" or "sha256".
	Algorithm string `json:"algorithm"`
	// Pages counts the table's entries, the closing one included.
	Pages int `json:"pages"`
	// Match reports whether every entry equals the recomputed one.
	Match bool `json:"match"`
}

// Open verifies the file at path; see [Verify].
func Open(path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("authenticode: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("authenticode: %w", err)
	}
	return Verify(f, st.Size(), opts)
}

// Verify checks every Authenticode signature of the PE file in r (size bytes):
// the certificate table's structure, each WIN_CERTIFICATE entry and every
// nested signature, the image digest, page hashes, messageDigest and the
// signer's signature, the signing and time-stamping chains, and the tampering
// tricks that hide data in or after the table. The file is read once,
// sequentially; it is never held in memory.
//
// A tampered or malformed signature is a Result, not an error. The error is
// [ErrNotPE] when r is not a PE file, a [*FormatError] when its headers cannot
// be parsed, and otherwise an I/O error.
//
// Revocation (CRL, OCSP) is not checked: match the reported identities against
// a blocklist. Certificate policies are not checked; name constraints are (signing.TrustStore.VerifyChain).
func Verify(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l, err := readLayout(r, size)
	if err != nil {
		return nil, err
	}
	v := &verifier{r: r, l: l, opts: opts, log: log}
	v.sub = peSubject{v}
	v.res = &Result{
		Checksum: Checksum{Stored: l.storedChecksum},
		PE32Plus: l.pe32plus,
		Machine:  l.machine,
		Status:   signing.StatusUnsigned,
	}
	if l.certLen > 0 {
		v.res.CertTable = Span{Offset: l.certOff, Size: l.certLen}
	}
	if err := v.readTable(); err != nil {
		return nil, err
	}
	v.checkSections()
	v.checkLowAlignment()
	if l.secDirOff >= 0 && l.certLen > 0 && len(v.sigs) == 0 {
		// A table is declared but holds no signature: the file was cut
		// short or the table damaged. It is not unsigned.
		why := "the certificate table holds no signature"
		if len(v.tableProblems) > 0 {
			why += ": " + strings.Join(v.tableProblems, "; ")
		}
		v.sigs = append(v.sigs, &sigState{parent: -1, offset: l.certOff, malformed: why, malformedCheck: CheckCertTable, reported: true})
	}
	if err := v.hash(); err != nil {
		return nil, err
	}
	v.verifyAll()
	v.escalateLowMapped()
	return v.res, nil
}
