package verify

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// Apple bundles (.app, .framework…) are verified as a whole:
// codesign.VerifyBundle checks that the main executable's signature binds
// Info.plist and the sealed resources, and that no sealed file was added,
// removed or changed. Each file of a bundle is read once (but for the small
// Info.plist and CodeResources, which the bundle parses again). The walk checks
// every file of a bundle on its own as usual, except Mach-O files: their
// checks stop at the kind and leave them to the bundle, because a main
// executable is verified only with its bundle's Info.plist and
// CodeResources. The bundle runs once its files' checks are done; it takes
// the SHA-256 they computed for its resource seals, verifies the Mach-O
// files (their SHA-256 computed in the same read), and each becomes a File
// that goes through the blocklists and the policy as a file checked on its
// own would. A Mach-O file the bundle does not verify (outside the bundle
// root, or unreadable) is then checked on its own.

// addBundleJob queues the check of a bundle found by the walk, to run once
// every file has been checked on its own.
func (e *engine) addBundleJob(j *job) {
	e.bundleMu.Lock()
	e.bundleJobs = append(e.bundleJobs, j)
	e.bundleMu.Unlock()
}

// bundleArchives are the kinds of archive whose file systems may hold
// Apple bundles, which are verified as bundles.
var bundleArchives = map[Kind]bool{KindPkg: true}

// isBundle reports whether dir in fsys is an Apple code bundle.
func isBundle(fsys fs.FS, dir string) bool { return codesign.IsBundle(fsys, dir) }

// isBundleListed is isBundle for a folder's directory whose entries the
// walk read (list; nil when it could not): see codesign.IsBundleListed.
func isBundleListed(fsys fs.FS, dir string, list []fs.DirEntry) bool {
	return codesign.IsBundleListed(fsys, dir, list)
}

// bundleState is what the checks of a bundle's files leave to the bundle.
// Files are named by their path in the bundle job's fsys.
type bundleState struct {
	mu       sync.Mutex
	sums     map[string][]byte // SHA-256 of files checked on their own
	sha1s    map[string][]byte // their SHA-1, when wantsSHA1
	count    map[string]int    // how many files of a name were checked on their own
	deferred map[string][]deferredFile
	// fsys and dir locate the bundle, whose seal wantsSHA1 reads.
	fsys     fs.FS
	dir      string
	sha1Once sync.Once
	sha1     bool
}

// deferredFile is a Mach-O file left to its bundle.
type deferredFile struct {
	j    *job
	kind Kind
}

// newBundleState returns the state of the bundle dir in fsys.
func newBundleState(fsys fs.FS, dir string) *bundleState {
	return &bundleState{sums: map[string][]byte{}, sha1s: map[string][]byte{}, count: map[string]int{}, deferred: map[string][]deferredFile{}, fsys: fsys, dir: dir}
}

// wantsSHA1 reports whether the checks of the bundle's files compute
// their SHA-1 too: when its seal holds SHA-1 hashes, which
// codesign.VerifyBundle checks under a SHA-1 CodeDirectory and would
// otherwise read each file again for. It reads the bundle's CodeResources
// once, when first asked.
func (b *bundleState) wantsSHA1() bool {
	b.sha1Once.Do(func() {
		if b.fsys != nil {
			b.sha1 = codesign.SealUsesSHA1(b.fsys, b.dir)
		}
	})
	return b.sha1
}

// checked records a file checked on its own, with its SHA-256 (and SHA-1,
// when computed) when it read cleanly.
func (b *bundleState) checked(name string, sum, sha1 []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count[name]++
	if sum != nil {
		b.sums[name] = sum
	}
	if sha1 != nil {
		b.sha1s[name] = sha1
	}
}

// SHA256 implements codesign.BundleFiles: the digest of the one file named
// p, when its check read it cleanly.
func (b *bundleState) SHA256(p string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count[p] != 1 || len(b.deferred[p]) != 0 {
		return nil, false
	}
	s, ok := b.sums[p]
	return s, ok
}

// SHA1 implements codesign.BundleFilesSHA1: the SHA-1 of the one file
// named p, when its check read it cleanly and computed it.
func (b *bundleState) SHA1(p string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count[p] != 1 || len(b.deferred[p]) != 0 {
		return nil, false
	}
	s, ok := b.sha1s[p]
	return s, ok
}

// take returns the Mach-O file named name left to the bundle, when it is
// the only file of that name.
func (b *bundleState) take(name string) (deferredFile, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ds := b.deferred[name]
	if len(ds) != 1 || b.count[name] != 0 {
		return deferredFile{}, false
	}
	delete(b.deferred, name)
	return ds[0], true
}

