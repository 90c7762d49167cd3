package verify

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// job is one file to check, or an Apple bundle to verify as a whole.
type job struct {
	path string // report path
	size int64

	// src reads the file's bytes, however its container holds them (see
	// check.run); nil on a bundle job.
	src release.Source
	// name is the file's name in its archive (an asar, whose pass over
	// the archive hashed it: see sum) or, on a bundle job, the bundle's
	// directory in fsys.
	name string
	fsys fs.FS // on a bundle job, the file system holding the bundle

	bundle bool // a bundle job: fsys/name is an Apple bundle directory
	// bs, on a bundle job, collects what the checks of the bundle's files
	// leave to it; on the job of a file inside a bundle it is that bundle's,
	// and bname is the file's name in the bundle job's fsys.
	bs    *bundleState
	bname string

	// sib holds the files next to this one (its Sigstore bundle), where
	// it is named sibName.
	sib     fs.FS
	sibName string
	// cabSib, when sib is nil, holds the files next to this one for an
	// MSI's external cabinets and a cabinet's set alone: a tarball's
	// files, read by further passes (release.TarFS).
	cabSib fs.FS

	// lone marks a file given as an input on its own: an asar's unpacked
	// folder beside it is not walked, so the archive's check reads it.
	lone bool

	// expand bounds what zip archives found below this job's archive (or
	// in it) may expand to; nil outside any zip.
	expand *expansion

	// sum, when set, is the SHA-256 of the entry of an asar computed
	// while the archive was hashed.
	sum []byte
	// noZipEnd says that pass found no zip end record signature in the
	// entry's last zipTailLen bytes, noJSBlock no JScript signature
	// block begin line in it.
	noZipEnd, noJSBlock bool
	// zipIsParents says the zip archive the file ends with is one its
	// container (a PE: the bytes after an NSIS installer's data) carries
	// at its end, checked under the container's path as sbom lists it
	// (see container.TrailingAppended): not opened again under this one.
	zipIsParents bool
	// noKoly says that pass found the entry's last bytes are no disk
	// image's koly trailer (see walk.HasKoly).
	noKoly bool
	// head, when set, holds the first min(size, sniffLen) bytes of the
	// entry, kept by that pass.
	head []byte

	// held is what the archives this job's file is an entry of hold of
	// the run's memory budget while it is checked (a tarball's entries
	// are checked while the tarball is held): the file may take at most
	// the rest, or waiting for it would wait for itself.
	held int64

	// result, when set, receives what the check found of the file, once
	// it is listed (a tarball's hard links to it are listed with it).
	result *checkedFile

	// folderPerm says the job is a folder's file whose mode the walk did
	// not read: its check adds the mode's findings (file/setuid,
	// file/world-writable) once it has the file open (check.folderPerm).
	folderPerm bool
	// unixExec says the job is a disk image's file with an execute bit
	// and no extension, which Finder opens in Terminal
	// (script_terminal.go).
	unixExec bool

	// dirLen, when positive, is the length of the directory part of the
	// path on disk of a folder's file (the walk's, not its report path),
	// which its check opens by name in that directory (see dirCache).
	dirLen int

	// feedDigest says the file lies in a folder that holds YAML which may
	// be an electron-updater feed: its check computes its SHA-512, which
	// the feed may give (see updaterFeedProblem).
	feedDigest bool
	// feedSHA1 says the file lies in a folder that holds a Squirrel
	// RELEASES feed: its check computes its SHA-1, which a line may give.
	feedSHA1 bool

	crc      uint32 // the zip entry's CRC-32, when checkCRC
	checkCRC bool
	depth    int    // archive nesting
	onDone   func() // called once the job is finished
}

func (j *job) finish() {
	if j.onDone != nil {
		j.onDone()
	}
}

// maxDepth bounds archive nesting (asar in asar, cabinet in MSI), as sbom
// bounds it.
const maxDepth = release.MaxDepth

