// Package container opens the installer containers of a release — Windows
// cabinets, Windows Installer databases (MSI), macOS flat installer
// packages, NSIS installers, Squirrel.Windows Setup.exe files, IExpress
// self-extractors and 7-Zip archives — into the files they carry, for every walker of a release:
// verify checks each entry as a file of the release, sbom inventories it,
// and so diff compares two installers file by file. One walker means one
// set of entry names (setup.msi/app.cab/Acme App/app.dll,
// setup.msi/Binary/CustomDll, Setup.exe/$INSTDIR/app.dll,
// Setup.exe/$PLUGINSDIR/app-64.7z/resources/app.asar), one set of limits
// (the expansion budget of [release.Expansion], the readers' own), and one
// set of findings about the container (nsis/trailing-data, cab/not-opened…).
//
// The formats' readers are internal/cab, internal/msi (over internal/cfb),
// signing/pkg, internal/nsis, internal/squirrel and internal/sevenz; this
// package decides what of a container is a file (the embedded cabinets the
// Media table names, with the File table's installed paths; the
// Binary-table and other stream-column payloads; streams no table refers
// to; the storages of an MSI, a nested database walked as the MSI is; the NSIS data blocks under the paths the script extracts them to;
// the zip archives a PE keeps as resources) and names each as a report
// path. Nesting depth is the caller's: an entry that is itself a container
// is the caller's to open, and a zip archive a PE holds is handed to the
// caller's zip reader ([Visitor].Zip); only an NSIS installer's blocks,
// and the databases an MSI stores in its storages (walked here, as the
// MSI is), are not opened at [release.MaxDepth] (see [Visitor].Depth).
package container

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"

	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/pkg"
)

// Kind is a container format the walker opens.
type Kind uint8

// Kinds of containers.
const (
	// None is a file the walker does not open.
	None Kind = iota
	// CAB is a Microsoft cabinet ([MS-CAB]).
	CAB
	// MSI is a Windows Installer database (an OLE compound file).
	MSI
	// Pkg is a macOS flat installer package (a xar archive).
	Pkg
	// NSIS is a Nullsoft installer: a PE followed by NSIS data, or NSIS
	// data alone (the uninstaller an installer carries).
	NSIS
	// Squirrel is a PE that keeps zip archives as resources: a
	// Squirrel.Windows Setup.exe, whose package is its "DATA" resource;
	// or MSI databases or cabinets (an MSI wrapper's).
	Squirrel
	// SevenZip is a 7-Zip archive.
	SevenZip
	// IExpress is a PE that keeps a cabinet as its RT_RCDATA resource
	// "CABINET": an IExpress self-extractor. It is walked as a Squirrel
	// PE is: every resource archive the PE keeps is opened.
	IExpress
	// Attached is a PE followed by archives its stub extracts: a 7-Zip
	// self-extractor (see [SFX7zOffset]), or a PE followed by cabinets (a
	// WiX Burn bundle's attached containers: see [AttachedCabinets]).
	Attached
)

// String returns the kind's name as reports spell it ("cab", "msi", "pkg").
func (k Kind) String() string {
	switch k {
	case CAB:
		return "cab"
	case MSI:
		return "msi"
	case Pkg:
		return "pkg"
	case NSIS:
		return "nsis"
	case Squirrel:
		return "squirrel"
	case SevenZip:
		return "7z"
	case IExpress:
		return "iexpress"
	case Attached:
		return "attached"
	}
	return "none"
}

// HeadLen is the bytes of a file's start [Detect] looks at.
const HeadLen = 512

// msiCLSIDs are the root classes of Windows Installer databases, patches
// and transforms.
var msiCLSIDs = [][]byte{
	{0x84, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}, // database
	{0x86, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}, // patch
	{0x82, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}, // transform
}

