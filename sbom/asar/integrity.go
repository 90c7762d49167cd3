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
	digest, _, err := ar.VerifyFileHead(name, nil)
	return digest, err
}

// VerifyFileHead is [Reader.VerifyFile] that also copies the file's first
// bytes into head, as they are read, and returns how many it copied: the
// caller that must tell the file's kind need not read them again.
func (ar *Reader) VerifyFileHead(name string, head []byte) (string, int, error) {
	e, err := ar.resolve("read", name, true)
	if err != nil {
		return "", 0, err
	}
	if e.Kind != KindFile {
		return "", 0, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	sr, closer, err := ar.contents(e)
	if err != nil {
		return "", 0, err
	}
	if closer != nil {
		defer closer.Close()
	}
	base := int64(0)
	if !e.Unpacked {
		base = ar.DataOffset() + e.Offset
	}
	return verifyEntry(e, base, sr, nil, head)
}

// VerifyEntryData is [Reader.VerifyFileHead] for the packed file e of the
// archive (a file of [Reader.Walk], not a link) whose bytes the caller has
// read, data, from the archive at [Reader.DataOffset] + e.Offset (see
// [Reader.ArchiveReaderAt]): many small files are read with one read. The
// first bytes are data's own, so there is no head to copy them into.
func (ar *Reader) VerifyEntryData(e *Entry, data []byte) (string, error) {
	if e.Kind != KindFile || e.Unpacked {
		return "", &fs.PathError{Op: "read", Path: e.Path, Err: fs.ErrInvalid}
	}
	if int64(len(data)) != e.Size {
		return "", &EntryError{Path: e.Path, Offset: ar.DataOffset() + e.Offset, Err: io.ErrUnexpectedEOF,
			Detail: fmt.Sprintf("given %d bytes, header records %d", len(data), e.Size)}
	}
	sum, _, err := verifyEntry(e, ar.DataOffset()+e.Offset, nil, data, nil)
	return sum, err
}

// ArchiveReaderAt returns the archive's bytes, from its first: a file's
// are at [Reader.DataOffset] plus its offset, when it is not unpacked.
func (ar *Reader) ArchiveReaderAt() io.ReaderAt { return ar.r }

// verifyEntry hashes the file e, whose bytes start at base (in the
// archive, or 0 when unpacked), read from sr, or when sr is nil given as
// data, and checks them against e's integrity; see [Reader.VerifyFileHead].
func verifyEntry(e *Entry, base int64, sr io.Reader, data, head []byte) (string, int, error) {
	h := &entryHash{e: e, base: base, sr: sr, data: data, head: head, whole: sha256.New()}
	if bad := unusableIntegrity(e); bad != nil {
		digest, n, err := h.hashAll()
		if err != nil {
			return "", 0, err
		}
		return digest, n, bad
	}
	return h.hashBlocks()
}

// unusableIntegrity returns the error of an entry whose integrity cannot
// be checked block by block: none, or one whose algorithm, block size or
// count of blocks is wrong. It returns nil for one that can.
func unusableIntegrity(e *Entry) *EntryError {
	in := e.Integrity
	switch {
	case in == nil:
		return &EntryError{Path: e.Path, Offset: e.headerOff, Err: ErrNoIntegrity}
	case !strings.EqualFold(in.Algorithm, "SHA256"):
		return integrityMismatch(e, e.headerOff, fmt.Sprintf("algorithm %q is not SHA256", in.Algorithm))
	case in.BlockSize <= 0 || in.BlockSize > maxBlockSize:
		return integrityMismatch(e, e.headerOff, fmt.Sprintf("block size %d out of range", in.BlockSize))
	}
	if want := blockCount(e.Size, in.BlockSize); int64(len(in.Blocks)) != want {
		return integrityMismatch(e, e.headerOff, fmt.Sprintf("%d blocks recorded, %d bytes need %d", len(in.Blocks), e.Size, want))
	}
	return nil
}

// integrityMismatch is the error of file e whose bytes at off (or whose
// integrity, at its header offset) differ from its integrity.
func integrityMismatch(e *Entry, off int64, detail string) *EntryError {
	return &EntryError{Path: e.Path, Offset: off, Err: ErrIntegrity, Detail: detail}
}

// entryHash hashes the bytes of one file, for verifyEntry.
type entryHash struct {
	e     *Entry
	base  int64     // where the file's bytes start
	sr    io.Reader // the file's bytes, or nil when given as data
	data  []byte
	head  []byte // the first bytes are copied into it
	whole hash.Hash
	sum   [sha256.Size]byte // a digest's bytes
}

// hashAll hashes the whole file, when its blocks are not checked, and
// returns its digest and how many bytes it copied into head.
func (h *entryHash) hashAll() (string, int, error) {
	hw := &headWriter{w: h.whole, head: h.head}
	if h.sr == nil {
		hw.Write(h.data)
	} else if _, err := io.Copy(hw, h.sr); err != nil {
		return "", 0, &EntryError{Path: h.e.Path, Offset: h.base, Err: err}
	}
	return hex.EncodeToString(h.whole.Sum(nil)), hw.n, nil
}

// hashBlocks hashes the file once, checks each of its blocks and the
// whole against its integrity, whose fields unusableIntegrity accepted,
// and returns its digest and how many bytes it copied into head.
func (h *entryHash) hashBlocks() (string, int, error) {
	e, in := h.e, h.e.Integrity
	// A file of one block has the block's digest: it is hashed once.
	var block hash.Hash
	if len(in.Blocks) > 1 {
		block = sha256.New()
	}
	var buf []byte
	if h.sr != nil {
		buf = make([]byte, min(in.BlockSize, 256<<10, max(e.Size, 1)))
	}
	var bad *EntryError
	checkBlock := func(i int64, b hash.Hash) {
		if bad == nil && !hexEqualFold(b.Sum(h.sum[:0]), in.Blocks[i]) {
			bad = blockErr(e, h.base, i)
		}
	}
	var n, inBlock, idx int64
	copied := 0
	for n < e.Size {
		b, err := h.read(buf, n, in.BlockSize-inBlock)
		if err != nil {
			return "", 0, err
		}
		chunk := int64(len(b))
		copied += copy(h.head[copied:], b)
		h.whole.Write(b)
		n += chunk
		if block == nil {
			continue
		}
		block.Write(b)
		inBlock += chunk
		if inBlock == in.BlockSize {
			checkBlock(idx, block)
			block.Reset()
			idx++
			inBlock = 0
		}
	}
	digest := h.digest()
	if block == nil {
		// The one block's digest is the file's: compared as checkBlock
		// would, without hashing and encoding it again.
		if !strings.EqualFold(digest, in.Blocks[0]) {
			bad = blockErr(e, h.base, 0)
		}
	} else if inBlock > 0 {
		checkBlock(idx, block)
	}
	if bad == nil && !strings.EqualFold(digest, in.Hash) {
		bad = hashErr(e, h.base)
	}
	if bad != nil {
		return digest, copied, bad
	}
	return digest, copied, nil
}

// read returns the file's next bytes from byte n, at most limit of them:
// a window of data, or read from sr into buf.
func (h *entryHash) read(buf []byte, n, limit int64) ([]byte, error) {
	if h.sr == nil {
		return h.data[n : n+min(h.e.Size-n, limit)], nil
	}
	b := buf[:min(int64(len(buf)), h.e.Size-n, limit)]
	if _, err := io.ReadFull(h.sr, b); err != nil {
		return nil, &EntryError{Path: h.e.Path, Offset: h.base + n, Err: err}
	}
	return b, nil
}

// digest returns the hex digest of the whole file: the header's string
// when it is the digest (as it is unless the entry was changed), not a
// copy.
func (h *entryHash) digest() string {
	var dhex [2 * sha256.Size]byte
	hex.Encode(dhex[:], h.whole.Sum(h.sum[:0]))
	if string(dhex[:]) != h.e.Integrity.Hash {
		return string(dhex[:])
	}
	return h.e.Integrity.Hash
}

// headWriter passes writes to w, copying the first bytes into head.
type headWriter struct {
	w    io.Writer
	head []byte
	n    int
}

func (h *headWriter) Write(p []byte) (int, error) {
	h.n += copy(h.head[h.n:], p)
	return h.w.Write(p)
}

// blockCount is the number of integrity blocks of a file: at least one.
func blockCount(size, blockSize int64) int64 {
	if size == 0 {
		return 1
	}
	return (size + blockSize - 1) / blockSize
}