// walkDir queues the regular files under in.path. Symbolic links are not
// followed.
func (e *engine) walkDir(in input) error {
	root, err := filepath.EvalSymlinks(in.path)
	if err != nil {
		return fmt.Errorf("verify: input: %w", err)
	}
	rootFS := e.dirFS(root)
	var bundles []string // outermost bundles found so far
	var states []*bundleState
	var jobs []*job
	var slab diskJobs
	// The directories holding many files, by path on disk: their files
	// are opened in them (job.dirLen).
	many := map[string]bool{}
	err = walk.DirTreeTypes(e.ctx, root, func(d walk.Entry) error {
		rel := d.Path
		switch d.Kind {
		case walk.Unreadable:
			if rel == "." {
				return fmt.Errorf("verify: input: %w", d.Err)
			}
			e.addFindings(finding(ruleUnreadable, signing.SeverityError, joinPath(in.prefix, rel), fmt.Sprintf("cannot read: %v", unwrapPath(d.Err))))
		case walk.Link:
			if d.TargetErr != nil {
				e.addFindings(finding(ruleUnreadable, signing.SeverityError, joinPath(in.prefix, rel), fmt.Sprintf("cannot read symbolic link: %v", unwrapPath(d.TargetErr))))
				return nil
			}
			e.addFindings(e.addSymlink(in.prefix, rel, d.Target, "the release")...)
		case walk.Dir:
			if rel == "." {
				e.addFindings(inputWithoutInfoPlist(rootFS, in.base, in.prefix, d.Listing)...)
			}
			if manyFiles(d.Listing) {
				many[d.Full] = true
			}
			if bundleOf(bundles, rel) < 0 && isBundleListed(rootFS, rel, d.Listing) {
				bundles = append(bundles, rel)
				bs := newBundleState(ctxFS{e.ctx, rootFS}, rel)
				states = append(states, bs)
				e.addBundleJob(&job{path: joinPath(in.prefix, rel), fsys: rootFS, name: rel, bundle: true, bs: bs})
			}
		case walk.Special:
			// A device, pipe or socket is never opened (reading a pipe
			// waits for a writer), and is no file to check: extractors and
			// installers skip it or make it something else.
			e.addFindings(walk.SpecialFinding(joinPath(in.prefix, rel), d.Mode, "", "checked"))
		case walk.Regular:
			// The file is not stat'ed here: its check opens it, reads its
			// mode and size from the open descriptor (and adds the mode's
			// findings: job.folderPerm), reads it whole when small, and
			// queues it again with its size when not (see
			// engine.postpone). Most files of a release are small.
			j := slab.new(joinPath(in.prefix, rel), d.Full)
			j.size, j.sib, j.sibName, j.folderPerm = -1, rootFS, rel, true
			if k := strings.LastIndexByte(d.Full, filepath.Separator); k > 0 && many[d.Full[:k]] {
				j.dirLen = k
			}
			if i := bundleOf(bundles, rel); i >= 0 {
				j.bs, j.bname = states[i], rel
			}
			jobs = append(jobs, j)
		}
		return nil
	})
	if err != nil {
		return err
	}
	markFeedDigests(jobs)
	// The report will hold about one file per job: its list is sized once
	// rather than grown (and copied) about twenty times over as checks end.
	e.mu.Lock()
	e.files = slices.Grow(e.files, len(jobs))
	e.mu.Unlock()
	for i, j := range jobs {
		if cerr := e.ctx.Err(); cerr != nil {
			return cerr
		}
		// Dropped from the list once queued, a job is garbage once
		// checked: the list kept every job of the folder live until
		// the last was queued, for the collector to mark again and
		// again.
		jobs[i] = nil
		e.q.push(j, true)
	}
	return nil
}

// manyDirFiles is how many regular files a directory holds for its files
// to be opened in it (job.dirLen): each worker opens and closes the
// directory once per run of its files it checks, which costs about as
// much as the lookups of a few files' paths save.
const manyDirFiles = 16

