package sbom

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/walk"
	"github.com/shipgate/shipgate/report"
	"github.com/shipgate/shipgate/sbom/asar"
	"github.com/shipgate/shipgate/signing"
)

// Options configures [Open]. The zero value inventories without signatures.
type Options struct {
	// Signatures returns the signatures of a binary of the given kind (see
	// the Kind constants); nil leaves every binary's Signature nil, which
	// means "not examined", never "unsigned". It is called from several
	// goroutines at once.
	Signatures func(r io.ReaderAt, size int64, kind string) ([]signing.Signature, error)
	// Workers bounds parallel hashing; zero means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each file is read with the
	// running totals. Calls are serialized; keep it quick.
	Progress func(Progress)
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger
	// slots, when set, is the worker budget this inventory shares with
	// others read at the same time ([DiffReleases]): a file is hashed
	// only while its worker holds one of the slots.
	slots chan struct{}
	// noBatch reads each packed asar file on its own, as before batches
	// (tests compare the two).
	noBatch bool
	// zipChunkLen, when positive, replaces walk.ZipChunkLen as the number
	// of records in a chunk of a zip release's central directory, so that
	// a test can compare the chunked read with the whole.
	zipChunkLen int
}

// Layouts of a release.
const (
	LayoutWindows = "windows" // a directory with resources/ (Windows or Linux)
	LayoutMacOS   = "macos"   // an .app bundle
	LayoutAsar    = "asar"    // a bare app.asar
	LayoutNpm     = "npm"     // an npm package tarball (its files under package/)
	LayoutFiles   = "files"   // any other directory, zip archive or tarball
	LayoutFile    = "file"    // one executable, or an installer that is not opened
	// LayoutInstaller is an MSI, cabinet, macOS installer package, NSIS
	// or Squirrel Setup.exe or 7-Zip archive: the installer itself and,
	// under its name, the files it carries, as verify names them
	// (setup.msi/app.cab/Acme App/app.dll, Setup.exe/$INSTDIR/app.dll).
	LayoutInstaller = "installer"
)

// Inventory is what a release contains.
type Inventory struct {
	// Layout is LayoutWindows, LayoutMacOS, LayoutAsar, LayoutNpm,
	// LayoutFiles, LayoutFile or LayoutInstaller.
	Layout string `json:"layout"`
	// App is the application as its own package.json and bundle describe it.
	App App `json:"app"`
	// Electron describes the runtime.
	Electron Electron `json:"electron"`
	// Packages are the npm packages, sorted by path.
	Packages []Package `json:"packages"`
	// Binaries are the native binaries, sorted by path.
	Binaries []Binary `json:"binaries"`
	// Files are the files outside npm packages (runtime and application
	// code), sorted by path.
	Files []File `json:"files"`
	// Findings are the problems found while reading the release.
	Findings []signing.Finding `json:"findings"`
}

// App describes the application itself.
type App struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// VersionSource says where Version was read: empty for the
	// application's package.json, VersionSourceName for a release that
	// declares none inside but whose name carries it ([DiffReleases]).
	VersionSource string `json:"versionSource,omitempty"`
	// Asar is the path of the application archive, empty when there is none.
	Asar string `json:"asar,omitempty"`
	// Dir is the path of an unpacked application folder (resources/app).
	Dir string `json:"dir,omitempty"`
	// Digest is the content digest of the application's own files, a
	// git checkout's bookkeeping (a .git directory or file) left out.
	Digest string `json:"digest,omitempty"`
	// AsarHeaderHash is the SHA-256 of app.asar's JSON header.
	AsarHeaderHash string `json:"asarHeaderHash,omitempty"`
	// Dependencies are the names the application's package.json depends
	// on, sorted.
	Dependencies []string `json:"dependencies,omitempty"`
	// Root is the folder (or archive) holding the application's code.
	Root string `json:"root,omitempty"`
}

// VersionSourceName is the App.VersionSource of a version read from the
// release's file or folder name.
const VersionSourceName = "release name"

// Electron describes the runtime of a release.
type Electron struct {
	// Version is "X.Y.Z", empty when unknown; VersionSource says where it
	// was read ("version file", "framework Info.plist", "binary string").
	Version       string `json:"version,omitempty"`
	VersionSource string `json:"versionSource,omitempty"`
	// Fuses are the fuse wires found, one per binary slice.
	Fuses []FuseWire `json:"fuses,omitempty"`
	// Integrity are the asar integrity claims found and how they compare.
	Integrity []IntegrityClaim `json:"integrity,omitempty"`
	// IntegrityEnforced reports that the fuses make Electron validate the
	// asar integrity and load the app only from the asar.
	IntegrityEnforced bool `json:"integrityEnforced"`
}

// Package is one npm package found in the release.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	License string `json:"license,omitempty"`
	// Path is the package folder from the release root.
	Path string `json:"path"`
	// Scripts are the install-time scripts (preinstall, install,
	// postinstall, prepare) by name.
	Scripts []Script `json:"scripts,omitempty"`
	// Gypfile reports a native build (gypfile or binding.gyp).
	Gypfile bool `json:"gypfile,omitempty"`
	// Dependencies are the names package.json depends on, sorted.
	Dependencies []string `json:"dependencies,omitempty"`
	// Files counts the package's own files (nested packages excluded).
	Files int `json:"files"`
	// Digest is the package's content digest: SHA-256 over the sorted lines
	// "relative/path NUL sha256-hex LF" of its files; an asar link counts
	// as "relative/path NUL link NUL target LF". A git checkout's
	// bookkeeping (a .git directory or file) is left out.
	Digest string `json:"digest"`
	// Lock is the version the lockfile records, when there is one.
	LockVersion string `json:"lockVersion,omitempty"`
}

// Script is one lifecycle script.
type Script struct {
	Name    string `json:"name"`
	Command string `json:"command"`
}

// Binary is one native binary.
type Binary struct {
	Path   string   `json:"path"`
	Size   int64    `json:"size"`
	SHA256 string   `json:"sha256"`
	Kind   string   `json:"kind"`
	Arch   []string `json:"arch,omitempty"`
	// NodeAddon reports a .node file.
	NodeAddon bool `json:"nodeAddon,omitempty"`
	// Package is the path of the npm package holding it, if any.
	Package string `json:"package,omitempty"`
	// ProductVersion and FileVersion come from a PE version resource.
	ProductVersion string `json:"productVersion,omitempty"`
	FileVersion    string `json:"fileVersion,omitempty"`
	// Version is the declared version covering the binary: FileVersion, else
	// the version of its package, its application or its Electron runtime.
	Version string `json:"version,omitempty"`
	// Signature summarizes the signatures; nil when not examined.
	Signature *SignatureSummary `json:"signature,omitempty"`
}

// SignatureSummary is the gist of a binary's signatures.
type SignatureSummary struct {
	// Status is the worst status of its signatures (unsigned when none).
	Status signing.Status `json:"status"`
	// Signer identifies the first signature's signer, nil when none.
	Signer *Signer `json:"signer,omitempty"`
	// Others identifies the signers of the file's other signatures
	// (Authenticode nested signatures, further universal slices), in
	// order; an entry is empty when that signature names no signer.
	Others []Signer `json:"others,omitempty"`
	// Digest is the first signature's recomputed digest (it excludes the
	// signature itself).
	Digest string `json:"digest,omitempty"`
}

// Signer is the identity of a signer, as blocklists match it. Names and
// serial are what the certificate claims; SHA256 (of the DER certificate)
// and SPKISHA256 (of its DER SubjectPublicKeyInfo) are what identify it.
type Signer struct {
	Subject    string `json:"subject"`
	Issuer     string `json:"issuer"`
	Serial     string `json:"serial"`
	SHA256     string `json:"sha256"`
	SPKISHA256 string `json:"spkiSHA256,omitempty"`
	TeamID     string `json:"teamID,omitempty"`
}

// File is one file outside npm packages.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Component is "electron" for the runtime or "app" for the application.
	Component string `json:"component"`
	// Version is the declared version covering the file.
	Version string `json:"version,omitempty"`
}

