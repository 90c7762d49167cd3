package verify

import (
	"archive/zip"
	"fmt"
	"github.com/shipgate/shipgate/internal/container"
	"hash/maphash"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/signing"
)

// zipRec is what the checks of a whole zip archive need of one entry:
// a hash of its name, where its data starts (-1 when its local header
// cannot be read) and its sizes. The name itself is not kept: for a
// million entries the names are more than the rest of the records.
type zipRec struct {
	name         uint64 // zipNameHash of the name
	off          int64
	comp, uncomp uint64
	dir          bool // a directory by its attributes
	// file says the entry is one zipEntries checks as a file: a valid
	// relative path, not a directory.
	file bool
	// bundle says the entry may make a folder it is in an Apple bundle
	// (bundleMarker): an Info.plist, or a file in a Contents/MacOS.
	bundle bool
	// hasUp says the central record has a Unicode Path extra field
	// (0x7075) naming the entry otherwise; up is that name's zipNameHash.
	hasUp bool
	// method is the compression method the central record gives.
	method uint16
	// host and ext are the central record's host system and external
	// attributes, which a local "xl" field must not contradict.
	host uint8
	ext  uint32
	up   uint64
	// key is the zipNameHash of the name as Windows reads the name
	// extractors write (walk.ZipName.Key): duplicates are found by it.
	key uint64
}

// dupKey is the hash by which zipDuplicates finds r's duplicates: that
// of its name as Windows reads it.
func (r zipRec) dupKey() uint64 { return r.key }

// zipRecords returns the records of zr's entries, in order, and adds
// their names to ff unless it is nil.
func zipRecords(zr *zip.Reader, size int64, ff *foldname.Filter) []zipRec {
	recs := make([]zipRec, len(zr.File))
	for i, zf := range zr.File {
		recs[i] = zipRecord(zf, ff)
	}
	return recs
}

// zipRecord returns zf's record, and adds its name to ff if it is one
// zipEntries checks: a file, or a folder. The entry is named as
// zipChunkEntries names it (walk.NameZipEntry); its hash of the
// central directory's name (name) is kept to compare with its local
// header's.
func zipRecord(zf *zip.File, ff *foldname.Filter) zipRec {
	off, err := zf.DataOffset()
	if err != nil {
		off = -1
	}
	zn := walk.NameZipEntry(zf)
	dir := zf.Mode().IsDir()
	r := zipRec{name: zipNameHash(zf.Name), off: off, comp: zf.CompressedSize64, uncomp: zf.UncompressedSize64, method: zf.Method, dir: dir, host: uint8(zf.CreatorVersion >> 8), ext: zf.ExternalAttrs,
		file:   zn.OK && zn.Path != "" && !zn.Dir,
		bundle: isBundleMarker(zn.Path),
		key:    zipNameHash(zn.Key)}
	if up, _, ok := release.ZipUnicodePath(zf.Extra, zf.Name); ok {
		r.hasUp, r.up = true, zipNameHash(up)
	}
	if ff != nil && zn.Key != "" {
		ff.Add(zn.Key, zn.Dir)
	}
	return r
}

// zipNameSeed keys zipNameHash: names chosen to collide would have to be
// chosen without knowing it.
var zipNameSeed = maphash.MakeSeed()

// zipNameHash is the hash by which a zipRec knows its entry's name. The
// checks that compare names by it (zipLocalHeaders, zipDuplicates) would
// miss a difference only for two names of equal 64-bit keyed hashes.
func zipNameHash(name string) uint64 { return maphash.String(zipNameSeed, name) }

// walkZipChunked walks the zip archive input in (f, the archive ending at
// size) a chunk of its central directory at a time: first to gather the
// records the whole-archive checks need, then to queue the entries. It
// reports false, having done nothing, for an archive it leaves to walkZip's
// whole reader: a small one, one that walk.ZipChunks refuses, one that
// may hold an Apple bundle or cabinets, or any archive when the policy needs Sigstore
// bundles (both are read through the whole reader as a file system).
func (e *engine) walkZipChunked(in input, f *os.File, fileSize, size int64, end zipEnd) bool {
	if e.pol.usesSigstore() || !end.valid {
		return false
	}
	chunks, ok := walk.ZipChunks(ctxReaderAt{e.ctx, f}, size, end.off, e.zipChunkLen())
	if !ok {
		return false
	}
	total := 0
	for _, ch := range chunks {
		total += ch.N
	}
	recs := make([]zipRec, 0, total)
	ff := foldname.NewFilter(total)
	for _, ch := range chunks {
		zr, err := ch.Reader(f)
		if err != nil {
			return false // the whole reader says what is wrong
		}
		for _, zf := range zr.File {
			r := zipRecord(zf, ff)
			if r.bundle || container.ZipEntryIsCabinet(zf) {
				return false // the whole reader keeps the records (container.ZipHoldsCabinets)
			}
			recs = append(recs, r)
		}
	}
	at := in.prefix
	if at == "" {
		at = filepath.Base(in.path)
	}
	x := newExpansion(fileSize)
	var declared uint64
	for _, r := range recs {
		if declared += min(r.uncomp, 1<<50); declared > 1<<62 {
			break
		}
	}
	if declared > 1<<62 || !x.Take(int64(declared)) {
		e.addFindings(finding(ruleUnreadable, signing.SeverityError, at, fmt.Sprintf("zip archive declares %d bytes of entries, more than %d times its size (and more than %d bytes; a zip bomb?); its entries were not checked", declared, expansionRatio, int64(minExpansion))))
		f.Close()
		return true
	}
	ref := newRef(func() { f.Close() })
	defer ref.release()
	if fi := zipUnlisted(f, recs, size, at); fi != nil {
		e.addFindings(*fi)
	}
	zc := e.newZipChecks(recs, ff, f, size, in.prefix, at)
	zc.paths = &pathArena{}
	n := len(recs)
	recs = nil
	e.mu.Lock()
	e.files = slices.Grow(e.files, n)
	e.mu.Unlock()
	base := 0
	for _, ch := range chunks {
		if e.ctx.Err() != nil {
			return true
		}
		zr, err := ch.Reader(f)
		if err != nil {
			e.addFindings(finding(ruleUnreadable, signing.SeverityError, at, fmt.Sprintf("cannot read the zip archive's central directory again: %v", err)))
			return true
		}
		e.zipChunkEntries(zc, zr, base, f, size, in.prefix, 0, ref, nil, nil, nil, func(j *job) { j.expand = x; e.q.push(j, true) })
		base += len(zr.File)
	}
	return true
}

// pathArena copies the report paths of a large archive's entries into
// shared blocks. Each path lives as long as the report, and on its own it
// would be an allocation rounded up to a size class (a 39-byte path takes
// 48) that keeps the name archive/zip read for the entry; a block wastes
// at most its tail.
type pathArena struct {
	b strings.Builder
}

// pathBlock is the size of a pathArena's blocks.
const pathBlock = 64 << 10

// copy returns a copy of s in the arena. A Builder only appends, so the
// strings it returned before stay as they were.
func (a *pathArena) copy(s string) string {
	if a.b.Cap()-a.b.Len() < len(s) {
		a.b = strings.Builder{}
		a.b.Grow(max(len(s), pathBlock))
	}
	start := a.b.Len()
	a.b.WriteString(s)
	return a.b.String()[start:]
}