// manyFiles reports whether a directory's listing holds at least
// manyDirFiles regular files.
func manyFiles(list []fs.DirEntry) bool {
	n := 0
	for _, d := range list {
		if d.Type().IsRegular() {
			if n++; n >= manyDirFiles {
				return true
			}
		}
	}
	return false
}

// diskJob is a job with its source, a file on disk, in one allocation: a
// release folder's walk makes one per file.
type diskJob struct {
	job
	file release.File
}

// diskJobSlab is how many jobs of a folder's files are allocated at once
// (diskJobs).
const diskJobSlab = 64

// diskJobs hands out the jobs of a folder's files from slabs of
// diskJobSlab: one allocation per slab rather than per file. A slab is
// garbage once its last job is.
type diskJobs []diskJob

// new returns the job of the file on disk name, reported as path.
func (s *diskJobs) new(path, name string) *job {
	if len(*s) == 0 {
		*s = make([]diskJob, diskJobSlab)
	}
	d := &(*s)[0]
	*s = (*s)[1:]
	d.path, d.file = path, release.File(name)
	d.src = &d.file // a *release.File is a release.Disk too
	return &d.job
}

// bundleOf returns the index of the bundle directory rel lies inside, or -1.
func bundleOf(bundles []string, rel string) int {
	for i, b := range bundles {
		if b == "." || strings.HasPrefix(rel, b+"/") {
			return i
		}
	}
	return -1
}

// addDiskFile queues a single file given as input.
func (e *engine) addDiskFile(name, report string) error {
	st, err := os.Stat(name)
	if err != nil {
		return fmt.Errorf("verify: input: %w", err)
	}
	e.q.push(&job{path: report, size: st.Size(), src: release.File(name), sib: os.DirFS(filepath.Dir(name)), sibName: filepath.Base(name), lone: true}, true)
	return nil
}

// openInput opens the archive given as an input, with its file info.
func openInput(name string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("verify: input: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("verify: input: %w", err)
	}
	return f, st, nil
}

// walkZip queues the entries of the zip archive in.path. Stored entries are
// read in place through the archive; compressed ones are streamed.
func (e *engine) walkZip(in input) error {
	f, st, err := openInput(in.path)
	if err != nil {
		return err
	}
	// The archive ends with its last valid end record, which an empty
	// archive's record appended to it does not hide (see findZipEnd).
	size := st.Size()
	at := in.prefix
	if at == "" {
		at = filepath.Base(in.path)
	}
	var ra io.ReaderAt = f
	z, ok, err := findZipEnd(ctxReaderAt{e.ctx, f}, size, []int64{size}, nil)
	if err == nil && ok && z.valid {
		// Its end structures are checked as sbom checks them.
		zra, finds, ok := release.CheckZipEnds(f, zipend.End{Off: z.off, End: z.end, Valid: true}, size, at)
		e.addFindings(finds...)
		if !ok {
			f.Close()
			return nil
		}
		ra = zra
		size = z.end
		if ra == io.ReaderAt(f) && e.walkZipChunked(in, f, st.Size(), size, z) {
			return nil
		}
	}
	zr, err := zip.NewReader(io.NewSectionReader(ra, 0, size), size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		f.Close()
		return fmt.Errorf("verify: input %s: %w", in.path, err)
	}
	release.StrictDeflate(zr)
	// The input's own entries count against the zip-bomb bound too: a
	// small archive declaring terabytes would otherwise be hashed for days.
	x := newExpansion(st.Size())
	if total, ok := release.ZipDeclared(zr); !ok || !x.Take(int64(total)) {
		e.addFindings(finding(ruleUnreadable, signing.SeverityError, at, release.ZipBombMessage(total, "checked")))
		f.Close()
		return nil
	}
	// The report will hold about one file per entry: its list is sized
	// once rather than grown (and copied) a million times over.
	e.mu.Lock()
	e.files = slices.Grow(e.files, len(zr.File))
	e.mu.Unlock()
	// The archive stays open until its last entry and bundle are checked.
	ref := newRef(func() { f.Close() })
	defer ref.release()
	apps := e.zipBundles(zr, in.prefix, 0, ref, true)
	if fi := zipUnlisted(ra, zipRecords(zr, size, nil), size, at); fi != nil {
		e.addFindings(*fi)
	}
	e.zipEntries(zr, ra, size, in.prefix, at, 0, ref, apps, func(j *job) { j.expand = x; e.q.push(j, true) })
	return nil
}

