package git

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"
)

// packs reads commits and trees straight from a repository's pack files
// (pack index v2). go-git's object storage costs tens of microseconds per
// object, which dominates a history walk that reads one root tree per
// commit; this reader maps the packs into memory (or keeps them open where
// mapping is unsupported), inflates into reused state and caches delta
// bases. Objects it cannot find (loose objects, other index versions) are
// read through go-git by the caller.
//
// A packs is used by one goroutine at a time; fork gives another goroutine
// its own reader over the same packs.
type packs struct {
	list []*pack
	// forked readers share list and leave closing it to the original.
	forked bool
	zr     io.ReadCloser
	br     *bufio.Reader
	mr     *bytes.Reader
	// cache holds recently read objects by (pack, offset): delta chains of
	// consecutive root trees share their bases. It is direct-mapped (an
	// object's offset picks its one slot), as cheap to consult as git's
	// delta base cache; cacheBytes is what it holds.
	cache      []cacheSlot
	cacheBytes int
	// checker checks the id of every object read.
	checker objectChecker
}

// cacheSlot is one cached object; p is nil when the slot is empty.
type cacheSlot struct {
	p    *pack
	off  int64
	typ  plumbing.ObjectType
	data []byte
	// id is the id the object was read by and its content checked
	// against (see checkObjectHash); zero when it was read only as a
	// delta base.
	id plumbing.Hash
}

// newPacks returns a reader over the given packs.
func newPacks(list []*pack) *packs {
	return &packs{list: list, cache: make([]cacheSlot, packCacheSize)}
}

// slot returns the cache slot of the object at off in p.
func (ps *packs) slot(p *pack, off int64) *cacheSlot {
	h := (uint64(off) ^ p.seq<<48) * 0x9e3779b97f4a7c15
	return &ps.cache[h>>(64-packCacheBits)]
}

// pack is one .pack file with its v2 index.
type pack struct {
	name    string
	f       *os.File
	size    int64
	fanout  [256]uint32
	hashes  []byte // n * 20
	offsets []byte // n * 4
	large   []byte // m * 8
	// seq numbers the packs of one reader, for the cache.
	seq uint64
	// data is the whole pack file mapped read-only, or nil when it could
	// not be mapped (then objects are read with ReadAt).
	data []byte
}

const (
	// maxPackObject caps the size of a commit or tree read from a pack.
	maxPackObject = 64 << 20
	// maxDeltaDepth bounds delta chains (git's default is 50).
	maxDeltaDepth = 1000
	// packCacheSize is the number of cache slots, 1<<packCacheBits.
	packCacheBits = 12
	packCacheSize = 1 << packCacheBits
	// packCacheBytes caps the bytes the cache holds: 4096 objects of up to
	// 1 MiB each, which a hostile pack makes from a few bytes of delta
	// copies each, would otherwise hold 4 GiB.
	packCacheBytes = 32 << 20
)

// errNotInPack means the object is not in any pack this reader knows.
var errNotInPack = errors.New("object not in a readable pack")

// openPacks opens objects/pack/*.idx (version 2) under gitDir. Packs it
// cannot read are skipped, their objects left to go-git.
func openPacks(gitDir string) *packs {
	ps := newPacks(nil)
	idxs, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "pack-*.idx"))
	sort.Strings(idxs)
	for _, idx := range idxs {
		p, err := openPack(idx)
		if err == nil {
			p.seq = uint64(len(ps.list))
			ps.list = append(ps.list, p)
		}
	}
	return ps
}

