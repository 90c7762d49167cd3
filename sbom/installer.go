package sbom

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shipgate/shipgate/internal/container"
	"github.com/shipgate/shipgate/internal/filekind"
	"github.com/shipgate/shipgate/internal/nsis"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/sevenz"
	"github.com/shipgate/shipgate/signing"
)

// listContainer lists the installer b.root (an MSI, a cabinet, an
// installer package, an NSIS or Squirrel Setup.exe or a 7-Zip archive, of
// kind k) into b.files: the installer itself, named as verify names it,
// then the files it carries under its name, walked by internal/container
// as verify walks them (setup.msi/app.cab/Acme App/app.dll,
// setup.msi/Binary/CustomDll, Setup.exe/$PLUGINSDIR/app-64.7z/app.exe),
// within one expansion budget of the installer's size. An entry that is
// itself such a container is opened too, to verify's nesting depth, and so
// are a Setup.exe's resource zips, and the zips and tarballs inside
// (release.NestedArchive, verify's decision); asars inside are opened
// once the files are hashed (openAsars).
func (b *builder) listContainer(k container.Kind) error {
	f, size, err := b.openRoot()
	if err != nil {
		return err
	}
	name := filepath.Base(b.root)
	b.files = append(b.files, &item{path: name, open: diskOpener(b.root), opened: true})
	l := &containerLister{b: b, x: release.NewExpansion(size), seen: map[string]lister{name: byRelease},
		add:     func(it *item) { b.files = append(b.files, it) },
		cabinet: container.CabinetFS(os.DirFS(filepath.Dir(b.root)), name)}
	l.walk(k, f, size, name, 0)
	return nil
}

// openInstallers lists the files of the installers found among the
// release's files (an MSI in a folder or a zip, as verify opens it), of
// the zips and tarballs (release.NestedArchive) and of the
// self-extractors (a PE with a zip appended), under each one's path,
// and hashes them; each installer has its expansion
// budget, as verify gives an outermost archive. Files inside app.asar and
// inside an installer already listed are not opened.
func (b *builder) openInstallers() {
	var found []*item
	for _, it := range b.items {
		if (it.installer != container.None || it.appended || it.dmg || it.archive != release.NoArchive) && it.err == nil {
			found = append(found, it)
		}
	}
	if len(found) == 0 {
		return
	}
	// One map for all the installers' listers, with what listed each
	// path: a path two copies of one nested zip list is that zip's
	// repetition, its readers' to report (see note), not a file inside
	// an installer.
	seen := make(map[string]lister, len(b.items))
	for _, it := range b.items {
		seen[it.path] = byRelease
	}
	var added []*item
	for _, it := range found {
		ra, size, c, err := it.opener()()
		if err != nil {
			it.err = err
			continue
		}
		b.closers = append(b.closers, func() { c.Close() })
		if it.dmg {
			b.listImage(ra, size, it.path, seen, func(e *item) { e.opened, e.depth = true, it.depth+1; added = append(added, e) })
			continue
		}
		x := it.expand
		if x == nil {
			x = release.NewExpansion(size)
		}
		l := &containerLister{b: b, x: x, seen: seen, add: func(e *item) { added = append(added, e) }, scans: it.scans}
		switch {
		case b.diskRoot != "" && it.depth == 0 && !it.inAsar:
			l.cabinet = container.CabinetFS(os.DirFS(b.diskRoot), it.path)
		case it.sib != nil && it.depth == 0:
			l.cabinet = container.CabinetArchiveFS(it.sib, it.path, b.holdCabinet)
		}
		switch {
		case it.archive == release.ZipArchive:
			l.zipFile(it.path, ra, size, 0)
			continue
		case it.archive == release.TarArchive:
			l.tar(it.path, ra, size, 0)
			continue
		}
		if it.installer == container.None {
			l.appendedZip(it.path, ra, size, 0, nil) // a self-extractor
			continue
		}
		l.walk(it.installer, ra, size, it.path, 0)
	}
	b.hashAll(added)
	b.items = append(b.items, added...)
	sort.Slice(b.items, func(i, j int) bool { return b.items[i].path < b.items[j].path })
}

// peScans look, as a PE is hashed, for what telling its container and
// walking it would otherwise read it again for: NSIS data
// (container.Visitor.NSIS) and a 7-Zip self-extractor's archive
// (container.Visitor.SFX7z); res keeps its resources as telling its
// container read them, for the walk (container.Visitor.Resources).
type peScans struct {
	nsis  nsis.Scanner
	sfx7z container.SFX7zScanner
	res   container.PEResources
}