// zipApps is what zipBundles finds in a zip archive: its Apple bundles'
// roots, sorted, their states (for the entries to be left to them) and
// their checks' jobs, and the archive as a file system under the names
// its entries are listed by (zipBundleFS), where an entry's siblings are
// looked up.
type zipApps struct {
	roots  []string
	states []*bundleState
	jobs   []*job
	fsys   zipLinkFS
}

// zipBundles finds the Apple bundles among the entries of zr, an archive
// at report path prefix, nesting depth deep, and makes their checks' jobs,
// each holding ref until it is done: queued to run once every file is
// checked when queue is set, else for the caller to run once the
// archive's entries are.
func (e *engine) zipBundles(zr *zip.Reader, prefix string, depth int, ref *refCount, queue bool) zipApps {
	names, zfs := zipBundleFS(zr)
	roots := bundleRoots(zfs, names)
	sort.Strings(roots)
	a := zipApps{roots: roots, states: make([]*bundleState, len(roots)), jobs: make([]*job, len(roots)), fsys: zfs}
	for i, b := range roots {
		a.states[i] = newBundleState(ctxFS{e.ctx, zfs}, b)
		ref.add()
		a.jobs[i] = &job{path: joinPath(prefix, b), fsys: zfs, name: b, bundle: true, bs: a.states[i], depth: depth, onDone: ref.release}
		if queue {
			e.addBundleJob(a.jobs[i])
		}
	}
	return a
}

// zipUnlisted returns the file/zip-unlisted-entry finding, at report
// path p, for a local file header of the zip archive of size bytes at r
// that no record of recs (its central directory's) lists
// (release.ZipUnlisted), or nil.
func zipUnlisted(r io.ReaderAt, recs []zipRec, size int64, p string) *signing.Finding {
	u, ok := release.ZipUnlisted(r, len(recs), func(i int) release.ZipSpan { return release.ZipSpan{Off: recs[i].off, Comp: recs[i].comp} }, size, "checked")
	if !ok {
		return nil
	}
	f := finding(ruleZipUnlisted, signing.SeverityError, p, u.Message)
	f.Offset = &u.Offset
	return &f
}

// The expansion budget of nested archives is release.Expansion (see
// there): the walkers of verify and sbom share it.
const (
	expansionRatio = release.ExpansionRatio
	minExpansion   = release.MinExpansion
)

// expansion is the bytes archives nested in one archive may still declare.
type expansion = release.Expansion

func newExpansion(size int64) *expansion { return release.NewExpansion(size) }

// zipEntries queues the entries of the zip archive zr, whose bytes are the
// size bytes at ra, through sink: prefix is the archive's report path
// ("" for the input itself) and name its name in findings (the input's
// file name, as sbom names it), ref keeps ra available until every entry is
// checked, and files under apps.roots belong to the bundle of the same
// index. Findings about entries that are not checked go to the report.
func (e *engine) zipEntries(zr *zip.Reader, ra io.ReaderAt, size int64, prefix, name string, depth int, ref *refCount, apps zipApps, sink func(*job)) {
	ff := foldname.NewFilter(len(zr.File))
	recs := zipRecords(zr, size, ff)
	zc := e.newZipChecks(recs, ff, ra, size, prefix, name)
	// Once queued, an entry is its job's: the reader's record of it is
	// dropped, so that a million-entry archive does not stay in memory
	// until its last entry is checked. Apple bundles and Sigstore bundles
	// are read through the reader as a file system, which needs them all:
	// apps.fsys, under the names the entries are listed by, where each
	// entry's siblings are looked up.
	var sib fs.FS
	if len(apps.roots) > 0 || e.pol.usesSigstore() || container.ZipHoldsCabinets(apps.fsys.File) {
		sib = apps.fsys
	}
	sink = feedDigestSink(zr.File, sink)
	e.zipChunkEntries(zc, zr, 0, ra, size, prefix, depth, ref, apps.roots, apps.states, sib, sink)
}