// item is one file to hash: a file on disk or an asar entry.
type item struct {
	path string // release path
	// tarName, for a file of a tarball given as the release, is its name
	// as the header writes it, uncleaned: npm strips its first folder so
	// (npmOutsidePackage).
	tarName string
	// entryPath, for a file of an opened asar's unpacked folder (listed
	// at its path on disk, app.asar.unpacked/b.js), is its path as the
	// asar's entry (app.asar/b.js), by which it belongs to the asar's
	// packages and application (see matchUnpacked).
	entryPath string
	// open opens the file's bytes; nil for an asar's entry, which
	// opener opens through its archive, and for a file of a release
	// folder, opened at its path on disk, disk.
	open   func() (io.ReaderAt, int64, io.Closer, error)
	disk   string
	inAsar bool
	// unpacked marks an unpacked entry of an asar given alone, read
	// through the archive from the folder beside it (see collectAsar).
	unpacked bool
	// asarAt, for asar entries, is the report path of their asar.
	asarAt string
	// asar marks an asar archive found among the release's files other
	// than the release's own (a loose one in a release folder, an
	// installer's, a nested archive's), as verify tells one by its
	// header: openAsars lists its entries.
	asar bool
	// ar and asarName, for asar entries, are their archive and their
	// name in it: verify hashes the entry and checks the integrity its
	// header records.
	ar       *asar.Reader
	asarName string
	// entrySize, for asar entries, is the size the header records.
	entrySize int64
	// entry, for packed files of the release's asar (b.ar), is the
	// archive's entry: such files are read many at a time (see batches).
	entry *asar.Entry
	// link, for asar links, is the target; a link has no bytes of its own
	// but counts in its package's (or the application's) digest.
	link string
	// opened marks an installer's own item and the files listed from
	// inside one: they are not opened again (see openInstallers).
	opened bool
	// depth is how many archives the file lies in, counted as verify
	// counts them: 0 for a file of a folder or of the release's own zip,
	// 1 for the entries of an archive found there (an installer's files,
	// the release's own asar's entries), and so on.
	depth int
	// hashed marks a file of an installer hashed as it streamed by (no
	// code): its sha256 and size are set, and it has no bytes to read.
	hashed bool
	// dmg marks a disk image found among the release's files, as verify
	// tells one (see probeDMG): openInstallers lists its volume's files
	// under it.
	dmg bool
	// appended marks a PE that is no installer but carries a zip archive
	// at its end (a self-extractor), found as it was hashed:
	// openInstallers lists the archive's files under it.
	appended bool
	// appendedErr is why the end of the file could not be read to look
	// for a zip archive there (reported as verify reports it).
	appendedErr error
	// archive marks a zip archive or tarball found among the release's
	// files (release.NestedArchive, verify's decision): openInstallers
	// lists its entries under it.
	archive release.Archive
	// expand, for the entries of an archive release, is the release's
	// expansion budget, which archives nested in them share (as verify's).
	expand *release.Expansion
	// sib, for the entries of an archive release, is the archive as a
	// file system, where an MSI's external cabinets or a cabinet's set
	// are looked for beside the entry, as verify looks (nil when verify
	// does not look: see cabinets.go).
	sib fs.FS
	// folderPerm marks a file of a release folder, whose mode the walk
	// left to its open (see openBytes, folderPerms); permRead says the
	// open read it into perm.
	folderPerm, permRead bool
	perm                 fs.FileMode
	// raw, for a package.json read whole by the read that hashed it
	// (see keepsRaw), is its bytes, which readSmall returns rather than
	// open and read the file again.
	raw []byte

	// results
	sha256    string
	size      int64
	kind      filekind.Kind // filekind.Other unless a binary (see binaryKind)
	bin       *Binary
	wires     []FuseWire
	electron  string // Electron/x.y.z found in the bytes
	installer container.Kind
	// scans, for a PE that is an installer, saw its every byte as it was
	// hashed: its walk looks there (see peScans).
	scans     *peScans
	integrity []byte // PE Integrity/ElectronAsar resource
	asarErr   *asar.EntryError
	err       error
}

// ErrNotRelease results when Open is given a file that is no release: not
// an archive it reads.
var ErrNotRelease = errors.New("not a release")

// ErrEmptyRelease results when Open is given a folder or archive that holds
// no file: an SBOM or diff of it would list nothing, as a release step that
// wrote its artifacts elsewhere would (verify fails such an input too).
var ErrEmptyRelease = errors.New("release holds no files")

// Open reads the release at path: a directory (an Electron release in the
// Windows or Linux layout, or any other tree of files), a macOS .app bundle,
// a zip archive or a tarball (.tar, .tar.gz, .tgz, .tar.xz, .tar.zst; an npm
// package's .tgz among them) holding such a tree, a bare app.asar, an
// installer (an MSI, a cabinet or a macOS .pkg: the installer and the files
// it carries, opened by the walker verify opens them with, under the same
// names and limits), a macOS disk image (.dmg: the image and the files of
// the HFS+ or APFS volume inside, opened by walk.OpenDMG as verify opens
// them), or a release that is one executable (PE, Mach-O,
// ELF). Installers among a release's files are opened too. Electron facts
// are added when the release has them. Unreadable or malformed files are
// findings; the error is for a path that is no release at all, such as a
// text file.
func Open(p string, opts Options) (*Inventory, error) {
	p = filepath.Clean(p)
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("sbom: %w", err)
	}
	b := &builder{opts: opts, root: p, inv: &Inventory{}}
	if opts.Logger == nil {
		b.opts.Logger = slog.New(slog.DiscardHandler)
	}
	defer b.close()
	switch {
	case !st.IsDir():
		kind, ck, err := archiveKind(p)
		if err != nil {
			return nil, fmt.Errorf("sbom: %w", err)
		}
		switch kind {
		case filekind.Asar:
			b.inv.Layout = LayoutAsar
			b.asarPath = filepath.Base(p)
			b.root = filepath.Dir(p)
		case archiveZip, archiveTar:
			if err := b.listArchive(kind); err != nil {
				return nil, err
			}
			b.layoutOf()
			if kind == archiveTar {
				b.npmOutsidePackage()
			}
		case archiveInstaller:
			b.inv.Layout = LayoutInstaller
			if err := b.listContainer(ck); err != nil {
				return nil, err
			}
			b.installedApp()
		case archiveDMG:
			b.inv.Layout = LayoutInstaller
			if err := b.listDMG(); err != nil {
				return nil, err
			}
		case archiveSingle:
			// The release is the file, named as verify names it.
			b.inv.Layout = LayoutFile
			b.archive = true
			b.files = []*item{{path: filepath.Base(p), open: diskOpener(p), opened: true}}
			b.listAppendedZip()
		default:
			return nil, fmt.Errorf("sbom: %s: %w (a directory, .app bundle, zip archive, tarball, asar archive, executable, installer or disk image)", p, ErrNotRelease)
		}
	case exists(filepath.Join(p, "Contents", "Info.plist")) || strings.HasSuffix(p, ".app"):
		b.inv.Layout = LayoutMacOS
		b.asarPath = "Contents/Resources/app.asar"
		b.appDir = "Contents/Resources/app"
	case exists(filepath.Join(p, "resources")):
		b.inv.Layout = LayoutWindows
		b.asarPath = "resources/app.asar"
		b.appDir = "resources/app"
	default:
		b.inv.Layout = LayoutFiles
	}
	if err := b.build(); err != nil {
		return nil, err
	}
	if inv := b.inv; len(inv.Files) == 0 && len(inv.Binaries) == 0 && len(inv.Packages) == 0 && len(inv.Findings) == 0 {
		return nil, fmt.Errorf("sbom: %s: %w: nothing would be listed", p, ErrEmptyRelease)
	}
	return b.inv, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// Archive kinds archiveKind returns besides filekind's.
