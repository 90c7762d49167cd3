package codesign

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// maxFatArches bounds nfat_arch: dyld and the kernel read a fat header
// from the file's first 4096 bytes, which hold at most 204 32-bit entries.
const maxFatArches = (4096 - 8) / 20

// javaMinVersion is the lowest Java class file major version. Class files
// share the 0xcafebabe magic and put their version where nfat_arch is, so a
// count from javaMinVersion up is a universal file only when its table
// holds (see isFatCount).
const javaMinVersion = 45

// isFatCount reports whether a 0xcafebabe file of size bytes at r, whose
// nfat_arch is n, is a universal file. Counts below javaMinVersion are; a
// larger count up to maxFatArches is when every entry of the table lies
// after the table and within the file, as dyld and the kernel require and
// as a Java class file's constant pool does not. An attacker cannot hide a
// loadable slice behind a long table of filler entries.
func isFatCount(r io.ReaderAt, size int64, n uint32) bool {
	if n == 0 || n > maxFatArches {
		return false
	}
	if n < javaMinVersion {
		return true
	}
	tbl := int64(n) * 20
	if 8+tbl > size {
		return false
	}
	b := make([]byte, tbl)
	if readFull(r, b, 8) != nil {
		return false
	}
	for i := int64(0); i < tbl; i += 20 {
		off, sz := uint64(binary.BigEndian.Uint32(b[i+8:])), uint64(binary.BigEndian.Uint32(b[i+12:]))
		if off < uint64(8+tbl) || off > uint64(size) || sz > uint64(size)-off {
			return false
		}
	}
	return true
}

// external is the content of special slots that live outside the Mach-O:
// the bundle's Info.plist and _CodeSignature/CodeResources. nil data means
// the file is absent.
type external struct {
	info, resources []byte
}

// sliceState carries one slice through parsing, hashing and judging.
type sliceState struct {
	idx     int
	fatArch *fatArch
	slice   Slice
	sig     signing.Signature
	finds   []signing.Finding
	status  signing.Status
	im      *image
	sb      *superBlob
	cds     []*CodeDirectory
	hashers []*pageHasher
	ext     *external
	done    bool // verdict already final (unsigned, malformed)
	bud     *budget
	// fileSize is the size of the whole file, for messages.
	fileSize int64
	// dupOf is the index of the earlier state for the same slice (same
	// offset and size), -1 when this is the first: a repeated fat entry is
	// verified once.
	dupOf int
	// sigOff and sigSize locate the signature area in the slice.
	sigOff, sigSize uint64
	// outside holds data that special slots bind but that lives outside
	// the SuperBlob and the bundle, by slot (VerifyEmbedded).
	outside map[int][]byte
	// label, when set, names the signed thing in messages instead of
	// "slice N (arch)".
	label string
	// ticketSlot accepts a stapled notarization ticket in the SuperBlob's
	// ticket slot (VerifyEmbedded, for disk images).
	ticketSlot bool
	// embedded marks a signature VerifyEmbedded checks (a disk image's):
	// no linker lays it out, so zero bytes inside its SuperBlob that no
	// blob owns are errors (the SuperBlob's length is covered by no hash,
	// so growing it over the padding after it is free), and so are eight
	// or more zero bytes after the CMS inside its blob.
	embedded bool
	// ticket is the payload of a parsed blob wrapper in the ticket slot and
	// ticketAt its file offset; nil when the slot is empty or not a ticket.
	ticket   []byte
	ticketAt int64
	// chain is the signer's chain as built (leaf first), for requirements;
	// chainTrusted reports that it verified to a trusted root.
	chain        []*x509.Certificate
	chainTrusted bool
}

func (s *sliceState) add(rule signing.Rule, sev signing.Severity, st signing.Status, off int64, msg string) {
	where := s.label
	if where == "" {
		where = fmt.Sprintf("slice %d (%s)", s.idx, s.slice.Arch)
	}
	f := signing.NewFinding(rule, sev, where+": "+msg).For(s.idx)
	if off >= 0 {
		f = f.At(off)
	}
	s.finds = append(s.finds, f)
	s.status = s.status.Worse(st)
}

func (s *sliceState) check(name signing.CheckName, ok bool, detail string) {
	s.sig.AddCheck(name, ok, detail)
}

type fatArch struct {
	cpu, sub  uint32
	off, size uint64
	align     uint32
	entryOff  int64
	// reserved is a 64-bit entry's last field, which lipo writes as zero
	// and no loader reads.
	reserved uint32
}

func verify(r io.ReaderAt, size int64, opts Options, ext *external) (*Result, error) {
	var m [8]byte
	if size < 8 {
		return nil, ErrNotMachO
	}
	if n, err := r.ReadAt(m[:], 0); n < 8 {
		return nil, fmt.Errorf("codesign: reading magic: %w", orEOF(err))
	}
	res := &Result{}
	var states []*sliceState
	var fileFinds []signing.Finding
	var sinks []sink
	var overlaps map[int]string
	bud := newBudget(size)
	switch be := binary.BigEndian.Uint32(m[:]); {
	case be == fatMagic || be == fatMagic6:
		n := binary.BigEndian.Uint32(m[4:])
		if be == fatMagic && !isFatCount(r, size, n) {
			return nil, ErrNotMachO // a Java class file, or nothing we know
		}
		res.Universal = true
		arches, err := readFat(r, size, be == fatMagic6)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				return formatFailure(r, size, opts, res, fe)
			}
			return nil, err
		}
		states = fatStates(arches, ext, bud)
		var lf []signing.Finding
		lf, overlaps, sinks = fatLayout(arches, size, be == fatMagic6)
		fileFinds = append(fileFinds, lf...)
	default:
		switch binary.LittleEndian.Uint32(m[:]) {
		case magic32, magic64, cigam32, cigam64:
		default:
			return nil, ErrNotMachO
		}
		states = []*sliceState{{idx: 0, slice: Slice{Offset: 0, Size: size}, ext: ext, bud: bud, dupOf: -1}}
	}
	for _, st := range states {
		if st.dupOf >= 0 {
			continue
		}
		if err := st.parse(r, size, opts); err != nil {
			var fe *FormatError
			if !res.Universal && errors.As(err, &fe) {
				return formatFailure(r, size, opts, res, fe)
			}
			if !errors.As(err, &fe) {
				return nil, fmt.Errorf("codesign: slice %d: %w", st.idx, err)
			}
			// One unreadable slice of a universal file: a finding, and
			// the other slices are still checked.
			st.unparsable(fe)
		}
		for _, h := range st.hashers {
			sinks = append(sinks, h)
		}
	}
	fileFinds = append(fileFinds, unmappableSlices(states)...)
	// Overlapping slices are reported on the later slice (in file order),
	// which is then not valid: bytes that are two slices at once are
	// code under two signatures.
	for _, st := range states {
		if msg, ok := overlaps[st.idx]; ok {
			st.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, st.fatArch.entryOff, msg)
		}
	}
	reached, err := stream(r, size, opts.FileHash, sinks)
	if err != nil {
		return nil, fmt.Errorf("codesign: %w", err)
	}
	for _, st := range states {
		if st.dupOf >= 0 {
			st.repeat(states[st.dupOf])
		}
		st.finish(reached, opts)
	}
	crossSliceTeams(states)
	crossSliceIdentifiers(states)
	for _, st := range states {
		res.Slices = append(res.Slices, st.slice)
		res.Signatures = append(res.Signatures, st.sig)
		res.Findings = append(res.Findings, st.finds...)
	}
	fileFinds = append(fileFinds, outsideSliceFindings(sinks)...)
	res.Findings = append(res.Findings, fileFinds...)
	sortFindings(res.Findings)
	opts.logger().Debug("codesign: verified", "universal", res.Universal, "slices", len(res.Slices), "status", res.Status().String())
	return res, nil
}