func openPack(idxName string) (*pack, error) {
	b, err := os.ReadFile(idxName)
	if err != nil {
		return nil, err
	}
	if len(b) < 8+256*4 || !bytes.Equal(b[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return nil, fmt.Errorf("%s: not a version 2 pack index", idxName)
	}
	p := &pack{name: strings.TrimSuffix(idxName, ".idx") + ".pack"}
	for i := range 256 {
		p.fanout[i] = binary.BigEndian.Uint32(b[8+4*i:])
	}
	n := int(p.fanout[255])
	need := 8 + 256*4 + n*20 + n*4 + n*4 + 40
	if n < 0 || need > len(b) || uint64(n) > uint64(len(b)) {
		return nil, fmt.Errorf("%s: index truncated", idxName)
	}
	off := 8 + 256*4
	p.hashes = b[off : off+n*20]
	off += n*20 + n*4 // skip CRCs
	p.offsets = b[off : off+n*4]
	off += n * 4
	p.large = b[off : len(b)-40]
	f, err := os.Open(p.name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	p.f, p.size = f, st.Size()
	if p.size < 32 {
		f.Close()
		return nil, fmt.Errorf("%s: truncated pack", p.name)
	}
	if d, err := mapFile(f, p.size); err == nil {
		p.data = d
	}
	return p, nil
}

// fork returns a reader over the same packs with its own inflate state and
// cache, for use by another goroutine. Closing it does nothing; the packs
// stay open until ps is closed.
func (ps *packs) fork() *packs {
	f := newPacks(ps.list)
	f.forked = true
	return f
}

func (ps *packs) close() {
	if ps.forked {
		return
	}
	for _, p := range ps.list {
		if p.data != nil {
			unmapFile(p.data)
			p.data = nil
		}
		p.f.Close()
	}
}

// find returns the offset of h in p. Object ids are uniformly distributed,
// so a few interpolation steps (guessing h's position from its value
// between the range's ends) narrow the fanout range before a binary
// search; the steps are capped, so ids an attacker clustered cost no more
// than a binary search.
func (p *pack) find(h plumbing.Hash) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(p.fanout[h[0]-1])
	}
	hi := int(p.fanout[h[0]])
	if hi > len(p.hashes)/20 || lo > hi {
		return 0, false
	}
	key := binary.BigEndian.Uint64(h[:8])
	cmp := func(i int) int {
		e := p.hashes[i*20 : i*20+20]
		if v := binary.BigEndian.Uint64(e); v != key {
			if v < key {
				return -1
			}
			return 1
		}
		return bytes.Compare(e[8:], h[8:])
	}
	i := -1
	for step := 0; step < 3 && hi-lo > 8 && i < 0; step++ {
		kl := binary.BigEndian.Uint64(p.hashes[lo*20:])
		kh := binary.BigEndian.Uint64(p.hashes[(hi-1)*20:])
		if key < kl || key > kh {
			return 0, false
		}
		if kh == kl {
			break
		}
		mid := lo + int(float64(key-kl)/float64(kh-kl)*float64(hi-1-lo))
		mid = max(lo, min(mid, hi-1))
		switch c := cmp(mid); {
		case c < 0:
			lo = mid + 1
		case c > 0:
			hi = mid
		default:
			i = mid
		}
	}
	for i < 0 && lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := cmp(mid); {
		case c < 0:
			lo = mid + 1
		case c > 0:
			hi = mid
		default:
			i = mid
		}
	}
	if i < 0 {
		return 0, false
	}
	o := binary.BigEndian.Uint32(p.offsets[i*4:])
	if o&0x80000000 == 0 {
		return int64(o), true
	}
	li := int(o & 0x7fffffff)
	if li*8+8 > len(p.large) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.large[li*8:])), true
}

// read returns the type and content of h; the content must not be modified
// and stays valid (it may be shared with the cache).
func (ps *packs) read(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	return ps.readDepth(h, 0)
}

// readDepth reads object h, checking that its content hashes to h: a pack
// index can point an id at any object of the pack.
func (ps *packs) readDepth(h plumbing.Hash, depth int) (plumbing.ObjectType, []byte, error) {
	for _, p := range ps.list {
		off, ok := p.find(h)
		if !ok {
			continue
		}
		if sl := ps.slot(p, off); sl.p == p && sl.off == off && sl.id == h {
			return sl.typ, sl.data, nil
		}
		typ, b, err := ps.readAt(p, off, depth)
		if err != nil {
			return 0, nil, err
		}
		if err := ps.checker.check(h, typ, b); err != nil {
			return 0, nil, fmt.Errorf("%s: offset %d: %w", p.name, off, err)
		}
		if sl := ps.slot(p, off); sl.p == p && sl.off == off {
			sl.id = h
		}
		return typ, b, nil
	}
	return 0, nil, errNotInPack
}

// remember caches an object in its slot, evicting the slot's object. An
// object that would take the cache over packCacheBytes is not cached.
func (ps *packs) remember(p *pack, off int64, typ plumbing.ObjectType, data []byte) {
	if len(data) > 1<<20 {
		return
	}
	sl := ps.slot(p, off)
	ps.cacheBytes -= len(sl.data)
	*sl = cacheSlot{}
	if ps.cacheBytes+len(data) > packCacheBytes {
		return
	}
	*sl = cacheSlot{p: p, off: off, typ: typ, data: data}
	ps.cacheBytes += len(data)
}

