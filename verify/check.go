package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/authenticode"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/pkg"
)

// nativeVerifier verifies the signatures of one native file. It returns a
// *malformedError when the file cannot be parsed, another error when it
// cannot be read. env.hash receives the file's bytes as they are read.
type nativeVerifier func(ctx context.Context, r io.ReaderAt, size int64, env verifyEnv) (*nativeResult, error)

// verifyEnv is what a nativeVerifier needs from the run.
type verifyEnv struct {
	// trust anchors Authenticode chains; appleTrust anchors Apple code
	// signatures, which the platform trusts only under Apple's roots, so it
	// never holds the operating system's (TLS-program) roots.
	trust, appleTrust *signing.TrustStore
	time              time.Time
	hash              hash.Hash
	log               *slog.Logger
	// authentihashes lists the Authenticode image hash algorithms the
	// blocklists need besides SHA-256, which is always computed.
	authentihashes []crypto.Hash
	// name is the file's report path, for the formats whose rules its
	// extension picks (a PowerShell XML file's signature block).
	name string
	// alongside is run by an MSI's or a cabinet's verifier while it
	// computes the digest (authenticode.Options.Alongside); nil for
	// other kinds.
	alongside func()
}

// nativeResult is a verifier's outcome in this package's terms.
type nativeResult struct {
	sigs         []signing.Signature
	findings     []signing.Finding
	authentihash map[string]string // algorithm -> hex (PE)
	cdhashes     []string          // hex (Mach-O)
	// catalog is a security catalog's member list (KindCatalog).
	catalog *authenticode.Catalog
	// slices are a Mach-O file's slices, or a disk image's signature, for
	// policy requirements.
	slices []codesign.Slice
	// signers are an installer package's signer chains by signature, for
	// policy requirements.
	signers []pkg.SignerChain
}

// malformedError says a file of a recognised kind cannot be parsed.
type malformedError struct {
	offset int64 // -1 when unknown
	reason string
	// result, when set, is what the verifier could still say: its findings
	// explain the malformation.
	result *nativeResult
	// finding, when its Rule is set, is the finding to report instead of
	// file/malformed.
	finding signing.Finding
}

func (e *malformedError) Error() string { return e.reason }

// nativeVerifiers and archiveOpeners are filled by init functions of the
// files that wire the format packages in; read-only afterwards.
var (
	nativeVerifiers = map[Kind]nativeVerifier{}
	archiveOpeners  = map[Kind]archiveOpener{}
)

// archiveOpener opens an archive file as a file system; the findings are
// about its entries, with paths inside the archive.
type archiveOpener func(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error)

// bufPool holds copy buffers for hashing.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// fileHasher is the hash.Hash given to verifiers: it feeds SHA-256 and, when
// asked, SHA-1, MD5 and CRC-32, and counts the bytes.
type fileHasher struct {
	n      int64
	sha256 hash.Hash
	sha1   hash.Hash
	md5    hash.Hash
	// sha512, when set, feeds the SHA-512 an electron-updater feed may
	// give of the file (see job.feedDigest).
	sha512 hash.Hash
	crc    hash.Hash32
	// tail keeps the last bytes written, where a zip archive's end
	// record is looked for without reading the file again; nsis looks
	// for an NSIS installer's firstheader, which would otherwise take a
	// second read of every PE.
	tail tailBuffer
	nsis nsis.Scanner
	// sfx7z looks for a 7-Zip self-extractor's start header in the first
	// 8 MiB (and RAR markers in the first 4), so a PE's overlay is not read again to find its archive.
	sfx7z container.SFX7zScanner
	// js, when set, looks for a JScript signature block's begin line in
	// every byte written (see check.jsBlock), so a large .js is not read
	// again to be told from a JScript.
	js *tailScan
	// keep, when set, keeps the bytes written (a Squirrel RELEASES
	// file's, see squirrelWants), up to its limit.
	keep *keptBytes
	// sum receives the SHA-256 (see digest): a buffer of the hasher's
	// own, so that Sum through the interface allocates none.
	sum [sha256.Size]byte
	// mem, when set, holds every byte of the file (a small file read
	// whole): Write then does not feed nsis and sfx7z, which are given
	// mem at once when first asked for (check.scanners): for most files
	// they never are, and scanning every small file cost half as much as
	// hashing it.
	mem []byte
}

func newFileHasher(wantSHA1, wantMD5, wantCRC bool) *fileHasher {
	h := &fileHasher{}
	h.init(wantSHA1, wantMD5, wantCRC)
	return h
}

// init readies the zero hasher h for a file (see newFileHasher).
func (h *fileHasher) init(wantSHA1, wantMD5, wantCRC bool) {
	h.sha256, h.tail = sha256.New(), tailBuffer{max: zipTailLen}
	if wantSHA1 {
		h.sha1 = sha1.New()
	}
	if wantMD5 {
		h.md5 = md5.New()
	}
	if wantCRC {
		h.crc = crc32.NewIEEE()
	}
}

// digest returns the SHA-256 of the bytes written.
func (h *fileHasher) digest() Digest { return Digest(h.sha256.Sum(h.sum[:0])) }

func (h *fileHasher) Write(p []byte) (int, error) {
	if h.js != nil {
		h.js.scan(p, h.n, 0, 1<<62)
	}
	if h.keep != nil {
		h.keep.write(p)
	}
	h.n += int64(len(p))
	h.tail.Write(p)
	if h.mem == nil {
		h.nsis.Write(p)
		h.sfx7z.Write(p)
	}
	h.sha256.Write(p)
	if h.sha1 != nil {
		h.sha1.Write(p)
	}
	if h.sha512 != nil {
		h.sha512.Write(p)
	}
	if h.md5 != nil {
		h.md5.Write(p)
	}
	if h.crc != nil {
		h.crc.Write(p)
	}
	return len(p), nil
}

func (h *fileHasher) Sum(b []byte) []byte { return h.sha256.Sum(b) }
func (h *fileHasher) Size() int           { return sha256.Size }
func (h *fileHasher) BlockSize() int      { return sha256.BlockSize }

