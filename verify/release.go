package verify

import (
	"cmp"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// Options configures [Release]. The zero value verifies with the default
// policy, trusting the embedded Microsoft and Apple roots and the operating
// system's roots (as `shipgate verify` without flags does), at the current
// time, on GOMAXPROCS workers. A hermetic run sets Policy.Trust.System to
// false or passes its own Trust.
type Options struct {
	// Policy is the policy to apply; nil means the default policy (see
	// [Policy]).
	Policy *Policy
	// Trust is the trust store signatures must chain to. Nil means the
	// store the policy's trust section describes, of which Apple code
	// signatures may end only at Apple's roots and the policy's own
	// ([signing.TrustStoreOptions.ForApple]); a store given here anchors
	// both kinds, so build it without the system and Microsoft roots when
	// Apple signatures must be Apple's.
	Trust *signing.TrustStore
	// Time is the time at which certificates are checked when a signature
	// carries no verified timestamp; zero means now.
	Time time.Time
	// Blocklist is the list certificates and files are matched against. Nil
	// means the lists the policy names, merged with the built-in one unless
	// the policy turns it off.
	Blocklist *blocklist.List
	// FailOn overrides the policy's failOn when set.
	FailOn FailOn
	// Workers is the number of files checked at once; zero means GOMAXPROCS.
	Workers int
	// MaxBuffer caps the memory used to hold compressed zip entries that
	// need random access (native code and asar archives inside a deflated
	// zip); zero means 1 GiB. An entry larger than the cap is reported as
	// file/unreadable.
	MaxBuffer int64
	// Progress, when set, is called after each file with the running
	// totals. Calls are serialized; keep it quick.
	Progress func(Progress)
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
	// ToolVersion is the version recorded in the report's tool section.
	ToolVersion string
	// Catalogs are security catalog files (.cat) to use besides those found
	// in the release: a file with no signature of its own whose digest a
	// catalog that verifies lists is signed by it, as `signtool verify /c`
	// sees it. A path that is not a catalog fails the run; a catalog that
	// does not verify is a catalog/not-verified finding and vouches for
	// nothing. A catalog of the release that verifies and lists SHA-1
	// digests makes Release check the release a second time, computing
	// every file's SHA-1 (Progress then starts again).
	Catalogs []string
	// Sigstore verifies the Sigstore bundles the policy's sigstore rules
	// require. Nil is allowed only for a policy without sigstore rules:
	// with them, Release fails rather than skip the check. The shipgate
	// command sets signing/sigstore.Verifier{}.
	Sigstore SigstoreVerifier
	// Vulnerabilities matches each input's inventory against the OSV
	// records and OpenVEX statements the policy's vulnerabilities section
	// names. Nil is allowed only for a policy without OSV directories. The
	// shipgate command sets a sbom/vuln.Scanner. The statements are ranked
	// at Time (see VulnerabilityScannerAt): a scanner that cannot take it
	// is refused when Time is set and the policy names OpenVEX files.
	Vulnerabilities VulnerabilityScanner

	// hooks are stand-ins tests set for one call.
	hooks testHooks
}

// Progress is the running total of a [Release] run.
type Progress struct {
	// Files and Bytes count the files checked so far and their sizes.
	Files int
	Bytes int64
	// Elapsed is the time since the run started.
	Elapsed time.Duration
}

// Rate returns the bytes checked per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Bytes) / p.Elapsed.Seconds()
}

