package asar

import (
	"errors"
	"fmt"
)

// ErrBlocksNeeded is returned by [Reader.CheckDigests] for a file of more
// than one integrity block whose blocks' digests were not given.
var ErrBlocksNeeded = errors.New("asar: block digests needed")

// CheckDigests compares digests of the file e's bytes, computed by the
// caller while reading them (one pass that hashes the archive and its
// entries), with e's integrity, as [Reader.VerifyFile] does: sum is the
// SHA-256 of the whole file and blocks the SHA-256 of each of its
// integrity blocks (of e.Integrity.BlockSize bytes, the last shorter), in
// order. blocks may be nil when the integrity records one block, whose
// digest is sum; for more it returns [ErrBlocksNeeded] when they are nil.
// The error wraps [ErrNoIntegrity] when e has none and is an [*EntryError]
// wrapping [ErrIntegrity] when the digests differ, as VerifyFile's.
func (ar *Reader) CheckDigests(e *Entry, sum []byte, blocks [][]byte) error {
	if e.Kind != KindFile {
		return &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrMalformedEntry, Detail: "not a file"}
	}
	if bad := unusableIntegrity(e); bad != nil {
		return bad
	}
	in := e.Integrity
	base := int64(0)
	if !e.Unpacked {
		base = ar.DataOffset() + e.Offset
	}
	switch {
	case len(in.Blocks) == 1 && blocks == nil:
		if !hexEqualFold(sum, in.Blocks[0]) {
			return blockErr(e, base, 0)
		}
	case len(blocks) != len(in.Blocks):
		if blocks == nil {
			return ErrBlocksNeeded
		}
		return integrityMismatch(e, e.headerOff, fmt.Sprintf("%d blocks hashed, %d recorded", len(blocks), len(in.Blocks)))
	default:
		for i, b := range blocks {
			if !hexEqualFold(b, in.Blocks[i]) {
				return blockErr(e, base, int64(i))
			}
		}
	}
	if !hexEqualFold(sum, in.Hash) {
		return hashErr(e, base)
	}
	return nil
}

// hexEqualFold reports whether want is the hex encoding of sum, in
// either case, without encoding sum.
func hexEqualFold(sum []byte, want string) bool {
	const digits = "0123456789abcdef"
	if len(want) != 2*len(sum) {
		return false
	}
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'F' {
			return c + 'a' - 'A'
		}
		return c
	}
	for i, b := range sum {
		if lower(want[2*i]) != digits[b>>4] || lower(want[2*i+1]) != digits[b&15] {
			return false
		}
	}
	return true
}

// blockErr is the error of file e, whose bytes start at base, whose block
// i differs from its integrity.
func blockErr(e *Entry, base, i int64) *EntryError {
	return integrityMismatch(e, base+i*e.Integrity.BlockSize, fmt.Sprintf("block %d differs from the header's integrity", i))
}

// hashErr is the error of file e, whose bytes start at base, whose
// whole-file hash differs from its integrity.
func hashErr(e *Entry, base int64) *EntryError {
	return integrityMismatch(e, base, "file hash differs from the header's integrity")
}