// readAt reads the object at off in p, resolving deltas.
func (ps *packs) readAt(p *pack, off int64, depth int) (plumbing.ObjectType, []byte, error) {
	if sl := ps.slot(p, off); sl.p == p && sl.off == off {
		return sl.typ, sl.data, nil
	}
	if depth > maxDeltaDepth {
		return 0, nil, fmt.Errorf("%s: delta chain longer than %d at offset %d", p.name, maxDeltaDepth, off)
	}
	if off < 12 || off >= p.size-20 {
		return 0, nil, fmt.Errorf("%s: object offset %d out of range", p.name, off)
	}
	br := ps.reader(p, off)
	h, err := readObjectHeader(br, p, off)
	if err != nil {
		return 0, nil, err
	}
	typ := h.typ
	data, err := ps.inflate(br, int(h.size))
	if err != nil {
		return 0, nil, fmt.Errorf("%s: offset %d: %w", p.name, off, err)
	}
	if typ == plumbing.OFSDeltaObject || typ == plumbing.REFDeltaObject {
		if typ, data, err = ps.undelta(p, off, depth, h, data); err != nil {
			return 0, nil, err
		}
	}
	if depth > 0 || typ != plumbing.BlobObject {
		// A blob read for itself is classified once and not read again
		// soon; caching it would evict the trees that are.
		ps.remember(p, off, typ, data)
	}
	return typ, data, nil
}

// reader returns a reader of p from off to the pack's trailer. A mapped
// pack is read in place; otherwise one buffered reader serves the header
// and the compressed data, so a small object costs one read.
func (ps *packs) reader(p *pack, off int64) packReader {
	if p.data != nil {
		if ps.mr == nil {
			ps.mr = bytes.NewReader(nil)
		}
		ps.mr.Reset(p.data[off : p.size-20])
		return ps.mr
	}
	sr := io.NewSectionReader(p.f, off, p.size-20-off)
	if ps.br == nil {
		ps.br = bufio.NewReaderSize(sr, 4096)
	} else {
		ps.br.Reset(sr)
	}
	return ps.br
}

// objectHeader is a packed object's header: its type and inflated size,
// and a delta's base, by offset (baseOff, -1 for none) or by hash.
type objectHeader struct {
	typ      plumbing.ObjectType
	size     uint64
	baseOff  int64
	baseHash plumbing.Hash
}

// readObjectHeader reads the header of the object at off in p from br.
func readObjectHeader(br packReader, p *pack, off int64) (objectHeader, error) {
	h := objectHeader{baseOff: -1}
	bad := func(what string) error { return fmt.Errorf("%s: offset %d: %s", p.name, off, what) }
	c, err := br.ReadByte()
	if err != nil {
		return h, bad(err.Error())
	}
	h.typ = plumbing.ObjectType((c >> 4) & 7)
	h.size = uint64(c & 15)
	shift := 4
	for c&0x80 != 0 {
		if c, err = br.ReadByte(); err != nil || shift > 60 {
			return h, bad("bad object header")
		}
		h.size |= uint64(c&0x7f) << shift
		shift += 7
	}
	if h.size > maxPackObject {
		return h, fmt.Errorf("%s: offset %d: object of %d bytes exceeds the %d-byte cap", p.name, off, h.size, maxPackObject)
	}
	switch h.typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		if c, err = br.ReadByte(); err != nil {
			return h, bad("truncated delta offset")
		}
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, err = br.ReadByte(); err != nil || rel > 1<<55 {
				return h, bad("bad delta offset")
			}
			rel = ((rel + 1) << 7) | int64(c&0x7f)
		}
		h.baseOff = off - rel
		if h.baseOff <= 0 || h.baseOff >= off {
			return h, fmt.Errorf("%s: offset %d: delta base offset %d out of range", p.name, off, h.baseOff)
		}
	case plumbing.REFDeltaObject:
		// Read into a local: the reader is an interface, so what it
		// reads into escapes, and only this case should pay for that.
		var base plumbing.Hash
		if _, err := io.ReadFull(br, base[:]); err != nil {
			return h, bad("truncated delta base")
		}
		h.baseHash = base
	default:
		return h, fmt.Errorf("%s: offset %d: unknown object type %d", p.name, off, h.typ)
	}
	return h, nil
}