const (
	archiveZip = filekind.Kind(200 + iota)
	archiveTar
	// archiveSingle is a file that is a release on its own: an
	// executable, or a compound file or cabinet the walker does not open.
	archiveSingle
	// archiveInstaller is an installer the walker opens (see
	// container.Detect).
	archiveInstaller
	// archiveDMG is a macOS disk image (see walk.OpenDMG).
	archiveDMG
)

// archiveKind tells what the file p is: an asar, a zip archive, a tarball,
// an installer (and which), a release of its own, or something else.
func archiveKind(p string) (filekind.Kind, container.Kind, error) {
	f, err := os.Open(p)
	if err != nil {
		return filekind.Other, container.None, err
	}
	defer f.Close()
	head := make([]byte, filekind.HeadLen)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	k := filekind.Detect(head, -1)
	if k == filekind.Other || k == filekind.MachOUniversal {
		// A PE header past the bytes read, where the loader and verify
		// find it, or a universal file's slices there (a static
		// library's are not native code).
		if st, err := f.Stat(); err == nil {
			k = filekind.DetectAt(f, head, st.Size())
		}
	}
	switch {
	case k == filekind.Asar:
		return k, container.None, nil
	case filekind.IsZip(head):
		return archiveZip, container.None, nil
	}
	if _, ok := release.TarCompression(head); ok {
		return archiveTar, container.None, nil
	}
	st, err := f.Stat()
	if err != nil {
		return filekind.Other, container.None, err
	}
	if ck := container.Detect(f, strings.ToLower(filepath.Ext(p)), head, st.Size()); ck != container.None {
		return archiveInstaller, ck, nil
	}
	// A disk image is told as verify tells it: by its koly trailer, or
	// by its name when nothing else claims it; code stays code.
	named := strings.EqualFold(filepath.Ext(p), ".dmg")
	if (k == filekind.Other && !isInstaller(head) && (named || walk.HasKoly(f, head, st.Size()))) || (named && !k.Native() && walk.HasKoly(f, head, st.Size())) {
		return archiveDMG, container.None, nil
	}
	if k.Native() || k == filekind.ELF || isInstaller(head) {
		return archiveSingle, container.None, nil
	}
	return filekind.Other, container.None, nil
}

// isInstaller reports whether head starts a compound file or a cabinet
// that container.Detect does not open (another compound file, a cabinet of
// another version): sbom records the file alone.
func isInstaller(head []byte) bool {
	return bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) || bytes.HasPrefix(head, []byte("MSCF"))
}

type builder struct {
	opts Options
	// progressMu serializes Options.Progress; progressNow is its total.
	progressMu  sync.Mutex
	progressNow Progress
	root        string
	// diskRoot is the release folder collectDisk walked (its links
	// resolved), whose MSIs' external cabinets are opened from beside
	// them; "" for a release that is no folder.
	diskRoot string
	asarPath string
	appDir   string
	inv      *Inventory
	items    []*item
	// home, in an installer, is the folder it installs an Electron
	// application in the Windows layout to (setup.msi/app.cab/Acme App):
	// its files are the runtime's and resources/ the application's.
	home string
	// macHome is the path of the .app a disk image carries (see
	// installedMacApp), "" otherwise.
	macHome string
	ar      *asar.Reader
	// links are the symbolic links of the release's folders and
	// archives (see symlink), under linksMu.
	linksMu sync.Mutex
	links   []walk.ChainLink
	// asars are the asar archives opened whose unpacked files are the
	// release's own, at their paths on disk (see matchUnpacked).
	asars []openedAsar

	// archive is set when the release is a zip archive or a tarball:
	// files are its files (its links left out), closers what to close
	// once the inventory is built.
	archive bool
	files   []*item
	closers []func()
	// installerHeld is the bytes of installers' files held in memory
	// (see containerLister.readerAt), at most maxHeld.
	installerHeld int64
}

func (b *builder) close() {
	for _, c := range b.closers {
		c()
	}
}

// hasDir reports whether the release holds the folder rel.
func (b *builder) hasDir(rel string) bool {
	if !b.archive {
		return exists(filepath.Join(b.root, filepath.FromSlash(rel)))
	}
	for _, it := range b.files {
		if strings.HasPrefix(it.path, rel+"/") {
			return true
		}
	}
	return false
}

func (b *builder) finding(rule signing.Rule, sev signing.Severity, p, msg string) {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = p
	b.inv.Findings = append(b.inv.Findings, f)
}

func (b *builder) build() error {
	if err := b.collect(); err != nil {
		return err
	}
	b.hashAll(b.items)
	b.folderPerms()
	b.openInstallers()
	b.openAsars()
	b.matchUnpacked()
	b.linkChains()
	b.assemble()
	return nil
}

// collect lists the files: disk files, then the asar's entries.
func (b *builder) collect() error {
	b.openAsar()
	switch {
	case b.archive:
		b.collectArchive()
	case b.inv.Layout == LayoutAsar:
		// The asar given alone is a file of its own, as verify lists it.
		b.items = append(b.items, &item{path: b.asarPath, open: diskOpener(filepath.Join(b.root, b.asarPath))})
	default:
		if err := b.collectDisk(); err != nil {
			return err
		}
	}
	if b.ar != nil {
		b.collectAsar()
	}
	sort.Slice(b.items, func(i, j int) bool { return b.items[i].path < b.items[j].path })
	return nil
}

// openAsar opens the release's app.asar, from the archive or the disk, into
// b.ar and records its problems as findings.
func (b *builder) openAsar() {
	asarFull := filepath.Join(b.root, filepath.FromSlash(b.asarPath))
	var asarItem *item
	if b.archive {
		for _, it := range b.files {
			if b.asarPath != "" && it.path == b.asarPath {
				asarItem = it
			}
		}
	}
	if b.asarPath == "" || (asarItem == nil && (b.archive || !exists(asarFull))) {
		return
	}
	var ar *asar.Reader
	var err error
	if asarItem != nil {
		ar, err = b.openAsarItem(asarItem)
	} else {
		ar, err = asar.Open(asarFull)
	}
	if err != nil {
		b.asarOpenFailed(b.asarPath, err)
		return
	}
	b.ar = ar
	b.inv.App.Asar = b.asarPath
	b.inv.App.AsarHeaderHash = ar.HeaderHash()
	b.asarProblems(ar, b.asarPath)
}

// asarProblems reports the problems of the asar ar found at report path
// at as findings under at.
func (b *builder) asarProblems(ar *asar.Reader, at string) {
	for _, pr := range ar.Problems() {
		f := pr.Finding()
		if f.Path == "." { // about the archive itself (asar/unowned-data)
			f.Path = at
		} else {
			f.Path = at + "/" + f.Path
		}
		b.inv.Findings = append(b.inv.Findings, f)
	}
}

// asarOpenFailed reports why the asar at report path at could not be read.
func (b *builder) asarOpenFailed(at string, err error) {
	var fe *asar.FormatError
	if errors.As(err, &fe) {
		f := fe.Finding()
		f.Path = at
		b.inv.Findings = append(b.inv.Findings, f)
		return
	}
	b.finding(asar.RuleMalformed, signing.SeverityError, at, err.Error())
}

// collectArchive adds the files of an archive release to b.items: its
// asar among them, as verify lists it, and its unpacked files at their
// paths in the archive, where verify checks them.
func (b *builder) collectArchive() {
	b.items = append(b.items, b.files...)
}