// fatStates returns a slice state for each entry of a universal file's
// fat header; an entry naming the same bytes as an earlier one is marked
// as its duplicate.
func fatStates(arches []fatArch, ext *external, bud *budget) []*sliceState {
	var states []*sliceState
	first := map[[2]uint64]int{}
	for i := range arches {
		a := &arches[i]
		st := &sliceState{idx: i, fatArch: a, ext: ext, bud: bud, dupOf: -1}
		st.slice = Slice{Arch: archName(a.cpu, a.sub), CPUType: a.cpu, CPUSubtype: a.sub, Offset: int64(a.off), Size: int64(a.size)}
		key := [2]uint64{a.off, a.size}
		if j, dup := first[key]; dup {
			st.dupOf = j
		} else {
			first[key] = i
		}
		states = append(states, st)
	}
	return states
}

// unparsable marks the slice as a Mach-O that does not parse (fe).
func (st *sliceState) unparsable(fe *FormatError) {
	st.sig = signing.Signature{Format: signing.FormatAppleCodesign, Index: st.idx, Arch: st.slice.Arch}
	st.check(CheckMachO, false, fe.Error())
	st.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, st.slice.Offset+fe.Offset, "Mach-O does not parse: "+fe.Reason)
	st.done = true
}

// outsideSliceFindings reports the bytes between and around the slices
// that the zero sinks saw are not padding.
func outsideSliceFindings(sinks []sink) []signing.Finding {
	var out []signing.Finding
	for _, z := range sinks {
		if zs, ok := z.(*zeroSink); ok && zs.nonZero >= 0 {
			out = append(out, signing.NewFinding(RuleDataOutsideSlices, signing.SeverityError,
				fmt.Sprintf("%d bytes %s at %#x are not padding (non-zero byte at %#x): no signature covers them", zs.end-zs.start, zs.where, zs.start, zs.nonZero)).At(zs.start))
		}
	}
	return out
}

// crossSliceTeams makes every signed slice of a universal file whose
// CodeDirectory names another team than the first signed slice's invalid.
// macOS validates the other architectures of a universal file with the one
// it runs and refuses the file when their team IDs differ (or only one
// names a team), as errSecCSSignatureInvalid; shipgate verifies each slice
// on its own, so without this a second team's slice, validly signed by any
// Developer ID, would pass beside the slice a bundle's seal binds by cdhash.
func crossSliceTeams(states []*sliceState) {
	eachLaterSignedSlice(states, func(first, st *sliceState) {
		if st.slice.TeamID == first.slice.TeamID {
			return
		}
		msg := fmt.Sprintf("names team %q but slice %d (%s) names team %q: macOS refuses a universal file whose architectures carry different teams", st.slice.TeamID, first.idx, first.slice.Arch, first.slice.TeamID)
		st.check(CheckTeamID, false, msg)
		st.add(RuleTeamIDMismatch, signing.SeverityError, signing.StatusInvalid, st.slice.Offset, msg)
		st.sig.Status = st.status
	})
}

// eachLaterSignedSlice calls f for every signed slice of states after the
// first, with that first one; duplicates of another slice are skipped.
func eachLaterSignedSlice(states []*sliceState, f func(first, st *sliceState)) {
	var first *sliceState
	for _, st := range states {
		if st.dupOf >= 0 || len(st.slice.CDHashes) == 0 {
			continue
		}
		if first == nil {
			first = st
			continue
		}
		f(first, st)
	}
}

// crossSliceIdentifiers warns about every signed slice of a universal file
// whose CodeDirectory names another identifier than the first signed
// slice's. macOS compares only the teams of a universal file's
// architectures, so another program of the same team (an updater, a debug
// build) can replace one architecture of a vendor's tool and still
// verify; codesign signs every slice of a file with one identifier, and
// slices signed apart before lipo carry their file names.
func crossSliceIdentifiers(states []*sliceState) {
	eachLaterSignedSlice(states, func(first, st *sliceState) {
		if st.slice.Identifier != first.slice.Identifier {
			st.add(RuleSliceIdentifierMismatch, signing.SeverityWarning, signing.StatusValid, st.slice.Offset,
				fmt.Sprintf("is signed as %q but slice %d (%s) as %q: the architectures of one file are normally one program", st.slice.Identifier, first.idx, first.slice.Arch, first.slice.Identifier))
		}
	})
}

// finish judges the slice once the file has streamed up to reached: page
// hashes, special slots, CMS, and the final status.
func (s *sliceState) finish(reached int64, opts Options) {
	for _, h := range s.hashers {
		h.close(reached)
	}
	if !s.done {
		s.judge(opts)
		s.designated(opts)
	}
	s.sig.Status = s.status
	if s.ticket != nil || s.ticketSlot {
		s.notarize()
	}
	if len(s.sig.Checks) == 0 {
		s.sig.Checks = []signing.Check{}
	}
}

// formatFailure returns the Result for a file whose (fat or thin) header does
// not parse: one malformed signature, one finding, and the FormatError. The
// file is still streamed into opts.FileHash.
func formatFailure(r io.ReaderAt, size int64, opts Options, res *Result, fe *FormatError) (*Result, error) {
	if opts.FileHash != nil {
		if _, err := stream(r, size, opts.FileHash, nil); err != nil {
			return nil, fmt.Errorf("codesign: %w", err)
		}
	}
	sig := signing.Signature{Format: signing.FormatAppleCodesign, Status: signing.StatusMalformed}
	sig.AddCheck(CheckMachO, false, fe.Error())
	res.Slices = nil
	res.Signatures = []signing.Signature{sig}
	res.Findings = []signing.Finding{signing.NewFinding(RuleMalformed, signing.SeverityError, "Mach-O does not parse: "+fe.Reason).At(fe.Offset).For(0)}
	return res, fe
}