// Detect tells which container the file of size bytes at r is, from its
// first bytes hdr (up to [HeadLen]) and its name's extension: a cabinet
// (of any version and reserved fields: extractors read them all), a compound file named .msi,
// .msp, .mst or .msm or whose root class is an installer's, a xar archive (version 1, a header of at
// least 28 bytes), a 7-Zip archive, NSIS data alone, or a PE that is an
// NSIS installer (a firstheader where its sections end, as makensis writes
// it), keeps a cabinet as the RT_RCDATA resource "CABINET" (IExpress) or
// keeps a zip archive as a "DATA" or RT_RCDATA resource (Squirrel).
// A compound file of another class (a Word document) is None, and so is a
// PE that is neither: a PE whose NSIS data lies further on is found by
// [Walk] with kind NSIS, which looks where exehead looks.
func Detect(r io.ReaderAt, ext string, hdr []byte, size int64) Kind {
	return DetectScanned(r, ext, hdr, size, nil, nil, nil)
}

// DetectScanned is [Detect] for a file whose every byte, in order, a
// caller's hashing pass wrote to ns and s (see [Visitor].NSIS and
// [Visitor].SFX7z): a PE is searched for NSIS data, and its overlay for a
// 7-Zip self-extractor's archive, there instead of read again. A nil
// scanner reads the file, as Detect does. A PE's resources are read into
// rs, when set, for a [Walk] of the same file given it (see
// [Visitor].Resources) to take from there.
func DetectScanned(r io.ReaderAt, ext string, hdr []byte, size int64, ns *nsis.Scanner, s *SFX7zScanner, rs *PEResources) Kind {
	switch {
	case bytes.HasPrefix(hdr, []byte(sevenz.Signature)):
		return SevenZip
	case nsis.IsData(hdr):
		return NSIS
	case filekind.DetectAt(r, hdr, size) == filekind.PE:
		return detectPE(r, size, ns, s, rs)
	case len(hdr) >= 36 && bytes.HasPrefix(hdr, []byte("MSCF")):
		// Whatever its reserved fields hold: libmspack (cabextract) and
		// gcab check the signature alone.
		return CAB
	case len(hdr) >= 8 && bytes.HasPrefix(hdr, []byte(pkg.Magic)) && hdr[4] == 0 && hdr[5] >= 28 && hdr[6] == 0 && hdr[7] == 1:
		return Pkg
	case CompoundFile(hdr):
		switch ext {
		case ".msi", ".msp", ".mst", ".msm":
			return MSI
		}
		// The root entry starts the first directory sector.
		shift := binary.LittleEndian.Uint16(hdr[30:])
		if shift != 9 && shift != 12 {
			return None
		}
		off := (int64(binary.LittleEndian.Uint32(hdr[48:])) + 1) << shift
		var clsid [16]byte
		if off+96 <= size {
			if n, _ := r.ReadAt(clsid[:], off+80); n == len(clsid) {
				for _, c := range msiCLSIDs {
					if bytes.Equal(clsid[:], c) {
						return MSI
					}
				}
			}
		}
	}
	return None
}

// detectPE tells whether the PE file of size bytes at r is an NSIS
// installer (a firstheader at the first 512-byte boundary from where its
// sections end), a PE with zip resources, or one followed by a 7-Zip
// self-extractor's archive or cabinets,
// reading only its headers, resource directory and the first 8 MiB of its
// overlay, and looking for NSIS data (from ns when set: see
// [Visitor].NSIS), its resources read into res when set.
func detectPE(r io.ReaderAt, size int64, ns *nsis.Scanner, s *SFX7zScanner, res *PEResources) Kind {
	if end := PESectionsEnd(r, size); end > 0 {
		off := (end + 511) &^ 511
		var b [28]byte
		if n, _ := r.ReadAt(b[:], off); n == len(b) && nsis.IsData(b[:]) {
			return NSIS
		}
	}
	rs, _ := res.get(r, size)
	for _, x := range rs {
		if isIExpressCabinet(x.Resource) {
			return IExpress
		}
	}
	for _, x := range rs {
		if x.zip || x.payload {
			return Squirrel
		}
	}
	// exehead takes the first firstheader at any 512-byte boundary: data
	// after a gap, or inside the last section, installs as well, and a
	// diff must not see such an installer as one opaque file. A
	// firstheader inside the sections whose data is malformed is a
	// lookalike, as [Walk] takes it.
	h, err := findNSIS(r, size, ns)
	switch {
	case errors.Is(err, nsis.ErrNotNSIS):
		return attachedOrNone(r, size, s)
	case h.Offset >= PESectionsEnd(r, size):
		return NSIS
	case err == nil:
		_, err = nsis.NewReader(r, h, nsis.Options{})
	}
	if lookalike(err) {
		return attachedOrNone(r, size, s)
	}
	return NSIS
}

