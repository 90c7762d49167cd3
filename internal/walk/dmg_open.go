package walk

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shipgate/shipgate/internal/hfsplus"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
	"github.com/shipgate/shipgate/signing/dmg"
)

// maxSkippedFindings bounds the dmg/file-not-opened findings of one image;
// the last says how many more there were.
const maxSkippedFindings = 100

// OpenDMG opens the file system inside a disk image: the HFS+ or HFSX
// volume of its file system partition (or of the first partition holding
// one), decoded chunk by chunk within the release's expansion budget, so
// that the .app it carries is verified as a bundle under the image's
// path by verify, and inventoried by sbom (an APFS container's: openAPFS).
// The findings' paths are the volume's, "" for the image; the caller
// prefixes the image's report path. What cannot be opened is a
// finding: an encrypted or sealed APFS container, another file
// system macOS mounts (FAT, exFAT, NTFS, UDF, ISO 9660: dmg.DetectFileSystem),
// a partition of LZFSE chunks, no file system
// (dmg/filesystem-not-opened, an error: the app inside was not verified);
// a volume that does not read as one, a second HFS+ or APFS volume in
// another partition, which macOS mounts too, or an HFS+ volume that also
// reads as another file system (dmg/filesystem-malformed); files
// compressed by HFS+ transparent compression (dmg/file-not-opened); bytes
// of the volume no file's data carries (volumeExtras).
func OpenDMG(r io.ReaderAt, size int64) (fs.FS, []signing.Finding, error) {
	im, err := dmg.NewReader(r, size)
	if err != nil {
		return nil, nil, err
	}
	budget := max(release.MinExpansion, min(size, 1<<50)*release.ExpansionRatio)
	take := expansionTaker(budget)
	var finds []signing.Finding
	add := findingAdder(&finds)
	order := partitionOrder(im)
	var notOpened []string
	for _, idx := range order {
		pr, err := im.OpenPartition(idx, dmg.PartitionOptions{Take: take})
		var ne *dmg.NotOpenedError
		var fe *dmg.FormatError
		switch {
		case errors.As(err, &ne):
			if idx == order[0] {
				notOpened = append(notOpened, fmt.Sprintf("partition %d holds %s chunks (the first at %#x): %s-compressed blocks are not decoded", idx, dmg.TypeName(ne.Type), ne.Offset, dmg.TypeName(ne.Type)))
			}
			continue
		case errors.As(err, &fe):
			if idx == order[0] {
				add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", fe.Offset, "the file system partition %d cannot be read: %s; the files it holds were not verified", idx, fe.Reason)
				return emptyFS{}, finds, nil
			}
			continue
		case err != nil:
			return nil, nil, err
		}
		switch pr.FileSystem() {
		case "APFS":
			fsys, why := openAPFS(im, pr, idx, budget, take, add)
			if why != "" {
				notOpened = append(notOpened, why)
				continue
			}
			return fsys, finds, nil
		case "HFS+":
			fsys := openHFSPlus(im, pr, idx, budget, take, add)
			return fsys, finds, nil
		case "":
			continue
		default:
			notOpened = append(notOpened, fmt.Sprintf("partition %d holds a file system (%s) that macOS mounts and shipgate does not read", idx, pr.FileSystem()))
			continue
		}
	}
	what := "no partition holds an HFS+ or APFS volume"
	if len(notOpened) > 0 {
		what = strings.Join(notOpened, "; ")
	}
	// An error: a valid signature on the image vouches for whoever built
	// it, not for the app inside, which was never checked.
	add(dmg.RuleFilesystemNotOpened, signing.SeverityError, "", -1, "the file system inside the disk image was not opened (%s): the app inside was not verified, nor any other file it holds (a policy that accepts that lowers this with severity: {%s: warning})", what, dmg.RuleFilesystemNotOpened)
	return emptyFS{}, finds, nil
}

// expansionTaker returns the Take of dmg.PartitionOptions for an image:
// it draws on budget bytes, shared by every partition and volume opened,
// and refuses what would take more than is left.
func expansionTaker(budget int64) func(n int64) bool {
	var left atomic.Int64
	left.Store(budget)
	return func(n int64) bool {
		if left.Add(-n) >= 0 {
			return true
		}
		left.Add(n)
		return false
	}
}

