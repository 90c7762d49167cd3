package asar

import (
	"io/fs"
	"strings"
)

// VerifyEntrySum is [Reader.VerifyEntryData] for a packed file e (a file
// of [Reader.Walk], not a link) whose bytes the caller has already hashed:
// digest is the lowercase hex SHA-256 of exactly e.Size bytes, the file's
// as read from the archive. When the integrity the header records can be
// judged from that digest alone (none, one that is unusable, or one of a
// single block), it returns ok and the digest and error that
// VerifyEntryData would return for those bytes. When the file has more
// than one block, each of which must be hashed, it returns ok false and
// checks nothing: the caller verifies the bytes with VerifyEntryData.
//
// A digest that is not the bytes' makes the verdict wrong: this is for a
// caller that hashed the very bytes (or bytes equal to them) itself, such
// as a diff reading the same file in two releases.
func (ar *Reader) VerifyEntrySum(e *Entry, digest string) (sum string, ok bool, err error) {
	if e.Kind != KindFile || e.Unpacked {
		return "", true, &fs.PathError{Op: "read", Path: e.Path, Err: fs.ErrInvalid}
	}
	if bad := unusableIntegrity(e); bad != nil {
		return digest, true, bad
	}
	if len(e.Integrity.Blocks) != 1 {
		return "", false, nil
	}
	if bad := oneBlockErr(e, ar.DataOffset()+e.Offset, digest); bad != nil {
		return digest, true, bad
	}
	return digest, true, nil
}

// oneBlockErr judges digest, the SHA-256 of file e whose bytes start at
// base and whose usable integrity records one block: the block's digest
// is the file's, compared as each block's would be, without hashing the
// bytes again; then the whole's. It returns nil when both match.
func oneBlockErr(e *Entry, base int64, digest string) *EntryError {
	if !strings.EqualFold(digest, e.Integrity.Blocks[0]) {
		return blockErr(e, base, 0)
	}
	if !strings.EqualFold(digest, e.Integrity.Hash) {
		return hashErr(e, base)
	}
	return nil
}