func (h *fileHasher) Reset() {
	h.n = 0
	h.tail.reset()
	h.nsis.Reset()
	h.sfx7z.Reset()
	if h.js != nil {
		h.js.reset()
	}
	if h.keep != nil {
		h.keep.reset()
	}
	for _, x := range []hash.Hash{h.sha256, h.sha1, h.md5, h.sha512} {
		if x != nil {
			x.Reset()
		}
	}
	if h.crc != nil {
		h.crc.Reset()
	}
}

func hexSum(h hash.Hash) string {
	if h == nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ctxReader and ctxReaderAt stop reads once the run is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type ctxReaderAt struct {
	ctx context.Context
	r   io.ReaderAt
}

func (c ctxReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.ReadAt(p, off)
}

func (e *engine) copyHash(h io.Writer, r io.Reader) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	_, err := io.CopyBuffer(h, ctxReader{e.ctx, r}, *bp)
	return err
}

// writeHash writes b, bytes held in memory, to h as copyHash would copy
// them (a MiB at a time, the run's cancellation checked between), without
// copying them first.
func (e *engine) writeHash(h io.Writer, b []byte) error {
	for len(b) > 0 {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		k := min(len(b), 1<<20)
		h.Write(b[:k])
		b = b[k:]
	}
	return nil
}

// diskFile is a file opened on disk.
type diskFile interface {
	io.Reader
	io.ReaderAt
	io.Closer
	Stat() (fs.FileInfo, error)
}

// smallFile is the size up to which a file on disk is read whole into a
// pooled buffer with one open, read and close, instead of being opened,
// stat'ed and read at offsets: most files of a release are small, and the
// system calls cost more than hashing them.
const smallFile = 64 << 10

// smallPool holds the buffers small files are read into.
var smallPool = sync.Pool{New: func() any { b := make([]byte, smallFile+1); return &b }}

// check is the state of one file being checked.
type check struct {
	e         *engine
	j         *job
	f         File
	finds     []signing.Finding
	h         *fileHasher
	hashed    bool // h holds the whole file
	malformed bool
	listed    bool // f goes into the report
	cleanup   []func()
	native    *nativeResult
	memHeld   bool // the bytes are held in memory under the run's budget
	// peRes keeps the file's PE resources once read, by the overlay's
	// check or the first walk, for the others (container.PEResources).
	peRes container.PEResources
	// entries keeps the bytes of a container whose files are checked as
	// it is read (entryJob) until the last of them is done.
	entries *refCount
	arc     *openedArchive
	ra      io.ReaderAt // the file's bytes, when checked with random access
	mem     []byte      // the file's bytes, when held in memory whole
	// deferred reports a Mach-O file left to its bundle's check;
	// readProblem a file whose bytes did not read as its archive entry
	// says (CRC-32, size), so its SHA-256 is not lent to the bundle.
	deferred    bool
	readProblem bool
	// postponed reports a large file on disk queued again (see
	// engine.postpone).
	postponed bool
	// resZips are the zip archives opened as a PE's resources
	// (installer_open.go), which findZip does not open again.
	resZips []container.Span
	// peVersions are the product versions of a PE beside what may be an
	// electron-updater feed (peProductVersions).
	peVersions []string
	// tarOpened reports a tarball whose entries were checked,
	// sevenOpened a 7-Zip archive whose files were.
	tarOpened, sevenOpened bool

	// small is the pooled buffer a small file was read into (mem), put
	// back once the check is done (after its cleanups) or, when its
	// entries outlive it, when the last of them is (holdForEntries).
	small *[]byte
	// hasher and memReader are h and the reader of mem, allocated with
	// the check (process): most files are small and need nothing else.
	hasher    fileHasher
	memReader bytes.Reader
	// cra is the file's reader that findZip searches, bound to the run.
	cra ctxReaderAt

	// ahead is an MSI's or a cabinet's walk run while its signature is
	// verified (walkAlongside).
	ahead *windowsAhead
	// dirs is the directory its worker holds open (nil: none), which a
	// file of the release is opened in when job.dirLen says so.
	dirs *dirCache
}

func (c *check) add(rule signing.Rule, sev signing.Severity, msg string) *signing.Finding {
	c.finds = append(c.finds, finding(rule, sev, c.f.Path, msg))
	return &c.finds[len(c.finds)-1]
}

// process checks one file and records it.
func (e *engine) process(j *job) { e.processIn(j, nil) }

// processIn is process on a worker that holds the directory dirs open.
func (e *engine) processIn(j *job, dirs *dirCache) {
	if j.bundle {
		e.checkBundle(j)
		return
	}
	c := &check{e: e, j: j, f: File{Path: j.path, Size: j.size, Kind: KindOther}, dirs: dirs}
	needSHA1, needMD5 := e.bl.needsHashes()
	feedSHA1, keep := squirrelWants(j.path, j.size)
	bundleSHA1 := j.bs != nil && !j.bundle && j.bs.wantsSHA1()
	c.hasher.init(needSHA1 || e.catSHA1 || feedSHA1 || j.feedSHA1 || bundleSHA1 || clickOnceWantsSHA1(j.path), needMD5, j.checkCRC)
	c.hasher.keep = keep
	if j.feedDigest {
		c.hasher.sha512 = sha512.New()
	}
	c.h = &c.hasher
	c.run()
	for i := len(c.cleanup) - 1; i >= 0; i-- {
		c.cleanup[i]()
	}
	if c.small != nil {
		smallPool.Put(c.small)
		c.small = nil
	}
	if !c.deferred && !c.postponed {
		c.h.tail.release()
	}
	if e.ctx.Err() != nil || c.deferred || c.postponed {
		return
	}
	if j.bs != nil {
		var sum, sha1 []byte
		if c.listed && !c.readProblem {
			sum = bytes.Clone(c.f.SHA256[:])
			if c.h.sha1 != nil && c.h.n == c.f.Size {
				sha1 = c.h.sha1.Sum(nil)
			}
		}
		j.bs.checked(j.bname, sum, sha1)
	}
	if c.listed {
		e.noteSquirrel(c)
		e.notePEVersions(c)
		e.noteClickOnceSHA1(c)
		cat, x := c.catalogFacts()
		i := e.addCheckedFile(&c.f, c.finds, cat, x)
		if j.result != nil {
			*j.result = checkedFile{index: i, malformed: c.malformed, ok: true}
		}
	} else {
		e.addFile(nil, c.finds)
	}
}

