package machofile

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"sort"
)

// Hash types of a CodeDirectory.
const (
	HashSHA1            uint8 = 1
	HashSHA256          uint8 = 2
	HashSHA256Truncated uint8 = 3
	HashSHA384          uint8 = 4
)

// CodeDirectory flags.
const (
	FlagAdhoc        uint32 = 0x2
	FlagRuntime      uint32 = 0x10000
	FlagLinkerSigned uint32 = 0x20000
)

// Slots of the SuperBlob.
const (
	SlotCodeDirectory   uint32 = 0
	SlotRequirements    uint32 = 2
	SlotEntitlements    uint32 = 5
	SlotDEREntitlements uint32 = 7
	SlotAlternate       uint32 = 0x1000
	SlotSignature       uint32 = 0x10000
)

// EmptyRequirements is an empty requirement set blob.
var EmptyRequirements = []byte{0xfa, 0xde, 0x0c, 0x01, 0, 0, 0, 12, 0, 0, 0, 0}

// CD is a CodeDirectory as built, handed to a CMSFunc.
type CD struct {
	Slot     uint32
	HashType uint8
	// Blob is the whole CodeDirectory blob; Digest its full digest with
	// HashType's hash (SHA-256 for the truncated type).
	Blob   []byte
	Digest []byte
}

// CDHash returns the 20-byte cdhash.
func (c CD) CDHash() []byte { return c.Digest[:20] }

// Hash returns the crypto.Hash of c's hash type.
func (c CD) Hash() crypto.Hash { h, _ := hashOf(c.HashType); return h }

// CMSFunc returns the CMS signature over cds[0].Blob (the primary
// CodeDirectory); the others are the alternates in slot order.
type CMSFunc func(cds []CD) ([]byte, error)

// SignSpec says how to sign. Zero fields take defaults.
type SignSpec struct {
	// Identifier defaults to "a.out"; TeamID is written when not empty.
	Identifier string
	TeamID     string
	// Flags are the CodeDirectory flags (FlagAdhoc, FlagRuntime…).
	Flags uint32
	// PageLog is log2 of the page size; zero means 12 (4 KiB). Use -1 for a
	// single hash over the whole code.
	PageLog int
	// HashTypes lists the primary CodeDirectory's hash type, then each
	// alternate's; nil means SHA-256 only.
	HashTypes []uint8
	// ExecSegFlags is written into every CodeDirectory (1 = main binary).
	ExecSegFlags uint64
	// Requirements, Entitlements (XML plist payload) and DEREntitlements
	// add those blobs, bound in special slots 2, 5 and 7.
	Requirements    []byte
	Entitlements    []byte
	DEREntitlements []byte
	// InfoPlist and CodeResources, when not nil, are bound in special slots
	// 1 and 3 (a bundle's main executable).
	InfoPlist     []byte
	CodeResources []byte
	// CMS signs; nil leaves out the CMS blob, unless EmptyCMSWrapper asks
	// for an empty one as codesign -s - writes.
	CMS             CMSFunc
	EmptyCMSWrapper bool
	// ExtraBlobs are added to the SuperBlob as given, after the blobs above,
	// for fixtures of hostile signatures: unknown or duplicate slots, blobs
	// no CodeDirectory binds.
	ExtraBlobs []ExtraBlob
	// Trailer is written right after the SuperBlob, inside the
	// LC_CODE_SIGNATURE area (which is then padded with zeros to 16 bytes).
	Trailer []byte
	// SpecialData binds data kept outside the SuperBlob in special slots,
	// by slot number: a disk image's koly trailer in slot 6 (rep-specific).
	SpecialData map[uint32][]byte
}

// ExtraBlob is a blob SignSpec.ExtraBlobs adds to the SuperBlob.
type ExtraBlob struct {
	// Slot is the SuperBlob index type; Data the whole blob, header
	// included (see Blob).
	Slot uint32
	Data []byte
	// Bind hashes the blob into special slot Slot of every CodeDirectory
	// (Slot must then be below 0x1000), as codesign binds requirements and
	// entitlements. Unbound blobs are left out of the special slots.
	Bind bool
}

// Blob returns a code-signing blob: magic, big-endian length, payload.
func Blob(magic uint32, payload []byte) []byte { return blobOf(magic, payload) }

// BlobPos locates a blob of the written signature in the file.
type BlobPos struct {
	Slot     uint32
	Off, Len int
}

// Layout says where Sign put the signature.
type Layout struct {
	SigOff, SigSize int
	Blobs           []BlobPos
	CDs             []CD
}