// Release checks the release made of paths (files, directories, .app bundles,
// .zip archives, app.asar archives) and returns its report.
//
// With one input that is a directory, a zip archive or a tarball, report paths are
// relative to it; otherwise each input's files are named under the input's
// base name, and two inputs with the same base name are an error. Symbolic
// links are never followed: one that points out of its input, alone or
// through other links, is a file/symlink-escape finding, others are skipped (their targets are checked
// where they are).
//
// The error is non-nil only when the run fails: an input cannot be read, the
// policy is invalid, the trust store or a blocklist cannot be loaded, or ctx
// is done.
func Release(ctx context.Context, opts Options, paths ...string) (*Report, error) {
	if len(paths) == 0 {
		return nil, errors.New("verify: no input")
	}
	e, err := newEngine(ctx, opts)
	if err != nil {
		return nil, err
	}
	inputs, err := resolveInputs(paths)
	if err != nil {
		return nil, err
	}
	src := newSources(paths, opts.Policy) // hashes single-file inputs beside the run
	r, err := e.run(inputs)
	if err == nil && e.needsSHA1Rerun() {
		// A catalog of the release lists SHA-1 digests, which the run
		// did not compute: run again computing them for every file.
		e, err = newEngine(ctx, opts)
		if err != nil {
			return nil, err
		}
		e.catSHA1 = true
		r, err = e.run(inputs)
	}
	if err == nil {
		err = checkInputsHold(inputs, r)
	}
	return src.record(r, err)
}

// checkInputsHold fails the run when an input folder or archive holds no
// file: a release step that wrote its artifacts elsewhere, or a path with
// a typo in a part that exists, would otherwise pass as a release with
// nothing wrong in it. An archive whose entries were all refused holds
// its findings, and a single file always holds itself.
func checkInputsHold(inputs []input, r *Report) error {
	for _, in := range inputs {
		if !in.dir && !in.zip && !in.tar {
			continue
		}
		under := func(p string) bool {
			rest, ok := strings.CutPrefix(p, in.prefix+"/")
			return in.prefix == "" || ok && rest != "" || p == in.prefix
		}
		held := slices.ContainsFunc(r.Files, func(f File) bool { return under(f.Path) }) ||
			slices.ContainsFunc(r.Findings, func(f signing.Finding) bool { return under(f.Path) })
		if !held {
			return fmt.Errorf("verify: input %s holds no files: nothing would be verified", in.path)
		}
	}
	return nil
}

// input is one path given to Release.
type input struct {
	path   string // as given
	prefix string // report path prefix; "" for the sole directory, zip or tarball
	base   string // the path's base name
	dir    bool
	// zip and tar say the input is a zip archive or a tarball (whose
	// entries are the release's files, as sbom lists them).
	zip, tar bool
}

func resolveInputs(paths []string) ([]input, error) {
	var ins []input
	names := map[string]string{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("verify: input: %w", err)
		}
		in := input{path: p, dir: st.IsDir()}
		if !in.dir && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("verify: input %s: not a regular file or directory", p)
		}
		if !in.dir {
			arc, err := sniffArchive(p)
			if err != nil {
				return nil, fmt.Errorf("verify: input: %w", err)
			}
			in.zip, in.tar = arc == release.ZipArchive, arc == release.TarArchive
		}
		base := filepath.Base(filepath.Clean(p))
		if base == "." || base == string(filepath.Separator) || base == ".." {
			abs, err := filepath.Abs(p)
			if err != nil {
				return nil, fmt.Errorf("verify: input %s: %w", p, err)
			}
			base = filepath.Base(abs)
		}
		if prev, dup := names[base]; dup {
			return nil, fmt.Errorf("verify: inputs %s and %s have the same name %q; report paths would collide", prev, p, base)
		}
		names[base] = p
		in.prefix, in.base = base, base
		ins = append(ins, in)
	}
	if len(ins) == 1 && (ins[0].dir || ins[0].zip || ins[0].tar) {
		ins[0].prefix = ""
	}
	return ins, nil
}

// sniffArchive tells whether the file name is a zip archive or a tarball
// (plain, or a gzip, xz or zstd stream that may hold one), as a file of a
// release is told (release.NestedArchive).
func sniffArchive(name string) (release.Archive, error) {
	f, err := os.Open(name)
	if err != nil {
		return release.NoArchive, err
	}
	defer f.Close()
	b := make([]byte, sniffLen)
	n, _ := io.ReadFull(f, b)
	if IsZip(b[:n]) {
		return release.ZipArchive, nil
	}
	return release.NestedArchive(b[:n], true), nil
}

