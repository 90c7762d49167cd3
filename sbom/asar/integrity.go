package asar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"strings"
)

// maxBlockSize caps an integrity block size read from a header (1 GiB).
const maxBlockSize = 1 << 30

// VerifyFile reads the named file once (following links) and returns the
// lowercase hex SHA-256 of its bytes. It compares that digest, and the
// digest of each block, with the integrity the header records: the error
// wraps [ErrNoIntegrity] when there is none, and is an [*EntryError]
// wrapping [ErrIntegrity] (at the offset of the first bad block) when they
// differ. The digest is returned whenever the bytes could be read.
func (ar *Reader) VerifyFile(name string) (string, error) {
	e, err := ar.resolve("read", name, true)
	if err != nil {
		return "", err
	}
	if e.Kind != KindFile {
		return "", &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	sr, closer, err := ar.contents(e)
	if err != nil {
		return "", err
	}
	if closer != nil {
		defer closer.Close()
	}
	base := int64(0)
	if !e.Unpacked {
		base = ar.DataOffset() + e.Offset
	}
	in := e.Integrity
	whole := sha256.New()
	if in == nil {
		if _, err := io.Copy(whole, sr); err != nil {
			return "", &EntryError{Path: e.Path, Offset: base, Err: err}
		}
		return hex.EncodeToString(whole.Sum(nil)), &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrNoIntegrity}
	}
	mismatch := func(off int64, detail string) *EntryError {
		return &EntryError{Path: e.Path, Offset: off, Err: ErrIntegrity, Detail: detail}
	}
	var bad *EntryError
	if !strings.EqualFold(in.Algorithm, "SHA256") {
		bad = mismatch(e.headerOff, fmt.Sprintf("algorithm %q is not SHA256", in.Algorithm))
	} else if in.BlockSize <= 0 || in.BlockSize > maxBlockSize {
		bad = mismatch(e.headerOff, fmt.Sprintf("block size %d out of range", in.BlockSize))
	} else if want := blockCount(e.Size, in.BlockSize); int64(len(in.Blocks)) != want {
		bad = mismatch(e.headerOff, fmt.Sprintf("%d blocks recorded, %d bytes need %d", len(in.Blocks), e.Size, want))
	}
	if bad != nil {
		if _, err := io.Copy(whole, sr); err != nil {
			return "", &EntryError{Path: e.Path, Offset: base, Err: err}
		}
		return hex.EncodeToString(whole.Sum(nil)), bad
	}
	block := sha256.New()
	buf := make([]byte, min(in.BlockSize, 256<<10, max(e.Size, 1)))
	var sum [sha256.Size]byte
	checkBlock := func(i int64, h hash.Hash) {
		if bad == nil && !strings.EqualFold(hex.EncodeToString(h.Sum(sum[:0])), in.Blocks[i]) {
			bad = mismatch(base+i*in.BlockSize, fmt.Sprintf("block %d differs from the header's integrity", i))
		}
	}
	var n, inBlock, idx int64
	for n < e.Size {
		chunk := min(int64(len(buf)), e.Size-n, in.BlockSize-inBlock)
		if _, err := io.ReadFull(sr, buf[:chunk]); err != nil {
			return "", &EntryError{Path: e.Path, Offset: base + n, Err: err}
		}
		whole.Write(buf[:chunk])
		block.Write(buf[:chunk])
		n += chunk
		inBlock += chunk
		if inBlock == in.BlockSize {
			checkBlock(idx, block)
			block.Reset()
			idx++
			inBlock = 0
		}
	}
	if inBlock > 0 || e.Size == 0 {
		checkBlock(idx, block)
	}
	digest := hex.EncodeToString(whole.Sum(nil))
	if bad == nil && !strings.EqualFold(digest, in.Hash) {
		bad = mismatch(base, "file hash differs from the header's integrity")
	}
	if bad != nil {
		return digest, bad
	}
	return digest, nil
}

// blockCount is the number of integrity blocks of a file: at least one.
func blockCount(size, blockSize int64) int64 {
	if size == 0 {
		return 1
	}
	return (size + blockSize - 1) / blockSize
}