// containerLister lists the files of one installer and the installers
// nested in it.
type containerLister struct {
	b *builder
	x *release.Expansion
	// seen holds the paths listed so far, each with what listed it
	// last: the release, a container's walk or a zip or tar reader (see
	// note).
	seen map[string]lister
	add  func(*item) // takes each file listed
	// cabinet, when not nil, opens the external cabinets of the installer
	// walked at depth 0 (a file of a release folder, or the release) from
	// beside it, as verify opens them (container.CabinetFS).
	cabinet func(name string) (io.ReaderAt, int64, io.Closer, error)
	// scans, when set, saw every byte of the installer walked first as it
	// was hashed (see item.scans).
	scans *peScans
	// sib and sibName are the archive and the name in it of the entry
	// a zip or tar reader is listing (see cabinets.go); nextCabinet opens
	// the cabinets of the next container walked, that entry.
	sib         fs.FS
	sibName     string
	nextCabinet func(name string) (io.ReaderAt, int64, io.Closer, error)
}

// lister is what listed a path: the release (a file of its folder or
// zip, of a disk image, or the installer given as the release), a
// container's walk, or a zip or tar reader.
type lister uint8

const (
	byRelease lister = iota
	byArchive
	byWalk
)

// link records the symbolic link a container of kind k at report path at
// holds at name, as verify records it: a 7-Zip archive's relative to the
// archive, an installer package's relative to the cpio archive holding it
// (its Payload or Scripts: container.PkgPayloadRoot), whose links are
// checked as a tarball's are. A link is no file of the inventory.
func (l *containerLister) link(k container.Kind, at, name, target string) {
	if k != container.Pkg {
		l.b.symlink(at, name, target, "the archive")
		return
	}
	if root, ok := container.PkgPayloadRoot(name); ok {
		l.b.symlink(release.JoinPath(at, root), name[len(root)+1:], target, "the package's "+path.Base(root))
	}
}

// walk lists the container of kind k in the size bytes at r, found at
// report path at, depth levels down. A PE that is an NSIS or Squirrel
// installer or a 7-Zip self-extractor is walked as all three, as verify
// walks every PE: its NSIS data, its resource zips, its 7-Zip archive,
// then the zip appended to it.
func (l *containerLister) walk(k container.Kind, r io.ReaderAt, size int64, at string, depth int) {
	b := l.b
	var walked []container.Span
	v := container.Visitor{
		Finding: func(f signing.Finding) { b.inv.Findings = append(b.inv.Findings, f) },
		Link:    func(name, target string) { l.link(k, at, name, target) },
		Entry: func(e container.Entry) {
			l.walkedEntry(e, depth+1+e.Nested)
			if s, ok := selfExtractorSpan(e); ok {
				walked = append(walked, s)
			}
			if e.Trailing.Size > 0 {
				l.trailingZip(e, r, size, depth+1)
			}
		},
		Zip: func(z container.Zip) {
			walked = append(walked, z.Span())
			l.zipFile(z.Path, io.NewSectionReader(r, z.Offset, z.Size), z.Size, depth)
		},
		Depth: depth,
	}
	if depth == 0 {
		v.Cabinet = l.cabinet
	}
	if l.scans != nil {
		// They saw the installer's bytes, no container's inside it.
		v.NSIS, v.SFX7z, v.Resources, l.scans = &l.scans.nsis, &l.scans.sfx7z, &l.scans.res, nil
	}
	if l.nextCabinet != nil {
		v.Cabinet, l.nextCabinet = l.nextCabinet, nil
	}
	switch k {
	case container.NSIS, container.Squirrel, container.IExpress, container.Attached:
		container.Walk(context.Background(), container.NSIS, r, size, at, l.x, v)
		container.Walk(context.Background(), container.Squirrel, r, size, at, l.x, v)
		container.Walk(context.Background(), container.Attached, r, size, at, l.x, v)
		// A zip appended to the installer (verify opens it as a
		// self-extractor's) is listed too, unless its end record lies in
		// a resource or in a stored block that is a self-extractor: those
		// are listed as what holds them. A record in any other part of
		// the NSIS data (a stored block that is a plain zip, which stays
		// one file) is the installer's, as verify opens it. Appended to NSIS data it is also the file
		// $NSIS/trailing-data, which stays one file: its entries are
		// listed once, under the installer's path (see trailingZip).
		l.appendedZip(at, r, size, depth, walked)
	default:
		container.Walk(context.Background(), k, r, size, at, l.x, v)
	}
}