// joinPath joins a report path prefix and a relative name.
func joinPath(prefix, name string) string { return release.JoinPath(prefix, name) }

// engine is one Release run.
type engine struct {
	ctx    context.Context
	opts   Options
	pol    *Policy
	failOn FailOn
	trust  *signing.TrustStore // Authenticode chains
	// appleTrust anchors Apple code signatures: trust without the
	// operating system's roots (see verifyEnv).
	appleTrust *signing.TrustStore
	bl         *matcher
	// sigstore holds the trusted roots and keys of the policy's sigstore
	// settings.
	sigstore map[*Sigstore]*sigstoreMaterial
	log      *slog.Logger
	q        *queue
	budget   *budget
	start    time.Time
	workers  int

	// large are the files on disk the walk did not stat that turned out
	// too large to read whole (see postpone).
	large []*job

	// bundleJobs are the Apple bundles found by the walk; they run once
	// every file has been checked on its own (see checkBundle). Checks of
	// archives that hold bundles (installer packages) add to them while
	// the walk goes on, under bundleMu.
	bundleMu   sync.Mutex
	bundleJobs []*job

	// ruleSeen[i] is set once policy rule i matched a file of the release
	// (see checkUnmatchedRules).
	ruleSeen []atomic.Bool
	// namePins are the signatures name-only signers entries allowed
	// (see checkNamePins).
	namePins namePins

	mu         sync.Mutex
	bundleSigs map[string][]signing.Signature // a bundle's verdict per file path
	files      []File
	findings   []signing.Finding
	// walked counts, by report path, the files a container's walk (an
	// installer, cabinet, MSI, 7-Zip archive) handed over (see
	// checkWalkedCopies).
	walked   map[string]int
	progress Progress
	links    []link           // symbolic links inside the release (see checkLinks)
	chains   []walk.ChainLink // symbolic links of folders, zips and tarballs (see checkLinkChains)
	// unpackedAsars are the asar archives whose unpacked files are
	// checked as ordinary files (see checkUnpackedAsars).
	unpackedAsars []unpackedAsar
	// pendingIntegrity are the asar entries compared with their integrity
	// once checked (see addPendingIntegrity).
	pendingIntegrity []pendingIntegrity
	// feeds are the Squirrel.Windows RELEASES files of the release, and
	// feedSHA1 the SHA-1 of each .nupkg by report path (see
	// checkSquirrelFeeds).
	feeds    []squirrelFeed
	feedSHA1 map[string]string
	// feedSHA512 holds the SHA-512 of the files that lie beside YAML
	// that may be an electron-updater feed (see noteFeedDigest).
	feedSHA512 map[string][]byte
	// feedVersions holds the product versions of the PE files that lie
	// beside YAML that may be an electron-updater feed (updater_version.go).
	feedVersions map[string][]string
	// feedAppVersions holds the CFBundleShortVersionString of the apps at
	// the root of archives, by the archive's report path
	// (updater_macversion.go).
	feedAppVersions map[string][]string
	// nuspecVersions holds the versions the root nuspecs of NuGet
	// packages give, by the package's report path (squirrel_nuspec.go).
	nuspecVersions map[string][]string
	// clickOnce are the ClickOnce manifests' files named relative to
	// them, and clickOnceSHA1 the SHA-1 of the files a ClickOnce publish
	// lays out by report path (see checkClickOnceRefs).
	clickOnce     []clickOnceNote
	clickOnceSHA1 map[string][]byte

	// catalogs are the security catalogs verified (Options.Catalogs
	// first, then those of the release as their checks finish); extras
	// the digests membership needs of e.files[i] (see applyCatalogs).
	catalogs []*catalogEntry
	extras   map[int]*fileExtra
	// catPaths are the report paths of the release's catalogs that
	// verified; catMembers counts their members. Past engine.maxRunCatalogMembers
	// (catOverflow), none of the release's catalogs is used.
	catPaths    []string
	catMembers  int
	catOverflow bool
	// catSHA1 makes every file's SHA-1 and Authenticode SHA-1 computed,
	// for catalogs that list SHA-1 digests; authAlgs are the Authenticode
	// digest algorithms to compute besides SHA-256.
	catSHA1  bool
	authAlgs []crypto.Hash

	// rootName is the base name of the sole folder given as the input,
	// which its files' report paths leave out ("" for any other input):
	// the checks that judge a file by the folders it is in (a bundle-style
	// installer package's) see it too (inFolders).
	rootName string
}

