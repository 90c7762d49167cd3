// Package update fetches the blocklists and IoC lists a security team
// follows into a blocklist directory that verification then reads offline
// (blocklist.LoadDir, `shipgate verify --blocklist DIR`).
//
// Every list is fetched over HTTPS (Windows' disallowed-certificate trust
// list, which Microsoft serves in clear, only with a verified Microsoft
// signature), extracted from its zip or cabinet when it comes in one,
// parsed with the format it is declared
// or detected to have, and stored only when it parsed into at least one
// entry and did not shrink to less than half of the list it replaces: a
// truncated download, an error page or a feed that changed format never
// replaces a good list. The directory's lock file (blocklist.LockName)
// records each list's URL, fetch time, size and SHA-256; LoadDir refuses
// a list that no longer matches it.
//
// It is a package of its own so that verify, which only reads directories,
// does not link an HTTP client.
package update

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/atomicfile"
	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/blocklist"
)

// Source is a list to fetch.
type Source struct {
	// Name identifies the source and names its file (blocklist.FileName);
	// see blocklist.ValidSourceName.
	Name string `json:"name"`
	// URL is fetched with GET; it must be https unless Options.AllowHTTP.
	URL string `json:"url"`
	// Member, when set, is the list's path inside the fetched zip archive:
	// the entry whose path is Member or ends in "/"+Member (exactly one
	// must).
	Member string `json:"member,omitempty"`
	// Format is the list's format; blocklist.FormatAuto detects it from the
	// fetched bytes.
	Format blocklist.Format `json:"format,omitempty"`
	// Signed, when blocklist.SignedMicrosoftCTL, requires the list to be a
	// certificate trust list whose signature verifies and chains to
	// Options.CTLRoots (Microsoft's roots by default). Such a list may be
	// fetched over plain http: its integrity rests on the signature, as
	// Windows fetches it.
	Signed string `json:"signed,omitempty"`
}

// Default returns the public sources `shipgate blocklist update` fetches
// unless told otherwise: the LOLDrivers project's driver list (vulnerable
// and malicious drivers: file hashes, authentihashes, signer certificates)
// Microsoft's recommended vulnerable-driver block rules (the enforced
// WDAC policy from the zip Microsoft publishes), and the certificates
// Windows distrusts (disallowedcert.stl from the cabinet Windows Update
// serves, accepted only when Microsoft's signature on it verifies).
func Default() []Source {
	return []Source{
		{Name: "loldrivers", URL: "https://www.loldrivers.io/api/drivers.json", Format: blocklist.FormatLOLDrivers},
		{Name: "microsoft-driver-blocklist", URL: "https://aka.ms/VulnerableDriverBlockList", Member: "SiPolicy_Enforced.xml", Format: blocklist.FormatWDAC},
		{Name: "windows-disallowed-certificates", URL: "http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab",
			Member: "disallowedcert.stl", Format: blocklist.FormatCTL, Signed: blocklist.SignedMicrosoftCTL},
	}
}

// Options configures Run.
type Options struct {
	// Dir is the blocklist directory, created if missing.
	Dir string
	// Sources are fetched, in order. With KeepLocked, the sources the
	// directory's lock already names and Sources does not are fetched too.
	Sources []Source
	// KeepLocked refetches the directory's other locked sources.
	KeepLocked bool
	// Client makes the requests; nil means a client with a 5-minute
	// timeout. Redirects to plain http are refused unless AllowHTTP.
	Client *http.Client
	// Now returns the fetch time recorded in the lock; nil means time.Now.
	Now func() time.Time
	// MaxSize caps one fetched body and one extracted member; zero means
	// 256 MiB.
	MaxSize int64
	// AllowHTTP permits http URLs. A list fetched in clear can be altered
	// on the way; only lists signed end to end (a CTL) are safe that way.
	AllowHTTP bool
	// AllowShrink accepts a list with fewer than half the entries of the
	// one it replaces.
	AllowShrink bool
	// CTLRoots are the roots a Signed source's signer must chain to; nil
	// means Microsoft's embedded roots.
	CTLRoots *signing.TrustStore
}

// Status is the outcome of one source.
type Status string