// rest returns the files left to the bundle that it did not take, by name.
func (b *bundleState) rest() []deferredFile {
	b.mu.Lock()
	defer b.mu.Unlock()
	names := make([]string, 0, len(b.deferred))
	for n := range b.deferred {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []deferredFile
	for _, n := range names {
		out = append(out, b.deferred[n]...)
	}
	b.deferred = map[string][]deferredFile{}
	return out
}

// deferToBundle leaves a Mach-O file inside a bundle to the bundle's check.
func (c *check) deferToBundle(kind Kind) bool {
	bs := c.j.bs
	if bs == nil || c.j.bundle || (kind != KindMachO && kind != KindMachOUniversal) {
		return false
	}
	bs.mu.Lock()
	bs.deferred[c.j.bname] = append(bs.deferred[c.j.bname], deferredFile{j: c.j, kind: kind})
	bs.mu.Unlock()
	c.deferred = true
	return true
}

// checkBundle verifies the bundle j names, once the checks of its files are
// done, and records the Mach-O files they left to it.
func (e *engine) checkBundle(j *job) {
	bs := j.bs
	report := joinPath(j.path, "")
	res, err := codesign.VerifyBundle(ctxFS{e.ctx, j.fsys}, j.name, codesign.Options{Trust: e.appleTrust, Time: e.opts.Time, Files: bs, Logger: e.log.With("bundle", report)})
	if e.ctx.Err() != nil {
		return
	}
	if err != nil {
		e.addFindings(finding(ruleUnreadable, signing.SeverityError, report, fmt.Sprintf("cannot verify the bundle: %v", unwrapPath(err))))
	} else {
		e.addBundleResult(j, res)
	}
	// Mach-O files the bundle did not verify are checked on their own.
	for _, d := range bs.rest() {
		if e.ctx.Err() != nil {
			return
		}
		d.j.bs = nil
		e.process(d.j)
	}
}

func (e *engine) addBundleResult(j *job, res *codesign.BundleResult) {
	e.noteAppVersion(j, res)
	prefix := bundlePrefix(j)
	var finds []signing.Finding
	for _, f := range res.Findings {
		f.Path = joinPath(prefix, f.Path)
		finds = append(finds, f)
	}
	sigs := map[string][]signing.Signature{}
	for _, it := range res.Items {
		if it.Result == nil {
			continue // the file's own check reports why
		}
		if d, ok := j.bs.take(it.Path); ok {
			e.addBundleItem(d, it)
			continue
		}
		// The file was also checked on its own (a name held twice in a
		// zip archive, or a file its own check took for another kind):
		// the bundle adds its findings, and its verdict on a signature
		// where it is worse.
		p := joinPath(prefix, it.Path)
		for _, f := range it.Result.Findings {
			if _, restates := statusRules[f.Rule]; restates {
				continue
			}
			f.Path = joinPath(p, f.Path)
			finds = append(finds, f)
		}
		sigs[p] = it.Result.Signatures
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addFindingsLocked(finds)
	for p, s := range sigs {
		e.bundleSigs[p] = s
	}
}

// addBundleItem records a Mach-O file the bundle verified, as its own check
// would have: the bundle's verdict, then blocklists, policy and Sigstore.
func (e *engine) addBundleItem(d deferredFile, it codesign.BundleItem) {
	res := it.Result
	c := &check{e: e, j: d.j, f: File{Path: d.j.path, Size: it.Size, SHA256: hexDigest(it.SHA256), Kind: d.kind}, ra: windowOf(d.j), malformed: it.Malformed, listed: true}
	c.h = newFileHasher(false, false, false)
	if sha1, md5 := e.bl.needsHashes(); sha1 || md5 {
		// The blocklist matches files by digests the bundle did not
		// compute: read the file again for them.
		c.h = newFileHasher(sha1, md5, false)
		rc, err := c.reopen()
		if err == nil {
			err = e.copyHash(c.h, rc)
			rc.Close()
		}
		if err != nil {
			if e.ctx.Err() != nil {
				return
			}
			c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("cannot read: %v", unwrapPath(err)))
		}
	}
	c.native = &nativeResult{sigs: res.Signatures, findings: res.Findings}
	if !it.Malformed {
		c.native.slices = res.Slices
		for _, s := range res.Slices {
			c.native.cdhashes = append(c.native.cdhashes, s.CDHashes...)
		}
	}
	c.f.Signatures = res.Signatures
	for _, f := range res.Findings {
		f.Path = joinPath(c.f.Path, f.Path)
		c.finds = append(c.finds, f)
	}
	c.afterHash()
	if e.ctx.Err() != nil {
		return
	}
	e.addFile(&c.f, c.finds)
}

// ctxFS is a file system whose reads fail once ctx is done, so that a
// cancelled run does not read the rest of a bundle.
type ctxFS struct {
	ctx  context.Context
	fsys fs.FS
}

func (c ctxFS) Open(name string) (fs.File, error) {
	f, err := c.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if ra, ok := f.(io.ReaderAt); ok {
		return ctxFileAt{ctxFile{f, c.ctx}, ra}, nil
	}
	return ctxFile{f, c.ctx}, nil
}

func (c ctxFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(c.fsys, name) }
func (c ctxFS) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(c.fsys, name) }
func (c ctxFS) Lstat(name string) (fs.FileInfo, error)     { return fs.Lstat(c.fsys, name) }
func (c ctxFS) ReadLink(name string) (string, error)       { return fs.ReadLink(c.fsys, name) }