// inFolders returns the report path p with the folders it is in on disk:
// the sole input folder's name before it (see engine.rootName).
func (e *engine) inFolders(p string) string {
	if e.rootName == "" {
		return p
	}
	return e.rootName + "/" + p
}

func newEngine(ctx context.Context, opts Options) (*engine, error) {
	pol := opts.Policy
	if pol == nil {
		pol = &Policy{}
	}
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	failOn := opts.FailOn
	if failOn == "" {
		failOn = pol.FailOn
	}
	failOn, err := ParseFailOn(string(failOn))
	if err != nil {
		return nil, err
	}
	trust, appleTrust := opts.Trust, opts.Trust
	if trust == nil {
		if trust, appleTrust, err = pol.trustStores(opts.hooks.systemRootFiles); err != nil {
			return nil, err
		}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for _, src := range trust.Sources() {
		log.Debug("trust source", "kind", src.Kind, "name", src.Name, "roots", src.Roots)
	}
	now := opts.Time
	if now.IsZero() {
		now = time.Now()
	}
	list := opts.Blocklist
	if list == nil {
		list, err = loadBlocklist(pol, now, log)
		if err != nil {
			return nil, err
		}
	}
	bl, err := newMatcher(list, pol, now)
	if err != nil {
		return nil, err
	}
	bl.nowGiven = !opts.Time.IsZero()
	if opts.Sigstore == nil {
		if err := errNoSigstoreVerifier(pol); err != nil {
			return nil, err
		}
	}
	if opts.Vulnerabilities == nil && len(pol.Vulnerabilities.OSV) > 0 {
		return nil, errors.New("verify: the policy names OSV records (vulnerabilities.osv), and no vulnerability scanner is set: set Options.Vulnerabilities (package sbom/vuln has one)")
	}
	if _, at := opts.Vulnerabilities.(VulnerabilityScannerAt); !at && opts.Vulnerabilities != nil && !opts.Time.IsZero() && len(pol.Vulnerabilities.VEX) > 0 {
		// It would rank the OpenVEX statements at the wall clock: a
		// statement made after Options.Time would judge the release.
		return nil, fmt.Errorf("verify: Options.Time is set and the vulnerability scanner (%T) cannot rank OpenVEX statements at a given time: it must implement VulnerabilityScannerAt", opts.Vulnerabilities)
	}
	sig, err := loadSigstore(pol)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	maxBuf := opts.MaxBuffer
	if maxBuf <= 0 {
		maxBuf = 1 << 30
	}
	return &engine{
		ctx: ctx, opts: opts, pol: pol, failOn: failOn, trust: trust, appleTrust: appleTrust, bl: bl, sigstore: sig, log: log,
		q: newQueue(4 * workers), budget: newBudget(maxBuf), workers: workers,
		bundleSigs: map[string][]signing.Signature{}, ruleSeen: make([]atomic.Bool, len(pol.Rules)),
	}, nil
}

// startWorkers starts e.workers goroutines that check the queue's jobs
// until it is closed, each counted in wg.
func (e *engine) startWorkers(wg *sync.WaitGroup) {
	for i := 0; i < e.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dirs dirCache
			defer dirs.close()
			for {
				j, ok := e.q.pop()
				if !ok {
					return
				}
				if e.ctx.Err() == nil {
					e.processIn(j, &dirs)
				}
				j.finish()
				e.q.done()
			}
		}()
	}
}