const (
	// Updated: the list was stored (new or changed).
	Updated Status = "updated"
	// Unchanged: the fetched list equals the stored one; its fetch time
	// was renewed.
	Unchanged Status = "unchanged"
	// Failed: the fetch, extraction or parse failed, or the list was
	// refused; the stored list, if any, is kept.
	Failed Status = "failed"
)

// SourceResult is what Run did with one source.
type SourceResult struct {
	Name   string
	Status Status
	// Entries is the new list's entry count, Previous the stored one's
	// (zero when there was none).
	Entries, Previous int
	// Locked is the source's lock record after the run (its previous one
	// when Failed, zero when there was none).
	Locked blocklist.LockedSource
	// Err says why a source Failed.
	Err error
}

// Result lists the sources in the order fetched.
type Result struct {
	Sources []SourceResult
}

// ErrRefused results when a fetched list is not stored because it would
// weaken the directory: it does not parse, has no entries, or shrank.
var ErrRefused = errors.New("refused")

const defaultMaxSize = 256 << 20

// Run fetches every source into opts.Dir and rewrites the lock. A source
// that fails keeps its stored list and lock record; the others are still
// stored. The error joins every source's error (each wraps ErrRefused when
// the list was refused); the Result is returned either way.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Dir == "" {
		return nil, errors.New("blocklist update: no directory")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("blocklist update: %w", err)
	}
	lock, err := blocklist.ReadLock(opts.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		lock = &blocklist.Lock{Version: blocklist.LockVersion}
	case err != nil:
		return nil, fmt.Errorf("blocklist update: %w", err)
	}
	sources, err := plan(opts, lock)
	if err != nil {
		return nil, err
	}
	u := &updater{opts: opts, client: opts.Client}
	if u.client == nil {
		u.client = &http.Client{Timeout: 5 * time.Minute}
	}
	if u.opts.MaxSize <= 0 {
		u.opts.MaxSize = defaultMaxSize
	}
	if u.opts.Now == nil {
		u.opts.Now = time.Now
	}
	res := &Result{}
	var errs []error
	for _, s := range sources {
		sr := u.one(ctx, s, lock.Source(s.Name))
		if sr.Err != nil {
			errs = append(errs, fmt.Errorf("blocklist update: %s: %w", s.Name, sr.Err))
		} else {
			setLocked(lock, sr.Locked)
		}
		res.Sources = append(res.Sources, sr)
	}
	b, err := lock.Marshal()
	if err == nil {
		err = atomicfile.WriteFile(filepath.Join(opts.Dir, blocklist.LockName), b)
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("blocklist update: writing the lock: %w", err))
	}
	return res, errors.Join(errs...)
}

