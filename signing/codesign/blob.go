package codesign

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
)

// Blob magics (XNU osfmk/kern/cs_blobs.h). Code-signing structures are
// big-endian whatever the Mach-O byte order.
const (
	magicEmbeddedSignature = 0xfade0cc0
	magicCodeDirectory     = 0xfade0c02
	magicRequirements      = 0xfade0c01
	magicEntitlements      = 0xfade7171
	magicDEREntitlements   = 0xfade7172
	magicBlobWrapper       = 0xfade0b01
)

// Slots of the SuperBlob index.
const (
	slotCodeDirectory   = 0
	slotInfo            = 1
	slotRequirements    = 2
	slotResourceDir     = 3
	slotApplication     = 4
	slotEntitlements    = 5
	slotRepSpecific     = 6
	slotDEREntitlements = 7
	slotAlternateFirst  = 0x1000
	slotAlternateLimit  = 0x1005
	slotSignature       = 0x10000
	slotIdentification  = 0x10001
	slotTicket          = 0x10002
	// slotLastSpecial is the last special slot Apple defines (the library
	// constraint, CSSLOT_LIBRARY_CONSTRAINT).
	slotLastSpecial = 11
)

// CodeDirectory flags (sys/codesign.h).
const (
	flagAdhoc        = 0x2
	flagLinkerSigned = 0x20000
)

// cdhashLen is CS_CDHASH_LEN: a cdhash is a CodeDirectory digest cut to 20 bytes.
const cdhashLen = 20

// maxBlobs caps the SuperBlob index; real signatures have under a dozen.
const maxBlobs = 64

// slotName names a SuperBlob slot for messages.
func slotName(slot uint32) string {
	switch {
	case slot == slotCodeDirectory:
		return "CodeDirectory"
	case slot == slotInfo:
		return "Info.plist"
	case slot == slotRequirements:
		return "requirements"
	case slot == slotResourceDir:
		return "CodeResources"
	case slot == slotApplication:
		return "application"
	case slot == slotEntitlements:
		return "entitlements"
	case slot == slotRepSpecific:
		return "rep-specific"
	case slot == slotDEREntitlements:
		return "DER entitlements"
	case slot >= 8 && slot <= 11:
		return [...]string{"launch constraint (self)", "launch constraint (parent)", "launch constraint (responsible)", "library constraint"}[slot-8]
	case slot >= slotAlternateFirst && slot < slotAlternateLimit:
		return fmt.Sprintf("alternate CodeDirectory %d", slot-slotAlternateFirst+1)
	case slot == slotSignature:
		return "CMS signature"
	case slot == slotIdentification:
		return "identification"
	case slot == slotTicket:
		return "ticket"
	}
	return fmt.Sprintf("slot %#x", slot)
}

// blob is one entry of the SuperBlob index.
type blob struct {
	slot  uint32
	off   uint32 // from the start of the SuperBlob
	magic uint32
	data  []byte // the whole blob, header included
}

// superBlob is a parsed embedded signature. Problems found while parsing
// are kept: one bad blob does not hide the others.
type superBlob struct {
	length uint32
	blobs  []blob
	probs  []layoutProblem // offsets relative to the SuperBlob
}

func (sb *superBlob) find(slot uint32) *blob {
	for i := range sb.blobs {
		if sb.blobs[i].slot == slot {
			return &sb.blobs[i]
		}
	}
	return nil
}