// zipChecks is what zipEntries knows of a whole archive before it queues
// any entry, and the checks of its entries (walk.ZipEntryChecks, sbom's
// too).
type zipChecks struct {
	walk.ZipEntryChecks
	// paths, when set, holds the report paths of the archive's entries
	// (see pathArena).
	paths *pathArena
}

// newZipChecks returns the checks of the archive whose entries are recs,
// named name in findings (its report path, or an input's file name, as
// sbom names it).
func (e *engine) newZipChecks(recs []zipRec, ff *foldname.Filter, ra io.ReaderAt, size int64, prefix, name string) *zipChecks {
	at := name
	if at == "" {
		at = "."
	}
	ff.Done()
	dupHash := zipDuplicates(recs)
	return &zipChecks{ZipEntryChecks: walk.ZipEntryChecks{At: at, Done: "checked",
		Overlap: zipOverlaps(recs, size), Local: zipLocalHeaders(recs, ra, size),
		MayRepeat: func(key string) bool { return len(dupHash) > 0 && dupHash[zipNameHash(key)] },
		Fold:      ff.Hit}}
}

// zipChunkEntries queues the entries of zr, which are those of an archive
// from index base on (the whole archive, or a chunk of its central
// directory: see walkZipChunked), as walk.ZipEntryChecks.Walk names and
// checks them (sbom's walk of a zip too). sib, when set, is the archive
// as a file system under the entries' listed names (walk.ZipFS), which
// each entry reads its siblings from; when nil, each record is dropped
// once its entry is queued.
func (e *engine) zipChunkEntries(zc *zipChecks, zr *zip.Reader, base int, ra io.ReaderAt, size int64, prefix string, depth int, ref *refCount, roots []string, states []*bundleState, sib fs.FS, sink func(*job)) {
	v := walk.ZipVisitor{
		Finding: func(f signing.Finding) { e.addFindings(f) },
		Link:    func(name, target string) { e.addFindings(e.addSymlink(prefix, name, target, "the archive")...) },
		File: func(_ int, zf *zip.File, name, p string) {
			e.queueZipEntry(sib, zf, p, name, ra, size, depth, ref, roots, states, sink)
		},
		Stop: func() bool { return e.ctx.Err() != nil },
		Free: sib == nil,
	}
	if zc.paths != nil {
		v.Path = zc.paths.copy
	}
	zc.Walk(zr.File, base, prefix, v)
}

// queueZipEntry queues the file entry zf, named name in its archive
// (whose file system under its entries' listed names is sib, or nil), at
// report path p: a stored entry is read in place from ra (size bytes), a
// compressed one streamed.
func (e *engine) queueZipEntry(sib fs.FS, zf *zip.File, p, name string, ra io.ReaderAt, size int64, depth int, ref *refCount, roots []string, states []*bundleState, sink func(*job)) {
	j := &job{path: p, size: int64(zf.UncompressedSize64), crc: zf.CRC32, checkCRC: true, sib: sib, sibName: name, depth: depth}
	if i := bundleOf(roots, name); i >= 0 {
		j.bs, j.bname = states[i], name
	}
	if zf.Method == zip.Store && zf.CompressedSize64 == zf.UncompressedSize64 {
		off, err := zf.DataOffset()
		if err != nil || off < 0 || off > size || j.size > size-off {
			e.addFindings(finding(ruleMalformed, signing.SeverityError, p, "stored zip entry lies outside the archive"))
			return
		}
		j.src = release.NewSection(ra, off, j.size)
	} else {
		j.src = release.Func(zf.Open)
	}
	ref.add()
	j.onDone = ref.release
	sink(j)
}