func sortFindings(fs []signing.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Signature != b.Signature {
			return a.Signature < b.Signature
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		ao, bo := int64(-1), int64(-1)
		if a.Offset != nil {
			ao = *a.Offset
		}
		if b.Offset != nil {
			bo = *b.Offset
		}
		if ao != bo {
			return ao < bo
		}
		return a.Message < b.Message
	})
}

// readFat parses a fat header, 32-bit (0xcafebabe) or 64-bit (0xcafebabf).
func readFat(r io.ReaderAt, size int64, is64 bool) ([]fatArch, error) {
	var h [8]byte
	if err := readFull(r, h[:], 0); err != nil {
		return nil, fmt.Errorf("reading fat header: %w", err)
	}
	n := binary.BigEndian.Uint32(h[4:])
	if n == 0 || n > maxFatArches {
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("fat header lists %d architectures", n)}
	}
	es := int64(20)
	if is64 {
		es = 32
	}
	tbl := int64(n) * es
	if 8+tbl > size {
		return nil, &FormatError{Offset: 8, Reason: fmt.Sprintf("fat header lists %d architectures but the file is only %d bytes", n, size)}
	}
	b := make([]byte, tbl)
	if err := readFull(r, b, 8); err != nil {
		return nil, fmt.Errorf("reading fat header: %w", err)
	}
	out := make([]fatArch, n)
	for i := range out {
		e := b[int64(i)*es:]
		a := fatArch{cpu: binary.BigEndian.Uint32(e), sub: binary.BigEndian.Uint32(e[4:]), entryOff: 8 + int64(i)*es}
		if is64 {
			a.off, a.size, a.align = binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[16:]), binary.BigEndian.Uint32(e[24:])
			a.reserved = binary.BigEndian.Uint32(e[28:])
		} else {
			a.off, a.size, a.align = uint64(binary.BigEndian.Uint32(e[8:])), uint64(binary.BigEndian.Uint32(e[12:])), binary.BigEndian.Uint32(e[16:])
		}
		if a.off > uint64(size) || a.size > uint64(size)-a.off {
			return nil, &FormatError{Offset: a.entryOff, Reason: fmt.Sprintf("slice %d [%#x, +%#x) lies outside the %d-byte file", i, a.off, a.size, size)}
		}
		if a.off < uint64(8+tbl) {
			return nil, &FormatError{Offset: a.entryOff, Reason: fmt.Sprintf("slice %d at %#x overlaps the fat header", i, a.off)}
		}
		out[i] = a
	}
	return out, nil
}

// fatLayout checks that slices do not overlap and that bytes outside every
// slice are alignment padding. It returns findings and zero-checking sinks
// for the gaps that could be padding.
//
// Overlapping slices are returned as messages by entry index, for the
// later of the two slices in file order (repeated entries included).
func fatLayout(arches []fatArch, size int64, is64 bool) ([]signing.Finding, map[int]string, []sink) {
	var finds []signing.Finding
	var sinks []sink
	overlaps := map[int]string{}
	ord := make([]int, len(arches))
	for i := range ord {
		ord[i] = i
	}
	sort.SliceStable(ord, func(i, j int) bool { return arches[ord[i]].off < arches[ord[j]].off })
	es := int64(20)
	if is64 {
		es = 32
	}
	pos := 8 + int64(len(arches))*es
	last := -1 // the slice that ends at pos
	seen := map[[2]uint32]int{}
	for k, i := range ord {
		a := arches[i]
		key := [2]uint32{a.cpu, a.sub}
		if j, dup := seen[key]; dup {
			finds = append(finds, signing.NewFinding(RuleMalformed, signing.SeverityError,
				fmt.Sprintf("slices %d and %d have the same architecture %s", j, i, archName(a.cpu, a.sub))).At(a.entryOff))
		}
		seen[key] = i
		if a.reserved != 0 {
			// No signature covers the fat header: a reserved field is
			// four bytes of hidden data per entry.
			finds = append(finds, signing.NewFinding(RuleDataOutsideSlices, signing.SeverityError,
				fmt.Sprintf("fat entry %d's reserved field at %#x holds %#08x, not zero: no signature covers the fat header", i, a.entryOff+28, a.reserved)).At(a.entryOff+28))
		}
		if why := misaligned(a); why != "" {
			finds = append(finds, signing.NewFinding(RuleMalformed, signing.SeverityError,
				fmt.Sprintf("fat entry %d's slice at %#x %s: no signature covers the fat header, and macOS would not load that slice", i, a.off, why)).At(a.entryOff))
		}
		start, end := int64(a.off), int64(a.off+a.size)
		if start < pos && k > 0 {
			overlaps[i] = fmt.Sprintf("fat entry %d [%#x, %#x) overlaps slice %d, which ends at %#x", i, start, end, last, pos)
		} else if start > pos {
			finds, sinks = gap(finds, sinks, pos, start, a.align, "before slice "+fmt.Sprint(i))
		}
		if end > pos {
			pos, last = end, i
		}
	}
	if pos < size {
		last := arches[ord[len(ord)-1]]
		finds, sinks = gap(finds, sinks, pos, size, last.align, "after the last slice")
	}
	return finds, overlaps, sinks
}

// minSliceAlign is the page size below which no slice can be mapped: the
// kernel (load_segment) and dyld map a slice's segments from file offsets
// that must be page-aligned, and no Mac has pages smaller than 4 KiB.
const minSliceAlign = 4096

// mhObject is the Mach-O file type of a relocatable object (MH_OBJECT).
const mhObject = 1

// misaligned says how slice a's offset breaks the alignment its own fat
// entry declares (2^align, lipo's invariant); "" when it does not.
func misaligned(a fatArch) string {
	if a.align < 64 && a.off%(uint64(1)<<a.align) != 0 {
		return fmt.Sprintf("is not aligned to the 2^%d bytes its entry declares", a.align)
	}
	return ""
}