// parseSuperBlob parses an embedded signature. It fails only when the
// SuperBlob header itself is unusable. Every byte of the SuperBlob is
// accounted for: the header and index, a blob, or a problem naming it
// (a duplicate slot, a blob overlapping another or the index, bytes that
// belong to no blob).
func parseSuperBlob(b []byte) (*superBlob, error) {
	if len(b) < 12 {
		return nil, fmt.Errorf("code signature is %d bytes, too short for a SuperBlob", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	if magic != magicEmbeddedSignature {
		return nil, fmt.Errorf("code signature magic is %#08x, want %#08x (embedded signature)", magic, magicEmbeddedSignature)
	}
	length := binary.BigEndian.Uint32(b[4:])
	count := binary.BigEndian.Uint32(b[8:])
	if length < 12 || uint64(length) > uint64(len(b)) {
		return nil, fmt.Errorf("SuperBlob length %d does not fit the %d-byte signature area", length, len(b))
	}
	if count > maxBlobs || 12+uint64(count)*8 > uint64(length) {
		return nil, fmt.Errorf("SuperBlob claims %d blobs, more than its %d bytes (or the cap of %d) allow", count, length, maxBlobs)
	}
	sb := &superBlob{length: length}
	b = b[:length]
	idxEnd := 12 + count*8
	seen := map[uint32]uint32{}
	for i := uint32(0); i < count; i++ {
		ix := 12 + i*8
		slot := binary.BigEndian.Uint32(b[ix:])
		off := binary.BigEndian.Uint32(b[ix+4:])
		if first, dup := seen[slot]; dup {
			// macOS takes the first entry of a slot; the second one's
			// bytes are owned by nothing.
			sb.probs = append(sb.probs, layoutProblem{off: int64(ix), rule: RuleDuplicateSlot,
				msg: fmt.Sprintf("%s slot appears twice in the SuperBlob index (entries %d and %d): the second, pointing at %#x, is ignored as macOS ignores it", slotName(slot), first, i, off)})
			continue
		}
		seen[slot] = i
		if off < idxEnd {
			sb.probs = append(sb.probs, layoutProblem{off: int64(ix), rule: RuleBlobOverlap,
				msg: fmt.Sprintf("%s blob offset %#x points into the SuperBlob header and index [0, %#x)", slotName(slot), off, idxEnd)})
			continue
		}
		if uint64(off)+8 > uint64(length) {
			sb.probs = append(sb.probs, layoutProblem{off: int64(ix), msg: fmt.Sprintf("%s blob offset %#x lies outside the SuperBlob (%d bytes)", slotName(slot), off, length)})
			continue
		}
		bm := binary.BigEndian.Uint32(b[off:])
		bl := binary.BigEndian.Uint32(b[off+4:])
		if bl < 8 || uint64(off)+uint64(bl) > uint64(length) {
			sb.probs = append(sb.probs, layoutProblem{off: int64(off), msg: fmt.Sprintf("%s blob length %d runs past the SuperBlob (%d bytes)", slotName(slot), bl, length)})
			continue
		}
		sb.blobs = append(sb.blobs, blob{slot: slot, off: off, magic: bm, data: b[off : off+bl]})
	}
	// Blobs in file order: each must start after the previous one ends, and
	// bytes between them (or after the last) belong to no blob, so no hash
	// covers them.
	ord := append([]blob(nil), sb.blobs...)
	sort.SliceStable(ord, func(i, j int) bool { return ord[i].off < ord[j].off })
	end, endSlot := idxEnd, uint32(0)
	for _, bl := range ord {
		z := bl.off + uint32(len(bl.data))
		switch {
		case bl.off < end: // never the first blob: none starts in the index
			sb.probs = append(sb.probs, layoutProblem{off: int64(bl.off), rule: RuleBlobOverlap,
				msg: fmt.Sprintf("%s blob [%#x, %#x) overlaps the %s blob, which ends at %#x", slotName(bl.slot), bl.off, z, slotName(endSlot), end)})
		case bl.off > end && !lldIndexPad(b, idxEnd, end, bl.off):
			sb.probs = append(sb.probs, unownedProblem(b, end, bl.off, "inside the SuperBlob, before the "+slotName(bl.slot)+" blob"))
		}
		if z > end {
			end, endSlot = z, bl.slot
		}
	}
	if end < length {
		sb.probs = append(sb.probs, unownedProblem(b, end, length, "inside the SuperBlob, after the last blob"))
	}
	sort.SliceStable(sb.blobs, func(i, j int) bool { return sb.blobs[i].slot < sb.blobs[j].slot })
	return sb, nil
}

// lldIndexPad reports whether the bytes b[end:off] before a blob at off are
// the padding LLVM's linker (ld64.lld, which links Rust, Zig and many
// npm native modules for macOS) puts after the SuperBlob's header and
// index when it signs ad hoc: the first blob aligned to 8 bytes, so after
// an odd number of index entries 4 zero bytes that no blob owns. Only that
// gap, only to the next multiple of 8, and only zeros: nothing fits in it.
func lldIndexPad(b []byte, idxEnd, end, off uint32) bool {
	return end == idxEnd && off == (idxEnd+7)&^7 && firstNonZero(b[end:off]) < 0
}

// unownedProblem reports the bytes b[a:z] that belong to no blob: an error
// when any of them is non-zero (a payload needs no more than a few bytes),
// a warning when they are all zero (they hold nothing, and no signer but LLVM's
// linker, see lldIndexPad, leaves holes inside the SuperBlob).
func unownedProblem(b []byte, a, z uint32, where string) layoutProblem {
	if nz := firstNonZero(b[a:z]); nz >= 0 {
		return layoutProblem{off: int64(a), rule: RuleUnownedSignatureData,
			msg: fmt.Sprintf("%d bytes at %#x %s belong to no blob (first non-zero byte at %#x): no hash covers them", z-a, a, where, a+uint32(nz))}
	}
	return layoutProblem{off: int64(a), rule: RuleUnownedSignatureData, warn: true,
		msg: fmt.Sprintf("%d zero bytes at %#x %s belong to no blob", z-a, a, where)}
}

func firstNonZero(b []byte) int {
	for i, c := range b {
		if c != 0 {
			return i
		}
	}
	return -1
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// HashType names a CodeDirectory hash type as reports spell it.
type HashType uint8

// CodeDirectory hash types (cs_blobs.h CS_HASHTYPE_*).
const (
	// HashSHA1 is SHA-1, 20-byte slots.
	HashSHA1 HashType = 1
	// HashSHA256 is SHA-256, 32-byte slots.
	HashSHA256 HashType = 2
	// HashSHA256Truncated is SHA-256 cut to 20 bytes.
	HashSHA256Truncated HashType = 3
	// HashSHA384 is SHA-384, 48-byte slots.
	HashSHA384 HashType = 4
)

// String returns "sha1", "sha256", "sha256-truncated" or "sha384".
func (h HashType) String() string {
	switch h {
	case HashSHA1:
		return "sha1"
	case HashSHA256:
		return "sha256"
	case HashSHA256Truncated:
		return "sha256-truncated"
	case HashSHA384:
		return "sha384"
	}
	return fmt.Sprintf("hashtype(%d)", uint8(h))
}

// MarshalText encodes the hash type as its name.
func (h HashType) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// crypto returns the hash function and the stored digest size.
func (h HashType) crypto() (crypto.Hash, int, bool) {
	switch h {
	case HashSHA1:
		return crypto.SHA1, 20, true
	case HashSHA256:
		return crypto.SHA256, 32, true
	case HashSHA256Truncated:
		return crypto.SHA256, 20, true
	case HashSHA384:
		return crypto.SHA384, 48, true
	}
	return 0, 0, false
}

func newHash(h crypto.Hash) hash.Hash {
	switch h {
	case crypto.SHA1:
		return sha1.New()
	case crypto.SHA256:
		return sha256.New()
	case crypto.SHA384:
		return sha512.New384()
	}
	return h.New()
}

func digest(h crypto.Hash, parts ...[]byte) []byte {
	d := newHash(h)
	for _, p := range parts {
		d.Write(p)
	}
	return d.Sum(nil)
}

// CodeDirectory is what one CodeDirectory says and what checking it found.
type CodeDirectory struct {
	// Slot is the SuperBlob slot: 0 for the primary, 0x1000.. for alternates.
	Slot uint32 `json:"slot"`
	// Version is the CodeDirectory version, such as 0x20400.
	Version uint32 `json:"version"`
	// Flags are the CS_* flags (CS_ADHOC 0x2, CS_RUNTIME 0x10000,
	// CS_LINKER_SIGNED 0x20000).
	Flags uint32 `json:"flags"`
	// HashType is the digest of code pages, special slots and the cdhash.
	HashType HashType `json:"hashType"`
	// HashSize is the stored size of each slot hash.
	HashSize int `json:"hashSize"`
	// PageSize is the code page size in bytes; 0 means one hash covers the
	// whole code range.
	PageSize int64 `json:"pageSize"`
	// CodeLimit is the end of the hashed range [0, CodeLimit) in the slice.
	CodeLimit int64 `json:"codeLimit"`
	// CodeSlots and SpecialSlots count the hashes the directory holds.
	CodeSlots    int `json:"codeSlots"`
	SpecialSlots int `json:"specialSlots"`
	// Identifier is the signing identifier; TeamID the team identifier
	// (version 0x20200 and later), empty when absent.
	Identifier string `json:"identifier"`
	TeamID     string `json:"teamID,omitempty"`
	// Platform is the platform identifier byte (non-zero for Apple platform binaries).
	Platform uint8 `json:"platform,omitempty"`
	// ExecSegBase, ExecSegLimit and ExecSegFlags describe the executable
	// segment (version 0x20400 and later; zero before, as the kernel reads them).
	ExecSegBase  uint64 `json:"execSegBase,omitempty"`
	ExecSegLimit uint64 `json:"execSegLimit,omitempty"`
	ExecSegFlags uint64 `json:"execSegFlags,omitempty"`
	// CDHash is the directory's digest cut to 20 bytes, lowercase hex: the
	// value macOS, notarization tickets and blocklists name code by.
	CDHash string `json:"cdhash"`
	// Digest is the full digest of the directory blob with HashType.
	Digest string `json:"digest"`
	// BadPages counts code pages whose hash does not match; FirstBadPage is
	// the first of them, -1 when none.
	BadPages     int `json:"badPages"`
	FirstBadPage int `json:"firstBadPage"`
	// BadSpecialSlots lists the special slots (1 Info.plist, 2 requirements,
	// 3 CodeResources, 5 entitlements, 7 DER entitlements…) whose hash does
	// not match the data it binds.
	BadSpecialSlots []int `json:"badSpecialSlots,omitempty"`

	// off is the blob's offset in the slice; raw the blob bytes.
	off       int64
	raw       []byte
	hashOff   uint32
	hash      crypto.Hash
	computed  []byte // recomputed code slot hashes, CodeSlots*HashSize
	extSlots  map[int][]byte
	identOff  uint32
	malformed string
	// unsupported says why shipgate cannot verify what the directory
	// means (a scatter vector, a version past Apple's limit); empty when
	// it can.
	unsupported string
}

// parseCodeDirectory parses a CodeDirectory blob (header included). It
// checks every offset and count against the blob length before use.
func parseCodeDirectory(b []byte, slot uint32) (*CodeDirectory, error) {
	cd, nSpecial, nCode, codeLimit, err := parseCDHeader(b, slot)
	if err != nil {
		return nil, err
	}
	if codeLimit, err = cd.parseLaterFields(b, codeLimit); err != nil {
		return nil, err
	}
	if codeLimit > 1<<62 {
		return nil, fmt.Errorf("CodeDirectory code limit %#x is out of range", codeLimit)
	}
	cd.CodeLimit = int64(codeLimit)
	id, err := cstringAt(b, cd.identOff, 1024)
	if err != nil {
		return nil, fmt.Errorf("CodeDirectory identifier: %v", err)
	}
	cd.Identifier = id
	if err := cd.setSlots(uint64(len(b)), nSpecial, nCode, codeLimit); err != nil {
		return nil, err
	}
	sum := digest(cd.hash, b)
	cd.Digest = hex.EncodeToString(sum)
	cd.CDHash = hex.EncodeToString(sum[:cdhashLen])
	return cd, nil
}

// parseCDHeader checks and reads the fields of a CodeDirectory's first 44
// bytes, which every version has: it returns the directory with them set,
// its slot counts and its 32-bit code limit.
func parseCDHeader(b []byte, slot uint32) (cd *CodeDirectory, nSpecial, nCode uint32, codeLimit uint64, err error) {
	if len(b) < 44 {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory is %d bytes, shorter than its 44-byte header", len(b))
	}
	be := binary.BigEndian
	if m := be.Uint32(b); m != magicCodeDirectory {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory magic is %#08x, want %#08x", m, magicCodeDirectory)
	}
	cd = &CodeDirectory{Slot: slot, raw: b, FirstBadPage: -1}
	cd.Version = be.Uint32(b[8:])
	cd.Flags = be.Uint32(b[12:])
	cd.hashOff = be.Uint32(b[16:])
	cd.identOff = be.Uint32(b[20:])
	nSpecial = be.Uint32(b[24:])
	nCode = be.Uint32(b[28:])
	codeLimit = uint64(be.Uint32(b[32:]))
	cd.HashSize = int(b[36])
	cd.HashType = HashType(b[37])
	cd.Platform = b[38]
	pageLog := b[39]
	if cd.Version < 0x20001 {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory version %#x is older than the earliest supported (0x20001)", cd.Version)
	}
	h, size, ok := cd.HashType.crypto()
	if !ok {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory hash type %d is unknown", uint8(cd.HashType))
	}
	if cd.HashSize != size {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory hash size %d does not match hash type %s (%d)", cd.HashSize, cd.HashType, size)
	}
	cd.hash = h
	if pageLog != 0 && (pageLog < 9 || pageLog > 30) {
		return nil, 0, 0, 0, fmt.Errorf("CodeDirectory page size 2^%d is out of range", pageLog)
	}
	if pageLog != 0 {
		cd.PageSize = 1 << pageLog
	}
	return cd, nSpecial, nCode, codeLimit, nil
}

// CodeDirectory versions (Security framework, CodeDirectory.h).
const (
	// cdSupportsScatter is the first version with a scatter vector offset
	// at byte 44.
	cdSupportsScatter = 0x20100
	// cdCompatibilityLimit is the last version Apple's Security framework
	// accepts ("version 3 with wiggle room"): later ones fail with
	// errSecCSSignatureUnsupported, as their layout is unknown.
	cdCompatibilityLimit = 0x2f000
	// cdSupportsExecSeg is the first version with the executable segment's
	// base, limit and flags at bytes 64 to 88.
	cdSupportsExecSeg = 0x20400
)

// parseLaterFields reads the fields later versions add, where the blob
// holds them: the scatter vector offset (0x20100), the team ID (0x20200), a
// 64-bit code limit replacing codeLimit when non-zero (0x20300), and the
// executable segment (0x20400). It returns the code limit.
//
// A scatter vector maps code slots to file ranges other than the pages of
// [0, codeLimit) in order. Current signers (codesign, rcodesign, the
// linkers) do not write one, and shipgate does not read it: page hashes
// checked in order would not be the ranges macOS checks, so a directory
// with one is unsupported, as is a version past cdCompatibilityLimit.
func (cd *CodeDirectory) parseLaterFields(b []byte, codeLimit uint64) (uint64, error) {
	be := binary.BigEndian
	n := uint64(len(b))
	if cd.Version > cdCompatibilityLimit {
		cd.unsupported = fmt.Sprintf("version %#x is past %#x, the last version macOS accepts (errSecCSSignatureUnsupported): its layout is unknown", cd.Version, cdCompatibilityLimit)
	} else if cd.Version >= cdSupportsScatter && n >= 48 {
		if so := be.Uint32(b[44:]); so != 0 {
			cd.unsupported = fmt.Sprintf("has a scatter vector at %#x, which shipgate does not read: its code slots hash the ranges the vector names, not the pages checked in order", so)
		}
	}
	if cd.Version >= 0x20200 && n >= 52 {
		if t := be.Uint32(b[48:]); t != 0 {
			s, err := cstringAt(b, t, 64)
			if err != nil {
				return 0, fmt.Errorf("CodeDirectory team ID: %v", err)
			}
			cd.TeamID = s
		}
	}
	if cd.Version >= 0x20300 && n >= 64 {
		if l64 := be.Uint64(b[56:]); l64 != 0 {
			codeLimit = l64
		}
	}
	if cd.Version >= cdSupportsExecSeg && n >= 88 {
		cd.ExecSegBase = be.Uint64(b[64:])
		cd.ExecSegLimit = be.Uint64(b[72:])
		cd.ExecSegFlags = be.Uint64(b[80:])
	}
	return codeLimit, nil
}

// setSlots checks that the slot hashes fit the n-byte blob after its
// header, and sets the slot counts; a code slot count that does not match
// the code limit's pages is noted as malformed.
func (cd *CodeDirectory) setSlots(n uint64, nSpecial, nCode uint32, codeLimit uint64) error {
	hs := uint64(cd.HashSize)
	if uint64(cd.hashOff) < uint64(nSpecial)*hs || uint64(cd.hashOff)+uint64(nCode)*hs > n {
		return fmt.Errorf("CodeDirectory slots (%d special, %d code, %d bytes each, at %#x) do not fit its %d bytes", nSpecial, nCode, hs, cd.hashOff, n)
	}
	if uint64(cd.hashOff)-uint64(nSpecial)*hs < 44 {
		return fmt.Errorf("CodeDirectory special slots overlap its header")
	}
	cd.SpecialSlots = int(nSpecial)
	cd.CodeSlots = int(nCode)
	want := uint64(0)
	switch {
	case codeLimit == 0:
	case cd.PageSize == 0:
		want = 1
	default:
		want = (codeLimit + uint64(cd.PageSize) - 1) / uint64(cd.PageSize)
	}
	if uint64(nCode) != want {
		cd.malformed = fmt.Sprintf("%d code slots for a code limit of %#x with %d-byte pages (want %d)", nCode, codeLimit, cd.PageSize, want)
	}
	return nil
}

func cstringAt(b []byte, off uint32, max int) (string, error) {
	if uint64(off) >= uint64(len(b)) {
		return "", fmt.Errorf("offset %#x lies outside the %d-byte blob", off, len(b))
	}
	rest := b[off:]
	for i, c := range rest {
		if c == 0 {
			if i > max {
				return "", fmt.Errorf("string at %#x is %d bytes, over the limit of %d", off, i, max)
			}
			return string(rest[:i]), nil
		}
	}
	return "", fmt.Errorf("string at %#x is not NUL-terminated", off)
}

// codeSlot returns stored code hash i.
func (cd *CodeDirectory) codeSlot(i int) []byte {
	o := int(cd.hashOff) + i*cd.HashSize
	return cd.raw[o : o+cd.HashSize]
}

// specialSlot returns stored special slot i (1-based), nil when out of range.
func (cd *CodeDirectory) specialSlot(i int) []byte {
	if i < 1 || i > cd.SpecialSlots {
		return nil
	}
	o := int(cd.hashOff) - i*cd.HashSize
	return cd.raw[o : o+cd.HashSize]
}

// recomputed returns the directory as it would be with every code slot and
// every checked special slot holding the hash computed from the bytes.
func (cd *CodeDirectory) recomputed(special map[int][]byte) []byte {
	out := append([]byte(nil), cd.raw...)
	if cd.computed != nil {
		copy(out[cd.hashOff:], cd.computed)
	}
	for i, h := range special {
		if i >= 1 && i <= cd.SpecialSlots && len(h) == cd.HashSize {
			copy(out[int(cd.hashOff)-i*cd.HashSize:], h)
		}
	}
	return out
}