func (c *check) run() {
	j := c.j
	switch src := j.src.(type) {
	case release.Disk:
		if j.size >= smallFile {
			c.openDisk(src.DiskPath())
			return
		}
		bp := smallPool.Get().(*[]byte)
		n, ok, size, mode := c.e.readWhole(c.dirs, src.DiskPath(), j.dirLen, *bp)
		if ok {
			c.folderPerm(mode)
			// The buffer goes back to the pool when the check is done,
			// or when the last entry of the archive it holds is.
			c.small = bp
			c.mem = (*bp)[:n]
			c.h.tail.max = 0 // the bytes are all in c.mem
			c.h.mem = c.mem
			c.memReader.Reset(c.mem)
			c.withReaderAt(&c.memReader, int64(n))
			return
		}
		smallPool.Put(bp)
		if j.size < 0 && size >= 0 && j.onDone == nil {
			// The walk did not stat the file; now that it is known to
			// be large, it waits for the run's other large files.
			j.size = size
			c.postponed = true
			c.e.postpone(j)
			return
		}
		c.openDisk(src.DiskPath())
	case release.Window:
		c.withReaderAt(src.ReaderAt(), j.size)
	default:
		rc, err := src.Open()
		if errors.Is(err, zip.ErrAlgorithm) {
			c.add(ruleUnreadable, signing.SeverityError, "cannot open archive entry: its compression method is not one shipgate decompresses (zip entries: stored, deflate or bzip2), so its contents were not checked; repack the archive with deflate")
			return
		}
		if err != nil {
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot open archive entry: %v", unwrapPath(err)))
			return
		}
		c.cleanup = append(c.cleanup, func() { rc.Close() })
		if ra, ok := rc.(io.ReaderAt); ok {
			c.withReaderAt(ra, j.size)
		} else {
			c.withStream(rc, j.size)
		}
	}
}

// openDisk checks a file on disk, opened for random access.
func (c *check) openDisk(name string) {
	fh, err := c.e.openFile(name)
	if err != nil {
		c.folderPermLstat(name)
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot open: %v", unwrapPath(err)))
		return
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		c.folderPermLstat(name)
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot stat: %v", unwrapPath(err)))
		return
	}
	c.folderPerm(st.Mode())
	c.f.Size = st.Size()
	c.cleanup = append(c.cleanup, func() { fh.Close() })
	c.withReaderAt(fh, st.Size())
}

// permBits are the bits of a file's mode its set-ID and world-write
// checks read (file/setuid, file/world-writable).
const permBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// folderPerm adds the findings of the mode of a folder's file (permFindings)
// once, when its walk left them to the read of the file (job.folderPerm).
func (c *check) folderPerm(mode fs.FileMode) {
	if !c.j.folderPerm {
		return
	}
	c.j.folderPerm = false
	c.e.addFindings(permFindings(c.j.path, "folder", mode&permBits, nil)...)
}

// folderPermLstat is folderPerm for a file that could not be opened or
// stat'ed: its mode is lstat's (zero when that fails too), so that a file
// that cannot be read still has its set-ID bits reported.
func (c *check) folderPermLstat(name string) {
	if !c.j.folderPerm {
		return
	}
	var mode fs.FileMode
	if st, err := os.Lstat(name); err == nil {
		mode = st.Mode()
	}
	c.folderPerm(mode)
}

// withStream checks a file that can only be read front to back. Native code
// and archives need random access: they are held in memory within the
// run's MaxBuffer.
func (c *check) withStream(r io.Reader, size int64) {
	e := c.e
	// A zip entry's size is known: a small one needs no sniffLen buffer
	// (a million tiny entries would each leave 4 KiB to collect). One
	// byte more than the size still shows a stream that runs longer.
	hdrLen := int64(sniffLen)
	if size >= 0 && size < sniffLen {
		hdrLen = size + 1
	}
	hdr := make([]byte, hdrLen)
	n, err := io.ReadFull(ctxReader{e.ctx, r}, hdr)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		c.streamError(err)
		return
	}
	hdr = hdr[:n]
	kind := c.streamKind(hdr, size)
	c.f.Kind = kind
	// A Mach-O file too large to hold is checked here, where that is
	// reported.
	if size <= e.budget.max && c.deferToBundle(kind) {
		return
	}
	// A script is told by its name (a .js by a signature block anywhere
	// in it) and verified in memory: a compressed entry's script was
	// hashed as an other file, so a tampered signed PowerShell script in
	// a zip passed (TestAttackScriptInCompressedEntry).
	script := kind == KindOther && (isScriptName(c.f.Path) || (c.j.bs == nil && (isTerminalScriptName(c.f.Path) || c.j.unixExec)))
	if kind.Native() || kind == KindAsar || script || release.NestedArchive(hdr, kind == KindOther) != release.NoArchive || (kind == KindOther && (hasWindowsContainerMagic(hdr) || is7z(hdr))) {
		if size <= e.budget.max-c.j.held && e.budget.acquire(e.ctx, size) {
			c.cleanup = append(c.cleanup, func() { e.budget.release(size) })
			c.memHeld = true
			buf := bytes.NewBuffer(make([]byte, 0, min(size, 64<<20)))
			buf.Write(hdr)
			_, err := io.Copy(buf, io.LimitReader(ctxReader{e.ctx, r}, size-int64(n)+1))
			if err != nil {
				c.streamError(err)
				return
			}
			if int64(buf.Len()) != size {
				c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("archive entry holds %d bytes, its header says %d", buf.Len(), size))
				c.malformed = true
				c.readProblem = true
				size = int64(buf.Len())
			}
			// Reading to the end made the zip reader check the CRC-32.
			c.j.checkCRC = false
			c.h.crc = nil
			c.mem = buf.Bytes()
			c.withReaderAt(bytes.NewReader(c.mem), int64(buf.Len()))
			return
		}
		c.tooLargeToHold(kind, hdr, size, script)
	}
	c.h.Write(hdr)
	if err := e.copyHash(c.h, r); err != nil {
		c.streamError(err)
		return
	}
	if c.h.n != size {
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("archive entry holds %d bytes, its header says %d", c.h.n, size))
		c.readProblem = true
	}
	c.f.Size = c.h.n
	c.f.SHA256 = c.h.digest()
	c.listed = true
	c.checkUnopenedArchive(hdr)
	c.afterHash()
	// A file with no other kind that ends like a zip archive is read
	// again to open it. Native code and archives got here only when too
	// large to hold, which is reported already.
	if !c.readProblem && kind == KindOther && !IsZip(hdr) && hasZipEnd(c.h.tail.bytes()) {
		c.rereadForZip(hdr)
	}
}

