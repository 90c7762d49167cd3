package blocklist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing/attest/blob"
)

// LockName is the name of the lock file in a blocklist directory: it
// records, for every list in the directory, where it came from, when it was
// fetched and the SHA-256 of the bytes stored.
const LockName = "sources.lock.json"

// LockVersion is the version of the lock file format this package writes
// and reads.
const LockVersion = 1

// maxLockSize bounds the lock file read by LoadDir.
const maxLockSize = 16 << 20

// Lock is the content of a blocklist directory's sources.lock.json.
type Lock struct {
	// Version is LockVersion.
	Version int `json:"version"`
	// Sources are sorted by Name.
	Sources []LockedSource `json:"sources"`
}

// LockedSource describes one list stored in a blocklist directory.
type LockedSource struct {
	// Name identifies the source; File is derived from it.
	Name string `json:"name"`
	// File is the list's file name in the directory (a plain name).
	File string `json:"file"`
	// URL is where the list was fetched from.
	URL string `json:"url"`
	// Member is the path of the list inside the fetched zip archive, empty
	// when the fetched bytes are the list.
	Member string `json:"member,omitempty"`
	// Format is the list's format.
	Format Format `json:"format"`
	// Fetched is when the stored bytes were fetched (UTC).
	Fetched time.Time `json:"fetched"`
	// SHA256 and Size describe the stored file.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// FetchedSHA256 is the SHA-256 of the fetched archive when Member is
	// set.
	FetchedSHA256 string `json:"fetchedSha256,omitempty"`
	// Entries is the number of entries the list parsed into.
	Entries int `json:"entries"`
	// Signed names the signature the list carried and that verified when
	// it was fetched ("microsoft-ctl"); empty for lists whose integrity
	// rests on the transport (https).
	Signed string `json:"signed,omitempty"`
}

// SignedMicrosoftCTL is LockedSource.Signed of a certificate trust list
// whose PKCS#7 signature verified and chained to Microsoft's roots.
const SignedMicrosoftCTL = "microsoft-ctl"

// sourceName is what a source name may be: it becomes a file name.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidSourceName reports whether name may name a source: lower-case
// letters, digits, '.', '_' and '-', starting with a letter or digit, at
// most 64 characters, and no prefix of the lock file's own name.
func ValidSourceName(name string) bool {
	return sourceName.MatchString(name) && !strings.HasPrefix(LockName, name+".")
}

// FileName returns the file a source named name with format f is stored
// in.
func FileName(name string, f Format) string {
	ext := ".txt"
	switch f {
	case FormatNative, FormatLOLDrivers:
		ext = ".json"
	case FormatCSV:
		ext = ".csv"
	case FormatCertificates:
		ext = ".pem"
	case FormatCRL:
		ext = ".crl"
	case FormatCTL:
		ext = ".stl"
	case FormatWDAC:
		ext = ".xml"
	}
	return name + ext
}

// ErrLock results when a blocklist directory's lock file is missing or
// invalid, or a list does not match what the lock records.
var ErrLock = errors.New("blocklist directory")

// ReadLock reads dir's lock file. A directory without one gives an error
// wrapping both ErrLock and fs.ErrNotExist.
func ReadLock(dir string) (*Lock, error) {
	p := filepath.Join(dir, LockName)
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w %s: %w", ErrLock, dir, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLockSize+1))
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w %s: %w", ErrLock, p, err)
	}
	if len(b) > maxLockSize {
		return nil, fmt.Errorf("blocklist: %w %s: larger than %d bytes", ErrLock, p, maxLockSize)
	}
	return ParseLock(b, p)
}