// Blob returns the position of the blob in slot, or false.
func (l *Layout) Blob(slot uint32) (BlobPos, bool) {
	for _, b := range l.Blobs {
		if b.Slot == slot {
			return b, true
		}
	}
	return BlobPos{}, false
}

func hashOf(t uint8) (crypto.Hash, int) {
	switch t {
	case HashSHA1:
		return crypto.SHA1, 20
	case HashSHA256:
		return crypto.SHA256, 32
	case HashSHA256Truncated:
		return crypto.SHA256, 20
	case HashSHA384:
		return crypto.SHA384, 48
	}
	return 0, 0
}

func sum(h crypto.Hash, b []byte) []byte {
	switch h {
	case crypto.SHA1:
		s := sha1.Sum(b)
		return s[:]
	case crypto.SHA256:
		s := sha256.Sum256(b)
		return s[:]
	case crypto.SHA384:
		s := sha512.Sum384(b)
		return s[:]
	}
	panic("machofile: unsupported hash")
}

func blobOf(magic uint32, payload []byte) []byte {
	b := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint32(b, magic)
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
	copy(b[8:], payload)
	return b
}

// Sign returns in (a thin 64-bit little-endian Mach-O) with a new embedded
// signature replacing any it had, placed as the last data of __LINKEDIT.
func Sign(in []byte, s SignSpec) ([]byte, *Layout, error) {
	h, err := readHeader(in)
	if err != nil {
		return nil, nil, err
	}
	if h.linkedit < 0 {
		return nil, nil, fmt.Errorf("machofile: no __LINKEDIT segment")
	}
	le := binary.LittleEndian
	var out []byte
	var sigOff int
	if h.codeSig >= 0 {
		sigOff = int(le.Uint32(in[h.codeSig+8:]))
		if sigOff > len(in) {
			return nil, nil, fmt.Errorf("machofile: existing signature offset past the file")
		}
		out = append([]byte(nil), in[:sigOff]...)
	} else {
		sigOff = align(len(in), 16)
		out = append(append([]byte(nil), in...), make([]byte, sigOff-len(in))...)
		at := 32 + h.sizeCmds
		if at+16 > h.firstSection {
			return nil, nil, fmt.Errorf("machofile: no room for LC_CODE_SIGNATURE after the load commands")
		}
		le.PutUint32(out[at:], 0x1d)
		le.PutUint32(out[at+4:], 16)
		le.PutUint32(out[16:], uint32(h.ncmds+1))
		le.PutUint32(out[20:], uint32(h.sizeCmds+16))
		h.codeSig = at
	}
	p, err := newPlan(s, sigOff)
	if err != nil {
		return nil, nil, err
	}
	sigSize := p.sigSize
	le.PutUint32(out[h.codeSig+8:], uint32(sigOff))
	le.PutUint32(out[h.codeSig+12:], uint32(sigSize))
	lk := out[h.linkedit:]
	leFileOff := int(le.Uint64(lk[40:]))
	le.PutUint64(lk[48:], uint64(sigOff+sigSize-leFileOff))
	le.PutUint64(lk[32:], uint64(align(sigOff+sigSize-leFileOff, 0x4000)))
	var execBase, execLimit uint64
	if h.text >= 0 {
		execBase = le.Uint64(out[h.text+40:])
		execLimit = le.Uint64(out[h.text+48:])
	}
	sig, lay, err := p.build(out[:sigOff], execBase, execLimit)
	if err != nil {
		return nil, nil, err
	}
	return append(out, sig...), lay, nil
}

// SignData returns the signature area (a SuperBlob padded with zeros to 16
// bytes) whose CodeDirectories hash code, the bytes before it, as a disk
// image embeds one: the code limit is len(code), and SignSpec.SpecialData
// binds data kept outside the SuperBlob (the koly trailer in slot 6). The
// layout's offsets count from the start of code.
func SignData(code []byte, s SignSpec) ([]byte, *Layout, error) {
	p, err := newPlan(s, len(code))
	if err != nil {
		return nil, nil, err
	}
	return p.build(code, 0, 0)
}

type slotBlob struct {
	slot uint32
	data []byte
}

// plan is the sizing of a signature over codeLimit bytes, fixed before the
// code is hashed (a Mach-O's load commands hold the signature's size).
type plan struct {
	s               SignSpec
	pageLog         int
	extra, unbound  []slotBlob
	nSpecial, nCode int
	idLen, teamLen  int
	codeLimit       int
	cmsReserve      int
	sigSize         int
}