// plan returns the sources to fetch: opts.Sources, then the locked ones
// they do not name when KeepLocked.
func plan(opts Options, lock *blocklist.Lock) ([]Source, error) {
	var out []Source
	named := map[string]bool{}
	for _, s := range opts.Sources {
		if !blocklist.ValidSourceName(s.Name) {
			return nil, fmt.Errorf("blocklist update: invalid source name %q (lower-case letters, digits, '.', '_', '-')", s.Name)
		}
		if named[s.Name] {
			return nil, fmt.Errorf("blocklist update: source %q given twice", s.Name)
		}
		if _, err := blocklist.ParseFormat(string(s.Format)); err != nil {
			return nil, fmt.Errorf("blocklist update: source %q: %w", s.Name, err)
		}
		if s.Signed != "" && (s.Signed != blocklist.SignedMicrosoftCTL || s.Format != blocklist.FormatCTL) {
			return nil, fmt.Errorf("blocklist update: source %q: signed %q (only %q, for a ctl)", s.Name, s.Signed, blocklist.SignedMicrosoftCTL)
		}
		named[s.Name] = true
		out = append(out, s)
	}
	if opts.KeepLocked {
		for _, l := range lock.Sources {
			if !named[l.Name] {
				out = append(out, Source{Name: l.Name, URL: l.URL, Member: l.Member, Format: l.Format, Signed: l.Signed})
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("blocklist update: no sources")
	}
	return out, nil
}

func setLocked(lock *blocklist.Lock, s blocklist.LockedSource) {
	if p := lock.Source(s.Name); p != nil {
		*p = s
		return
	}
	lock.Sources = append(lock.Sources, s)
}

type updater struct {
	opts   Options
	client *http.Client
}

// one fetches, checks and stores one source.
func (u *updater) one(ctx context.Context, s Source, prev *blocklist.LockedSource) SourceResult {
	sr := SourceResult{Name: s.Name, Status: Failed}
	if prev != nil {
		sr.Locked, sr.Previous = *prev, prev.Entries
	}
	body, err := u.fetch(ctx, s.URL, s.Signed != "")
	if err != nil {
		sr.Err = err
		return sr
	}
	fetchedSum := sha256.Sum256(body)
	data := body
	if s.Member != "" {
		if data, err = member(body, s.Member, u.opts.MaxSize); err != nil {
			sr.Err = err
			return sr
		}
	}
	if s.Signed == blocklist.SignedMicrosoftCTL {
		if err := u.verifyCTL(data); err != nil {
			sr.Err = fmt.Errorf("%w: %s: %w", ErrRefused, s.URL, err)
			return sr
		}
	}
	format := s.Format
	if format == blocklist.FormatAuto {
		if format = blocklist.DetectFormat(data, s.URL); format == blocklist.FormatAuto {
			sr.Err = fmt.Errorf("%w: %s: %w", ErrRefused, s.URL, blocklist.ErrUnknownFormat)
			return sr
		}
	}
	l, err := blocklist.Parse(bytes.NewReader(data), s.URL, blocklist.LoadOptions{Format: format, MaxSize: u.opts.MaxSize})
	if err != nil {
		sr.Err = fmt.Errorf("%w: %w", ErrRefused, err)
		return sr
	}
	sr.Entries = l.Len()
	switch {
	case sr.Entries == 0:
		sr.Err = fmt.Errorf("%w: %s parsed into no entries", ErrRefused, s.URL)
		return sr
	case prev != nil && !u.opts.AllowShrink && sr.Entries*2 < prev.Entries:
		sr.Err = fmt.Errorf("%w: %s has %d entries, the stored list %d (less than half; allow it with AllowShrink / --allow-shrink)", ErrRefused, s.URL, sr.Entries, prev.Entries)
		return sr
	}
	sum := sha256.Sum256(data)
	rec := blocklist.LockedSource{
		Name: s.Name, File: blocklist.FileName(s.Name, format), URL: s.URL, Member: s.Member, Format: format,
		Fetched: u.opts.Now().UTC().Truncate(time.Second), SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Entries: sr.Entries,
		Signed: s.Signed,
	}
	if s.Member != "" {
		rec.FetchedSHA256 = hex.EncodeToString(fetchedSum[:])
	}
	sr.Status = Updated
	if prev != nil && prev.SHA256 == rec.SHA256 && prev.File == rec.File && fileMatches(filepath.Join(u.opts.Dir, rec.File), rec.SHA256) {
		sr.Status = Unchanged
	} else if err := atomicfile.WriteFile(filepath.Join(u.opts.Dir, rec.File), data); err != nil {
		sr.Status, sr.Err = Failed, err
		return sr
	}
	if prev != nil && prev.File != rec.File {
		// The format changed: the old file is no longer locked.
		os.Remove(filepath.Join(u.opts.Dir, prev.File))
	}
	sr.Locked = rec
	return sr
}

// fetch GETs rawURL, refusing plain http (also on redirects) unless
// allowed, or the list is signed, and bodies over MaxSize.
func (u *updater) fetch(ctx context.Context, rawURL string, signed bool) ([]byte, error) {
	if err := u.checkURL(rawURL, signed); err != nil {
		return nil, err
	}
	c := *u.client
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := u.checkURL(req.URL.String(), signed); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "shipgate-blocklist-update")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", rawURL, resp.Status)
	}
	if resp.ContentLength > u.opts.MaxSize {
		return nil, fmt.Errorf("GET %s: %d bytes, more than the %d-byte cap", rawURL, resp.ContentLength, u.opts.MaxSize)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, u.opts.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	if int64(len(b)) > u.opts.MaxSize {
		return nil, fmt.Errorf("GET %s: more than the %d-byte cap", rawURL, u.opts.MaxSize)
	}
	return b, nil
}

func (u *updater) checkURL(rawURL string, signed bool) error {
	p, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	switch {
	case p.Scheme == "https":
		return nil
	case p.Scheme == "http" && (u.opts.AllowHTTP || signed):
		return nil
	case p.Scheme == "http":
		return fmt.Errorf("%s: plain http (a list fetched in clear can be altered on the way; allow it with AllowHTTP / --allow-http)", rawURL)
	}
	return fmt.Errorf("%s: scheme %q, want https", rawURL, p.Scheme)
}

// member extracts the entry named name from the zip archive or cabinet b.
func member(b []byte, name string, max int64) ([]byte, error) {
	if bytes.HasPrefix(b, []byte("MSCF")) {
		return cabMember(b, name, max)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: member %s: the fetched file is not a zip archive: %w", ErrRefused, name, err)
	}
	var found *zip.File
	for _, f := range zr.File {
		if f.Name == name || strings.HasSuffix(f.Name, "/"+name) {
			if found != nil {
				return nil, fmt.Errorf("%w: member %s: more than one entry matches (%s, %s)", ErrRefused, name, found.Name, f.Name)
			}
			found = f
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: member %s: not in the archive", ErrRefused, name)
	}
	if found.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%w: member %s: %d bytes, more than the %d-byte cap", ErrRefused, found.Name, found.UncompressedSize64, max)
	}
	rc, err := found.Open()
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", found.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", found.Name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: member %s: more than the %d-byte cap", ErrRefused, found.Name, max)
	}
	return data, nil
}