// streamKind tells the kind of a streamed file from its first bytes hdr
// and its size. A file whose kind shows only further on (a PE header
// beyond hdr, a .dmg's trailer) is named PE or DMG, so that it is held and
// looked at whole.
func (c *check) streamKind(hdr []byte, size int64) Kind {
	kind := detectKind(hdr, size)
	if kind == KindOther && isXar(hdr) {
		kind = KindPkg // kind_pkg.go
	}
	if kind == KindOther {
		kind = catalogKind(c.f.Path, hdr) // read whole below, as native code is
	}
	if _, ok := peHeaderAt(hdr, size); ok && kind == KindOther {
		// Perhaps a PE whose header lies beyond hdr: hold it and look.
		kind = KindPE
	}
	if kind == KindOther && namedDMG(c.f.Path) { // dmg.go
		// A disk image is known by its trailer, which a stream shows
		// last: hold a .dmg and look.
		kind = KindDMG
	}
	return kind
}

// tooLargeToHold reports a streamed file that needs random access (native
// code, a script, an archive: see withStream) and is larger than the
// in-memory limit allows, saying what of it was not checked.
func (c *check) tooLargeToHold(kind Kind, hdr []byte, size int64, script bool) {
	if script {
		if !isJSName(c.f.Path) {
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("script entry of %d bytes is compressed and larger than the %d-byte in-memory limit%s; its signature was not checked", size, c.e.budget.max, heldBy(c.j.held)))
		}
	} else if kind == KindOther && hasWindowsContainerMagic(hdr) {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cabinet or compound file (MSI) entry of %d bytes is compressed and larger than the %d-byte in-memory limit%s; its signatures and the files inside were not checked", size, c.e.budget.max, heldBy(c.j.held)))
	} else if kind == KindOther && is7z(hdr) {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("7-Zip archive entry of %d bytes is compressed and larger than the %d-byte in-memory limit%s; the files inside were not checked", size, c.e.budget.max, heldBy(c.j.held)))
	} else if kind == KindOther {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("tarball entry of %d bytes is compressed and larger than the %d-byte in-memory limit%s; its entries were not checked", size, c.e.budget.max, heldBy(c.j.held)))
	} else {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("%s entry of %d bytes is compressed and larger than the %d-byte in-memory limit%s; its signatures were not checked", kind, size, c.e.budget.max, heldBy(c.j.held)))
	}
}

// heldBy says how much of the memory limit the archives holding a file
// take, when they take some.
func heldBy(held int64) string {
	if held == 0 {
		return ""
	}
	return fmt.Sprintf(" less the %d bytes the archive holding it takes", held)
}

// rereadForZip reads a streamed file again into memory, within the run's
// MaxBuffer, to open the zip archive its last bytes suggest.
func (c *check) rereadForZip(hdr []byte) {
	e, size := c.e, c.f.Size
	if !e.budget.acquire(e.ctx, size) {
		if e.ctx.Err() == nil {
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("entry of %d bytes ends like a zip archive, is compressed and is larger than the %d-byte in-memory limit; the archive's entries were not checked", size, e.budget.max))
		}
		return
	}
	c.cleanup = append(c.cleanup, func() { e.budget.release(size) })
	c.memHeld = true
	rc, err := c.reopen()
	if err != nil {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read the entry again to open the zip archive it ends with: %v", unwrapPath(err)))
		return
	}
	defer rc.Close()
	buf := bytes.NewBuffer(make([]byte, 0, min(size, 64<<20)))
	if _, err := io.Copy(buf, io.LimitReader(rc, size+1)); err != nil || int64(buf.Len()) != size {
		if e.ctx.Err() == nil {
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read the entry again to open the zip archive it ends with: %v", err))
		}
		return
	}
	c.ra = bytes.NewReader(buf.Bytes())
	c.findZip(c.ra, size, hdr)
}

// tailBuffer keeps the last max bytes written to it: in order until it
// holds max bytes, then as a ring whose oldest byte is at pos. A write
// costs no more than its length, however small the writes.
type tailBuffer struct {
	b    []byte
	max  int
	pos  int
	full bool
}

// tailPool recycles tailBuffer storage between files: growing a buffer
// of zipTailLen bytes by appends for every file was a third of the
// bytes a release's check allocated.
var tailPool = sync.Pool{New: func() any { b := make([]byte, 0, zipTailLen); return &b }}

// release gives the buffer's storage back to tailPool; bytes returned
// before are no longer to be used.
func (t *tailBuffer) release() {
	if t.b != nil && cap(t.b) == zipTailLen {
		b := t.b[:0]
		tailPool.Put(&b)
	}
	t.b, t.pos, t.full = nil, 0, false
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if t.b == nil && t.max > 0 {
		t.b = *tailPool.Get().(*[]byte)
		if cap(t.b) < t.max {
			t.b = make([]byte, 0, t.max)
		}
	}
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		t.pos, t.full = 0, true
		return n, nil
	}
	if !t.full {
		room := t.max - len(t.b)
		if len(p) < room {
			t.b = append(t.b, p...)
			return n, nil
		}
		t.b = append(t.b, p[:room]...)
		p = p[room:]
		t.pos, t.full = 0, true
	}
	k := copy(t.b[t.pos:], p)
	if k < len(p) {
		t.pos = copy(t.b, p[k:])
	} else if t.pos += k; t.pos == t.max {
		t.pos = 0
	}
	return n, nil
}