// unmappableSlices reports the parsed slices of a universal file that the
// kernel or dyld would map but that do not start on a page. A relocatable
// object (MH_OBJECT) is never mapped: lipo aligns one only to its largest
// section alignment (2^3 for an arm64 .o), so a fat object file made by
// lipo has slices at offsets like 0x30 (TestFatObjectSliceNotPageAligned).
func unmappableSlices(states []*sliceState) []signing.Finding {
	var finds []signing.Finding
	for _, st := range states {
		im := st.im
		if st.dupOf >= 0 {
			im = states[st.dupOf].im
		}
		if st.fatArch == nil || im == nil || im.fileType == mhObject || st.fatArch.off%minSliceAlign == 0 {
			continue
		}
		finds = append(finds, signing.NewFinding(RuleMalformed, signing.SeverityError,
			fmt.Sprintf("fat entry %d's slice at %#x is not page-aligned (%d bytes): no signature covers the fat header, and macOS would not load that slice", st.idx, st.fatArch.off, minSliceAlign)).At(st.fatArch.entryOff))
	}
	return finds
}

// gap judges the bytes [a, z) outside every slice: zeros shorter than the
// alignment are padding (checked while streaming); anything longer is data
// no signature covers.
func gap(finds []signing.Finding, sinks []sink, a, z int64, align uint32, where string) ([]signing.Finding, []sink) {
	if align > 20 {
		align = 20
	}
	if z-a < int64(1)<<align {
		return finds, append(sinks, newZeroSink(a, z, where))
	}
	return append(finds, signing.NewFinding(RuleDataOutsideSlices, signing.SeverityError,
		fmt.Sprintf("%d bytes %s at %#x lie outside every slice, more than alignment padding: no signature covers them", z-a, where, a)).At(a)), sinks
}

// parse reads the slice's headers and signature blobs and prepares the page
// hashers. A *FormatError means the Mach-O itself does not parse.
func (s *sliceState) parse(r io.ReaderAt, fileSize int64, opts Options) error {
	s.sig = signing.Signature{Format: signing.FormatAppleCodesign, Index: s.idx}
	s.fileSize = fileSize
	sr := io.NewSectionReader(r, s.slice.Offset, s.slice.Size)
	im, err := readImage(sr, s.slice.Size, s.bud)
	if errors.Is(err, errBudget) {
		return s.overBudget()
	}
	if err != nil {
		return err
	}
	s.im = im
	if im.goMachoErr != "" {
		opts.logger().Debug("codesign: go-macho could not read the segments; using our own reader", "slice", s.idx, "err", im.goMachoErr)
	}
	if s.fatArch == nil {
		s.slice.CPUType, s.slice.CPUSubtype = im.cpuType, im.cpuSubtype
		s.slice.Arch = archName(im.cpuType, im.cpuSubtype)
	} else if s.fatArch.cpu != im.cpuType || s.fatArch.sub&^subtypeCapabilities != im.cpuSubtype&^subtypeCapabilities {
		// No signature covers the fat header: a subtype changed there
		// relabels a slice (arm64 as arm64e), changing which one a
		// loader picks, and dyld refuses a slice its entry misnames.
		s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, s.fatArch.entryOff,
			fmt.Sprintf("fat header says %s (cputype %#x, subtype %#x) but the Mach-O header says %s (cputype %#x, subtype %#x)", archName(s.fatArch.cpu, s.fatArch.sub), s.fatArch.cpu, s.fatArch.sub, archName(im.cpuType, im.cpuSubtype), im.cpuType, im.cpuSubtype))
	}
	s.sig.Arch = s.slice.Arch
	base := s.slice.Offset
	probs, imageEnd := im.layoutProblems(s.slice.Size)
	if im.sigCmdOff < 0 {
		s.check(signing.CheckSignature, false, "no LC_CODE_SIGNATURE load command: the slice is unsigned")
		s.add(RuleUnsigned, signing.SeverityWarning, signing.StatusUnsigned, -1, "no code signature (no LC_CODE_SIGNATURE)")
		s.done = true
		return nil
	}
	for _, p := range probs {
		s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, base+p.off, p.msg)
	}
	s.check(CheckLayout, len(probs) == 0, layoutDetail(probs))
	if imageEnd < uint64(s.slice.Size) {
		s.add(RuleDataOutsideSlices, signing.SeverityError, signing.StatusInvalid, base+int64(imageEnd),
			fmt.Sprintf("%d bytes after the end of the Mach-O image (%#x) are covered by no signature", uint64(s.slice.Size)-imageEnd, imageEnd))
	}
	s.sigOff, s.sigSize = im.sigOff, im.sigSize
	return s.parseSignature(r)
}

// parseSignature reads and parses the signature area at s.sigOff (in the
// slice) and prepares a page hasher for every CodeDirectory.
func (s *sliceState) parseSignature(r io.ReaderAt) error {
	base := s.slice.Offset
	sigCmd := base + s.sigCmdOff()
	s.slice.SignatureOffset, s.slice.SignatureSize = int64(s.sigOff), int64(s.sigSize)
	sigEnd := s.sigOff + s.sigSize
	switch {
	case sigEnd > uint64(s.slice.Size):
		return s.malformed(sigCmd, fmt.Sprintf("code signature [%#x, %#x) runs past the end of the slice (%d bytes)", s.sigOff, sigEnd, s.slice.Size))
	case s.sigSize > maxSignatureSize:
		return s.malformed(sigCmd, fmt.Sprintf("code signature is %d bytes, over the cap of %d", s.sigSize, maxSignatureSize))
	}
	if !s.bud.readBytes(int64(s.sigSize), "code signatures") {
		return s.overBudget()
	}
	data := make([]byte, s.sigSize)
	if err := readFull(r, data, base+int64(s.sigOff)); err != nil {
		return fmt.Errorf("reading code signature: %w", err)
	}
	sb, err := parseSuperBlob(data)
	if err != nil {
		return s.malformed(base+int64(s.sigOff), err.Error())
	}
	s.sb = sb
	if !s.bud.items(int64(len(sb.blobs)), "signature blobs") {
		return s.overBudget()
	}
	sigBase := base + int64(s.sigOff)
	for _, p := range sb.probs {
		if s.embedded && p.rule == RuleUnownedSignatureData && p.warn {
			p.warn = false
			p.msg += ": no signer leaves them, and the SuperBlob's length, which no hash covers, can be grown over padding to claim them"
		}
		s.addProblem(sigBase, p)
	}
	s.signatureTail(data, sb, sigBase)
	s.codeDirectories(sb, sigBase)
	if len(s.cds) == 0 || s.cds[0].Slot != slotCodeDirectory {
		s.check(CheckCodeDirectory, false, "no usable primary CodeDirectory")
		if len(s.cds) == 0 {
			return s.malformed(sigBase, "the signature holds no usable CodeDirectory")
		}
		s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, sigBase, "the signature holds no usable primary CodeDirectory (slot 0)")
	}
	primary := s.cds[0]
	s.slice.Identifier, s.slice.TeamID, s.slice.Flags = primary.Identifier, primary.TeamID, primary.Flags
	s.slice.Adhoc = primary.Flags&flagAdhoc != 0
	s.slice.LinkerSigned = primary.Flags&flagLinkerSigned != 0
	if err := s.checkCodeDirectories(primary); err != nil {
		return err
	}
	s.kernelRefusals()
	if b := sb.find(slotRequirements); b != nil {
		s.slice.Requirements = b.magic == magicRequirements
	}
	if b := sb.find(slotEntitlements); b != nil && b.magic == magicEntitlements {
		s.slice.Entitlements = string(b.data[8:])
	}
	if b := sb.find(slotDEREntitlements); b != nil && b.magic == magicDEREntitlements {
		s.slice.DEREntitlements = append([]byte(nil), b.data[8:]...)
	}
	return nil
}