// trailingZip lists, under the trailing data's path e.Path, depth levels
// down, the entries of the zip archive that the bytes after an NSIS
// installer's data (e, in the container of size bytes at r) end with, as
// verify checks them there: unless it is the zip the installer, a PE,
// carries at its end, read the same (container.TrailingAppended), which
// is listed under the installer's path instead. NSIS data alone (an
// uninstaller) carries no appended zip, and its trailing data's is listed
// there.
func (l *containerLister) trailingZip(e container.Entry, r io.ReaderAt, size int64, depth int) {
	t := e.Trailing
	if t.Offset < 0 || t.Size <= 0 || t.Offset+t.Size > size || (isPE(r, size) && container.TrailingAppended(r, size, t, nil)) {
		return
	}
	sr := io.NewSectionReader(r, t.Offset, t.Size)
	if isPE(sr, t.Size) {
		return // a self-extractor: entry lists its archives (appendedZip)
	}
	head := make([]byte, min(t.Size, filekind.HeadLen))
	n, _ := sr.ReadAt(head, 0)
	if filekind.IsZip(head[:n]) {
		l.zipFile(e.Path, sr, t.Size, depth)
		return
	}
	l.appendedZip(e.Path, sr, t.Size, depth, nil)
}

// zip lists the entries of the zip archive of size bytes at r under
// report path at, depth levels down (its container's depth): a Setup.exe's
// resource zip (Squirrel's package) or a .nupkg in one, as verify opens
// them. What its entries decompress to is charged to the installer's
// expansion budget.
func (l *containerLister) zip(at string, r io.ReaderAt, size int64, depth int) {
	l.zipFrom(at, r, size, depth, 0)
}

// zipFrom is zip for an archive whose local file headers are looked for
// from offset from on (release.ZeroedBefore): the bytes before are
// another archive's, listed on their own, as verify checks them.
func (l *containerLister) zipFrom(at string, r io.ReaderAt, size int64, depth int, from int64) {
	b := l.b
	if depth >= release.MaxDepth {
		b.finding(release.RuleUnreadable, signing.SeverityError, at, release.TooDeepMessage(depth, "inventoried"))
		return
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		b.finding(release.RuleMalformed, signing.SeverityError, at, fmt.Sprintf("zip archive cannot be read, so its entries were not inventoried: %v", err))
		return
	}
	release.StrictDeflate(zr)
	if total, ok := release.ZipDeclared(zr); !ok || !l.x.Take(int64(total)) {
		b.finding(release.RuleUnreadable, signing.SeverityError, at, release.NestedZipBombMessage(total, "inventoried"))
		return
	}
	files := b.zipFiles(zr.File, r, size, at, from)
	var sib fs.FS
	if container.ZipHoldsCabinets(zr.File) {
		sib = zipNamedFS(zr)
	}
	stored := make([]bool, len(files))
	for i, z := range files {
		zf, off := z.zf, z.off
		stored[i] = zf.Method == zip.Store && zf.CompressedSize64 == zf.UncompressedSize64 && off >= 0 && zf.UncompressedSize64 <= uint64(size-off)
	}
	for i, z := range files {
		zf := z.zf
		n := int64(min(zf.UncompressedSize64, 1<<50))
		var src release.Source
		if stored[i] {
			src = release.NewSection(r, z.off, n)
		} else {
			src = release.Func(zf.Open)
		}
		// Every copy of a name is listed; zipFiles reported the
		// repetition, and note does not report it again (see note).
		if sib != nil {
			l.sib, l.sibName = sib, z.name
		}
		l.entry(container.Entry{Path: release.JoinPath(at, z.name), Source: src, Size: n}, depth+1)
	}
}

// walkedEntry lists one file a container's walk hands over, as entry
// does.
func (l *containerLister) walkedEntry(e container.Entry, depth int) {
	l.listEntry(e, depth, true)
}

// entry lists one file of a container, depth levels down, and opens it
// when it is a container too.
func (l *containerLister) entry(e container.Entry, depth int) {
	l.listEntry(e, depth, false)
}

