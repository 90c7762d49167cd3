package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// digestExchange lets the two inventories of a diff ([DiffReleases]),
// read at the same time, hash a file they both hold only once. Between
// two releases of an application most files are the same: the first side
// to read a file at a path hashes its bytes and leaves them here with
// their digest; the other side, reading the file at that path, compares
// its own bytes with them (far cheaper than SHA-256) and, when they are
// equal, takes the digest. Byte equality is stronger than digest equality,
// and each side still reads, judges and describes its own bytes: only the
// digest is shared, and it is the digest of those very bytes (the bytes
// left here are the bytes hashed, copied, never read again), so a file
// that changes while it is read cannot lend its digest to other bytes.
// Which side hashes depends on timing, the digests do not: the
// inventories are what [Open] gives each release alone.
//
// Only files read whole with one read are shared (packed asar files read
// in batches, and files of up to one hashing buffer), and the bytes left
// here, waiting for the other side, are at most exchangeBudget.
type digestExchange struct {
	mu    sync.Mutex
	files map[string]sharedFile
	held  int
	// taken counts the digests taken rather than computed.
	taken atomic.Int64
}

// exchangeBudget bounds the bytes a digestExchange holds for the side
// that has not reached them yet; each file left counts entryCost more,
// for its digest and its place in the map, so that a release of many
// tiny files cannot fill memory with them.
const (
	exchangeBudget = 64 << 20
	entryCost      = 128
)

// sharedFile is a file's bytes and their digest, left by side.
type sharedFile struct {
	side int
	data []byte
	sum  string
}

// exchangeSide is one inventory's end of a digestExchange; a nil one
// shares nothing.
type exchangeSide struct {
	x    *digestExchange
	side int
}

// newExchange returns a new digestExchange.
func newExchange() *digestExchange {
	return &digestExchange{files: make(map[string]sharedFile)}
}

// take returns the digest the other side left for path when its bytes
// there equal data, the bytes of this side's file at path; it reports
// whether it found one. What the other side left at path is consumed
// either way; found, when no bytes were left, says whether take should
// leave this side's (see put).
func (s *exchangeSide) take(path string, data []byte) (sum string, ok, found bool) {
	if s == nil {
		return "", false, true
	}
	s.x.mu.Lock()
	f, there := s.x.files[path]
	if there && f.side != s.side {
		delete(s.x.files, path)
		s.x.held -= len(f.data) + entryCost
	}
	s.x.mu.Unlock()
	if !there {
		return "", false, false
	}
	if f.side == s.side || !bytes.Equal(f.data, data) {
		// A second file at path on this side, or other bytes.
		return "", false, true
	}
	s.x.taken.Add(1)
	return f.sum, true, true
}

// put leaves a copy of data, this side's bytes at path, and sum, their
// digest, for the other side, unless the budget is spent or something is
// at path already (the other side's, left while this side hashed: both
// hashed, and neither needs the other's now).
func (s *exchangeSide) put(path string, data []byte, sum string) {
	if s == nil {
		return
	}
	s.x.mu.Lock()
	defer s.x.mu.Unlock()
	if f, there := s.x.files[path]; there {
		if f.side != s.side {
			delete(s.x.files, path)
			s.x.held -= len(f.data) + entryCost
		}
		return
	}
	if s.x.held+len(data)+entryCost > exchangeBudget {
		return
	}
	s.x.held += len(data) + entryCost
	s.x.files[path] = sharedFile{side: s.side, data: bytes.Clone(data), sum: sum}
}

// fileSum hashes the bytes of one file that hashItem reads: through a
// *sharedSum for a file read with one read, when the inventory shares
// digests, straight into a SHA-256 hash otherwise.
type fileSum struct {
	h hash.Hash
	s *sharedSum
}

// writer returns where the file's bytes are to be written.
func (f fileSum) writer() io.Writer {
	if f.s != nil {
		return f.s
	}
	return f.h
}

// hex returns the lowercase hex digest of the bytes written.
func (f fileSum) hex() string {
	if f.s != nil {
		return f.s.hex()
	}
	return hex.EncodeToString(f.h.Sum(nil))
}

// sharedSum is the fileSum of a file of at most one buffer, size bytes:
// when they are written with one write, it keeps them (the caller does not
// change them before hex) and hashes them at hex, unless the other side of
// the exchange has the same bytes at the same path, whose digest it takes.
// Bytes written in parts (a reader that returned fewer than asked) are
// hashed as they come, and shared with no one.
type sharedSum struct {
	x    *exchangeSide
	path string
	size int
	data []byte
	h    hash.Hash // set once bytes come in parts
}

func (s *sharedSum) Write(p []byte) (int, error) {
	if s.h == nil && s.data == nil && len(p) == s.size {
		s.data = p
		return len(p), nil
	}
	if s.h == nil {
		s.h = sha256.New()
		s.h.Write(s.data) // nil unless the whole was written before
		s.data = nil
	}
	return s.h.Write(p)
}

func (s *sharedSum) hex() string {
	if s.h != nil || s.data == nil {
		return hex.EncodeToString(s.hash().Sum(nil))
	}
	sum, ok, found := s.x.take(s.path, s.data)
	if ok {
		return sum
	}
	h := sha256.Sum256(s.data)
	d := hex.EncodeToString(h[:])
	if !found {
		s.x.put(s.path, s.data, d)
	}
	return d
}

// hash returns the hash of bytes written in parts (or of none).
func (s *sharedSum) hash() hash.Hash {
	if s.h == nil {
		s.h = sha256.New()
	}
	return s.h
}

// newFileSum returns the fileSum of the file it, of size bytes, that
// hashItem reads into a buffer of bufLen bytes.
func (b *builder) newFileSum(it *item, size int64, bufLen int) fileSum {
	if b.opts.share == nil || size == 0 || size > int64(bufLen) {
		return fileSum{h: sha256.New()}
	}
	return fileSum{s: &sharedSum{x: b.opts.share, path: it.path, size: int(size)}}
}

// verifyEntryData is asar.Reader.VerifyEntryData for the packed file it of
// b.ar whose bytes, data, were read in a batch: data is reused once it
// returns. The digest is the other side's when it left the same bytes at
// the same path, and when b.ar's integrity can be judged from it
// (asar.Reader.VerifyEntrySum); otherwise the bytes are hashed, and left
// for the other side.
func (b *builder) verifyEntryData(it *item, data []byte) (string, error) {
	x := b.opts.share
	if x == nil || len(data) == 0 {
		return b.ar.VerifyEntryData(it.entry, data)
	}
	other, ok, found := x.take(it.path, data)
	if ok {
		if sum, judged, err := b.ar.VerifyEntrySum(it.entry, other); judged {
			return sum, err
		}
	}
	sum, err := b.ar.VerifyEntryData(it.entry, data)
	if !found && sum != "" {
		x.put(it.path, data, sum)
	}
	return sum, err
}