// undelta reads the base of the delta (header h, inflated to delta) at off
// in p, one level deeper than depth, and returns the base's type and the
// delta applied to it.
func (ps *packs) undelta(p *pack, off int64, depth int, h objectHeader, delta []byte) (plumbing.ObjectType, []byte, error) {
	var btyp plumbing.ObjectType
	var base []byte
	var err error
	if h.baseOff >= 0 {
		btyp, base, err = ps.readAt(p, h.baseOff, depth+1)
	} else if bo, ok := p.find(h.baseHash); ok {
		btyp, base, err = ps.readAt(p, bo, depth+1)
	} else {
		btyp, base, err = ps.readDepth(h.baseHash, depth+1)
	}
	if err != nil {
		return 0, nil, err
	}
	data, err := applyDelta(base, delta)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: offset %d: %w", p.name, off, err)
	}
	return btyp, data, nil
}

// packReader is what an object is read from: its header byte by byte, then
// its zlib stream (flate reads a ByteReader without buffering it again).
type packReader interface {
	io.Reader
	io.ByteReader
}

// inflate decompresses exactly size bytes of zlib data from br.
func (ps *packs) inflate(br packReader, size int) ([]byte, error) {
	var err error
	if ps.zr == nil {
		ps.zr, err = zlib.NewReader(br)
	} else {
		err = ps.zr.(zlib.Resetter).Reset(br, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	// The size is the object header's claim: allocate for what inflates,
	// not for the claim, so 20 bytes of pack cannot cost 64 MiB.
	out := make([]byte, 0, min(size, 64<<10))
	for len(out) < size {
		if len(out) == cap(out) {
			out = slices.Grow(out, min(size-len(out), cap(out)))
		}
		n, err := ps.zr.Read(out[len(out):min(cap(out), size)])
		out = out[:len(out)+n]
		if err != nil && len(out) < size {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("inflate: %d of %d bytes: %w", len(out), size, err)
		}
	}
	return out, nil
}

// applyDelta applies a git delta to base.
func applyDelta(base, delta []byte) ([]byte, error) {
	readSize := func() (uint64, error) {
		var v uint64
		for shift := 0; ; shift += 7 {
			if len(delta) == 0 || shift > 63 {
				return 0, errors.New("delta: truncated size")
			}
			c := delta[0]
			delta = delta[1:]
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, nil
			}
		}
	}
	bs, err := readSize()
	if err != nil {
		return nil, err
	}
	if bs != uint64(len(base)) {
		return nil, fmt.Errorf("delta: base is %d bytes, delta wants %d", len(base), bs)
	}
	rs, err := readSize()
	if err != nil {
		return nil, err
	}
	if rs > maxPackObject {
		return nil, fmt.Errorf("delta: result of %d bytes exceeds the cap", rs)
	}
	// rs is the delta's claim; the result grows as the copies and inserts
	// produce it.
	out := make([]byte, 0, min(rs, uint64(len(base)+len(delta))))
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		if op&0x80 != 0 {
			var cpOff, cpLen uint32
			for i := range 4 {
				if op&(1<<i) != 0 {
					if len(delta) == 0 {
						return nil, errors.New("delta: truncated copy")
					}
					cpOff |= uint32(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			for i := range 3 {
				if op&(0x10<<i) != 0 {
					if len(delta) == 0 {
						return nil, errors.New("delta: truncated copy")
					}
					cpLen |= uint32(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			if cpLen == 0 {
				cpLen = 0x10000
			}
			if uint64(cpOff)+uint64(cpLen) > uint64(len(base)) || uint64(len(out))+uint64(cpLen) > rs {
				return nil, errors.New("delta: copy out of range")
			}
			out = append(out, base[cpOff:cpOff+cpLen]...)
		} else if op != 0 {
			if int(op) > len(delta) || uint64(len(out))+uint64(op) > rs {
				return nil, errors.New("delta: insert out of range")
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		} else {
			return nil, errors.New("delta: reserved opcode 0")
		}
	}
	if uint64(len(out)) != rs {
		return nil, fmt.Errorf("delta: produced %d bytes, want %d", len(out), rs)
	}
	return out, nil
}