// listEntry lists the file e, which a container's walk handed over if
// walked, depth levels down, at its path and each further path it is
// installed to (e.Also), and opens it when it is a container too. Every
// copy of a path is listed, as verify checks every one
// (container.Walk's rule, and a zip's).
func (l *containerLister) listEntry(e container.Entry, depth int, walked bool) {
	cabinets := l.entryCabinets() // cabinets.go
	l.note(e.Path, walked)
	if e.Mode != 0 {
		// A package payload's modes, as verify reports them.
		l.b.perm(e.Path, "package payload", e.Mode, nil)
	}
	ra, done := l.readerAt(e)
	switch {
	case done != nil:
		l.add(done) // hashed as it streamed by: no code, no container
		for _, p := range e.Also {
			l.note(p, walked)
			also := *done
			also.path = p
			l.add(&also)
		}
		return
	case ra == nil:
		return
	}
	size := e.Size
	open := func() (io.ReaderAt, int64, io.Closer, error) { return ra, size, io.NopCloser(nil), nil }
	l.add(&item{path: e.Path, opened: true, open: open, depth: depth})
	for _, p := range e.Also {
		// The same bytes installed at another path (an NSIS block
		// extracted twice) are a file there too; not opened again.
		l.note(p, walked)
		l.add(&item{path: p, opened: true, open: open, depth: depth})
	}
	head := make([]byte, min(size, container.HeadLen))
	n, _ := ra.ReadAt(head, 0)
	ext := strings.ToLower(filepath.Ext(e.Path))
	k := container.Detect(ra, ext, head[:n], size)
	arc := release.NoArchive
	if k == container.None && e.Trailing.Size == 0 {
		// An NSIS installer's trailing data is one file; the zip it
		// ends with is listed by trailingZip, as verify checks it.
		other := binaryKind(filekind.Detect(head[:n], size)) == filekind.Other
		arc = release.NestedArchive(head[:n], other && !isInstaller(head[:n]))
	}
	switch {
	case arc == release.ZipArchive:
		l.zipFile(e.Path, ra, size, depth)
	case arc == release.TarArchive:
		l.tar(e.Path, ra, size, depth)
	case k == container.None && e.Trailing.Size > 0 && !isPE(ra, size):
		// An NSIS installer's trailing data: the zip it ends with is
		// listed by trailingZip.
	case k == container.None:
		// A self-extractor inside the installer, or a zip after any
		// other bytes: its zip is listed as verify checks it.
		l.appendedZip(e.Path, ra, size, depth, nil)
	case k == container.NSIS:
		// The walker hands over an NSIS installer's trailing data at any
		// depth and reports its blocks not opened at the deepest, as
		// verify does.
		l.walk(k, ra, size, e.Path, depth)
	case depth >= release.MaxDepth:
		l.b.finding(release.RuleUnreadable, signing.SeverityError, e.Path, release.TooDeepMessage(depth, "inventoried"))
	default:
		l.nextCabinet = cabinets
		l.walk(k, ra, size, e.Path, depth)
	}
}

// note records report path p as listed, by a container's walk if walked,
// else by a zip or tar reader. A path listed again by the same kind of
// reader is that reader's to report, as verify reports it (the walker's
// file/duplicate-entry, a zip's, the file/zip-unlisted-entry of archives
// concatenated after a PE); one listed by another (a zip holding
// setup.msi and setup.msi/Binary/CustomDll, a folder's file and an
// installer's) is file/duplicate-entry here. Every copy is listed.
func (l *containerLister) note(p string, walked bool) {
	by := byArchive
	if walked {
		by = byWalk
	}
	if prev, ok := l.seen[p]; ok && prev != by {
		l.b.finding(release.RuleDuplicateEntry, signing.SeverityError, p, release.WalkedCopyMessage("inventoried"))
	}
	l.seen[p] = by
}

// maxStreamedSmall is the size up to which a streamed file of an installer
// is held in memory whatever it is: the inventory reads small text files
// (package.json, Electron's version file) again.
const maxStreamedSmall = 16 << 20