// collectDisk walks a release directory and adds its regular files to
// b.items (its asar and the asar's unpacked files among them, as verify
// lists them); it checks its symbolic links and reports its special
// files.
func (b *builder) collectDisk() error {
	// A release given as a link to its folder is the folder, as verify
	// takes it: the walk reports a root link, and does not follow it.
	root := b.root
	if st, err := os.Lstat(root); err == nil && st.Mode()&os.ModeSymlink != 0 {
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
	}
	b.diskRoot = root
	// The walk does not lstat each file for its mode: the file's open
	// reads it (openBytes), and folderPerms reports it.
	err := walk.DirTreeTypes(context.Background(), root, func(e walk.Entry) error {
		switch {
		case e.Kind == walk.Unreadable:
			b.finding(RuleUnreadable, signing.SeverityError, e.Path, e.Err.Error())
		case e.Kind == walk.Link && e.TargetErr != nil:
			b.finding(RuleUnreadable, signing.SeverityError, e.Path, fmt.Sprintf("cannot read symbolic link: %v", e.TargetErr))
		case e.Kind == walk.Link:
			b.symlink("", e.Path, e.Target, "the release")
		case e.Kind == walk.Special:
			// Never opened (reading a pipe waits for a writer), and no
			// file to inventory: reported as verify reports it.
			b.inv.Findings = append(b.inv.Findings, walk.SpecialFinding(e.Path, e.Mode, "", "inventoried"))
		case e.Kind != walk.Regular:
		default:
			b.items = append(b.items, &item{path: e.Path, disk: e.Full, folderPerm: true})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sbom: %w", err)
	}
	return nil
}

// collectAsar adds the files and links of the open asar to b.items: its
// unpacked files are the release's files at their paths on disk
// (matchUnpacked), but for an asar given alone, whose unpacked folder
// lies outside the release: they are its entries, read from there, as
// verify reads them.
func (b *builder) collectAsar() {
	lone := b.inv.Layout == LayoutAsar
	b.items = append(b.items, asarItems(b.ar, b.asarPath, true, 1, lone)...)
	if !lone {
		b.asars = append(b.asars, openedAsar{b.asarPath, b.ar})
	}
}

// asarItems returns the files and links of the asar ar found at report
// path at, as items under at, depth archives deep; primary marks the
// release's own asar (b.ar), whose small packed files are read in batches
// (see batches). Its unpacked files are left out, being the release's
// own files at their paths on disk, unless unpacked is set.
func asarItems(ar *asar.Reader, at string, primary bool, depth int, unpacked bool) []*item {
	items := make([]*item, 0, ar.NumFiles())
	var slab []item
	ar.Walk(func(e *asar.Entry) error {
		if e.Kind == asar.KindLink && e.Err() == nil {
			items = append(items, &item{path: at + "/" + e.Path, asarAt: at, inAsar: true, link: e.Link,
				open: asarLinkOpener(ar, e.Path), depth: depth})
			return nil
		}
		if e.Kind != asar.KindFile || e.Err() != nil || (e.Unpacked && !unpacked) {
			return nil
		}
		// The entries' items are allocated in blocks.
		if len(slab) == 0 {
			slab = make([]item, 256)
		}
		it := &slab[0]
		slab = slab[1:]
		*it = item{path: at + "/" + e.Path, asarAt: at, inAsar: true, depth: depth, unpacked: e.Unpacked}
		name := e.Path
		it.ar, it.asarName = ar, name
		it.entrySize = e.Size
		if !e.Unpacked && primary {
			it.entry = e
		}
		// No opener of its own (see item.opener): most entries are
		// read in batches, never opened.
		items = append(items, it)
		return nil
	})
	return items
}

// opener returns how to open the item's bytes: its open or, for an entry
// of an asar (ar, asarName), a read of the entry through the archive.
func (it *item) opener() func() (io.ReaderAt, int64, io.Closer, error) {
	if it.open == nil && it.disk != "" {
		return diskOpener(it.disk)
	}
	if it.open != nil || it.ar == nil {
		return it.open
	}
	ar, name, size := it.ar, it.asarName, it.entrySize
	return func() (io.ReaderAt, int64, io.Closer, error) {
		f, err := ar.Open(name)
		if err != nil {
			return nil, 0, nil, err
		}
		return f.(io.ReaderAt), size, f, nil
	}
}

// openBytes opens the item's bytes (see opener): a file of a release
// folder directly, with no opener made for it.
func (it *item) openBytes() (io.ReaderAt, int64, io.Closer, error) {
	if it.open != nil || it.disk == "" {
		return it.opener()()
	}
	f, err := openNoFollow(it.disk)
	if err != nil {
		return nil, 0, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	if it.folderPerm {
		it.perm, it.permRead = st.Mode()&permBits, true
	}
	return f, st.Size(), f, nil
}

// asarLinkOpener opens the file that the asar's link name points to
// (ar.Open follows it).
func asarLinkOpener(ar *asar.Reader, name string) func() (io.ReaderAt, int64, io.Closer, error) {
	return fsOpener(ar, name, "links to a directory")
}

// diskOpener opens the file at full, a path on disk (an *os.File reads at
// random).
func diskOpener(full string) func() (io.ReaderAt, int64, io.Closer, error) {
	return func() (io.ReaderAt, int64, io.Closer, error) {
		return openRandom(func() (fs.File, error) { return os.Open(full) }, full, "no random access")
	}
}

// hashAll hashes items on the worker pool.
func (b *builder) hashAll(items []*item) {
	n := b.opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	ch := make(chan hashUnit)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			var span []byte
			for u := range ch {
				if b.opts.slots != nil {
					b.opts.slots <- struct{}{}
				}
				if u.end > u.start {
					span = b.hashBatch(u, span, buf)
				} else {
					b.hashItem(u.items[0], buf)
				}
				if b.opts.slots != nil {
					<-b.opts.slots
				}
				for _, it := range u.items {
					b.progress(it)
				}
			}
		}()
	}
	for _, u := range b.batches(items) {
		ch <- u
	}
	close(ch)
	wg.Wait()
}

// hashUnit is the work of one worker's turn: one item, or (end > start)
// packed files of the release's asar whose bytes lie in [start, end) of the
// archive, read with one read.
type hashUnit struct {
	items      []*item
	start, end int64
}

// Packed asar files of up to batchFile bytes are read batchSpan bytes at a
// time, in the order of their offsets, rather than one read each: a
// release's app.asar often holds tens of thousands of small files. A batch
// skips no more than batchGap bytes between files.
const (
	batchSpan = 1 << 20
	batchFile = 64 << 10
	batchGap  = 64 << 10
)

// batches splits items into the units of hashAll: the packed files of
// b.ar of up to batchFile bytes in batches by offset, every other item on
// its own.
func (b *builder) batches(items []*item) []hashUnit {
	var units []hashUnit
	if b.ar == nil {
		// No asar to batch: a unit per item.
		units = make([]hashUnit, 0, len(items))
	}
	var packed []*item
	for i, it := range items {
		if !b.opts.noBatch && b.ar != nil && it.entry != nil && it.link == "" && !it.hashed &&
			it.entry.Offset >= 0 && it.entry.Size >= 0 && it.entry.Size <= batchFile {
			packed = append(packed, it)
			continue
		}
		// A unit of one item shares items' array: no slice of its own.
		units = append(units, hashUnit{items: items[i : i+1 : i+1]})
	}
	if len(packed) == 0 {
		return units
	}
	sort.SliceStable(packed, func(i, j int) bool { return packed[i].entry.Offset < packed[j].entry.Offset })
	base := b.ar.DataOffset()
	for i := 0; i < len(packed); {
		u := hashUnit{start: base + packed[i].entry.Offset}
		u.end = u.start
		for ; i < len(packed); i++ {
			e := packed[i].entry
			start, end := base+e.Offset, base+e.Offset+e.Size
			if len(u.items) > 0 && (end-u.start > batchSpan || start-u.end > batchGap) {
				break
			}
			u.items = append(u.items, packed[i])
			u.end = max(u.end, end)
		}
		if u.end == u.start {
			// Only empty files: a unit of one item each.
			for j := range u.items {
				units = append(units, hashUnit{items: u.items[j : j+1 : j+1]})
			}
			continue
		}
		units = append(units, u)
	}
	return units
}

// hashBatch hashes the packed asar files of u from one read of their bytes
// into span (grown as needed and returned for the next batch). When that
// read fails, each file is read on its own (hashItem) and so reports its
// own error. buf is hashItem's.
func (b *builder) hashBatch(u hashUnit, span, buf []byte) []byte {
	need := int(u.end - u.start)
	if cap(span) < need {
		span = make([]byte, need)
	}
	data := span[:need]
	if n, _ := b.ar.ArchiveReaderAt().ReadAt(data, u.start); n < need {
		for _, it := range u.items {
			b.hashItem(it, buf)
		}
		return span
	}
	base := b.ar.DataOffset()
	rd := bytes.NewReader(nil)
	for _, it := range u.items {
		off := base + it.entry.Offset - u.start
		b.verifyData(it, data[off:off+it.entry.Size], rd)
	}
	return span
}

// verifyData is verifyItem for a packed asar file whose bytes, data, were
// read with others' (see hashBatch); data is reused once it returns, and
// so is rd, the batch's reader, which it resets to data.
func (b *builder) verifyData(it *item, data []byte, rd *bytes.Reader) {
	it.size = it.entrySize
	sum, err := b.ar.VerifyEntryData(it.entry, data)
	if !it.verified(sum, err) {
		return
	}
	if keepsRaw(it.path) {
		it.raw = bytes.Clone(data)
	}
	rd.Reset(data)
	raw := filekind.DetectAt(rd, data[:min(len(data), filekind.HeadLen)], it.size)
	it.kind = binaryKind(raw)
	it.asar = raw == filekind.Asar // opened by openAsars, as verifyItem's
	if it.kind != filekind.Other {
		// A binary's facts are read from a copy of its own: nothing
		// describe keeps may point into the shared span.
		b.describe(it, bytes.NewReader(bytes.Clone(data)), it.size)
	}
}

// Progress is the running total of an inventory.
type Progress struct {
	// Files and Bytes count the files read so far and their sizes.
	Files int
	Bytes int64
}

// progress reports it as read, when the caller asked for progress.
func (b *builder) progress(it *item) {
	if b.opts.Progress == nil {
		return
	}
	b.progressMu.Lock()
	defer b.progressMu.Unlock()
	b.progressNow.Files++
	b.progressNow.Bytes += it.size
	b.opts.Progress(b.progressNow)
}

var (
	sentinel       = []byte("dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX")
	electronMarker = []byte("Electron/")
)

func (b *builder) hashItem(it *item, buf []byte) {
	if it.link != "" || it.hashed {
		return // a link has no bytes of its own; a hashed file is done
	}
	if it.ar != nil && !it.unpacked {
		// A packed asar entry: it is opened only when its first bytes,
		// copied while it is verified, say it is a binary.
		r := &lazyReaderAt{open: it.opener()}
		defer r.close()
		it.size = it.entrySize
		b.verifyItem(it, r, buf)
		return
	}
	r, size, c, err := it.openBytes()
	if err != nil {
		it.err = err
		return
	}
	defer c.Close()
	it.size = size
	if it.ar != nil {
		b.verifyItem(it, r, buf)
		return
	}
	h := sha256.New()
	var w io.Writer = h
	const overlap = 64
	var off int64
	var carry []byte
	scan := false
	plain := false // nothing its first bytes tell (see probeDMG)
	rawKind := filekind.Other
	var tail []byte
	// A PE's container is told once it is hashed, from its first bytes,
	// pe, and what the hashing pass wrote to sc: it is not read again to
	// look for NSIS data or a 7-Zip self-extractor's archive.
	var pe []byte
	var sc *peScans
	for off < size {
		m, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if off == 0 {
			// The first read also tells the kind: no separate read.
			head := buf[:min(m, filekind.HeadLen)]
			raw := filekind.DetectAt(r, head, size)
			rawKind = raw
			it.kind = binaryKind(raw)
			if raw == filekind.PE && !it.inAsar && !it.opened {
				pe, sc = bytes.Clone(head), &peScans{}
				w = io.MultiWriter(h, &sc.nsis, &sc.sfx7z)
			} else {
				plain = sniffContainer(it, r, raw, head, size, nil)
			}
			it.asar = raw == filekind.Asar && !it.inAsar
			scan = it.kind != filekind.Other && !it.inAsar
			if int64(m) == size && keepsRaw(it.path) {
				it.raw = bytes.Clone(buf[:m])
			}
		}
		if off+int64(m) == size {
			tail = buf[:m]
		}
		if m > 0 {
			w.Write(buf[:m])
			if scan {
				win := append(carry, buf[:m]...)
				base := off - int64(len(carry))
				b.scan(it, r, size, win, base)
				carry = append(carry[:0], win[max(0, len(win)-overlap):]...)
			}
			off += int64(m)
		}
		if err != nil && off < size {
			if pe != nil {
				sniffContainer(it, r, rawKind, pe, size, nil)
			}
			it.err = fmt.Errorf("reading at byte %d: %w", off, err)
			return
		}
	}
	it.sha256 = hex.EncodeToString(h.Sum(nil))
	if pe != nil {
		plain = sniffContainer(it, r, rawKind, pe, size, sc)
		if it.installer != container.None {
			it.scans = sc // the walk's too (see openInstallers)
		}
	}
	if plain && !it.inAsar && !it.opened {
		it.dmg = probeDMG(r, it.path, tail, size)
	}
	if it.kind != filekind.Other {
		b.describe(it, r, size)
	}
	if !it.inAsar && !it.opened && !it.asar && !it.dmg && it.installer == container.None && it.archive == release.NoArchive {
		// A zip after the bytes of a file of any kind, as verify
		// opens it (container.FindAppended).
		it.appended, it.appendedErr = endsWithZip(r, size, rawKind, tail)
	}
}

// sniffContainer tells, from head, the first bytes (up to
// filekind.HeadLen) of the file of size bytes at r, of kind raw
// (filekind.DetectAt's), which installer (container.DetectScanned, given
// s, or reading the file when nil) or archive (release.NestedArchive) it is, as verify opens them, and
// reports whether its first bytes tell nothing (see probeDMG).
func sniffContainer(it *item, r io.ReaderAt, raw filekind.Kind, head []byte, size int64, s *peScans) bool {
	if !it.inAsar && !it.opened {
		ext, hdr := strings.ToLower(path.Ext(it.path)), head[:min(len(head), container.HeadLen)]
		if s != nil {
			it.installer = container.DetectScanned(r, ext, hdr, size, &s.nsis, &s.sfx7z, &s.res)
		} else {
			it.installer = container.Detect(r, ext, hdr, size)
		}
	}
	if !it.inAsar && !it.opened && it.installer == container.None {
		it.archive = release.NestedArchive(head, it.kind == filekind.Other && !isInstaller(head))
	}
	return raw == filekind.Other && !filekind.IsZip(head) && !isInstaller(head) && it.installer == container.None
}

// verifyItem hashes an asar entry, checking its integrity, and tells its
// kind; buf (of at least filekind.HeadLen bytes) takes its first bytes.
func (b *builder) verifyItem(it *item, r io.ReaderAt, buf []byte) {
	head := buf[:filekind.HeadLen]
	sum, n, err := it.verify(head)
	if !it.verified(sum, err) {
		return
	}
	raw := filekind.DetectAt(r, head[:n], it.size)
	it.kind = binaryKind(raw)
	// An asar inside an asar is opened too (openAsars), as verify opens
	// it.
	it.asar = raw == filekind.Asar
	if it.kind != filekind.Other {
		b.describe(it, r, it.size)
	}
}

// verify hashes the asar entry it (it.ar is set), checking the integrity
// its header records, and copies its first bytes into head (see
// asar.Reader.VerifyFileHead). A method, not a closure per entry: tens of
// thousands of entries would each cost an allocation.
func (it *item) verify(head []byte) (string, int, error) {
	return it.ar.VerifyFileHead(it.asarName, head)
}

// lazyReaderAt opens its file on the first read.
type lazyReaderAt struct {
	open func() (io.ReaderAt, int64, io.Closer, error)
	r    io.ReaderAt
	c    io.Closer
	err  error
}

func (l *lazyReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if l.r == nil && l.err == nil {
		l.r, _, l.c, l.err = l.open()
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.r.ReadAt(p, off)
}

func (l *lazyReaderAt) close() {
	if l.c != nil {
		l.c.Close()
	}
}

// describe reads a binary's facts once its kind and digest are known.
func (b *builder) describe(it *item, r io.ReaderAt, size int64) {
	bin := &Binary{Path: it.path, Size: size, SHA256: it.sha256, Kind: it.kind.String(), NodeAddon: strings.HasSuffix(it.path, ".node")}
	arch, slices, err := archs(r, size, it.kind)
	if err == nil {
		bin.Arch = arch
	}
	for i := range it.wires {
		for _, s := range slices {
			if it.wires[i].Offset >= s.off && it.wires[i].Offset < s.off+s.size {
				it.wires[i].Arch = s.arch
			}
		}
		if len(slices) == 0 && len(arch) == 1 {
			it.wires[i].Arch = arch[0]
		}
	}
	if it.kind == filekind.PE {
		if pi, err := readPE(r, size); err == nil {
			bin.Arch = []string{pi.arch}
			bin.ProductVersion, bin.FileVersion = pi.productVersion, pi.fileVersion
			for i := range it.wires {
				it.wires[i].Arch = pi.arch
			}
			it.integrity = pi.asarIntegrity
		}
	}
	if b.opts.Signatures != nil {
		sigs, err := b.opts.Signatures(r, size, it.kind.String())
		if err == nil {
			bin.Signature = summarize(sigs)
		} else {
			bin.Signature = &SignatureSummary{Status: signing.StatusMalformed}
		}
	}
	it.bin = bin
}

// scan looks for fuse wires and the Electron version string in win, which
// starts at byte base of the file.
func (b *builder) scan(it *item, r io.ReaderAt, size int64, win []byte, base int64) {
	for i := 0; ; {
		j := bytes.Index(win[i:], sentinel)
		if j < 0 {
			break
		}
		off := base + int64(i+j)
		dup := false
		for _, w := range it.wires {
			dup = dup || w.Offset == off
		}
		if !dup {
			if w, ok := readWire(r, size, off); ok {
				w.Path = it.path
				it.wires = append(it.wires, w)
			}
		}
		i += j + 1
	}
	if it.electron == "" {
		if j := bytes.Index(win, electronMarker); j >= 0 {
			v := win[j+len(electronMarker):]
			k := 0
			for k < len(v) && k < 24 && (v[k] == '.' || v[k] >= '0' && v[k] <= '9') {
				k++
			}
			if k >= 5 && k < len(v) {
				it.electron = string(v[:k])
			}
		}
	}
}

func summarize(sigs []signing.Signature) *SignatureSummary {
	s := &SignatureSummary{Status: signing.StatusUnsigned}
	signer := func(id *signing.Identity) Signer {
		if id == nil {
			return Signer{}
		}
		return Signer{Subject: id.Subject, Issuer: id.Issuer, Serial: id.Serial, SHA256: id.SHA256, SPKISHA256: id.SPKISHA256, TeamID: id.TeamID}
	}
	for i, sig := range sigs {
		if i == 0 {
			s.Status = sig.Status
			if sig.Signer != nil {
				id := signer(sig.Signer)
				s.Signer = &id
			}
			if sig.Digest != nil {
				s.Digest = sig.Digest.Computed
			}
			continue
		}
		s.Status = s.Status.Worse(sig.Status)
		s.Others = append(s.Others, signer(sig.Signer))
	}
	return s
}

// packageDir returns the folder of the npm package holding p (a release
// path), or "".
func packageDir(p string) string {
	i := lastNodeModules(p)
	if i < 0 {
		if strings.HasPrefix(p, "node_modules/") {
			i = -len("/")
		} else {
			return ""
		}
	}
	// The folder is a prefix of p: sliced, not built, as it is asked
	// for every file.
	pre := i + len("/node_modules/")
	rest := p[pre:]
	j := strings.IndexByte(rest, '/') // after the name, or @scope
	if j < 0 {
		return ""
	}
	if !strings.HasPrefix(rest, "@") {
		return p[:pre+j]
	}
	k := strings.IndexByte(rest[j+1:], '/') // after @scope/name
	if k < 0 {
		return ""
	}
	return p[:pre+j+1+k]
}

// lastNodeModules is strings.LastIndex(p, "/node_modules/"), found by
// stepping back from slash to slash rather than hashing every byte:
// packageDir is asked for every file, and the slashes of a path are few.
// The last match ends at the last slash that ends a match.
func lastNodeModules(p string) int {
	const seg = "/node_modules/"
	for end := len(p); ; {
		j := strings.LastIndexByte(p[:end], '/')
		if j < len(seg)-1 {
			return -1
		}
		if p[j+1-len(seg):j+1] == seg {
			return j + 1 - len(seg)
		}
		end = j
	}
}

// requireName is the name Node resolves to the package folder dir (a
// release path ending in node_modules/<name> or node_modules/@scope/<name>).
func requireName(dir string) string {
	if i := strings.LastIndex(dir, "/node_modules/"); i >= 0 {
		return dir[i+len("/node_modules/"):]
	}
	return strings.TrimPrefix(dir, "node_modules/")
}

type pkgJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	License      any               `json:"license"`
	Scripts      map[string]any    `json:"scripts"`
	Gypfile      bool              `json:"gypfile"`
	Dependencies map[string]any    `json:"dependencies"`
	Optional     map[string]any    `json:"optionalDependencies"`
	ProductName  string            `json:"productName"`
	Packages     map[string]lockPk `json:"packages"`
}

type lockPk struct {
	Version string `json:"version"`
}

// utf8BOM is the byte order mark some editors put before JSON text.
var utf8BOM = []byte("\xef\xbb\xbf")

// parsePkgJSON decodes a package.json (or package-lock.json) the way Node
// reads one: a UTF-8 byte order mark is skipped, keys match exactly (the
// last of duplicate keys wins, as in JSON.parse), and a field of an
// unexpected type (a numeric "version", a "scripts" list) is left empty and
// named in bad rather than making the whole file unreadable: Node loads the
// package all the same, and so must the inventory. err is set only when
// raw is not a JSON object.
func parsePkgJSON(raw []byte) (pj pkgJSON, bad []string, err error) {
	raw = bytes.TrimPrefix(raw, utf8BOM)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return pj, nil, err
	}
	if m == nil {
		return pj, nil, errors.New("not a JSON object")
	}
	field := func(name string, v any) {
		if r, ok := m[name]; ok && json.Unmarshal(r, v) != nil {
			bad = append(bad, name)
		}
	}
	field("name", &pj.Name)
	field("version", &pj.Version)
	if r, ok := m["license"]; ok {
		json.Unmarshal(r, &pj.License) // any JSON value fits
	}
	field("scripts", &pj.Scripts)
	field("gypfile", &pj.Gypfile)
	field("dependencies", &pj.Dependencies)
	field("optionalDependencies", &pj.Optional)
	field("productName", &pj.ProductName)
	field("packages", &pj.Packages)
	sort.Strings(bad)
	return pj, bad, nil
}