// signatureTail reports the bytes of the signature area data that follow
// the SuperBlob sb (at sigBase): an error unless they are zero padding, a
// warning when there is more padding than signers leave.
func (s *sliceState) signatureTail(data []byte, sb *superBlob, sigBase int64) {
	if tail := data[sb.length:]; len(tail) > 0 {
		at := sigBase + int64(sb.length)
		if nz := firstNonZero(tail); nz >= 0 {
			s.add(RuleUnownedSignatureData, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%d bytes at %#x follow the SuperBlob inside the %d-byte signature area and are not zero padding (first non-zero byte at %#x): no hash covers them", len(tail), at, len(data), at+int64(nz)))
		} else if len(tail) > maxSignaturePad {
			s.add(RuleUnownedSignatureData, signing.SeverityWarning, signing.StatusValid, at,
				fmt.Sprintf("%d zero bytes at %#x follow the SuperBlob inside the signature area, more than the %d bytes of padding signers leave", len(tail), at, maxSignaturePad))
		}
	}
}

// codeDirectories parses the CodeDirectory blobs of sb (at sigBase), the
// primary and alternates, into s.cds, reporting those that cannot be used.
func (s *sliceState) codeDirectories(sb *superBlob, sigBase int64) {
	for _, b := range sb.blobs {
		isCD := b.slot == slotCodeDirectory || (b.slot >= slotAlternateFirst && b.slot < slotAlternateLimit)
		if !isCD {
			continue
		}
		if b.magic != magicCodeDirectory {
			s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, sigBase+int64(b.off), fmt.Sprintf("%s blob has magic %#08x, not a CodeDirectory", slotName(b.slot), b.magic))
			continue
		}
		cd, err := parseCodeDirectory(b.data, b.slot)
		if err != nil {
			s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, sigBase+int64(b.off), slotName(b.slot)+": "+err.Error())
			continue
		}
		cd.off = int64(s.sigOff) + int64(b.off)
		s.cds = append(s.cds, cd)
	}
}

// checkCodeDirectories checks each CodeDirectory's code limit and its
// agreement with primary, and sets up a page hasher for each within the
// budget.
func (s *sliceState) checkCodeDirectories(primary *CodeDirectory) error {
	base := s.slice.Offset
	for _, cd := range s.cds {
		at := base + cd.off
		if cd.malformed != "" {
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at, slotName(cd.Slot)+": "+cd.malformed)
		}
		if cd.unsupported != "" {
			s.check(CheckCodeDirectory, false, slotName(cd.Slot)+" "+cd.unsupported)
			s.add(RuleUnsupportedCodeDirectory, signing.SeverityError, signing.StatusMalformed, at, slotName(cd.Slot)+" "+cd.unsupported+": the signature is not verified")
		}
		switch {
		case cd.CodeLimit > int64(s.sigOff):
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s code limit %#x reaches into the code signature at %#x", slotName(cd.Slot), cd.CodeLimit, s.sigOff))
		case cd.CodeLimit < int64(s.sigOff):
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, base+cd.CodeLimit,
				fmt.Sprintf("%s code limit %#x stops %d bytes short of the code signature at %#x: those bytes are covered by no hash", slotName(cd.Slot), cd.CodeLimit, int64(s.sigOff)-cd.CodeLimit, s.sigOff))
		}
		if cd != primary && (cd.Identifier != primary.Identifier || cd.TeamID != primary.TeamID || cd.Flags != primary.Flags || cd.Platform != primary.Platform) {
			// macOS reads these from the directory with the strongest
			// hash, shipgate's report from the primary one.
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s disagrees with the primary CodeDirectory (identifier %q team %q flags %#x platform %d, primary %q %q %#x %d)", slotName(cd.Slot), cd.Identifier, cd.TeamID, cd.Flags, cd.Platform, primary.Identifier, primary.TeamID, primary.Flags, primary.Platform))
		}
		if cd != primary && (cd.ExecSegBase != primary.ExecSegBase || cd.ExecSegLimit != primary.ExecSegLimit || cd.ExecSegFlags != primary.ExecSegFlags) {
			// The kernel takes the executable segment's flags (main
			// binary, allow unsigned pages, debugger, JIT) from the
			// directory it uses, the strongest, as zero when its
			// version predates them (0x20400), as parseLaterFields
			// leaves them: a directory of an older version disagrees
			// with one that sets them
			// (TestAttackAlternateExecSegOlderPrimary).
			s.add(RuleMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s disagrees with the primary CodeDirectory on the executable segment (base %#x limit %#x flags %#x, primary %#x %#x %#x)", slotName(cd.Slot), cd.ExecSegBase, cd.ExecSegLimit, cd.ExecSegFlags, primary.ExecSegBase, primary.ExecSegLimit, primary.ExecSegFlags))
		}
		h := newPageHasher(cd, base)
		if lim := base + s.slice.Size; h.limit > lim {
			h.limit = lim
		}
		if !s.bud.items(int64(cd.CodeSlots+cd.SpecialSlots), "hash slots") || !s.bud.hashBytes(h.limit-h.start) {
			s.hashers = nil
			return s.overBudget()
		}
		s.hashers = append(s.hashers, h)
	}
	return nil
}

// addProblem reports a structural problem of the signature area, whose
// offset is relative to sigBase.
func (s *sliceState) addProblem(sigBase int64, p layoutProblem) {
	rule := p.rule
	if rule == "" {
		rule = RuleMalformed
	}
	if p.warn {
		s.add(rule, signing.SeverityWarning, signing.StatusValid, sigBase+p.off, p.msg)
		return
	}
	s.add(rule, signing.SeverityError, signing.StatusInvalid, sigBase+p.off, p.msg)
}

func layoutDetail(probs []layoutProblem) string {
	if len(probs) == 0 {
		return "the signature is the last data of __LINKEDIT, the last segment"
	}
	return probs[0].msg
}

// overBudget ends the slice's checks when the file's work budget has run
// out: the slice is not verified, and says so.
func (s *sliceState) overBudget() error {
	if s.sig.Format == "" {
		s.sig = signing.Signature{Format: signing.FormatAppleCodesign, Index: s.idx, Arch: s.slice.Arch}
	}
	s.check(CheckWorkBudget, false, "not verified: the file's work budget ran out ("+s.bud.exceeded+")")
	s.add(RuleWorkBudgetExceeded, signing.SeverityError, signing.StatusMalformed, -1,
		fmt.Sprintf("not verified: the file asks for more work than its %d bytes justify (%s ran out; overlapping slices or oversized structures)", s.fileSize, s.bud.exceeded))
	s.hashers = nil
	s.done = true
	return nil
}

// repeat makes s, a fat entry repeating the slice of orig, report orig's
// verdict: the slice is verified once.
func (s *sliceState) repeat(orig *sliceState) {
	arch, cpu, sub := s.slice.Arch, s.slice.CPUType, s.slice.CPUSubtype
	s.slice = orig.slice
	s.slice.Arch, s.slice.CPUType, s.slice.CPUSubtype = arch, cpu, sub
	s.sig = orig.sig
	s.sig.Index, s.sig.Arch = s.idx, arch
	s.sig.Checks = append([]signing.Check(nil), orig.sig.Checks...)
	s.check(CheckFatEntry, false, fmt.Sprintf("repeats the offset and size of slice %d, whose verdict it shares: verified once", orig.idx))
	s.status = s.status.Worse(orig.sig.Status)
	s.done = true
}

// malformed ends the slice's checks with a malformed signature.
func (s *sliceState) malformed(off int64, msg string) error {
	s.check(CheckCodeDirectory, false, msg)
	s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, off, "code signature does not parse: "+msg)
	s.done = true
	return nil
}