// bytes returns the bytes kept, oldest first.
func (t *tailBuffer) bytes() []byte {
	if !t.full || t.pos == 0 {
		return t.b
	}
	out := make([]byte, 0, len(t.b))
	return append(append(out, t.b[t.pos:]...), t.b[:t.pos]...)
}

func (t *tailBuffer) reset() { t.b, t.pos, t.full = t.b[:0], 0, false }

// hasZipEnd reports whether tail, a file's last bytes, holds the signature
// of a zip end of central directory record whose comment fits.
func hasZipEnd(tail []byte) bool {
	for i := len(tail) - eocdLen; i >= 0; i-- {
		if tail[i] == 'P' && tail[i+1] == 'K' && tail[i+2] == 5 && tail[i+3] == 6 &&
			i+eocdLen+int(binary.LittleEndian.Uint16(tail[i+20:])) <= len(tail) {
			return true
		}
	}
	return false
}

func (c *check) streamError(err error) {
	if c.e.ctx.Err() != nil {
		return
	}
	if _, tar := c.j.src.(*release.Stream); tar && errors.Is(err, io.ErrUnexpectedEOF) {
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("tar entry is cut short: %v", err))
		return
	}
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.As(err, new(*cab.FormatError)) {
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("cannot read archive entry: %v", err))
		return
	}
	c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
}

// withReaderAt checks a file with random access.
func (c *check) withReaderAt(ra io.ReaderAt, size int64) {
	c.f.Size = size
	c.ra = ra
	hdr, ok := c.readHeader(ra, size)
	if !ok {
		return
	}
	c.detectKind(ra, hdr, size)
	if c.deferToBundle(c.f.Kind) {
		return
	}
	if c.f.Kind == KindPE && !c.inMem(size) {
		c.keepBeforeCertTable(ra, hdr, size)
	}
	if !c.verifyNative(ra, size) {
		return
	}
	open := archiveOpeners[c.f.Kind]
	if open != nil && !c.malformed {
		if d, ok := c.j.src.(release.Disk); ok && c.f.Kind == KindAsar && c.j.lone {
			open = openLoneAsar(c.unpackedDir(d.DiskPath() + ".unpacked"))
		}
		// The archive's header is read before its bytes are hashed, so
		// the one pass hashes its entries too (see entryHasher).
		c.arc = c.readArchive(open, ra, size)
	}
	if !c.hashFile(ra, size, hdr) {
		return
	}
	if c.jsRecheck(ra, size, hdr) {
		return
	}
	c.listed = true
	c.openContents(ra, size, hdr)
}

// maxKeptCertTable bounds the certificate table of a PE whose bytes the
// hashing pass keeps with the zipTailLen bytes before it.
const maxKeptCertTable = 1 << 20

// keepBeforeCertTable makes the hashing pass of a PE, of size bytes at ra
// with header hdr, keep the zipTailLen bytes before its certificate table
// as well as the table, where findZip looks for a zip archive hidden
// before the signature: they were read again for every signed PE.
func (c *check) keepBeforeCertTable(ra io.ReaderAt, hdr []byte, size int64) {
	off, ok := container.PECertTable(headReaderAt{hdr, ra}, size)
	if ok && size-off <= maxKeptCertTable {
		c.h.tail.max = zipTailLen + int(size-off)
	}
}

// headReaderAt reads from head, a file's first bytes, what lies in it,
// and from r the rest.
type headReaderAt struct {
	head []byte
	r    io.ReaderAt
}

func (h headReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= 0 && off+int64(len(p)) <= int64(len(h.head)) {
		return copy(p, h.head[off:]), nil
	}
	return h.r.ReadAt(p, off)
}

// readHeader returns the file's first sniffLen bytes, read again unless the
// job or the check holds them; it reports false, with a finding, when they
// cannot be read.
func (c *check) readHeader(ra io.ReaderAt, size int64) ([]byte, bool) {
	hdr := c.j.head
	if c.inMem(size) {
		hdr = c.mem[:min(size, sniffLen)]
	}
	if int64(len(hdr)) != min(size, sniffLen) {
		hdr = make([]byte, min(size, sniffLen))
		if n, err := ra.ReadAt(hdr, 0); n < len(hdr) {
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
			return nil, false
		}
	}
	return hdr, true
}

// detectKind sets the file's kind from its header hdr and, for the formats
// that need it, its other bytes.
func (c *check) detectKind(ra io.ReaderAt, hdr []byte, size int64) {
	c.f.Kind = detectKindAt(ra, hdr, size)
	if c.f.Kind == KindOther {
		c.f.Kind = windowsKind(ra, c.f.Path, hdr, size, c.jsBlock) // kind_windows_formats.go
	}
	if c.f.Kind == KindOther && isXar(hdr) {
		c.f.Kind = KindPkg // kind_pkg.go
	}
	if c.f.Kind == KindOther && c.j.bs == nil && (isTerminalScriptName(c.f.Path) || (c.j.unixExec && shellRuns(hdr))) {
		c.f.Kind = KindTerminalScript // script_terminal.go
	}
	c.f.Kind = dmgKind(ra, c.f.Path, hdr, size, c.f.Kind, c.j.noKoly) // dmg.go
}

// verifyNative runs the verifier of the file's kind, if any, and records its
// signatures and findings. It reports false when the check must stop: the
// run is cancelled or the file cannot be read.
func (c *check) verifyNative(ra io.ReaderAt, size int64) bool {
	e := c.e
	v := nativeVerifiers[c.f.Kind]
	if v == nil {
		return true
	}
	cra := ctxReaderAt{e.ctx, ra}
	env := verifyEnv{trust: e.trust, appleTrust: e.appleTrust, time: e.opts.Time, hash: c.h, log: e.log.With("path", c.f.Path), authentihashes: e.authAlgs, name: c.f.Path}
	env.alongside = c.walkAlongside(ra, size)
	res, err := v(e.ctx, cra, size, env)
	if e.ctx.Err() != nil {
		return false
	}
	var me *malformedError
	switch {
	case errors.As(err, &me) && me.result != nil:
		c.malformed = true
		res = me.result
	case errors.As(err, &me):
		c.addMalformed(me)
		c.malformed = true
	case err != nil:
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
		return false
	}
	if res != nil {
		c.native = res
		if c.j.feedDigest && c.f.Kind == KindPE {
			c.peVersions = peProductVersions(cra, size)
		}
		c.f.Signatures = res.sigs
		for _, f := range res.findings {
			f.Path = joinPath(c.f.Path, f.Path)
			c.finds = append(c.finds, f)
		}
	}
	return true
}