// findingAdder returns the dmgAdd that appends to finds.
func findingAdder(finds *[]signing.Finding) dmgAdd {
	return func(rule signing.Rule, sev signing.Severity, p string, off int64, format string, args ...any) {
		f := signing.NewFinding(rule, sev, fmt.Sprintf(format, args...))
		f.Path = p
		if off >= 0 {
			f = f.At(off)
		}
		*finds = append(*finds, f)
	}
}

// partitionOrder returns the indexes of the partitions of im in the
// order OpenDMG tries them: the named file system partition first, then
// the others.
func partitionOrder(im *dmg.Image) []int {
	var order []int
	if i, ok := im.FileSystemPartition(); ok {
		order = append(order, i)
	}
	for _, p := range im.Partitions {
		if len(order) == 0 || p.Index != order[0] {
			order = append(order, p.Index)
		}
	}
	return order
}

// openHFSPlus opens the HFS+ volume of partition idx of im, read by pr,
// within budget bytes of files, and adds the findings about the image
// that opening it reveals: the other file systems and partitions macOS
// mounts, the entries left out and the files skipped, the bytes no
// file's data carries. A volume that cannot be opened, or declares too
// many bytes of files, is a finding and an empty file system.
func openHFSPlus(im *dmg.Image, pr *dmg.PartitionReader, idx int, budget int64, take func(int64) bool, add dmgAdd) fs.FS {
	vol, err := hfsplus.Open(pr, pr.Size(), hfsplus.Options{})
	if err != nil {
		var he *hfsplus.FormatError
		off := int64(-1)
		if errors.As(err, &he) {
			off = he.Offset
		}
		if errors.Is(err, dmg.ErrExpansion) {
			add(dmg.RuleExpansionLimit, signing.SeverityError, "", -1, "the HFS+ volume of partition %d was not opened: %v", idx, err)
			return emptyFS{}
		}
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "the HFS+ volume of partition %d cannot be read (at volume offset %#x): %v; the files it holds were not verified", idx, off, err)
		return emptyFS{}
	}
	// Zero-fill chunks cost nothing to store: a volume of a few bytes
	// can declare terabytes of files, which would all be hashed.
	if total := vol.TotalSize(); total > uint64(budget) {
		add(dmg.RuleExpansionLimit, signing.SeverityError, "", -1, "the HFS+ volume of partition %d declares %d bytes of files, more than %d times the image's size (and more than %d bytes; a decompression bomb?); its files were not checked", idx, total, release.ExpansionRatio, int64(release.MinExpansion))
		return emptyFS{}
	}
	otherFileSystems(im, idx, take, add)
	polyglotVolume(pr, idx, add)
	mappedFileSystems(im, idx, take, add)
	for _, p := range vol.Problems {
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, p.Path, -1, "HFS+ volume of partition %d: %s (at volume offset %#x); the entry was left out", idx, p.Reason, p.Offset)
	}
	skipped := make([]skippedFile, len(vol.Skipped))
	for i, p := range vol.Skipped {
		skipped[i] = skippedFile{p.Path, p.Reason, p.Special, p.Compressed}
	}
	reportSkipped(vol, "HFS+", skipped, add)
	volumeExtras(vol, idx, add)
	return vol
}

// skippedFile is a file of a volume that its reader did not open: a
// special file (FIFO, socket, device) or one whose data it cannot read.
type skippedFile struct {
	path, reason string
	special      bool
	// compressed marks a file flagged compressed whose data was not
	// decoded: an error wherever it lies, since macOS reads it.
	compressed bool
}