var installScripts = []string{"preinstall", "install", "postinstall", "prepare"}

// keepsRaw reports whether the file at release path p is a package.json,
// whose bytes the read that hashes it keeps (item.raw) when it reads the
// file whole: the packages' step reads every one of them, and a release
// holds thousands.
func keepsRaw(p string) bool {
	return p == "package.json" || strings.HasSuffix(p, "/package.json")
}

// readSmall reads a small text file of the release (package.json, plist):
// for a package.json, the bytes its hashing kept (item.raw), if any. The
// bytes returned are not to be modified.
func (b *builder) readSmall(it *item) ([]byte, error) {
	if it.raw != nil {
		return it.raw, nil
	}
	r, size, c, err := it.opener()()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if size > 16<<20 {
		return nil, fmt.Errorf("%d bytes is too large", size)
	}
	buf := make([]byte, size)
	if _, err := r.ReadAt(buf, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return buf, nil
}

// assemble turns hashed items into the inventory, in named steps: the
// items' own findings, the application, its Electron facts, the npm
// packages, then each file's owner and the digests.
func (b *builder) assemble() {
	byPath := b.itemFindings()
	appRoot := b.appRoot()
	b.inv.App.Root = appRoot
	b.appPackage(byPath, appRoot)
	b.electronFacts(byPath)
	pkgs := b.packages(b.lockfile(byPath, appRoot), appRoot)
	b.folderPackages(pkgs, appRoot)
	b.assignFiles(pkgs, appRoot)
	b.finishInventory()
}

// itemFindings indexes the items by path and reports those that could not
// be read or whose asar entry is malformed.
func (b *builder) itemFindings() map[string]*item {
	byPath := make(map[string]*item, len(b.items))
	for _, it := range b.items {
		byPath[it.path] = it
		if it.entryPath != "" {
			byPath[it.entryPath] = it // an unpacked package.json
		}
		if it.err != nil {
			b.finding(RuleUnreadable, signing.SeverityError, it.path, it.err.Error())
		}
		if it.appendedErr != nil {
			b.finding(RuleUnreadable, signing.SeverityError, it.path, release.ZipSearchMessage(it.appendedErr))
		}
		if it.asarErr != nil {
			f := it.asarErr.Finding()
			f.Path = it.asarAt + "/" + f.Path
			b.inv.Findings = append(b.inv.Findings, f)
		}
	}
	return byPath
}

// appRoot returns the folder of the application's code: the asar, or the
// unpacked app folder when there is no asar (App.Dir then names it).
func (b *builder) appRoot() string {
	if b.ar == nil && b.appDir != "" && b.hasDir(b.appDir) {
		b.inv.App.Dir = b.appDir
		return b.appDir
	}
	return b.asarPath
}

// appFile is the path of the application's file name under appRoot.
func appFile(appRoot, name string) string {
	if appRoot == "" {
		return name
	}
	return appRoot + "/" + name
}

// appPackage reads the application's name, version and dependencies from
// its package.json.
func (b *builder) appPackage(byPath map[string]*item, appRoot string) {
	it := byPath[appFile(appRoot, "package.json")]
	if it == nil {
		return
	}
	raw, err := b.readSmall(it)
	if err != nil {
		return
	}
	pj, _, err := parsePkgJSON(raw)
	if err != nil {
		return
	}
	inv := b.inv
	inv.App.Name, inv.App.Version = pj.Name, pj.Version
	inv.App.Dependencies = dependencies(pj)
}

// dependencies lists a package's dependencies and optional dependencies,
// sorted, each once.
func dependencies(pj pkgJSON) []string {
	var deps []string
	for d := range pj.Dependencies {
		deps = append(deps, d)
	}
	for d := range pj.Optional {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	return compactStrings(deps)
}

// lockfile returns the packages of the application's package-lock.json,
// nil without one.
func (b *builder) lockfile(byPath map[string]*item, appRoot string) map[string]lockPk {
	it := byPath[appFile(appRoot, "package-lock.json")]
	if it == nil {
		return nil
	}
	raw, err := b.readSmall(it)
	if err != nil {
		return nil
	}
	l, _, err := parsePkgJSON(raw)
	if err != nil {
		return nil
	}
	return l.Packages
}

// isPackageJSON reports whether p is dir+"/package.json", without building
// that string for every file.
func isPackageJSON(p, dir string) bool {
	const name = "/package.json"
	return len(p) == len(dir)+len(name) && strings.HasPrefix(p, dir) && strings.HasSuffix(p, name)
}

// packages returns the npm packages by folder: every package.json at a
// package folder's root, checked against the lockfile's packages.
func (b *builder) packages(lock map[string]lockPk, appRoot string) map[string]*Package {
	pkgs := map[string]*Package{}
	for _, it := range b.items {
		dir := packageDir(it.owned())
		if dir == "" || !isPackageJSON(it.owned(), dir) {
			continue
		}
		raw, err := b.readSmall(it)
		if err != nil {
			continue
		}
		p := b.packageOf(it, dir, raw)
		if lock != nil {
			rel := strings.TrimPrefix(dir, appRoot+"/")
			if l, ok := lock[rel]; ok {
				p.LockVersion = l.Version
				if l.Version != "" && l.Version != p.Version {
					b.finding(RuleLockfileMismatch, signing.SeverityWarning, dir,
						fmt.Sprintf("package.json says %s@%s, the lockfile %s", p.Name, p.Version, l.Version))
				}
			} else if len(lock) > 0 && (appRoot == "" || appReaches(appRoot, dir)) {
				// npm installs only what the lockfile lists: a package
				// of the application (in its folder, or where its
				// require() finds it) the lockfile does not list was put
				// there otherwise (a nested copy planted to shadow a
				// dependency); another asar's are not the lockfile's.
				b.finding(RuleLockfileMismatch, signing.SeverityWarning, dir,
					fmt.Sprintf("%s@%s is not in the application's package-lock.json, which lists every package npm installed (%s)", p.Name, p.Version, rel))
			}
		}
		pkgs[dir] = p
	}
	return pkgs
}

// packageOf returns the package in folder dir whose package.json it is,
// with contents raw.
func (b *builder) packageOf(it *item, dir string, raw []byte) *Package {
	// A package is its folder, as Node resolves it: whatever its
	// package.json says (or fails to say), the files under the folder
	// stay under the package's digest.
	pj, bad, err := parsePkgJSON(raw)
	switch {
	case err != nil:
		b.finding(RulePackageJSONInvalid, signing.SeverityWarning, it.path,
			"package.json does not parse; the package is named after its folder, "+requireName(dir)+", with no version")
	case len(bad) > 0:
		b.finding(RulePackageJSONInvalid, signing.SeverityWarning, it.path,
			fmt.Sprintf("package.json fields of the wrong type are ignored: %s", strings.Join(bad, ", ")))
	}
	if pj.Name == "" {
		// Node loads a package without a name all the same: name it by
		// its folder so that its files stay under its digest.
		pj.Name = requireName(dir)
		if err == nil {
			b.finding(RulePackageJSONInvalid, signing.SeverityWarning, it.path,
				"package.json has no name; the package is named after its folder, "+pj.Name)
		}
	}
	p := &Package{Name: pj.Name, Version: pj.Version, License: licenseString(pj.License), Path: dir, Gypfile: pj.Gypfile}
	for _, s := range installScripts {
		if c, ok := pj.Scripts[s].(string); ok {
			p.Scripts = append(p.Scripts, Script{Name: s, Command: c})
		}
	}
	p.Dependencies = dependencies(pj)
	return p
}

// folderPackages adds to pkgs the package folders of the application that
// have no package.json: require() still loads them (their index.js), so
// each is a package, named after its folder, with no version, so that its
// files keep a digest. The application's are those in its folder and
// those its require() reaches beside it (nodeResolves:
// resources/node_modules/x, node_modules/x beside the executable).
func (b *builder) folderPackages(pkgs map[string]*Package, appRoot string) {
	under := appRoot + "/"
	prev := ""
	for _, it := range b.items {
		// The folders above a file are those above the file before it
		// when both are in the same package folder, which the file
		// before it added: only a new folder is walked up.
		first := packageDir(it.owned())
		if first == prev {
			continue
		}
		prev = first
		for dir := first; dir != "" && (strings.HasPrefix(dir, under) || appRoot != "" && appReaches(appRoot, dir)); dir = packageDir(path.Dir(dir)) {
			name := requireName(dir)
			if pkgs[dir] != nil || strings.HasPrefix(name, ".") || strings.HasPrefix(path.Base(name), ".") {
				continue
			}
			pkgs[dir] = &Package{Name: name, Path: dir}
			b.finding(RulePackageJSONInvalid, signing.SeverityWarning, dir,
				"package folder has no package.json; the package is named after its folder, "+name+", with no version")
		}
	}
}

// assignFiles gives each readable item its owner: a package (its file
// count and digest), the application's digest, or the inventory's own
// files; binaries are recorded with the version that applies to them.
// The packages then join the inventory.
func (b *builder) assignFiles(pkgs map[string]*Package, appRoot string) {
	inv := b.inv
	lines := map[string]*bytes.Buffer{}
	var appLines bytes.Buffer
	// The owner of a file is that of the file before it when both are
	// in the same package folder (prevDir): files come in path order.
	prevDir, owner := "", ""
	for _, it := range b.byOwnedPath() {
		if it.err != nil {
			continue
		}
		if first := packageDir(it.owned()); first != prevDir {
			prevDir, owner = first, ""
			for d := first; d != ""; d = packageDir(path.Dir(d)) {
				if pkgs[d] != nil {
					owner = d
					break
				}
			}
		}
		sum := it.sha256
		if it.link != "" {
			sum = "link\x00" + it.link
		}
		switch {
		case owner != "":
			p := pkgs[owner]
			p.Files++
			if lines[owner] == nil {
				lines[owner] = &bytes.Buffer{}
			}
			if !inGitDir(it.path) {
				fileLine(lines[owner], it.owned(), owner, sum)
			}
		case it.link != "" && inGitDir(it.path):
		case it.link != "":
			// A link outside packages counts in the application's digest.
			fileLine(&appLines, it.path, appRoot, sum)
		default:
			comp, ver := b.component(it.path, appRoot)
			// The application's opened asar is its root, whose
			// files are the digest's lines, not one of them.
			if comp == "app" && (it.path != appRoot || b.ar == nil) && !inGitDir(it.path) {
				fileLine(&appLines, it.owned(), appRoot, sum)
			}
			inv.Files = append(inv.Files, File{Path: it.path, Size: it.size, SHA256: it.sha256, Component: comp, Version: ver})
		}
		if it.bin != nil {
			inv.Binaries = append(inv.Binaries, b.binaryOf(it, owner, pkgs, appRoot))
		}
	}
	for d, p := range pkgs {
		if l := lines[d]; l != nil {
			sum := sha256.Sum256(l.Bytes())
			p.Digest = hex.EncodeToString(sum[:])
		}
		inv.Packages = append(inv.Packages, *p)
	}
	if appLines.Len() > 0 {
		sum := sha256.Sum256(appLines.Bytes())
		inv.App.Digest = hex.EncodeToString(sum[:])
	}
}

// byOwnedPath returns the items sorted by the paths by which they belong
// to packages (item.owned), in which order their digests' lines are: an
// unpacked file of an asar is among the asar's entries.
func (b *builder) byOwnedPath() []*item {
	if len(b.asars) == 0 {
		return b.items
	}
	byOwned := func(x, y *item) int { return strings.Compare(x.owned(), y.owned()) }
	if slices.IsSortedFunc(b.items, byOwned) {
		// No unpacked file sorts elsewhere as an entry: a stable sort
		// would leave the order as it is.
		return b.items
	}
	items := slices.Clone(b.items)
	slices.SortStableFunc(items, byOwned)
	return items
}

// fileLine appends to w the line of a package's (or the application's)
// digest for the file at p in the folder dir: p without dir's "dir/"
// prefix, a NUL, sum and a newline.
func fileLine(w *bytes.Buffer, p, dir, sum string) {
	if len(p) > len(dir) && p[len(dir)] == '/' && strings.HasPrefix(p, dir) {
		p = p[len(dir)+1:]
	}
	w.WriteString(p)
	w.WriteByte(0)
	w.WriteString(sum)
	w.WriteByte('\n')
}

// binaryOf returns the binary record of it, owned by the package in folder
// owner ("" for none): its version is its own file version, else its
// package's, else its component's.
func (b *builder) binaryOf(it *item, owner string, pkgs map[string]*Package, appRoot string) Binary {
	bin := it.bin
	bin.Version = bin.FileVersion
	if owner != "" {
		bin.Package = owner
		if bin.Version == "" {
			bin.Version = pkgs[owner].Version
		}
	} else if bin.Version == "" {
		_, bin.Version = b.component(it.path, appRoot)
	}
	return *bin
}

// finishInventory sorts the inventory's lists and makes empty ones non-nil.
func (b *builder) finishInventory() {
	inv := b.inv
	// Copies of one path (a zip's duplicate entries) are ordered by
	// digest, as verify's report orders them.
	sort.Slice(inv.Packages, func(i, j int) bool {
		return cmp.Or(strings.Compare(inv.Packages[i].Path, inv.Packages[j].Path), strings.Compare(inv.Packages[i].Digest, inv.Packages[j].Digest)) < 0
	})
	sort.Slice(inv.Binaries, func(i, j int) bool {
		return cmp.Or(strings.Compare(inv.Binaries[i].Path, inv.Binaries[j].Path), strings.Compare(inv.Binaries[i].SHA256, inv.Binaries[j].SHA256)) < 0
	})
	sort.Slice(inv.Files, func(i, j int) bool {
		return cmp.Or(strings.Compare(inv.Files[i].Path, inv.Files[j].Path), strings.Compare(inv.Files[i].SHA256, inv.Files[j].SHA256)) < 0
	})
	sortFindings(inv.Findings)
	inv.Findings = report.CompactFindings(inv.Findings)
	nonNil(&inv.Packages)
	nonNil(&inv.Binaries)
	nonNil(&inv.Files)
	nonNil(&inv.Findings)
}

// component says who declares the version of a file outside npm packages:
// the application (its code, its bundle's own files and resources) or the
// Electron runtime.
func (b *builder) component(p, appRoot string) (string, string) {
	inv := b.inv
	app := func() (string, string) { return "app", inv.App.Version }
	if strings.HasPrefix(p, appRoot+"/") || strings.HasPrefix(p, b.asarPath+".unpacked/") {
		return app()
	}
	switch inv.Layout {
	case LayoutMacOS:
		return b.macComponent(underHome(p, b.macHome))
	case LayoutWindows:
		if strings.HasPrefix(underHome(p, b.home), "resources/") {
			return app()
		}
		return "electron", inv.Electron.Version
	default:
		// Files an installer installs beside the application, and its
		// custom actions, are the application's (the installer's); so
		// are those beside an application found inside an archive (see
		// adoptApp).
		if rest, ok := strings.CutPrefix(p, b.macHome+"/"); ok && b.macHome != "" {
			return b.macComponent(rest)
		}
		if rest, ok := strings.CutPrefix(p, b.home+"/"); ok && b.home != "" {
			if strings.HasPrefix(rest, "resources/") {
				return app()
			}
			return "electron", inv.Electron.Version
		}
	}
	return app()
}

// underHome returns p, a path under the folder home ("" for the
// release's own root), relative to it.
func underHome(p, home string) string {
	if home == "" {
		return p
	}
	return strings.TrimPrefix(p, home+"/")
}

// macComponent is component for the path p inside a macOS .app: the
// frameworks are Electron's, but for the helper apps, which carry the app's
// version, as does everything else.
func (b *builder) macComponent(p string) (string, string) {
	if rest, ok := strings.CutPrefix(p, "Contents/Frameworks/"); ok && !strings.HasSuffix(strings.SplitN(rest, "/", 2)[0], ".app") {
		return "electron", b.inv.Electron.Version
	}
	return "app", b.inv.App.Version
}

func licenseString(v any) string {
	switch l := v.(type) {
	case string:
		return l
	case map[string]any:
		if t, ok := l["type"].(string); ok {
			return t
		}
	}
	return ""
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// verified records the outcome of checking an asar entry, its digest sum
// and err, and reports whether its bytes were read: an integrity mismatch
// is kept as a fact of the entry (asarErr), any other error as its err.
func (it *item) verified(sum string, err error) bool {
	if err != nil && !errors.Is(err, asar.ErrNoIntegrity) {
		// Declared only here: errors.As makes ee escape, which would
		// cost every entry an allocation.
		var ee *asar.EntryError
		if !errors.As(err, &ee) || !errors.Is(err, asar.ErrIntegrity) {
			it.err = err
			return false
		}
		it.asarErr = ee
	}
	it.sha256 = sum
	return true
}