// hashFile sets the file's SHA-256: from the verifier's or the archive's
// pass when one read every byte, else by hashing the bytes after the header
// hdr. It reports false, with a finding unless the run is cancelled, when
// the file cannot be read.
func (c *check) hashFile(ra io.ReaderAt, size int64, hdr []byte) bool {
	switch {
	case c.h.n == size:
		c.f.SHA256 = c.h.digest()
	case c.j.sum != nil && c.h.sha1 == nil && c.h.md5 == nil && c.h.crc == nil && c.h.sha512 == nil:
		// An archive entry whose SHA-256 the archive's check computed
		// while hashing the archive, and no other hash is needed.
		copy(c.f.SHA256[:], c.j.sum)
	default:
		// No verifier read every byte exactly once: hash the rest after
		// the header read above.
		c.h.Reset()
		var w io.Writer = c.h
		if c.arc != nil && c.arc.err == nil {
			x := newEntryHasher(c.h, c.arc.fsys, size)
			c.arc.facts = x.facts
			w = x
		}
		w.Write(hdr)
		var err error
		if c.inMem(size) {
			err = c.e.writeHash(w, c.mem[len(hdr):])
		} else {
			err = c.e.copyHash(w, io.NewSectionReader(ra, int64(len(hdr)), size-int64(len(hdr))))
		}
		if err != nil {
			if c.e.ctx.Err() == nil {
				c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
			}
			return false
		}
		c.f.SHA256 = c.h.digest()
	}
	return true
}

// openContents opens what the hashed file holds: a tarball, 7z, Windows
// installer or cabinet, the archive read before hashing, or a zip appended
// to it.
func (c *check) openContents(ra io.ReaderAt, size int64, hdr []byte) {
	if release.NestedArchive(hdr, c.f.Kind == KindOther) == release.TarArchive {
		c.tarOpened = c.openTar(ra, size)
	}
	if c.f.Kind == KindOther && is7z(hdr) {
		c.sevenOpened = c.open7z(ra, size) // sevenz_open.go
	}
	c.checkUnopenedArchive(hdr)
	c.checkUnopenedOverlay(ra, size)
	c.checkAppInstaller(ra, size)
	c.checkClickOnce(ra, size) // clickonce.go
	c.afterHash()
	switch {
	case c.ahead != nil && c.ahead.ran:
		// The files were checked while the signature was verified
		// (walkAlongside); their findings take the walk's place.
		c.finds = append(c.finds, c.ahead.finds...)
	case (c.f.Kind == KindCAB || c.f.Kind == KindMSI) && !c.malformed:
		c.openWindows(ra, size) // windows_open.go
	}
	if (c.f.Kind == KindPE || c.f.Kind == KindOther) && !c.malformed {
		c.openInstaller(ra, size, hdr) // installer_open.go
	}
	switch {
	case c.tarOpened, c.sevenOpened:
	case c.arc != nil:
		c.openArchive(c.arc)
	case c.f.Kind == KindAsar:
	case c.j.zipIsParents:
		// Its zip archive is checked as its container's (the PE the
		// bytes follow), under the container's path.
	case c.j.noZipEnd && c.f.Kind != KindPE && !IsZip(hdr):
		// The archive's pass found no zip end record in its last
		// bytes, and there is no other end to look before.
	default:
		c.findZip(ra, size, hdr)
	}
}

// inMem reports whether the check holds the file, of size bytes, in
// memory whole.
func (c *check) inMem(size int64) bool { return c.mem != nil && int64(len(c.mem)) == size }

// jsBlock reports whether the file, of size bytes at r, holds a JScript
// signature block's begin line, without reading it again when the file is
// held in memory or its archive's pass looked.
func (c *check) jsBlock(r io.ReaderAt, size int64) bool {
	switch {
	case c.j.noJSBlock:
		return false
	case c.inMem(size):
		return jsBlockIn(c.mem)
	case c.j.sum == nil:
		// The hashing pass, which reads every byte anyway, looks (see
		// jsRecheck): most large .js files are web or Node.js code, and
		// were read twice.
		c.h.js = newJSScan()
		return false
	}
	return hasJScriptBlock(r, size)
}

// jsRecheck checks again, as a JScript, a .js that hashFile's pass found
// a possible signature block's begin line in (jsBlock left that to the
// pass): the file is read again only then, as a signed script is. It
// reports whether it did.
func (c *check) jsRecheck(ra io.ReaderAt, size int64, hdr []byte) bool {
	js := c.h.js
	c.h.js = nil
	if js == nil || !js.found || !hasJScriptBlock(ra, size) {
		return false
	}
	c.f.Kind = KindJScript
	c.f.SHA256 = [32]byte{}
	c.h.Reset()
	if !c.verifyNative(ra, size) {
		return true
	}
	if c.hashFile(ra, size, hdr) {
		c.listed = true
		c.openContents(ra, size, hdr)
	}
	return true
}

// findZip opens the zip archive the file is or ends with: a zip, a
// self-extractor (a PE or Mach-O followed by a zip, checked as both), or a
// zip after other data. Its entries are reported under the file's path.
func (c *check) findZip(ra io.ReaderAt, size int64, hdr []byte) {
	var tail []byte
	switch {
	case c.inMem(size):
		tail = c.mem
	case c.h.n == size:
		tail = c.h.tail.bytes()
	}
	// An archive that is a resource's, opened as such, is not found again
	// (the rule sbom inventories by).
	c.cra = ctxReaderAt{c.e.ctx, ra}
	cra := &c.cra // the check's own: no allocation per file
	a, err := container.FindAppended(cra, size, c.f.Kind == KindPE, tail, c.resZips)
	switch {
	case c.e.ctx.Err() != nil:
	case err != nil:
		c.add(ruleUnreadable, signing.SeverityError, release.ZipSearchMessage(err))
	case len(a.Zips) > 0:
		// Every archive a tool could extract from a PE's end: the one
		// read from the end, the signed one before the certificate
		// table, those concatenated before them (the list sbom
		// inventories).
		c.reportAppended(cra, a.Zips, a.Ends)
		for i, z := range a.Zips {
			from := int64(0)
			if i > 0 {
				from = a.Zips[i-1].End
			}
			// A malformed one does not keep the others unchecked.
			c.openAppended(ra, a.Limit(cra, size, i), z, from)
		}
	case IsZip(hdr):
		// The archive's reader says what is wrong with it.
		c.openZip(ra, size)
	case a.Invalid != nil:
		c.finds = append(c.finds, release.ZipDirMissing(*a.Invalid, size, c.f.Path))
	}
}