type ctxFile struct {
	fs.File
	ctx context.Context
}

func (c ctxFile) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.File.Read(p)
}

type ctxFileAt struct {
	ctxFile
	ra io.ReaderAt
}

func (c ctxFileAt) ReadAt(p []byte, off int64) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.ra.ReadAt(p, off)
}

// bundlePrefix is the report path of the root of the file system a bundle
// job walks.
func bundlePrefix(j *job) string {
	if j.name == "." {
		return j.path
	}
	return strings.TrimSuffix(strings.TrimSuffix(j.path, j.name), "/")
}

// mergeBundleSignatures lets a bundle's verdict on a file's signature
// replace the file's own when it is worse, for the files a bundle verified
// that were also checked on their own. Called once all jobs are done.
func (e *engine) mergeBundleSignatures() {
	for i := range e.files {
		f := &e.files[i]
		bs, ok := e.bundleSigs[f.Path]
		if !ok {
			continue
		}
		for k := range f.Signatures {
			for _, b := range bs {
				if b.Index == f.Signatures[k].Index && b.Status > f.Signatures[k].Status {
					f.Signatures[k] = b
				}
			}
		}
	}
}

// bundleRoots finds the outermost bundles among the ancestors of the
// Info.plist files named in names (the entries of an archive), and of the
// Contents/MacOS files that make a bundle without one.
func bundleRoots(fsys fs.FS, names []string) []string {
	cands := map[string]bool{}
	for _, n := range names {
		start, ok := bundleMarker(n)
		if !ok {
			continue
		}
		for d := start; d != "."; d = path.Dir(d) {
			cands[d] = true
		}
	}
	var roots []string
	for d := range cands {
		outer := false
		for a := path.Dir(d); a != "."; a = path.Dir(a) {
			if cands[a] && isBundle(fsys, a) {
				outer = true
				break
			}
		}
		if !outer && isBundle(fsys, d) {
			roots = append(roots, d)
		}
	}
	return roots
}

// bundleMarker reports whether the file at path n may make a bundle of a
// folder it is in, and the innermost such folder: an Info.plist's, or the
// bundle a Contents/MacOS file is in (a bundle without an Info.plist is one
// to macOS when its Contents/MacOS holds a file of its name, X.app/
// Contents/MacOS/X: codesign/missing-info-plist).
func bundleMarker(n string) (string, bool) {
	if path.Base(n) == "Info.plist" {
		return path.Dir(n), true
	}
	c := path.Dir(path.Dir(n))
	if path.Base(path.Dir(n)) != "MacOS" || path.Base(c) != "Contents" || c == "Contents" {
		return "", false
	}
	return path.Dir(c), true
}

// isBundleMarker says the file at path n may make a folder it is in a
// bundle (bundleMarker).
func isBundleMarker(n string) bool {
	_, ok := bundleMarker(n)
	return ok
}

// windowOf returns the bytes of j's file when they lie in place in an open
// archive, or nil.
func windowOf(j *job) io.ReaderAt {
	if w, ok := j.src.(release.Window); ok {
		return w.ReaderAt()
	}
	return nil
}

// inputWithoutInfoPlist reports an input folder named as a bundle (base,
// "Run.app") that has no Info.plist but whose Contents/MacOS holds a file
// of its name, which macOS runs (codesign/missing-info-plist). Inside the
// release such a folder is verified as a bundle; given as the input, its
// own name is not in fsys, which is rooted in it, so it is judged here,
// by the walk's listing of the folder (list: codesign.IsBundleListed).
func inputWithoutInfoPlist(fsys fs.FS, base, prefix string, list []fs.DirEntry) []signing.Finding {
	name := strings.TrimSuffix(base, path.Ext(base))
	if !codesign.HasBundleExt(base) || name == "" || isBundleListed(fsys, ".", list) {
		return nil
	}
	exe := path.Join("Contents", "MacOS", name)
	if st, err := fs.Stat(fsys, exe); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return []signing.Finding{finding(codesign.RuleMissingInfoPlist, signing.SeverityError, joinPath(prefix, "Contents/Info.plist"),
		fmt.Sprintf("%s has no Info.plist, yet macOS runs %s as its main executable (CFBundle falls back to the bundle's name): nothing binds its resources to a signature, so it is no bundle shipgate can verify", base, joinPath(prefix, exe)))}
}