// readerAt returns random access to the entry's bytes: the container's
// own window, the package reader's file held in memory, or the entry read
// now (a cabinet's file is a stream, readable only now), held in memory
// and charged to maxHeld. A large streamed file that is no binary,
// container or asar (by its first bytes) is hashed as it streams by and
// returned as done, hashed, with no bytes held (a .nupkg zip is held, to be
// opened): a cabinet of zeros does not
// fill the memory. It reports an entry it cannot read and returns nils.
func (l *containerLister) readerAt(e container.Entry) (ra io.ReaderAt, done *item) {
	b := l.b
	switch src := e.Source.(type) {
	case release.Window:
		return src.ReaderAt(), nil
	case release.FSFile:
		if f, err := src.Open(); err == nil {
			if ra, ok := f.(io.ReaderAt); ok {
				return ra, nil // closing it frees nothing
			}
			f.Close()
		}
	}
	bad := func(err error) (io.ReaderAt, *item) {
		// A read error, as verify calls it (file/unreadable, in its
		// words): the entry's bytes were not there to judge.
		b.finding(release.RuleUnreadable, signing.SeverityError, e.Path, fmt.Sprintf("cannot read: %v", err))
		return nil, nil
	}
	if e.Size < 0 {
		return bad(fmt.Errorf("its size is %d", e.Size))
	}
	rc, err := e.Source.Open()
	if err != nil {
		return bad(err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, filekind.HeadLen)
	head, _ := br.Peek(int(min(e.Size, filekind.HeadLen)))
	if e.Size > maxStreamedSmall && !keepStreamed(head) {
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(br, e.Size+1))
		if err == nil && n != e.Size {
			err = fmt.Errorf("holds %d bytes, its header says %d", n, e.Size)
		}
		if err != nil {
			return bad(err)
		}
		return nil, &item{path: e.Path, opened: true, hashed: true, size: n, sha256: hex.EncodeToString(h.Sum(nil)),
			open: func() (io.ReaderAt, int64, io.Closer, error) { return nil, 0, nil, errNotHeld }}
	}
	if e.Size > maxHeld-b.installerHeld {
		b.finding(release.RuleUnreadable, signing.SeverityError, e.Path, fmt.Sprintf("the installers' compressed files exceed %d bytes; %s was not inventoried", int64(maxHeld), e.Path))
		return nil, nil
	}
	b.installerHeld += e.Size
	data, err := io.ReadAll(io.LimitReader(br, e.Size+1))
	if err == nil && int64(len(data)) != e.Size {
		err = fmt.Errorf("holds %d bytes, its header says %d", len(data), e.Size)
	}
	if err != nil {
		return bad(err)
	}
	return bytes.NewReader(data), nil
}

// errNotHeld says a file hashed as it streamed by was read again.
var errNotHeld = errors.New("the installer's file was hashed as it was decompressed and is not held for reading again")

// keepStreamed reports whether a streamed file starting with head must be
// held for random access: a binary, a container to open, an asar.
func keepStreamed(head []byte) bool {
	k := filekind.Detect(head, -1)
	return k.Native() || k == filekind.ELF || k == filekind.Asar ||
		container.CompoundFile(head) || bytes.HasPrefix(head, []byte("MSCF")) || bytes.HasPrefix(head, []byte("xar!")) ||
		bytes.HasPrefix(head, []byte(sevenz.Signature)) || nsis.IsData(head) ||
		release.NestedArchive(head, binaryKind(k) == filekind.Other) != release.NoArchive
}

// installedApp finds the Electron application the installer installs: the
// one folder holding resources/app.asar or resources/app/package.json,
// whose files are then read as a Windows layout's (the application's
// package.json, npm packages, the runtime's version, its integrity claims).
// With none, or more than one, the installer's files are files.
func (b *builder) installedApp() {
	h, ok := b.soleHome([]string{"/resources/app.asar", "/resources/app/package.json"}, nil)
	if !ok {
		return
	}
	b.home = h
	b.asarPath = b.home + "/resources/app.asar"
	b.appDir = b.home + "/resources/app"
}

// soleHome returns the one folder h, of those that accept takes (all when
// it is nil), for which a file of b.files is h+suffix for a suffix of
// suffixes (installedApp's, installedMacApp's); ok is false with none or
// more than one.
func (b *builder) soleHome(suffixes []string, accept func(h string) bool) (home string, ok bool) {
	homes := map[string]bool{}
	for _, it := range b.files {
		for _, suffix := range suffixes {
			if h, ok := strings.CutSuffix(it.path, suffix); ok && (accept == nil || accept(h)) {
				homes[h] = true
			}
		}
	}
	if len(homes) != 1 {
		return "", false
	}
	for h := range homes {
		home = h
	}
	return home, true
}

// selfExtractorSpan returns the range of the container's file that entry
// e takes when its bytes lie in place there (an NSIS installer's stored
// block) and are a self-extractor, whose zip entry lists under e's path:
// a zip end record in that range is not listed again as the container's.
func selfExtractorSpan(e container.Entry) (container.Span, bool) {
	s, ok := e.Source.(release.Section)
	if !ok || s.SectionReader == nil {
		return container.Span{}, false
	}
	_, off, n := s.Outer()
	if !isPE(s, n) || !hasAppendedZip(s, n) {
		return container.Span{}, false
	}
	return container.Span{Offset: off, Size: n}, true
}