// walkInputs queues the files of each input in turn, stopping at the
// first that cannot be walked (its error is returned) or once the context
// is done.
func (e *engine) walkInputs(inputs []input) error {
	for _, in := range inputs {
		var err error
		switch {
		case in.dir:
			if in.prefix == "" {
				e.rootName = in.base
			}
			err = e.walkDir(in)
		case in.zip:
			err = e.walkZip(in)
		case in.tar:
			err = e.walkTar(in)
		default:
			err = e.addDiskFile(in.path, in.prefix)
		}
		if err != nil {
			return err
		}
		if e.ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// run checks the files of inputs on e.workers workers and builds the
// report from their results.
func (e *engine) run(inputs []input) (*Report, error) {
	e.start = time.Now()
	e.extras = map[int]*fileExtra{}
	if err := e.loadCatalogs(e.opts.Catalogs); err != nil {
		return nil, err
	}
	e.authAlgs = e.bl.authentihashes()
	if e.catSHA1 && !slices.Contains(e.authAlgs, crypto.SHA1) {
		e.authAlgs = append(slices.Clone(e.authAlgs), crypto.SHA1)
	}
	if sha1, _ := e.bl.needsHashes(); sha1 && slices.Contains(e.authAlgs, crypto.SHA1) {
		e.catSHA1 = true // the blocklists need every SHA-1 already
	}
	var wg sync.WaitGroup
	e.startWorkers(&wg)
	vulns := e.scanVulnerabilities(inputs)
	walkErr := e.walkInputs(inputs)
	// Bundles go second: each reuses the hashes its files' checks computed,
	// and verifies the Mach-O files those checks left to it.
	if walkErr == nil && e.ctx.Err() == nil {
		e.q.wait()
		// Large files found by the walk go next, largest first: the
		// workers then finish together instead of one of them hashing a
		// big file alone at the end. The report does not depend on the
		// order, so an unstable sort does.
		slices.SortFunc(e.large, func(a, b *job) int { return cmp.Compare(b.size, a.size) })
		for _, j := range e.large {
			e.q.push(j, true)
		}
		e.large = nil
		e.q.wait()
		for _, j := range e.bundleJobs {
			e.q.push(j, true)
		}
	} else {
		for _, j := range e.bundleJobs {
			j.finish()
		}
	}
	e.q.close()
	wg.Wait()
	if err := e.ctx.Err(); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if walkErr != nil {
		return nil, walkErr
	}
	if err := vulns(); err != nil {
		return nil, err
	}
	e.mergeBundleSignatures()
	e.applyCatalogs()
	e.blocklistWarnings()
	e.checkLinkChains()
	e.checkLinks()
	e.checkLinkKinds()
	e.checkUnpackedAsars()
	e.checkWalkedCopies()
	e.checkSquirrelFeeds()
	e.checkClickOnceRefs()
	e.checkUnmatchedRules()
	e.checkNamePins()
	e.checkTrustInRelease(inputs)
	r := &Report{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "shipgate", Version: e.opts.ToolVersion},
		Files:         e.files,
		Findings:      e.findings,
	}
	r.Finalize(e.failOn)
	// Findings identical to the one before them in report order are one:
	// a zip archive may hold two entries of the same name and content, and
	// a file a bundle verifies may also have been checked on its own (see
	// checkBundle). The summary is counted again only when some went: the
	// lists are in order already, and a release of 100,000 files need not
	// have them sorted twice.
	if c := report.CompactFindings(r.Findings); len(c) < len(r.Findings) {
		r.Findings = c
		r.Finalize(e.failOn)
	}
	return r, nil
}

// postpone queues the file on disk j, found large by its check, to be
// checked once the walk's other files are, in order of size.
func (e *engine) postpone(j *job) {
	e.mu.Lock()
	e.large = append(e.large, j)
	e.mu.Unlock()
}

// addFile records a checked file and its findings, applying the policy's
// severity overrides.
func (e *engine) addFile(f *File, fs []signing.Finding) { e.addCheckedFile(f, fs, nil, nil) }

// addCheckedFile is addFile with what catalog membership needs: the
// catalog the file is, and its digests (see applyCatalogs). It returns
// the file's index in e.files (-1 for none), which stays its index until
// the walk is done.
func (e *engine) addCheckedFile(f *File, fs []signing.Finding, cat *catalogEntry, x *fileExtra) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	at := -1
	if f != nil {
		at = len(e.files)
		e.files = append(e.files, *f)
		if x != nil {
			e.extras[len(e.files)-1] = x
		}
		if cat != nil {
			e.addCatalogLocked(cat)
		}
	}
	e.addFindingsLocked(fs)
	if f != nil {
		e.progress.Files++
		e.progress.Bytes += f.Size
		if e.opts.Progress != nil {
			e.progress.Elapsed = time.Since(e.start)
			e.opts.Progress(e.progress)
		}
	}
	return at
}