// zipDuplicates returns the name hashes (zipNameHash) that more than one
// file entry of zr (those zipEntries checks: valid relative paths, not
// directories) has. Sorting the hashes costs a slice of them for a moment
// where a set of every name seen would stay for the whole walk; the walk
// then compares the names of the entries whose hash is here.
func zipDuplicates(recs []zipRec) map[uint64]bool {
	names := make([]uint64, 0, len(recs))
	for _, z := range recs {
		if z.file {
			names = append(names, z.dupKey())
		}
	}
	return repeated(names)
}

// repeated sorts hs and returns the hashes it holds more than once.
func repeated(hs []uint64) map[uint64]bool {
	slices.Sort(hs)
	rep := map[uint64]bool{}
	for i := 1; i < len(hs); i++ {
		if hs[i] == hs[i-1] {
			rep[hs[i]] = true
		}
	}
	return rep
}

// zipOverlaps marks the entries of recs whose compressed data overlaps
// another entry's (release.ZipOverlaps).
func zipOverlaps(recs []zipRec, size int64) map[int]bool {
	return release.ZipOverlaps(len(recs), func(i int) release.ZipSpan { return release.ZipSpan{Off: recs[i].off, Comp: recs[i].comp} }, size)
}

// walkArchiveFS hands the entries of an archive file system (an asar, an
// installer package's, a disk image's volume) of kind k found at report
// path parent to sink, as walk.ArchiveFS lists them: an installer
// package's by container.WalkPkgFS, the walk sbom makes of it (through
// container.Walk), its payload files checked for their set-ID bits
// (file/setuid) and its special files file/unreadable there; sbom's walk
// of a disk image lists it so too. ref keeps the archive's bytes alive. A
// disk image's files are checked for set-ID bits, its programs for world
// write (file/world-writable), as a folder's are; its special files are
// reported when its volume is opened, and an asar holds none. The
// bundles of an archive whose bytes are held under the run's memory
// budget (inline, its entries checked by sink one after the other) are
// verified once its entries are, not queued for the end of the run,
// where they would hold the budget other files' checks may be waiting
// for.
func (e *engine) walkArchiveFS(fsys fs.FS, parent string, depth int, ref *refCount, k Kind, inline bool, sink func(*job)) []signing.Finding {
	var later []*job // bundles verified after the entries (inline)
	a := archiveFSWalk{e: e, fsys: fsys, parent: parent, depth: depth, ref: ref, k: k, sink: sink}
	if bundleArchives[k] {
		later = a.findBundles(inline)
	}
	if k == KindPkg {
		container.WalkPkgFS(e.ctx, fsys, parent, container.Visitor{
			Finding: func(f signing.Finding) { a.finds = append(a.finds, f) },
			Link:    func(name, target string) { a.link(name, target) },
			Entry: func(en container.Entry) {
				a.finds = append(a.finds, permFindings(en.Path, "package payload", en.Mode, nil)...)
				a.file(en.Source.(release.FSFile).Name, en.Size, en.Mode)
			},
		})
	} else {
		a.walk()
	}
	for _, j := range later {
		if e.ctx.Err() == nil {
			e.process(j)
		}
		j.finish()
	}
	return a.finds
}

// archiveFSWalk is one walk of walkArchiveFS.
type archiveFSWalk struct {
	e      *engine
	fsys   fs.FS
	parent string
	depth  int
	ref    *refCount
	k      Kind
	sink   func(*job)
	finds  []signing.Finding
	// roots are the Apple bundles found in fsys, sorted, and states
	// their states, for their files to be left to them.
	roots  []string
	states []*bundleState
}