func newPlan(s SignSpec, codeLimit int) (*plan, error) {
	if s.Identifier == "" {
		s.Identifier = "a.out"
	}
	if s.HashTypes == nil {
		s.HashTypes = []uint8{HashSHA256}
	}
	p := &plan{s: s, codeLimit: codeLimit, pageLog: s.PageLog}
	if p.pageLog == 0 {
		p.pageLog = 12
	}
	if p.pageLog < 0 {
		p.pageLog = 0
	}
	// Blobs other than CodeDirectories and CMS.
	if s.Requirements != nil {
		p.extra = append(p.extra, slotBlob{SlotRequirements, s.Requirements})
	}
	if s.Entitlements != nil {
		p.extra = append(p.extra, slotBlob{SlotEntitlements, blobOf(0xfade7171, s.Entitlements)})
	}
	if s.DEREntitlements != nil {
		p.extra = append(p.extra, slotBlob{SlotDEREntitlements, blobOf(0xfade7172, s.DEREntitlements)})
	}
	for _, b := range s.ExtraBlobs {
		if b.Bind {
			if b.Slot >= SlotAlternate {
				return nil, fmt.Errorf("machofile: slot %#x cannot be bound by a special slot", b.Slot)
			}
			p.extra = append(p.extra, slotBlob{b.Slot, b.Data})
		} else {
			p.unbound = append(p.unbound, slotBlob{b.Slot, b.Data})
		}
	}
	for _, b := range p.extra {
		p.nSpecial = max(p.nSpecial, int(b.slot))
	}
	for slot := range s.SpecialData {
		p.nSpecial = max(p.nSpecial, int(slot))
	}
	if s.InfoPlist != nil {
		p.nSpecial = max(p.nSpecial, 1)
	}
	if s.CodeResources != nil {
		p.nSpecial = max(p.nSpecial, 3)
	}
	if codeLimit > 0 {
		p.nCode = 1
		if p.pageLog > 0 {
			p.nCode = (codeLimit + 1<<p.pageLog - 1) >> p.pageLog
		}
	}
	p.idLen = len(s.Identifier) + 1
	if s.TeamID != "" {
		p.teamLen = len(s.TeamID) + 1
	}
	// Size the CMS by signing placeholders of the right sizes.
	if s.CMS != nil {
		var ph []CD
		for i, t := range s.HashTypes {
			hh, _ := hashOf(t)
			ph = append(ph, CD{Slot: cdSlot(i), HashType: t, Blob: make([]byte, p.cdSize(t)), Digest: make([]byte, hh.Size())})
		}
		c, err := s.CMS(ph)
		if err != nil {
			return nil, err
		}
		p.cmsReserve = len(c) + 512
	}
	nBlobs := len(s.HashTypes) + len(p.extra) + len(p.unbound)
	if s.CMS != nil || s.EmptyCMSWrapper {
		nBlobs++
	}
	total := 12 + 8*nBlobs
	for _, t := range s.HashTypes {
		total += p.cdSize(t)
	}
	for _, b := range append(p.extra, p.unbound...) {
		total += len(b.data)
	}
	total += len(s.Trailer)
	if s.CMS != nil || s.EmptyCMSWrapper {
		total += 8 + p.cmsReserve
	}
	p.sigSize = align(total, 16)
	return p, nil
}

func (p *plan) cdSize(t uint8) int {
	_, hs := hashOf(t)
	return 88 + p.idLen + p.teamLen + (p.nSpecial+p.nCode)*hs
}

// build hashes code (codeLimit bytes) and returns the signature area.
func (p *plan) build(code []byte, execBase, execLimit uint64) ([]byte, *Layout, error) {
	var cds []CD
	for i, t := range p.s.HashTypes {
		cd, err := p.codeDirectory(t, code, execBase, execLimit)
		if err != nil {
			return nil, nil, err
		}
		hh, _ := hashOf(t)
		cds = append(cds, CD{Slot: cdSlot(i), HashType: t, Blob: cd, Digest: sum(hh, cd)})
	}
	wrapper, err := p.cmsWrapper(cds)
	if err != nil {
		return nil, nil, err
	}
	return p.superBlob(len(code), cds, wrapper)
}