func (e *engine) addFindings(fs ...signing.Finding) {
	e.mu.Lock()
	e.addFindingsLocked(fs)
	e.mu.Unlock()
}

func (e *engine) addFindingsLocked(fs []signing.Finding) {
	for _, f := range fs {
		sev, on := e.pol.severityFor(f.Rule, f.Severity)
		if !on {
			continue
		}
		f.Severity = sev
		e.findings = append(e.findings, f)
	}
}

// queue is the work queue: the walker blocks when max jobs are waiting,
// workers adding nested jobs (asar entries) never block. Each condition
// has its own waiters, woken only when it may have changed for them: a
// job queued wakes one worker, a blocked walker is woken once the queue
// is down to half (not on every job taken: on a release of small files
// that was a wake-up of the walker per file), and wait's caller once no
// job is left.
type queue struct {
	mu       sync.Mutex
	notEmpty *sync.Cond // pop's: a job was queued, or the queue closed or went idle
	notFull  *sync.Cond // push's: the queue is down to half of max
	idle     *sync.Cond // wait's: no job is queued or running
	items    []*job
	active   int // queued or running
	max      int
	pushers  int // pushes waiting on notFull
	closed   bool
}

func newQueue(max int) *queue {
	q := &queue{max: max}
	q.notEmpty = sync.NewCond(&q.mu)
	q.notFull = sync.NewCond(&q.mu)
	q.idle = sync.NewCond(&q.mu)
	return q
}

func (q *queue) push(j *job, wait bool) {
	q.mu.Lock()
	for wait && len(q.items) >= q.max {
		q.pushers++
		q.notFull.Wait()
		q.pushers--
	}
	q.items = append(q.items, j)
	q.active++
	q.mu.Unlock()
	q.notEmpty.Signal()
}

func (q *queue) pop() (*job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 {
		if q.closed && q.active == 0 {
			return nil, false
		}
		q.notEmpty.Wait()
	}
	j := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	if q.pushers > 0 && len(q.items) <= q.max/2 {
		q.notFull.Broadcast()
	}
	return j, true
}

func (q *queue) done() {
	q.mu.Lock()
	q.active--
	if q.active == 0 {
		q.idle.Broadcast()
		q.notEmpty.Broadcast() // a closed queue's workers return
	}
	q.mu.Unlock()
}

// wait returns once no job is queued or running.
func (q *queue) wait() {
	q.mu.Lock()
	for q.active > 0 {
		q.idle.Wait()
	}
	q.mu.Unlock()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.notEmpty.Broadcast()
}

// budget is a counting semaphore over bytes of memory.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int64
	max  int64
}

func newBudget(max int64) *budget {
	b := &budget{free: max, max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits for n bytes; it fails at once when n exceeds the cap.
func (b *budget) acquire(ctx context.Context, n int64) bool {
	if n > b.max {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.free < n {
		if ctx.Err() != nil {
			return false
		}
		b.cond.Wait()
	}
	b.free -= n
	return true
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	b.cond.Broadcast()
}