// openAppended opens the zip archive whose end record is z, which the file
// at ra carries at its end (see findZip), its end structures checked up to
// limit (container.Appended.Limit) as sbom checks them
// (release.CheckZipEnds). Local file headers are looked for from offset
// from (0, or the end of the archive before, which was checked on its
// own).
func (c *check) openAppended(ra io.ReaderAt, limit int64, z zipend.End, from int64) {
	zra, finds, ok := release.CheckZipEnds(ctxReaderAt{c.e.ctx, ra}, z, limit, c.f.Path)
	c.finds = append(c.finds, finds...)
	if !ok {
		return
	}
	c.openZipFrom(io.NewSectionReader(zra, 0, z.End), z.End, c.f.Path, from)
}

// reportAppended reports, when a PE carries more than one zip archive at
// its end (all, from container.AppendedZips, in file order), each that an
// extractor reading the file from its end does not see, as sbom reports it
// (container.AppendedFindings). All of them are checked.
func (c *check) reportAppended(ra io.ReaderAt, all []zipend.End, ends []int64) {
	c.finds = append(c.finds, container.AppendedFindings(ra, all, ends, c.f.Path, "checked")...)
}

// unpackedDir opens the folder dir confined to itself, or returns nil when
// there is no such folder; it stays open until the check is cleaned up.
func (c *check) unpackedDir(dir string) fs.FS {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot open the archive's unpacked folder: %v", unwrapPath(err)))
		return nil
	}
	c.cleanup = append(c.cleanup, func() { root.Close() })
	return root.FS()
}

// afterHash runs the checks that need the file's hashes: CRC, blocklists,
// policy.
func (c *check) afterHash() {
	if c.j.checkCRC && c.h.crc != nil && c.h.crc.Sum32() != c.j.crc {
		c.readProblem = true
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("CRC-32 %08x of the zip entry does not match the %08x its header records", c.h.crc.Sum32(), c.j.crc))
	}
	if c.e.bl.list != nil { // the hashes in hex only for a blocklist
		fh := fileHashes{SHA1: hexSum(c.h.sha1), MD5: hexSum(c.h.md5)}
		if c.e.bl.list.ListsFileSHA256(c.f.SHA256) {
			// The hex only for a file the lists name: most are not.
			fh.SHA256 = c.f.SHA256.String()
		}
		if c.native != nil {
			fh.Authentihash = c.native.authentihash
			fh.CDHashes = c.native.cdhashes
		}
		for _, f := range c.e.bl.matchFile(fh) {
			f.Path = c.f.Path
			c.finds = append(c.finds, f)
		}
	}
	for i := range c.f.Signatures {
		s := &c.f.Signatures[i]
		for _, f := range c.e.bl.matchSignature(s) {
			f.Path = c.f.Path
			c.finds = append(c.finds, f.For(s.Index))
		}
	}
	c.checkWindowsAlias()
	c.checkBundlePackage() // bundlepkg.go
	s := c.e.pol.settingsSeen(c.f.Path, c.e.ruleSeen)
	c.finds = c.e.applyPolicy(&c.f, s, c.finds, c.malformed)
	if s.sigstore != nil {
		c.checkSigstore(s.sigstore, s.sigstoreLine)
	}
	if s.requirement != "" {
		c.checkRequirement(s.requirement, s.requirementLine)
	}
	if s.notarized != "" && s.notarized != NotarizedNone {
		c.checkNotarized(s.notarized, s.notarizedLine)
	}
}

// reopen returns a fresh reader of the file's bytes, for the rare check that
// must read them a second time. The reader fails at its end when the bytes
// are not those the walk hashed.
func (c *check) reopen() (io.ReadCloser, error) {
	j := c.j
	var rc io.ReadCloser
	var err error
	switch d, disk := j.src.(release.Disk); {
	case c.ra != nil:
		rc = io.NopCloser(io.NewSectionReader(c.ra, 0, c.f.Size))
	case disk:
		rc, err = c.e.openFile(d.DiskPath())
	case j.src != nil:
		rc, err = j.src.Open()
	default:
		err = errors.New("the file cannot be opened again")
	}
	if err != nil {
		return nil, err
	}
	return &checkedReader{rc: rc, r: ctxReader{c.e.ctx, rc}, h: sha256.New(), want: c.f.SHA256}, nil
}

// checkedReader hashes what it reads and fails at the end when the hash is
// not want: a file changed since it was first read is not verified.
type checkedReader struct {
	rc   io.Closer
	r    io.Reader
	h    hash.Hash
	want Digest
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && digestSum(c.h) != c.want {
		return n, errors.New("the file changed while it was being checked")
	}
	return n, err
}

func (c *checkedReader) Close() error { return c.rc.Close() }

// addMalformed reports a file that cannot be parsed.
func (c *check) addMalformed(me *malformedError) {
	if me.finding.Rule != "" {
		f := me.finding
		f.Path = joinPath(c.f.Path, f.Path)
		c.finds = append(c.finds, f)
		return
	}
	f := c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("%s: %s", c.f.Kind, me.reason))
	if me.offset >= 0 {
		off := me.offset
		f.Offset = &off
	}
}

// openedArchive is an archive file (asar) opened by its check.
type openedArchive struct {
	fsys  fs.FS
	finds []signing.Finding
	err   error
	// facts holds what the archive's pass learnt of its entries, by path.
	facts map[string]entryFacts
}