// ParseLock parses the content b of a lock file; name is used in errors.
// A lock with a duplicate key in any object (compared ignoring case, as
// encoding/json matches fields, keeping the last) is refused: a reviewer
// would read one hash or count and shipgate another.
func ParseLock(b []byte, name string) (*Lock, error) {
	if err := blob.CheckJSON(b); err != nil {
		var fe *blob.FormatError
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("blocklist: %w %s: byte %d: %s", ErrLock, name, fe.Offset, fe.Reason)
		}
		return nil, fmt.Errorf("blocklist: %w %s: %w", ErrLock, name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l Lock
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("blocklist: %w %s: %w", ErrLock, name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("blocklist: %w %s: data after the JSON object", ErrLock, name)
	}
	if l.Version != LockVersion {
		return nil, fmt.Errorf("blocklist: %w %s: version %d, want %d", ErrLock, name, l.Version, LockVersion)
	}
	seen := map[string]bool{}
	for i, s := range l.Sources {
		switch {
		case !ValidSourceName(s.Name):
			return nil, fmt.Errorf("blocklist: %w %s: source %d: invalid name %q", ErrLock, name, i, s.Name)
		case seen[s.Name]:
			return nil, fmt.Errorf("blocklist: %w %s: source %q listed twice", ErrLock, name, s.Name)
		case s.File != FileName(s.Name, s.Format):
			return nil, fmt.Errorf("blocklist: %w %s: source %q: file %q, want %q", ErrLock, name, s.Name, s.File, FileName(s.Name, s.Format))
		case len(s.SHA256) != 64 || !isHex(s.SHA256) || strings.ToLower(s.SHA256) != s.SHA256:
			return nil, fmt.Errorf("blocklist: %w %s: source %q: sha256 %q is not 64 lower-case hex digits", ErrLock, name, s.Name, s.SHA256)
		case s.Signed != "" && (s.Signed != SignedMicrosoftCTL || s.Format != FormatCTL):
			return nil, fmt.Errorf("blocklist: %w %s: source %q: signed %q (only %q, for a ctl)", ErrLock, name, s.Name, s.Signed, SignedMicrosoftCTL)
		case s.Size < 0:
			return nil, fmt.Errorf("blocklist: %w %s: source %q: negative size", ErrLock, name, s.Name)
		}
		if _, err := ParseFormat(string(s.Format)); err != nil || s.Format == FormatAuto {
			return nil, fmt.Errorf("blocklist: %w %s: source %q: format %q", ErrLock, name, s.Name, s.Format)
		}
		seen[s.Name] = true
	}
	return &l, nil
}

// Marshal returns the lock file's bytes: indented JSON, sources sorted by
// name, times in UTC, so equal locks give equal bytes.
func (l *Lock) Marshal() ([]byte, error) {
	c := Lock{Version: LockVersion, Sources: append([]LockedSource(nil), l.Sources...)}
	for i := range c.Sources {
		c.Sources[i].Fetched = c.Sources[i].Fetched.UTC()
	}
	sort.Slice(c.Sources, func(i, j int) bool { return c.Sources[i].Name < c.Sources[j].Name })
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Source returns the locked source named name, or nil.
func (l *Lock) Source(name string) *LockedSource {
	for i := range l.Sources {
		if l.Sources[i].Name == name {
			return &l.Sources[i]
		}
	}
	return nil
}

// DirStaleAfter is the age after which LoadDir warns that a list is stale.
const DirStaleAfter = 30 * 24 * time.Hour

// LoadDir reads a blocklist directory written by `shipgate blocklist
// update` (package signing/blocklist/update): every list its lock file
// records, each checked against the recorded size and SHA-256 before it is
// parsed with the recorded format, merged into one List. A list that does
// not match the lock or parses into fewer entries than it recorded, or a
// lock that is missing, invalid or names no list, is an error
// wrapping ErrLock: a directory that changed since it was fetched is not
// trusted. A list fetched more than DirStaleAfter before opts.Now (or now)
// adds a Warning, as does one fetched after it. Files in dir that the lock
// does not name are not loaded; each adds a Warning (dot files aside).
func LoadDir(dir string, opts LoadOptions) (*List, error) {
	lock, err := ReadLock(dir)
	if err != nil {
		return nil, err
	}
	if len(lock.Sources) == 0 {
		// An empty blocklist would let every file pass.
		return nil, fmt.Errorf("blocklist: %w %s: %s names no list: run shipgate blocklist update", ErrLock, dir, LockName)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	out := New()
	for _, s := range lock.Sources {
		p := filepath.Join(dir, s.File)
		b, err := readLocked(p, s)
		if err != nil {
			return nil, err
		}
		o := opts
		o.Format = s.Format
		l, err := parseBytes(b, p, o)
		if err != nil {
			return nil, err
		}
		if l.Len() < s.Entries {
			return nil, fmt.Errorf("blocklist: %w: %s parses into %d entries, %s recorded %d: refetch it with shipgate blocklist update", ErrLock, p, l.Len(), LockName, s.Entries)
		}
		if s.Fetched.After(now.Add(24 * time.Hour)) {
			l.warnings = append(l.warnings, Warning{Source: p, Message: fmt.Sprintf("fetched %s, in the future: the lock's time cannot be trusted to tell a stale list", s.Fetched.UTC().Format(time.RFC3339)), Incomplete: true})
		}
		if age := now.Sub(s.Fetched); age > DirStaleAfter {
			l.warnings = append(l.warnings, Warning{Source: p, Message: fmt.Sprintf("fetched %s, %d days ago: run shipgate blocklist update", s.Fetched.UTC().Format(time.RFC3339), int(age.Hours()/24)), Incomplete: true})
		}
		out.Merge(l)
	}
	// A list dropped into the directory by hand is not loaded: say so,
	// rather than let its entries go missing in silence.
	locked := map[string]bool{LockName: true}
	for _, s := range lock.Sources {
		locked[s.File] = true
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w", err)
	}
	for _, e := range ents {
		if e.IsDir() || locked[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out.warnings = append(out.warnings, Warning{Source: filepath.Join(dir, e.Name()), Message: fmt.Sprintf("not named by %s, so not loaded: add its source with shipgate blocklist update, or give the file itself as a blocklist", LockName), Incomplete: true})
	}
	return out, nil
}

// readLocked reads the list at p and checks it against s.
func readLocked(p string, s LockedSource) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w: %w", ErrLock, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, s.Size+1))
	if err != nil {
		return nil, fmt.Errorf("blocklist: %s: %w", p, err)
	}
	sum := sha256.Sum256(b)
	if int64(len(b)) != s.Size || hex.EncodeToString(sum[:]) != s.SHA256 {
		return nil, fmt.Errorf("blocklist: %w: %s does not match %s (want %d bytes with SHA-256 %s): refetch it with shipgate blocklist update", ErrLock, p, LockName, s.Size, s.SHA256)
	}
	return b, nil
}