// reportSkipped reports the files of the volume fsys (an fsName volume)
// that were not opened: a special file as unreadable; any other as an
// error inside a code bundle, whose seal cannot then be checked against
// it, and elsewhere as a warning, the first maxSkippedFindings one by one.
// A compressed file not decoded is an error wherever it lies: a loose
// tool stored that way would otherwise pass unverified.
func reportSkipped(fsys fs.FS, fsName string, skipped []skippedFile, add dmgAdd) {
	more := 0
	for _, p := range skipped {
		if p.special {
			specialInVolume(p.path, p.reason, add)
			continue
		}
		if p.compressed && enclosingBundle(fsys, p.path) == "" {
			add(dmg.RuleFileNotOpened, signing.SeverityError, p.path, -1, "not opened: %s; macOS reads the file's data, which was not verified", p.reason)
			continue
		}
		if b := enclosingBundle(fsys, p.path); b != "" {
			// Left out of the walk, the file is also left out of the
			// bundle's seal check: added to a signed app, it would pass
			// unseen while macOS reads it.
			add(dmg.RuleFileNotOpened, signing.SeverityError, p.path, -1, "not opened: %s; the file lies in the bundle %s, whose seal therefore cannot be checked against it", p.reason, b)
			continue
		}
		if more++; more <= maxSkippedFindings {
			add(dmg.RuleFileNotOpened, signing.SeverityWarning, p.path, -1, "not opened: %s; the file was not verified", p.reason)
		}
	}
	if more > maxSkippedFindings {
		add(dmg.RuleFileNotOpened, signing.SeverityWarning, "", -1, "%d more files of the %s volume were not opened", more-maxSkippedFindings, fsName)
	}
}

// enclosingBundle returns the outermost code bundle directory (.app,
// .framework…) of fsys that holds p, "" when none does.
func enclosingBundle(fsys fs.FS, p string) string {
	outer := ""
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if codesign.IsBundle(fsys, d) {
			outer = d
		}
	}
	return outer
}

// otherFileSystems reports the partitions other than opened that hold a
// file system (HFS+, APFS, or another that dmg.DetectFileSystem names),
// whatever their names: macOS mounts every volume of an image, and only the opened one's files are verified. A
// decoy volume beside (or an APFS volume behind) the one read would
// otherwise carry an app nobody checked.
func otherFileSystems(im *dmg.Image, opened int, take func(int64) bool, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	for _, p := range im.Partitions {
		if p.Index == opened {
			continue
		}
		pr, err := im.OpenPartition(p.Index, dmg.PartitionOptions{Take: take})
		var ne *dmg.NotOpenedError
		if errors.As(err, &ne) {
			// macOS decodes it and mounts what it holds: a second
			// volume there would carry an app nobody checked.
			add(dmg.RuleFilesystemNotOpened, signing.SeverityError, "", ne.Offset, "partition %d (%q) holds %s chunks (the first at %#x): %s-compressed blocks are not decoded, so a file system in it, which macOS would mount besides partition %d's, was not verified (a policy that accepts that lowers this with severity: {%s: warning})", p.Index, p.Name, dmg.TypeName(ne.Type), ne.Offset, dmg.TypeName(ne.Type), opened, dmg.RuleFilesystemNotOpened)
			continue
		}
		if err != nil {
			continue // does not read: its checksum and chunks are the image's findings
		}
		if fsys := pr.FileSystem(); fsys != "" {
			add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "partition %d (%q) holds a second file system (%s) besides partition %d's, which macOS mounts too: its files were not verified", p.Index, p.Name, fsys, opened)
		}
	}
}

// emptyFS is the file system of a disk image that was not opened.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	if name == "." {
		return emptyDir{}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type emptyDir struct{}

func (emptyDir) Stat() (fs.FileInfo, error)         { return emptyDirInfo{}, nil }
func (emptyDir) Read([]byte) (int, error)           { return 0, errors.New("is a directory") }
func (emptyDir) Close() error                       { return nil }
func (emptyDir) ReadDir(int) ([]fs.DirEntry, error) { return nil, nil }

type emptyDirInfo struct{}

func (emptyDirInfo) Name() string       { return "." }
func (emptyDirInfo) Size() int64        { return 0 }
func (emptyDirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (emptyDirInfo) ModTime() time.Time { return time.Time{} }
func (emptyDirInfo) IsDir() bool        { return true }
func (emptyDirInfo) Sys() any           { return nil }

// specialInVolume reports the special file (a FIFO, a socket or a device)
// at p in a disk image's volume as a folder's is (file/unreadable: see
// DirTreeTypes' Special): it has no data to verify, and it was never opened.
// The message names no verb: verify and sbom (whose said "checked" until
// walktest.SpecialCases compared them) report it in the same words, as
// an installer package's (SpecialEntryMessage).
func specialInVolume(p, reason string, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	add(release.RuleUnreadable, signing.SeverityError, p, -1, "not a regular file: %s; mounted, the volume shows it as such, and it holds no file to read", reason)
}
