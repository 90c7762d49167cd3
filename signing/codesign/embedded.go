package codesign

import (
	"fmt"
	"io"
	"sort"

	"github.com/shipgate/shipgate/signing"
)

// Embedded locates a code signature kept inside a file that is not a
// Mach-O, as a disk image (UDIF) keeps one: a SuperBlob whose
// CodeDirectories hash every byte before it.
type Embedded struct {
	// Offset and Size locate the SuperBlob in the file. The
	// CodeDirectories' code limit must be Offset: they hash [0, Offset).
	Offset, Size int64
	// Outside holds data that special slots bind but that is kept outside
	// the SuperBlob, by slot number: a disk image's koly trailer, as
	// signed, in slot 6 (rep-specific). Every CodeDirectory must bind each
	// entry with a matching hash. Nil binds nothing outside.
	Outside map[int][]byte
	// Label names the signed thing at the start of finding messages, such
	// as "disk image"; empty means "embedded signature".
	Label string
	// StapledTicket accepts a blob in the ticket slot (0x10002), where
	// stapler puts a disk image's notarization ticket after signing: it
	// is reported as unverified (a note; an error past 64 KiB) instead of
	// as a blob no hash binds.
	StapledTicket bool
}

// VerifyEmbedded checks the code signature e locates in r[0:size] as Verify
// checks a slice's: the SuperBlob's layout and blobs, every CodeDirectory's
// code hashes over [0, e.Offset) with its own page size (a disk image's
// single hash has page size 0), the special slots (blobs of the SuperBlob
// and e.Outside), the cdhashes, and a CMS signature's digest, cdhashes
// attributes, signer, chain to opts.Trust, Developer ID markers, team ID
// and timestamp. It reads the file once, in order, feeding opts.FileHash
// every byte.
//
// The Result has one Slice (Arch empty) and one Signature; what the file
// holds beyond the signature (a disk image's trailer) is the caller's to
// judge. A signature area that lies outside the file or does not parse is
// reported as a malformed signature, not as an error; an error is an I/O
// failure.
func VerifyEmbedded(r io.ReaderAt, size int64, e Embedded, opts Options) (*Result, error) {
	label := e.Label
	if label == "" {
		label = "embedded signature"
	}
	st := &sliceState{idx: 0, slice: Slice{Offset: 0, Size: size}, bud: newBudget(size), dupOf: -1, outside: e.Outside, label: label, fileSize: size, ticketSlot: e.StapledTicket, embedded: true}
	st.sig = signing.Signature{Format: signing.FormatAppleCodesign, Index: 0}
	var err error
	switch {
	case e.Offset < 0 || e.Size <= 0 || e.Offset > size || e.Size > size-e.Offset:
		err = st.malformed(max(0, min(e.Offset, size)), fmt.Sprintf("code signature [%#x, +%#x) lies outside the %d-byte file", e.Offset, e.Size, size))
	default:
		st.sigOff, st.sigSize = uint64(e.Offset), uint64(e.Size)
		err = st.parseSignature(r)
	}
	if err != nil {
		return nil, fmt.Errorf("codesign: %w", err)
	}
	var sinks []sink
	for _, h := range st.hashers {
		sinks = append(sinks, h)
	}
	reached, err := stream(r, size, opts.FileHash, sinks)
	if err != nil {
		return nil, fmt.Errorf("codesign: %w", err)
	}
	st.finish(reached, opts)
	res := &Result{Slices: []Slice{st.slice}, Signatures: []signing.Signature{st.sig}, Findings: st.finds}
	sortFindings(res.Findings)
	opts.logger().Debug("codesign: verified embedded signature", "label", label, "status", res.Status().String())
	return res, nil
}

// sigCmdOff is where in the slice the signature's location is recorded:
// LC_CODE_SIGNATURE in a Mach-O, the signature itself otherwise.
func (s *sliceState) sigCmdOff() int64 {
	if s.im != nil {
		return s.im.sigCmdOff
	}
	return int64(s.sigOff)
}

// sortedSlots returns the keys of m in increasing order.
func sortedSlots(m map[int][]byte) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