// findBundles finds the Apple bundles of an archive that may hold them (an
// installer package's Payload), to verify them as bundles, as a folder's
// are: its files are listed first. Their jobs are queued, or returned
// for the caller to run after the entries when inline.
func (a *archiveFSWalk) findBundles(inline bool) []*job {
	var names []string
	walk.ArchiveFS(a.e.ctx, a.fsys, func(en walk.Entry) error {
		if en.Kind == walk.Regular {
			names = append(names, en.Path)
		}
		return nil
	})
	a.roots = bundleRoots(a.fsys, names)
	sort.Strings(a.roots)
	var later []*job
	for _, b := range a.roots {
		bs := newBundleState(ctxFS{a.e.ctx, a.fsys}, b)
		a.states = append(a.states, bs)
		a.ref.add()
		j := &job{path: joinPath(a.parent, b), fsys: a.fsys, name: b, bundle: true, bs: bs, depth: a.depth, onDone: a.ref.release}
		if inline {
			later = append(later, j)
		} else {
			a.e.addBundleJob(j)
		}
	}
	return later
}

// walk walks an asar's or a disk image's volume's file system.
func (a *archiveFSWalk) walk() {
	err := walk.ArchiveFS(a.e.ctx, a.fsys, func(en walk.Entry) error {
		switch en.Kind {
		case walk.Unreadable:
			a.finds = append(a.finds, finding(ruleUnreadable, signing.SeverityError, joinPath(a.parent, en.Path), en.Err.Error()))
		case walk.Link:
			// Links of an asar are its reader's business: it reports
			// those that escape or dangle (asar/link-escape…); a disk
			// image's may point out of it (the usual "Applications" to
			// /Applications). Their targets are checked where they
			// are, and held to the rules for the links' paths too
			// (see checkLinks).
			if en.TargetErr == nil {
				a.link(en.Path, en.Target)
			}
		case walk.Regular:
			if a.k == KindDMG { // as for a folder's file (the volume keeps its modes)
				a.finds = append(a.finds, permFindings(joinPath(a.parent, en.Path), "disk image", en.Perm, nil)...)
			}
			a.file(en.Path, en.Size, en.Perm)
		case walk.Special:
			// A disk image's are left out of its volume's file system
			// (reported as it is opened) and an asar holds none: never
			// opened all the same.
			a.finds = append(a.finds, walk.SpecialFinding(joinPath(a.parent, en.Path), en.Mode, string(a.k), ""))
		}
		return nil
	})
	if err != nil && a.e.ctx.Err() == nil {
		a.finds = append(a.finds, finding(ruleMalformed, signing.SeverityError, a.parent, fmt.Sprintf("cannot list archive: %v", err)))
	}
}

// link records the symbolic link at p in the archive (an installer
// package's payload's is checked as a tarball's is: archiveFSLink).
func (a *archiveFSWalk) link(p, target string) {
	a.finds = append(a.finds, a.e.archiveFSLink(a.parent, p, target, a.k)...)
}

// file hands the job of the file at p in the archive, of size bytes and
// mode perm, to the sink.
func (a *archiveFSWalk) file(p string, size int64, perm fs.FileMode) {
	a.ref.add()
	j := &job{path: joinPath(a.parent, p), size: size, src: release.FSFile{FS: a.fsys, Name: p}, name: p, sib: a.fsys, sibName: p, depth: a.depth, onDone: a.ref.release}
	j.unixExec = a.k == KindDMG && perm&0o111 != 0 && path.Ext(p) == ""
	if i := bundleOf(a.roots, p); i >= 0 {
		j.bs, j.bname = a.states[i], p
	}
	a.sink(j)
}

// refCount runs a cleanup when its count drops to zero.
type refCount struct {
	n       atomic.Int64
	cleanup func()
}

func newRef(cleanup func()) *refCount {
	r := &refCount{cleanup: cleanup}
	r.n.Store(1)
	return r
}

func (r *refCount) add() { r.n.Add(1) }

func (r *refCount) release() {
	if r.n.Add(-1) == 0 && r.cleanup != nil {
		r.cleanup()
	}
}

// unwrapPath drops the path from a *fs.PathError: findings name the file
// already, and absolute paths stay out of reports.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func finding(rule signing.Rule, sev signing.Severity, p, msg string) signing.Finding {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = p
	return f
}