// judge runs once the bytes have streamed past: page hashes, special slots,
// cdhashes, then the CMS signature or the ad-hoc verdict.
func (s *sliceState) judge(opts Options) {
	base := s.slice.Offset
	pagesOK := true
	var pageDetail []string
	for _, h := range s.hashers {
		h.verify()
		cd := h.cd
		if cd.BadPages > 0 {
			pagesOK = false
			off := base
			if cd.PageSize > 0 {
				off += int64(cd.FirstBadPage) * cd.PageSize
			}
			s.add(RulePageHashMismatch, signing.SeverityError, signing.StatusInvalid, off,
				fmt.Sprintf("%s (%s, %d-byte pages): %d of %d page hashes do not match, first page %d at slice offset %#x",
					slotName(cd.Slot), cd.HashType, cd.PageSize, cd.BadPages, cd.CodeSlots, cd.FirstBadPage, off-base))
		}
		pageDetail = append(pageDetail, fmt.Sprintf("%s %s: %d/%d pages of %d bytes over [0, %#x)", slotName(cd.Slot), cd.HashType, cd.CodeSlots-cd.BadPages, cd.CodeSlots, cd.PageSize, cd.CodeLimit))
	}
	s.check(signing.CheckPageHashes, pagesOK, joinDetail(pageDetail))
	specialOK, specialDetail := s.checkSpecialSlots()
	s.check(CheckSpecialSlots, specialOK, specialDetail)
	if specialOK {
		// Entitlements that fail their slot are errors already.
		s.checkEntitlementForms()
	}
	for _, cd := range s.cds {
		s.slice.CDHashes = append(s.slice.CDHashes, cd.CDHash)
		s.slice.CodeDirectories = append(s.slice.CodeDirectories, *cd)
	}
	if len(s.cds) == 0 {
		return
	}
	primary := s.cds[0]
	var payload []byte
	if b := s.sb.find(slotSignature); b != nil {
		if b.magic != magicBlobWrapper {
			s.add(RuleMalformed, signing.SeverityError, signing.StatusMalformed, base+int64(s.sigOff)+int64(b.off),
				fmt.Sprintf("signature slot holds magic %#08x, not a blob wrapper", b.magic))
		} else {
			payload = b.data[8:]
		}
	}
	s.slice.CMS = len(payload) > 0
	if len(payload) > 0 && primary.Flags&flagAdhoc != 0 {
		s.ignoredCMS(len(payload))
	} else if len(payload) > 0 {
		if !s.bud.items(budgetCMSCost, "CMS signatures") {
			s.check(CheckWorkBudget, false, "CMS signature not verified: the file's work budget ran out ("+s.bud.exceeded+")")
			s.add(RuleWorkBudgetExceeded, signing.SeverityError, signing.StatusMalformed, -1,
				fmt.Sprintf("CMS signature not verified: the file asks for more work than its %d bytes justify (%s ran out; overlapping slices or oversized structures)", s.fileSize, s.bud.exceeded))
			return
		}
		s.verifyCMS(opts, payload)
		return
	}
	// No CMS: ad-hoc, or a signature whose CMS was stripped.
	d := primary.hash
	s.sig.Digest = &signing.Digest{
		Algorithm: hashName(d),
		Signed:    primary.Digest,
		Computed:  hex.EncodeToString(digest(d, primary.recomputed(primary.extSlots))),
	}
	if primary.Flags&flagAdhoc == 0 {
		s.check(signing.CheckSignature, false, "the CodeDirectory is not ad-hoc (CS_ADHOC clear) but the signature carries no CMS: the signature was stripped")
		s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, base+int64(s.sigOff),
			"CodeDirectory claims a signing identity (CS_ADHOC clear) but there is no CMS signature")
		return
	}
	s.check(CheckIdentity, false, "ad-hoc signature (CS_ADHOC): integrity only, no signing identity")
	if primary.Flags&flagLinkerSigned != 0 {
		s.check(CheckLinkerSigned, true, "signed by the linker (CS_LINKER_SIGNED)")
	}
	s.add(RuleAdhoc, signing.SeverityWarning, signing.StatusAdhoc, -1,
		fmt.Sprintf("ad-hoc signature, identifier %q, cdhash %s: no signing identity", primary.Identifier, primary.CDHash))
}

// ignoredCMS reports an n-byte CMS signature beside an ad-hoc primary
// CodeDirectory. macOS treats CS_ADHOC code as ad hoc whatever follows
// (SecStaticCode::verifySignature returns before decoding the CMS), so
// the identity the CMS names vouches for nothing macOS checks; it is not
// verified here either, and the slice is judged as ad hoc besides.
func (s *sliceState) ignoredCMS(n int) {
	at := s.slice.Offset + int64(s.sigOff)
	if b := s.sb.find(slotSignature); b != nil {
		at += int64(b.off)
	}
	msg := fmt.Sprintf("the CodeDirectory is ad-hoc (CS_ADHOC) but carries a %d-byte CMS signature: macOS treats the code as ad hoc and never reads the CMS, so the identity it names vouches for nothing", n)
	s.check(signing.CheckSignature, false, msg)
	s.add(RuleSignatureInvalid, signing.SeverityError, signing.StatusInvalid, at, msg)
}