// fileMatches reports whether the file at p has SHA-256 sum (hex).
func fileMatches(p, sum string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == sum
}

// cabMember extracts the file named name (or ending in "/"+name) from the
// cabinet b.
func cabMember(b []byte, name string, max int64) ([]byte, error) {
	cr, err := cab.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: member %s: %w", ErrRefused, name, err)
	}
	if cr.Expansion() > 64*max {
		return nil, fmt.Errorf("%w: member %s: the cabinet expands to %d bytes", ErrRefused, name, cr.Expansion())
	}
	var found *cab.File
	for _, f := range cr.Files {
		if f.Name == name || strings.HasSuffix(f.Name, "/"+name) {
			if found != nil {
				return nil, fmt.Errorf("%w: member %s: more than one file matches (%s, %s)", ErrRefused, name, found.Name, f.Name)
			}
			found = f
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: member %s: not in the cabinet", ErrRefused, name)
	}
	if found.Size > max {
		return nil, fmt.Errorf("%w: member %s: %d bytes, more than the %d-byte cap", ErrRefused, found.Name, found.Size, max)
	}
	var data []byte
	err = cr.Walk(func(f *cab.File, r io.Reader) error {
		if f != found {
			return nil
		}
		var err error
		data, err = io.ReadAll(io.LimitReader(r, max+1))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: member %s: %w", ErrRefused, found.Name, err)
	}
	return data, nil
}

// oidCTL is szOID_CTL, the content type of a certificate trust list.
var oidCTL = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 1}

// verifyCTL checks that b is a certificate trust list signed by a
// certificate chaining to Options.CTLRoots (Microsoft's roots by default),
// valid now.
func (u *updater) verifyCTL(b []byte) error {
	sd, err := cms.Parse(b)
	if err != nil {
		return fmt.Errorf("not a signed certificate trust list: %w", err)
	}
	if !sd.ContentType.Equal(oidCTL) {
		return fmt.Errorf("content type %s is not a certificate trust list", sd.ContentType)
	}
	if len(sd.Signers) != 1 {
		return fmt.Errorf("%d signers, want 1", len(sd.Signers))
	}
	chk := cms.VerifySigner(sd.Signers[0], sd.Certificates, sd.ContentType, sd.Content)
	if chk.Err != nil {
		return fmt.Errorf("the trust list's signature does not verify: %w", chk.Err)
	}
	roots := u.opts.CTLRoots
	if roots == nil {
		if roots, err = signing.NewTrustStore(signing.TrustStoreOptions{Embedded: signing.EmbeddedMicrosoft}); err != nil {
			return err
		}
	}
	res := roots.VerifyChain(chk.Cert, sd.Certificates, signing.ChainOptions{Time: u.opts.Now()})
	if !res.Trusted {
		return fmt.Errorf("the trust list's signer %q does not chain to a trusted root: %s", chk.Cert.Subject.String(), res.Problem)
	}
	return nil
}
