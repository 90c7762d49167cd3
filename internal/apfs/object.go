package apfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Object types (obj_phys_t's o_type, masked by objTypeMask) and flags.
const (
	typeNXSuperblock = 0x01
	typeBtree        = 0x02
	typeBtreeNode    = 0x03
	typeOmap         = 0x0b
	typeCheckpoint   = 0x0c
	typeFS           = 0x0d
	typeFSTree       = 0x0e

	objTypeMask    = 0x0000ffff
	objStorageMask = 0xc0000000
	objPhysical    = 0x40000000
	objEphemeral   = 0x80000000
	objVirtual     = 0x00000000
	objNoHeader    = 0x20000000
	objEncrypted   = 0x10000000
)

// objHeaderSize is the size of obj_phys_t.
const objHeaderSize = 32

var le = binary.LittleEndian

// FormatError results when the container or volume cannot be read.
// Offset is the byte of the container the reason concerns.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("apfs: %s (at byte %#x)", e.Reason, e.Offset)
}

// UnsupportedError results when the container or volume uses a feature
// the reader does not implement (encryption, a sealed volume, a fusion
// container, a volume reverted to or rooted in a snapshot…): its files
// cannot be read, though macOS may mount it.
type UnsupportedError struct {
	Feature string
}

func (e *UnsupportedError) Error() string { return "apfs: unsupported: " + e.Feature }

// ErrNotAPFS results when block 0 is not an APFS container superblock.
var ErrNotAPFS = errors.New("apfs: not an APFS container (no NXSB magic at byte 32)")

// Fletcher64 returns the checksum APFS stores in an object's first eight
// bytes, computed over the rest of it (b[8:]) read as little-endian
// 32-bit words modulo 2^32-1. len(b) must be a multiple of four.
func Fletcher64(b []byte) uint64 {
	const mod = 0xffffffff
	var s1, s2 uint64
	for i := 8; i+4 <= len(b); i += 4 {
		s1 += uint64(le.Uint32(b[i:]))
		s2 += s1
		if i&0xfff == 0 { // keep the sums far from overflowing
			s1 %= mod
			s2 %= mod
		}
	}
	s1 %= mod
	s2 %= mod
	c1 := mod - (s1+s2)%mod
	c2 := mod - (s1+c1)%mod
	return c2<<32 | c1
}

// object is one checked object block.
type object struct {
	b       []byte
	addr    uint64 // physical block
	oid     uint64
	xid     uint64
	typ     uint32 // o_type with its flags
	subtype uint32
}

func (o object) kind() uint32 { return o.typ & objTypeMask }

// readBlock reads physical block addr of the container.
func (c *container) readBlock(addr uint64) ([]byte, error) {
	if addr >= c.blockCount {
		return nil, &FormatError{Offset: -1, Reason: fmt.Sprintf("block %d past the container's %d blocks", addr, c.blockCount)}
	}
	off := int64(addr) * int64(c.blockSize)
	if off+int64(c.blockSize) > c.size {
		return nil, &FormatError{Offset: off, Reason: fmt.Sprintf("block %d past the end of the partition (%d bytes)", addr, c.size)}
	}
	if c.reads++; c.reads > c.maxReads {
		return nil, &FormatError{Offset: off, Reason: fmt.Sprintf("more than %d blocks read", c.maxReads)}
	}
	b := make([]byte, c.blockSize)
	if _, err := c.r.ReadAt(b, off); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("apfs: reading block %d: %w", addr, err)
	}
	return b, nil
}

// readObject reads the object at physical block addr and checks its
// checksum, its type (want, without flags) and, when non-zero, its oid
// and that its xid is not after maxXid.
func (c *container) readObject(addr uint64, want uint32, oid, maxXid uint64) (object, error) {
	b, err := c.readBlock(addr)
	if err != nil {
		return object{}, err
	}
	return checkObject(b, addr, int64(addr)*int64(c.blockSize), want, oid, maxXid)
}

func checkObject(b []byte, addr uint64, off int64, want uint32, oid, maxXid uint64) (object, error) {
	o := object{b: b, addr: addr, oid: le.Uint64(b[8:]), xid: le.Uint64(b[16:]), typ: le.Uint32(b[24:]), subtype: le.Uint32(b[28:])}
	if sum := Fletcher64(b); sum != le.Uint64(b) {
		return o, &FormatError{Offset: off, Reason: fmt.Sprintf("object at block %d: checksum %#016x, stored %#016x", addr, sum, le.Uint64(b))}
	}
	if o.typ&(objNoHeader|objEncrypted) != 0 {
		return o, &UnsupportedError{Feature: fmt.Sprintf("object at block %d has type flags %#x (encrypted or headerless)", addr, o.typ)}
	}
	if o.kind() != want {
		return o, &FormatError{Offset: off, Reason: fmt.Sprintf("object at block %d has type %#x, not %#x", addr, o.kind(), want)}
	}
	if oid != 0 && o.oid != oid {
		return o, &FormatError{Offset: off, Reason: fmt.Sprintf("object at block %d has oid %d, not %d", addr, o.oid, oid)}
	}
	if maxXid != 0 && o.xid > maxXid {
		return o, &FormatError{Offset: off, Reason: fmt.Sprintf("object at block %d has xid %d, after the checkpoint's %d", addr, o.xid, maxXid)}
	}
	return o, nil
}