func joinDetail(parts []string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// checkSpecialSlots compares every bound special slot of every directory
// with the blob or file it binds, and accounts for every blob of the
// SuperBlob: a CodeDirectory, the CMS, or a blob every directory binds by a
// matching special-slot hash. Other blobs are reported (unbound, unknown
// slot): their bytes are covered by no hash.
func (s *sliceState) checkSpecialSlots() (bool, string) {
	ok := true
	var notes []string
	var checked []int
	hasBlob := map[uint32]bool{}
	for _, b := range s.sb.blobs {
		hasBlob[b.slot] = true
	}
	for _, cd := range s.cds {
		cd.extSlots = map[int][]byte{}
		extOK, extChecked, extNotes := s.checkExternalSlots(cd)
		notes = append(notes, extNotes...)
		blobOK, blobChecked := s.checkBlobSlots(cd)
		if cd == s.cds[0] {
			checked = append(checked, extChecked...)
			checked = append(checked, blobChecked...)
		}
		pastOK := s.checkSlotsPastApple(cd, hasBlob)
		boundOK := s.checkBoundByDirectory(cd)
		if !extOK || !blobOK || !pastOK || !boundOK {
			ok = false
		}
	}
	if !s.checkBlobOwners() {
		ok = false
	}
	if ok {
		what := "no special slot is bound"
		if len(checked) > 0 {
			sort.Ints(checked)
			names := make([]string, len(checked))
			for k, i := range checked {
				names[k] = slotName(uint32(i))
			}
			what = "bound special slots match: " + strings.Join(names, ", ")
		}
		notes = append([]string{what}, notes...)
	} else {
		notes = append([]string{"a special slot does not match, or a blob is bound by nothing"}, notes...)
	}
	return ok, joinDetail(notes)
}

// compareSpecialSlot judges cd's special slot i against data (have: it
// exists); blobAt is the file offset of the blob, -1 for external files. A
// slot that binds data it is given is hashed and compared (hashed set),
// its hash kept in cd.extSlots. It returns false when it reported an
// error.
func (s *sliceState) compareSpecialSlot(cd *CodeDirectory, i int, data []byte, have bool, blobAt int64) (ok, hashed bool) {
	at := s.slice.Offset + cd.off
	stored := cd.specialSlot(i)
	bound := !allZero(stored)
	switch {
	case !bound && !have:
	case !bound && have:
		if blobAt < 0 {
			s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s leaves the %s slot unbound, but the %s is present: nothing signs it", slotName(cd.Slot), slotName(uint32(i)), slotName(uint32(i))))
			return false, false
		}
		s.add(RuleUnboundBlob, signing.SeverityError, signing.StatusInvalid, blobAt,
			fmt.Sprintf("%s leaves special slot -%d zero, so the %d-byte %s blob at %#x is bound by nothing: no hash covers its bytes", slotName(cd.Slot), i, len(data), slotName(uint32(i)), blobAt))
		return false, false
	case bound && !have:
		s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, at,
			fmt.Sprintf("%s binds a %s that is missing", slotName(cd.Slot), slotName(uint32(i))))
		return false, false
	default:
		got := digest(cd.hash, data)[:cd.HashSize]
		cd.extSlots[i] = got
		if !bytes.Equal(got, stored) {
			cd.BadSpecialSlots = append(cd.BadSpecialSlots, i)
			s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s: the %s hash (special slot -%d) is %x, the %s hashes to %x", slotName(cd.Slot), slotName(uint32(i)), i, stored, slotName(uint32(i)), got))
			return false, true
		}
		return true, true
	}
	return true, false
}

// checkExternalSlots compares cd's special slots -1 and -3, which bind the
// Info.plist and CodeResources files outside the Mach-O, with those files
// when verifying a bundle; otherwise it notes the slots bound as checked
// only then. It returns the slots it hashed.
func (s *sliceState) checkExternalSlots(cd *CodeDirectory) (ok bool, hashed []int, notes []string) {
	ok = true
	for _, i := range []int{slotInfo, slotResourceDir} {
		if i > cd.SpecialSlots {
			continue
		}
		if s.ext == nil {
			if !allZero(cd.specialSlot(i)) {
				notes = append(notes, fmt.Sprintf("%s binds %s, which lives outside the Mach-O: checked only when verifying the bundle", slotName(cd.Slot), slotName(uint32(i))))
			}
			continue
		}
		var slotOK, h bool
		if i == slotInfo {
			slotOK, h = s.compareSpecialSlot(cd, i, s.ext.info, s.ext.info != nil, -1)
		} else {
			slotOK, h = s.compareSpecialSlot(cd, i, s.ext.resources, s.ext.resources != nil, -1)
		}
		ok = ok && slotOK
		if h {
			hashed = append(hashed, i)
		}
	}
	return ok, hashed, notes
}

// checkBlobSlots compares cd's other special slots Apple defines with the
// blobs of the SuperBlob they bind, or the data kept outside the signature
// for them. It returns the slots it hashed.
func (s *sliceState) checkBlobSlots(cd *CodeDirectory) (ok bool, hashed []int) {
	ok = true
	sigBase := s.slice.Offset + int64(s.sigOff)
	for i := 2; i <= min(cd.SpecialSlots, slotLastSpecial); i++ {
		if i == slotResourceDir {
			continue
		}
		var slotOK, h bool
		b := s.sb.find(uint32(i))
		if d, found := s.outside[i]; found && b == nil {
			slotOK, h = s.compareSpecialSlot(cd, i, d, true, -1)
		} else if b == nil {
			if i == slotApplication || i == slotRepSpecific {
				continue // may bind data kept outside the signature
			}
			slotOK, h = s.compareSpecialSlot(cd, i, nil, false, -1)
		} else {
			slotOK, h = s.compareSpecialSlot(cd, i, b.data, true, sigBase+int64(b.off))
		}
		ok = ok && slotOK
		if h {
			hashed = append(hashed, i)
		}
	}
	return ok, hashed
}