// codeDirectory returns the CodeDirectory of hash type t over code, with
// the hashes of the special slots' blobs.
func (p *plan) codeDirectory(t uint8, code []byte, execBase, execLimit uint64) ([]byte, error) {
	s, pageLog, codeLimit := p.s, p.pageLog, p.codeLimit
	idLen, teamLen, nSpecial, nCode := p.idLen, p.teamLen, p.nSpecial, p.nCode
	hh, hs := hashOf(t)
	if hh == 0 {
		return nil, fmt.Errorf("machofile: unknown hash type %d", t)
	}
	cd := make([]byte, p.cdSize(t))
	be := binary.BigEndian
	hashOff := 88 + idLen + teamLen + nSpecial*hs
	be.PutUint32(cd[0:], 0xfade0c02)
	be.PutUint32(cd[4:], uint32(len(cd)))
	be.PutUint32(cd[8:], 0x20400)
	be.PutUint32(cd[12:], s.Flags)
	be.PutUint32(cd[16:], uint32(hashOff))
	be.PutUint32(cd[20:], 88)
	be.PutUint32(cd[24:], uint32(nSpecial))
	be.PutUint32(cd[28:], uint32(nCode))
	be.PutUint32(cd[32:], uint32(codeLimit))
	cd[36] = byte(hs)
	cd[37] = t
	cd[39] = byte(pageLog)
	if teamLen > 0 {
		be.PutUint32(cd[48:], uint32(88+idLen))
		copy(cd[88+idLen:], s.TeamID)
	}
	be.PutUint64(cd[64:], execBase)
	be.PutUint64(cd[72:], execLimit)
	be.PutUint64(cd[80:], s.ExecSegFlags)
	copy(cd[88:], s.Identifier)
	put := func(slot int, data []byte) {
		copy(cd[hashOff-slot*hs:], sum(hh, data)[:hs])
	}
	for _, b := range p.extra {
		put(int(b.slot), b.data)
	}
	for slot, data := range s.SpecialData {
		put(int(slot), data)
	}
	if s.InfoPlist != nil {
		put(1, s.InfoPlist)
	}
	if s.CodeResources != nil {
		put(3, s.CodeResources)
	}
	for pg := 0; pg < nCode; pg++ {
		a := pg << pageLog
		z := min(a+1<<pageLog, codeLimit)
		if pageLog == 0 {
			a, z = 0, codeLimit
		}
		copy(cd[hashOff+pg*hs:], sum(hh, code[a:z])[:hs])
	}
	return cd, nil
}

// cmsWrapper returns the CMS blob signing cds, an empty one, or nil, as
// the spec says.
func (p *plan) cmsWrapper(cds []CD) ([]byte, error) {
	switch {
	case p.s.CMS != nil:
		c, err := p.s.CMS(cds)
		if err != nil {
			return nil, err
		}
		if len(c) > p.cmsReserve {
			return nil, fmt.Errorf("machofile: CMS grew from the %d bytes reserved to %d", p.cmsReserve, len(c))
		}
		return blobOf(0xfade0b01, c), nil
	case p.s.EmptyCMSWrapper:
		return blobOf(0xfade0b01, nil), nil
	}
	return nil, nil
}

// superBlob assembles the signature at file offset sigOff: a SuperBlob of
// the CodeDirectories, the extra blobs, the CMS wrapper (if any) and the
// unbound blobs, its index sorted by slot, then the trailer, padded to the
// size reserved.
func (p *plan) superBlob(sigOff int, cds []CD, wrapper []byte) ([]byte, *Layout, error) {
	var blobs []slotBlob
	for _, c := range cds {
		blobs = append(blobs, slotBlob{c.Slot, c.Blob})
	}
	blobs = append(blobs, p.extra...)
	if wrapper != nil {
		blobs = append(blobs, slotBlob{SlotSignature, wrapper})
	}
	blobs = append(blobs, p.unbound...)
	sort.SliceStable(blobs, func(i, j int) bool { return blobs[i].slot < blobs[j].slot })
	sb := make([]byte, 12+8*len(blobs))
	be := binary.BigEndian
	be.PutUint32(sb, 0xfade0cc0)
	be.PutUint32(sb[8:], uint32(len(blobs)))
	lay := &Layout{SigOff: sigOff, SigSize: p.sigSize, CDs: cds}
	for i, b := range blobs {
		be.PutUint32(sb[12+8*i:], b.slot)
		be.PutUint32(sb[16+8*i:], uint32(len(sb)))
		lay.Blobs = append(lay.Blobs, BlobPos{Slot: b.slot, Off: sigOff + len(sb), Len: len(b.data)})
		sb = append(sb, b.data...)
	}
	be.PutUint32(sb[4:], uint32(len(sb)))
	if len(sb)+len(p.s.Trailer) > p.sigSize {
		return nil, nil, fmt.Errorf("machofile: signature is %d bytes, %d reserved", len(sb)+len(p.s.Trailer), p.sigSize)
	}
	sb = append(sb, p.s.Trailer...)
	sb = append(sb, make([]byte, p.sigSize-len(sb))...)
	return sb, lay, nil
}

func cdSlot(i int) uint32 {
	if i == 0 {
		return SlotCodeDirectory
	}
	return SlotAlternate + uint32(i-1)
}
