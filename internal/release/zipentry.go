package release

import (
	"archive/zip"
	"fmt"
	"io"
	"sort"
	"strings"
)

// The checks of a zip archive's entries that verify and sbom share: the
// entries they do not read as files, and the words of their findings. A
// finding's message ends with what was not done to the entry: skipped is
// the walker's verb ("checked" for verify, "inventoried" for sbom).

// ZipSpan is where an entry's compressed data lies: from Off (negative when
// its local header cannot be read), Comp bytes.
type ZipSpan struct {
	Off  int64
	Comp uint64
}

// ZipOverlaps marks the entries, of the n whose data span gives, whose
// compressed data overlaps another entry's in an archive of size bytes.
// Overlapping entries are how zip bombs reach terabytes from megabytes
// (each entry re-reads the others' bytes), and how one archive shows
// different files to different tools; no archiver writes them.
func ZipOverlaps(n int, span func(i int) ZipSpan, size int64) map[int]bool {
	type run struct {
		i          int
		start, end uint64
	}
	runs := make([]run, 0, n)
	for i := range n {
		s := span(i)
		if s.Comp == 0 || s.Off < 0 {
			continue // a bad offset is reported when the entry is read
		}
		runs = append(runs, run{i, uint64(s.Off), uint64(s.Off) + min(s.Comp, uint64(size))})
	}
	sort.Slice(runs, func(a, b int) bool { return runs[a].start < runs[b].start })
	out := map[int]bool{}
	var end uint64
	last := -1
	for k, s := range runs {
		if k > 0 && s.start < end {
			out[s.i] = true
			out[last] = true
		}
		if s.end > end {
			end, last = s.end, s.i
		}
	}
	return out
}

// ZipOverlapMessage is the finding (file/malformed) for an entry named
// name whose data overlaps another's (ZipOverlaps).
func ZipOverlapMessage(name, skipped string) string {
	return fmt.Sprintf("the data of zip entry %q overlaps another entry's (a zip bomb, or a file that tools extract differently); it was not %s", name, skipped)
}

// ZipDuplicateMessage is the finding (RuleDuplicateEntry), at the entry's
// path, once, for a name that more than one file entry of the zip archive
// at has; done is the
// walker's verb ("checked", "inventoried"). Extractors disagree on which
// copy they leave installed: Info-ZIP unzip keeps the first when it may
// not ask (stdin closed, or -n) and the last with -o; 7-Zip, and Windows
// Explorer, ask, keeping the first on "skip" (7z -aos) and the last on
// "replace" (7z -y, -aoa); bsdtar keeps the last. So verify checks and
// sbom inventories every copy, under the entry's path, each with its own
// digest.
func ZipDuplicateMessage(at, name, done string) string {
	return fmt.Sprintf("zip archive %s holds more than one entry named %q; extractors disagree on which one they leave installed, so every copy was %s", at, name, done)
}

// ZipIsDir reports whether zf is a directory entry: by its attributes, or
// by a name ending in "/".
func ZipIsDir(zf *zip.File) bool {
	return strings.HasSuffix(zf.Name, "/") || zf.Mode().IsDir()
}

// ZipDirHasData reports whether the directory entry zf holds data: a size,
// compressed bytes beyond an empty deflate stream under a name ending in "/"
// (which Go's reader refuses to open), or bytes that decompress from an
// entry named like a file. A directory that holds data is a file to
// extractors that go by the name (Info-ZIP's unzip writes "evil.dll" with
// directory attributes as a file) and hidden bytes to the others.
func ZipDirHasData(zf *zip.File) bool {
	switch {
	case zf.UncompressedSize64 > 0:
		return true
	case zf.CompressedSize64 == 0:
		return false
	case strings.HasSuffix(zf.Name, "/"):
		return zf.CompressedSize64 > 2
	}
	rc, err := zf.Open()
	if err != nil {
		return true
	}
	defer rc.Close()
	var b [1]byte
	n, err := io.ReadFull(rc, b[:])
	return n > 0 || (err != nil && err != io.EOF)
}

// ZipDirDataMessage is the finding (file/malformed) for a directory entry
// that holds data (ZipDirHasData).
func ZipDirDataMessage(zf *zip.File, skipped string) string {
	return fmt.Sprintf("zip entry %q is marked as a directory but holds %d bytes (%d compressed), which some extractors write as a file and others drop; it was not %s", zf.Name, zf.UncompressedSize64, zf.CompressedSize64, skipped)
}

// ZipEncrypted reports whether zf's data is encrypted (general purpose
// flag bit 0): its bytes cannot be read without the password.
func ZipEncrypted(zf *zip.File) bool { return zf.Flags&0x1 != 0 }

// ZipEncryptedMessage is the finding (file/unreadable) for an encrypted
// entry.
func ZipEncryptedMessage(skipped string) string {
	return fmt.Sprintf("zip entry is encrypted and cannot be %s", skipped)
}

// MaxLinkTarget bounds a symbolic link target read from an archive.
const MaxLinkTarget = 4096

// ZipLinkTarget reads the target of the symbolic link entry zf; the error
// says whether the entry is unreadable (ErrLinkUnreadable) or its target
// oversized (ErrLinkOversized).
func ZipLinkTarget(zf *zip.File) (string, error) {
	rc, err := zf.Open()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrLinkUnreadable, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxLinkTarget+1))
	if err != nil || len(b) > MaxLinkTarget {
		return "", ErrLinkOversized
	}
	return string(b), nil
}

// Errors of ZipLinkTarget.
var (
	ErrLinkUnreadable = errorString("cannot read symbolic link entry")
	ErrLinkOversized  = errorString("symbolic link entry has an unreadable or oversized target")
)

type errorString string

func (e errorString) Error() string { return string(e) }

// ZipDeclared returns the bytes zr's entries declare, each counted up to
// 2^50, or false once they exceed 2^62.
func ZipDeclared(zr *zip.Reader) (uint64, bool) { return ZipFilesDeclared(zr.File) }

// ZipFilesDeclared is ZipDeclared of an archive's entries read a chunk of
// its central directory at a time (walk.ZipFiles).
func ZipFilesDeclared(files []*zip.File) (uint64, bool) {
	var total uint64
	for _, zf := range files {
		if total += min(zf.UncompressedSize64, 1<<50); total > 1<<62 {
			return total, false
		}
	}
	return total, true
}

// ZipBombMessage is the finding (file/unreadable) for an outermost zip
// archive whose entries declare more than its Expansion allows.
func ZipBombMessage(total uint64, skipped string) string {
	return fmt.Sprintf("zip archive declares %d bytes of entries, more than %d times its size (and more than %d bytes; a zip bomb?); its entries were not %s", total, ExpansionRatio, int64(MinExpansion), skipped)
}

// NestedZipBombMessage is ZipBombMessage for a zip archive nested in a
// release (see NestedArchive), whose entries' declared total (total) is
// more than the Expansion of the archives around it allows.
func NestedZipBombMessage(total uint64, skipped string) string {
	return fmt.Sprintf("zip archive declares %d bytes of entries, more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a zip bomb?); its entries were not %s", total, ExpansionRatio, int64(MinExpansion), skipped)
}

// WalkedCopyMessage is the finding (RuleDuplicateEntry), for verify and
// sbom alike, at a report path that an installer's walk lists a file at
// and another reader (a zip's, a tarball's) lists one at too; done is the
// verb's participle ("checked", "inventoried").
func WalkedCopyMessage(done string) string {
	return "the release holds more than one file at this path, one of them inside an installer; every copy was " + done
}