// checkSlotsPastApple reports hashes in cd's special slots past those
// Apple defines that bind no blob of the SuperBlob (hasBlob, by slot). It
// returns false when it reported an error.
func (s *sliceState) checkSlotsPastApple(cd *CodeDirectory, hasBlob map[uint32]bool) bool {
	missing, firstMissing := 0, 0
	for i := slotLastSpecial + 1; i <= cd.SpecialSlots; i++ {
		if !hasBlob[uint32(i)] && !allZero(cd.specialSlot(i)) {
			if missing == 0 {
				firstMissing = i
			}
			missing++
		}
	}
	if missing == 0 {
		return true
	}
	s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, s.slice.Offset+cd.off,
		fmt.Sprintf("%s holds hashes in %d special slots past -%d that bind no blob (first -%d)", slotName(cd.Slot), missing, slotLastSpecial, firstMissing))
	return false
}

// checkBoundByDirectory reports what cd has too few special slots to
// bind: blobs of the SuperBlob in Apple's slots past them, data kept
// outside the signature for such a slot, and, in a bundle, the Info.plist
// and CodeResources the main executable must bind. It returns false when
// it reported an error.
func (s *sliceState) checkBoundByDirectory(cd *CodeDirectory) bool {
	ok := true
	at := s.slice.Offset + cd.off
	sigBase := s.slice.Offset + int64(s.sigOff)
	for _, b := range s.sb.blobs {
		switch {
		case b.slot < 1 || b.slot > slotLastSpecial || b.slot == slotInfo || b.slot == slotResourceDir:
		case int(b.slot) > cd.SpecialSlots:
			// Blobs beyond the directory's special slots are bound by nobody.
			ok = false
			s.add(RuleUnboundBlob, signing.SeverityError, signing.StatusInvalid, sigBase+int64(b.off),
				fmt.Sprintf("%s has %d special slots, so the %d-byte %s blob at %#x is bound by nothing: no hash covers its bytes", slotName(cd.Slot), cd.SpecialSlots, len(b.data), slotName(b.slot), sigBase+int64(b.off)))
		}
	}
	for _, i := range sortedSlots(s.outside) {
		if i > cd.SpecialSlots {
			ok = false
			s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s has %d special slots and does not bind the %s (slot -%d)", slotName(cd.Slot), cd.SpecialSlots, slotName(uint32(i)), i))
		}
	}
	if s.ext != nil {
		// In a bundle the main executable must bind both files.
		for _, i := range []int{slotInfo, slotResourceDir} {
			if i > cd.SpecialSlots {
				have := (i == slotInfo && s.ext.info != nil) || (i == slotResourceDir && s.ext.resources != nil)
				if have {
					ok = false
					s.add(RuleSpecialSlotMismatch, signing.SeverityError, signing.StatusInvalid, at,
						fmt.Sprintf("%s does not bind the bundle's %s", slotName(cd.Slot), slotName(uint32(i))))
				}
			}
		}
	}
	return ok
}

// checkBlobOwners reports blobs no CodeDirectory can bind: blobs in the
// slots of the external files (-1 Info.plist, -3 CodeResources, whose
// hashes bind the files, never a blob), in Apple's identification and
// ticket slots, and in slots Apple does not define. A blob in an unknown
// slot that every CodeDirectory binds by a matching hash is signed: a
// warning. It returns false when it reported an error.
func (s *sliceState) checkBlobOwners() bool {
	ok := true
	sigBase := s.slice.Offset + int64(s.sigOff)
	for _, b := range s.sb.blobs {
		at := sigBase + int64(b.off)
		switch {
		case b.slot == slotCodeDirectory, b.slot >= slotAlternateFirst && b.slot < slotAlternateLimit, b.slot == slotSignature:
			// CodeDirectories are checked and hashed; the CMS is checked.
		case b.slot >= 2 && b.slot <= slotLastSpecial && b.slot != slotResourceDir:
			// Bound (or reported) by checkSpecialSlots.
		case b.slot == slotInfo || b.slot == slotResourceDir:
			ok = false
			s.add(RuleUnboundBlob, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("a %d-byte blob sits in the %s slot at %#x, but special slot -%d binds the bundle's file, never a blob: no hash covers its bytes", len(b.data), slotName(b.slot), at, b.slot))
		case b.slot == slotTicket && len(b.data) > maxTicketSize:
			ok = false
			s.add(RuleNotarizationTicketUnverified, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("the ticket slot at %#x holds %d bytes, more than a stapled notarization ticket (at most %d): no hash covers them", at, len(b.data), maxTicketSize))
		case b.slot == slotTicket && s.parseTicketBlob(b, at):
			// stapler wraps the ticket in a blob wrapper (0xfade0b01)
			// after signing: no hash can bind it. It parses, so it is
			// attributed, not unbound data.
			s.add(RuleNotarizationTicketUnverified, signing.SeverityNote, signing.StatusValid, at,
				fmt.Sprintf("stapled notarization ticket of %d bytes at %#x: it parses, but no code signature seals it and Apple's signature on it is not verified", len(b.data)-8, at))
		case b.slot == slotTicket && s.ticketSlot:
			ok = false
			s.keepBadTicket(b, at)
			s.add(RuleNotarizationTicketMalformed, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("the %d-byte blob in the ticket slot at %#x is not a notarization ticket (%s): no hash covers its bytes", len(b.data), at, ticketBlobProblem(b)))
		case b.slot == slotIdentification || b.slot == slotTicket:
			ok = false
			if b.slot == slotTicket {
				s.keepBadTicket(b, at)
			}
			s.add(RuleUnboundBlob, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("the %d-byte %s blob at %#x is bound by no CodeDirectory and not verified: no hash covers its bytes", len(b.data), slotName(b.slot), at))
		default:
			if s.boundByAll(b) {
				s.add(RuleUnknownSlot, signing.SeverityWarning, signing.StatusValid, at,
					fmt.Sprintf("%s is not a slot Apple defines; every CodeDirectory binds its %d-byte blob at %#x by a matching hash", slotName(b.slot), len(b.data), at))
				continue
			}
			ok = false
			s.add(RuleUnknownSlot, signing.SeverityError, signing.StatusInvalid, at,
				fmt.Sprintf("%s is not a slot Apple defines and no CodeDirectory binds its %d-byte blob at %#x: no hash covers its bytes", slotName(b.slot), len(b.data), at))
		}
	}
	return ok
}

// boundByAll reports whether every CodeDirectory binds b by a special slot
// holding b's hash.
func (s *sliceState) boundByAll(b blob) bool {
	if len(s.cds) == 0 || b.slot < 1 || b.slot >= slotAlternateFirst {
		return false
	}
	for _, cd := range s.cds {
		stored := cd.specialSlot(int(b.slot))
		if stored == nil || allZero(stored) || !bytes.Equal(digest(cd.hash, b.data)[:cd.HashSize], stored) {
			return false
		}
	}
	return true
}
