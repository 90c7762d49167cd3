package asar

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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
	digest := hex.EncodeToString(sum)
	switch {
	case len(in.Blocks) == 1 && blocks == nil:
		if bad := blockMismatch(e, base, 0, digest); bad != nil {
			return bad
		}
	case len(blocks) != len(in.Blocks):
		if blocks == nil {
			return ErrBlocksNeeded
		}
		return integrityMismatch(e, e.headerOff, fmt.Sprintf("%d blocks hashed, %d recorded", len(blocks), len(in.Blocks)))
	default:
		for i, b := range blocks {
			if bad := blockMismatch(e, base, int64(i), hex.EncodeToString(b)); bad != nil {
				return bad
			}
		}
	}
	if bad := hashMismatch(e, base, digest); bad != nil {
		return bad
	}
	return nil
}

// blockMismatch returns the error of file e, whose bytes start at base,
// when digest (lowercase hex) is not the digest of block i its integrity
// records, else nil.
func blockMismatch(e *Entry, base, i int64, digest string) *EntryError {
	if strings.EqualFold(digest, e.Integrity.Blocks[i]) {
		return nil
	}
	return integrityMismatch(e, base+i*e.Integrity.BlockSize, fmt.Sprintf("block %d differs from the header's integrity", i))
}

// hashMismatch returns the error of file e, whose bytes start at base,
// when digest (lowercase hex) is not the file hash its integrity records,
// else nil.
func hashMismatch(e *Entry, base int64, digest string) *EntryError {
	if strings.EqualFold(digest, e.Integrity.Hash) {
		return nil
	}
	return integrityMismatch(e, base, "file hash differs from the header's integrity")
}