// findNSIS is [nsis.Find], from what ns saw of the file when set (see
// [Visitor].NSIS).
func findNSIS(r io.ReaderAt, size int64, ns *nsis.Scanner) (nsis.FirstHeader, error) {
	if ns != nil {
		return ns.Find(r, size)
	}
	return nsis.Find(r, size)
}

// attachedOrNone returns Attached for a PE that carries a 7-Zip
// self-extractor's archive or attached cabinets, else None.
func attachedOrNone(r io.ReaderAt, size int64, s *SFX7zScanner) Kind {
	if _, ok := sfx7zOffset(r, size, s); ok || len(AttachedCabinets(r, size)) > 0 {
		return Attached
	}
	return None
}

// CompoundFile reports whether hdr, a file's first bytes, starts an OLE
// compound file: its signature and a whole 512-byte header.
func CompoundFile(hdr []byte) bool {
	return len(hdr) >= 512 && bytes.HasPrefix(hdr, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
}

// Entry is one file a container holds.
type Entry struct {
	// Path is the file's report path: the container's path, then its
	// place inside (see [Walk]).
	Path string
	// Source reads the file's bytes: a window into the container for an
	// MSI stream, the file system's file for a package's, and a stream,
	// readable only until Visitor.Entry returns, for a cabinet's file.
	Source release.Source
	// Size is the file's size as the container records it.
	Size int64
	// Mode is the file's mode as the container records it (an
	// installer package's payload records one, set-ID bits included:
	// volfs.SpecialBits), 0 when it records none.
	Mode fs.FileMode
	// Also are the further report paths the container installs the same
	// bytes to (an NSIS block extracted twice, reported as
	// nsis/shared-data): a verifier checks the bytes once, an inventory
	// lists each path.
	Also []string
	// Nested is how many containers inside the walked one the file lies
	// beyond the first: 0 for the files of the container and of the
	// cabinets it embeds, 1 for those of a database stored in a storage
	// of an MSI (a nested installation), 2 a level further. A caller
	// counts the file's nesting depth as the container's, plus 1, plus
	// Nested.
	Nested int
	// Trailing, for the bytes after an NSIS installer's data
	// ($NSIS/trailing-data), is their range in the container's file
	// (see [TrailingAppended]); zero for any other file.
	Trailing Span
}

// Visitor receives what [Walk] finds, in the order it finds it. A nil
// field drops what it would receive.
type Visitor struct {
	// Entry is called with each file of the container, one after the
	// other, on the caller's goroutine.
	Entry func(Entry)
	// Finding is called with each problem of the container, its path
	// set.
	Finding func(signing.Finding)
	// Zip is called with each zip archive a PE keeps as a resource (kind
	// Squirrel), whose entries the caller's zip reader lists under
	// Zip.Path: the walker does not read zip archives. Nil drops them.
	Zip func(Zip)
	// SignedDatabase is called with each database nested in a storage of
	// an MSI that carries a signature of its own, before its files: the
	// walker checks no signature, the caller verifies it (see
	// [SignedDatabase]). Nil drops them.
	SignedDatabase func(SignedDatabase)
	// Link is called with each symbolic link of a 7-Zip archive (an entry
	// whose Unix mode says so, which 7-Zip on Unix extracts as a link) or
	// of an installer package: its name in the archive (in the package,
	// Payload/bin/x: see [PkgPayloadRoot]) and its target. Nil hands a
	// 7-Zip archive's links to Entry as files holding their targets, and
	// leaves a package's out.
	Link func(name, target string)
	// Cabinet opens the external cabinet name (a plain file name) an MSI's
	// Media table names, from beside the MSI in the release, for its files
	// to be checked under the MSI's path with their installed paths and
	// against the File table (see [msi.FileCheck]). It returns an error
	// wrapping [fs.ErrNotExist] when the release holds no such file (an
	// msi/missing-cabinet error), another error when the cabinet cannot be
	// read at random (a note). Nil: the walker cannot see beside the MSI,
	// and notes the external cabinets.
	Cabinet func(name string) (io.ReaderAt, int64, io.Closer, error)
	// Depth is how many archives the container is nested in (0: a file
	// of the release). The caller checks it before walking a container,
	// but for an NSIS installer: its trailing data is handed over at
	// any depth, its blocks only below [release.MaxDepth], and for an
	// MSI's nested databases, each one level deeper than what holds it.
	Depth int
	// NSIS, when set, has seen every byte of the walked file, in order
	// (the caller's hashing pass wrote them to it): an NSIS walk takes the
	// firstheader from it instead of reading the file to look for one.
	NSIS *nsis.Scanner
	// SFX7z, when set, has seen every byte of the walked file, in order,
	// as NSIS has: a PE's overlay is searched for a 7-Zip
	// self-extractor's archive there instead of read again.
	SFX7z *SFX7zScanner
	// Resources, when set, holds the walked PE's resources if a
	// [DetectScanned] of the same file read them (or keeps them for one
	// after the walk), so that they are read once (see [PEResources]).
	Resources *PEResources
}

// SignedDatabase is a database nested in a storage of an MSI (a nested
// installation, or a storage of a database's class) that holds a
// DigitalSignature stream of its own: signed on its own before it was
// stored, its signature is to be verified where it lies
// (authenticode.VerifyMSIStorage with Storage), as the MSI's own is.
type SignedDatabase struct {
	// Path is the database's report path (setup.msi/nested), under
	// which its files are reported.
	Path string
	// Storage is the path of the storage's names as stored in the
	// compound file (not decoded), from the root's children down.
	Storage []string
	// Nested is as [Entry].Nested for the database's files, less one:
	// 0 for a database stored in the walked MSI.
	Nested int
}

// Walk opens the container of kind k whose size bytes r holds, found at
// report path at, and hands its files and problems to v, within the
// expansion budget x (nil: a budget of the container's own size):
//
//   - a cabinet's files under at/<name in the cabinet>;
//   - an MSI's embedded cabinets' files under at/<cabinet>/<installed path>
//     (the File and Directory tables' long names, else the file's key),
//     its stream-column payloads (custom actions, icons) under
//     at/<table>/<key>, streams no table refers to under
//     at/_Streams/<name>, and its storages under at/<storage>/…: a
//     nested database (one a type 7 custom action installs, or of a
//     database's class) walked as the MSI is, within the same budget and
//     one level deeper (see [Entry].Nested; not opened at
//     [release.MaxDepth]) and, when it carries a signature of its own,
//     handed to [Visitor].SignedDatabase first; the streams of an embedded transform, and
//     every stream of any other storage, as files;
//   - a merge module's MergeModule.CABinet files under
//     at/MergeModule.CABinet/<installed path>, a patch's cabinet streams'
//     files under at/<stream>/<name in the cabinet>, a transform's added
//     streams under at/<name> (see msi_family.go);
//   - a package's component Payload and Scripts files under
//     at/<component>/Payload/… and at/<component>/Scripts/…;
//   - an NSIS installer's data blocks under at/<the path the first
//     instruction extracting it names> (at/$INSTDIR/app.dll), a block no
//     instruction names under at/$NSIS/block-<offset>, the bytes after
//     the NSIS data under at/$NSIS/trailing-data;
//   - a Squirrel Setup.exe's resource zip archives, to [Visitor].Zip;
//   - an IExpress self-extractor's cabinet (its RT_RCDATA resource
//     "CABINET") files under at/<name in the cabinet>;
//   - a 7-Zip archive's files under at/<name in the archive>.
//
// Names from tables are escaped one element each (see [PathElem]);
// cabinet names are cleaned as the cabinet reader does and insecure ones
// reported. Walk returns when the container is read or ctx is done; a
// container that cannot be read is a finding. It does not check the
// container's own signature, nor nesting: an entry that is a container is
// the caller's to open (or not).
func Walk(ctx context.Context, k Kind, r io.ReaderAt, size int64, at string, x *release.Expansion, v Visitor) {
	if x == nil {
		x = release.NewExpansion(size)
	}
	w := &walker{ctx: ctx, at: at, x: x, v: v, handed: newHanded()}
	if w.v.Entry == nil {
		w.v.Entry = func(Entry) {}
	}
	if w.v.Finding == nil {
		w.v.Finding = func(signing.Finding) {}
	}
	if w.v.Zip == nil {
		w.v.Zip = func(Zip) {}
	}
	if w.v.SignedDatabase == nil {
		w.v.SignedDatabase = func(SignedDatabase) {}
	}
	cra := ctxReaderAt{ctx, r}
	switch k {
	case CAB:
		w.openCAB(cra, size)
	case MSI:
		w.openMSI(cra, size)
	case Pkg:
		w.openPkg(cra, size)
	case NSIS:
		w.openNSIS(cra, size)
	case Squirrel, IExpress:
		w.openResources(cra, size)
	case SevenZip:
		w.open7z(cra, size)
	case Attached:
		w.openAttached(cra, size)
	}
}

// walker is one Walk.
type walker struct {
	ctx    context.Context
	at     string // the container's report path
	x      *release.Expansion
	v      Visitor
	nested int // databases nested in the walked container down to here
	// storage is the stored names of the storages down to the database
	// walked here, from the root's children; nil for the MSI itself.
	storage []string
	// handed is the report paths the Walk has handed over, shared by
	// the walkers of an MSI's nested databases.
	handed *handed
	// cabSets is the first cabinets (lower-cased) of the external
	// cabinet sets an MSI's walk has walked.
	cabSets map[string]bool
	// setStreams are the streams of the database walked here that hold
	// an embedded cabinet set's members, walked with the set.
	setStreams map[*msi.Stream]bool
}

// add reports a finding at report path p.
func (w *walker) add(rule signing.Rule, sev signing.Severity, p, msg string) {
	f := signing.NewFinding(rule, sev, msg)
	f.Path = p
	w.v.Finding(f)
}

// entry hands one file to the visitor.
func (w *walker) entry(p string, src release.Source, size int64) {
	w.hand(Entry{Path: p, Source: src, Size: size, Nested: w.nested})
}

// collide adds the entry name (a folder if dir; at report path p) of the
// kind of archive that w.at is to folds, and reports its collisions with
// earlier entries.
func (w *walker) collide(folds *foldname.Set, kind, name string, dir bool, p string) {
	for _, c := range folds.Add(name, dir) {
		w.add(release.RuleNameCollision, signing.SeverityWarning, p, c.Message(kind, w.at, name))
	}
}

// ctxReaderAt fails its reads once ctx is done, so that a walk over a
// large container stops soon after its caller gives up.
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

// PkgMaxPayload is what the payloads of a package of size bytes may
// decompress to: it grows with the package's size rather than being the
// library's 1 GiB for any package, for a 500 KB gzip bomb would take 2 GB.
func PkgMaxPayload(size int64) int64 {
	return min(pkg.DefaultMaxPayload, 16<<20+64*size)
}

// OpenPkg opens the installer package of size bytes at r as a file system
// whose components' Payload and Scripts are folders, within
// [PkgMaxPayload]; the findings are the package reader's, with paths
// relative to the package. The error is the package reader's when the
// package cannot be read at all (a *pkg.FormatError, pkg.ErrNotXar).
func OpenPkg(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error) {
	x, err := pkg.NewReader(r, size)
	if err != nil {
		return nil, nil, err
	}
	fsys, finds := pkg.OpenFS(x, pkg.FSOptions{MaxPayload: PkgMaxPayload(size)})
	return fsys, finds, nil
}
