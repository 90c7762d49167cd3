package asar

import (
	"errors"
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// Sentinel errors wrapped by [*EntryError]; test for them with [errors.Is].
var (
	// ErrInsecurePath results when an entry name is empty, ".", "..", or holds
	// "/", "\" or NUL. Such an entry is left out of the file system.
	ErrInsecurePath = errors.New("insecure entry name")
	// ErrDuplicate results when a directory names the same entry twice. The
	// last one is kept, as Electron's JSON parser does.
	ErrDuplicate = errors.New("duplicate entry name")
	// ErrOutOfBounds results when a file's offset and size reach past the end
	// of the archive.
	ErrOutOfBounds = errors.New("file data out of bounds")
	// ErrOverlap results when a packed file's bytes overlap those of another
	// packed file. @electron/asar writes each file's bytes once, so no real
	// archive has it; two names for one range are a resource-exhaustion
	// vector (ten thousand entries over one 100 MB range cost a terabyte of
	// hashing) and a way to show one file under two names. The entry that
	// starts later (or, from one offset, the later path) is made unreadable,
	// so every byte of the data region is read for at most one entry, as
	// archive/zip readers that refuse overlapping entries do.
	ErrOverlap = errors.New("file data overlaps another entry")
	// ErrUnownedData results when bytes of the archive belong neither to
	// the header nor to the data of a readable packed file: bytes after the
	// last file's data, gaps between files' data, or header pickle bytes
	// after the JSON string other than its zero alignment padding.
	// @electron/asar writes none. The problem's Path is "." and its Size
	// the number of bytes.
	ErrUnownedData = errors.New("unowned data")
	// ErrLinkEscape results when a link target is absolute or climbs out of
	// the archive root.
	ErrLinkEscape = errors.New("link points outside the archive")
	// ErrLinkLoop results when following links takes more than 40 steps.
	ErrLinkLoop = errors.New("too many levels of links")
	// ErrDanglingLink results when a link target does not exist in the archive.
	ErrDanglingLink = errors.New("link target does not exist")
	// ErrMalformedEntry results when an entry does not have the shape of a
	// directory, a file or a link, or a field has the wrong type or range.
	ErrMalformedEntry = errors.New("malformed entry")
	// ErrTooDeep results when directories nest deeper than the cap.
	ErrTooDeep = errors.New("directories nested too deeply")
	// ErrUnpacked results when an unpacked file cannot be read from the
	// unpacked folder: it is missing, not a regular file, has another size
	// than the header records, or no unpacked folder was given.
	ErrUnpacked = errors.New("unpacked file unavailable")
	// ErrNoIntegrity results from [Reader.VerifyFile] when the header records
	// no integrity for the file.
	ErrNoIntegrity = errors.New("no integrity recorded")
	// ErrIntegrity results when a file's bytes do not match the integrity
	// the header records for it, or that integrity is malformed.
	ErrIntegrity = errors.New("integrity mismatch")
)

// FormatError reports an archive whose header cannot be read at all.
type FormatError struct {
	// Offset is the byte offset in the archive where the problem is.
	Offset int64
	// Reason says what is wrong.
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("asar: %s (at byte 0x%x)", e.Reason, e.Offset)
}

// EntryError reports a problem with one entry of an archive.
type EntryError struct {
	// Path is the entry's path from the archive root, "/"-separated. An entry
	// with an unsafe name is named by its parent's path and its quoted name.
	Path string
	// Offset is the byte offset in the archive the problem is about: the
	// entry's JSON in the header, or the data block that failed a check.
	Offset int64
	// Err is one of the sentinel errors of this package.
	Err error
	// Size is the number of bytes from Offset the problem is about, for
	// [ErrUnownedData]; zero otherwise.
	Size int64
	// Detail says more about this occurrence.
	Detail string
}

func (e *EntryError) Error() string {
	s := fmt.Sprintf("asar: %s: %v", e.Path, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s + fmt.Sprintf(" (at byte 0x%x)", e.Offset)
}

func (e *EntryError) Unwrap() error { return e.Err }

// rules maps each sentinel to its rule ID and default severity.
var rules = []struct {
	err  error
	rule signing.Rule
	sev  signing.Severity
}{
	{ErrInsecurePath, RuleUnsafeName, signing.SeverityError},
	{ErrDuplicate, RuleDuplicateEntry, signing.SeverityError},
	{ErrOutOfBounds, RuleOutOfBounds, signing.SeverityError},
	{ErrOverlap, RuleOverlap, signing.SeverityError},
	{ErrUnownedData, RuleUnownedData, signing.SeverityError},
	{ErrLinkEscape, RuleLinkEscape, signing.SeverityError},
	{ErrLinkLoop, RuleLinkLoop, signing.SeverityError},
	{ErrDanglingLink, RuleDanglingLink, signing.SeverityWarning},
	{ErrMalformedEntry, RuleMalformedEntry, signing.SeverityError},
	{ErrTooDeep, RuleMalformedEntry, signing.SeverityError},
	{ErrUnpacked, RuleUnpackedMissing, signing.SeverityError},
	{ErrIntegrity, RuleIntegrityMismatch, signing.SeverityError},
	{ErrNoIntegrity, RuleNoIntegrity, signing.SeverityNote},
}

// Finding describes e as a report finding. Its Path is the entry path inside
// the archive; the caller prefixes the archive's own path.
func (e *EntryError) Finding() signing.Finding {
	rule, sev := RuleMalformedEntry, signing.SeverityError
	for _, r := range rules {
		if errors.Is(e.Err, r.err) {
			rule, sev = r.rule, r.sev
			break
		}
	}
	if errors.Is(e.Err, ErrUnownedData) && e.Size <= UnownedPayloadSize {
		sev = signing.SeverityWarning
	}
	msg := e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	f := signing.NewFinding(rule, sev, msg).At(e.Offset)
	f.Path = e.Path
	return f
}

// Finding describes e as a report finding about the archive itself.
func (e *FormatError) Finding() signing.Finding {
	return signing.NewFinding(RuleMalformed, signing.SeverityError, e.Reason).At(e.Offset)
}