// readArchive opens an archive file (asar), reading its header.
func (c *check) readArchive(open archiveOpener, ra io.ReaderAt, size int64) *openedArchive {
	if c.j.depth >= maxDepth {
		return &openedArchive{err: errTooDeep}
	}
	fsys, finds, err := open(ctxReaderAt{c.e.ctx, ra}, size)
	return &openedArchive{fsys: fsys, finds: finds, err: err}
}

var errTooDeep = errors.New("archive nested too deep")

// openArchive reports on an archive file (asar) readArchive opened and
// queues its entries.
func (c *check) openArchive(a *openedArchive) {
	if err := a.err; err != nil {
		var me *malformedError
		switch {
		case err == errTooDeep:
			c.add(ruleUnreadable, signing.SeverityError, release.TooDeepMessage(c.j.depth, "checked"))
		case errors.As(err, &me):
			c.addMalformed(me)
		default:
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read %s: %v", c.f.Kind, err))
		}
		return
	}
	for _, f := range a.finds {
		f.Path = joinPath(c.f.Path, f.Path)
		c.finds = append(c.finds, f)
	}
	ref, sink := c.holdForEntries()
	x := c.j.expand
	ar := asarReaderOf(a.fsys)
	if p, ok := a.fsys.(packedFS); ok {
		c.e.addUnpackedAsar(c.f.Path, p.ar)
	}
	var bad []signing.Finding // entries whose bytes differ from their integrity
	walked := c.e.walkArchiveFS(a.fsys, c.f.Path, c.j.depth+1, ref, c.f.Kind, c.memHeld, func(j *job) {
		j.expand = x
		f, ok := a.facts[j.name]
		if ok {
			j.sum, j.noZipEnd, j.noJSBlock, j.noKoly, j.head = f.sum, f.noZipEnd, f.noJSBlock, f.noKoly, f.head
		}
		switch {
		case ar != nil && ok:
			if fd, mismatch := asarIntegrity(ar, j.name, f); mismatch {
				fd.Path = joinPath(c.f.Path, fd.Path)
				bad = append(bad, fd)
			}
		case ar != nil:
			// Bytes the archive's pass did not read: compared once the
			// entry's own check has hashed them.
			c.e.addPendingIntegrity(joinPath(c.f.Path, j.name), ar, j.name)
		}
		sink(j)
	})
	c.finds = append(append(c.finds, walked...), bad...)
}

// holdForEntries keeps the file's bytes available until its last entry is
// checked: the returned ref runs the check's cleanups, then releases the
// job's parent, when released as many times as it was added to, once more
// for the check itself. sink checks an entry's job.
func (c *check) holdForEntries() (*refCount, func(*job)) {
	ref := newRef(nil)
	var held []func()
	held, c.cleanup = c.cleanup, nil
	if bp := c.small; bp != nil {
		// The small file's buffer goes back last, as when the check
		// is done (process).
		c.small = nil
		held = append([]func(){func() { smallPool.Put(bp) }}, held...)
	}
	if done := c.j.onDone; done != nil {
		// The parent's bytes (an archive this file is an entry of) must
		// outlive the entries too: release the parent last.
		c.j.onDone = nil
		held = append([]func(){done}, held...)
	}
	ref.cleanup = func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i]()
		}
	}
	c.cleanup = append(c.cleanup, ref.release)
	sink := func(j *job) { c.e.q.push(j, false) }
	if c.memHeld {
		// Bytes held under the memory budget are released only when the
		// last entry is done; checking the entries here, rather than on
		// other workers, keeps workers waiting for budget from waiting on
		// each other.
		sink = func(j *job) {
			if c.e.ctx.Err() == nil {
				c.e.process(j)
			}
			j.finish()
		}
	}
	return ref, sink
}

// openZip opens a zip archive found in the release (a plugin bundle, a
// NuGet or Java package, an archive the app extracts at run time) and
// queues its entries, checked as the entries of an input zip are.
func (c *check) openZip(ra io.ReaderAt, size int64) { c.openZipAt(ra, size, c.f.Path) }

// openZipAt is openZip for an archive whose entries are reported under
// report path at (a PE's resource).
func (c *check) openZipAt(ra io.ReaderAt, size int64, at string) {
	c.openZipFrom(ra, size, at, 0)
}

// openZipFrom is openZipAt for an archive whose local file headers are
// looked for from offset from on (see zipUnlisted): the bytes before are
// another archive's, checked on their own.
func (c *check) openZipFrom(ra io.ReaderAt, size int64, at string, from int64) {
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, release.TooDeepMessage(c.j.depth, "checked"))
		return
	}
	cra := ctxReaderAt{c.e.ctx, ra}
	zr, err := zip.NewReader(cra, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		if c.e.ctx.Err() == nil {
			c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("zip archive cannot be read, so its entries were not checked: %v", err))
		}
		return
	}
	release.StrictDeflate(zr)
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	if total, ok := release.ZipDeclared(zr); !ok || !x.Take(int64(total)) {
		c.add(ruleUnreadable, signing.SeverityError, release.NestedZipBombMessage(total, "checked"))
		return
	}
	if f := zipUnlisted(release.ZeroedBefore(cra, from), zipRecords(zr, size, nil), size, at); f != nil {
		c.finds = append(c.finds, *f)
	}
	ref, sink := c.holdForEntries()
	// An app zipped inside the release is verified as a bundle, as one in
	// an input zip is: its files' checks alone left its seal unchecked, so
	// a changed resource or a removed dylib passed.
	// An archive held in memory under the run's budget has its entries
	// checked here, one after the other (holdForEntries), and its bundles
	// right after them: queued for the end of the run, they would hold
	// the budget that other files' checks may be waiting for.
	apps := c.e.zipBundles(zr, at, c.j.depth+1, ref, !c.memHeld)
	c.e.zipEntries(zr, cra, size, at, at, c.j.depth+1, ref, apps, func(j *job) { j.expand = x; sink(j) })
	if c.memHeld {
		for _, j := range apps.jobs {
			if c.e.ctx.Err() == nil {
				c.e.process(j)
			}
			j.finish()
		}
	}
}
