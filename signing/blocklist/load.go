package blocklist

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Format names an input format. The zero value asks for detection from the
// content (and, for YAML, the file name).
type Format string

// The input formats; docs/formats.md describes each.
const (
	// FormatAuto detects the format.
	FormatAuto Format = ""
	// FormatNative is shipgate's own list, JSON or YAML
	// (schema/blocklist.schema.json).
	FormatNative Format = "native"
	// FormatCSV is a CSV indicator list (Sophos, Volexity and similar).
	FormatCSV Format = "csv"
	// FormatHashes is a plain list of hashes, one per line.
	FormatHashes Format = "hashes"
	// FormatCertificates is one or more PEM or DER certificates to block.
	FormatCertificates Format = "certificates"
	// FormatCRL is an X.509 CRL in DER or PEM.
	FormatCRL Format = "crl"
	// FormatCTL is a Microsoft certificate trust list (disallowedcert.stl).
	FormatCTL Format = "ctl"
	// FormatLOLDrivers is LOLDrivers drivers.json or one of its YAML files.
	FormatLOLDrivers Format = "loldrivers"
	// FormatWDAC is a WDAC / App Control SiPolicy XML.
	FormatWDAC Format = "wdac"
)

var formats = []Format{FormatNative, FormatCSV, FormatHashes, FormatCertificates, FormatCRL, FormatCTL, FormatLOLDrivers, FormatWDAC}

// ParseFormat returns the Format named name; "" and "auto" are FormatAuto.
func ParseFormat(name string) (Format, error) {
	if name == "" || name == "auto" {
		return FormatAuto, nil
	}
	for _, f := range formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("blocklist: unknown format %q", name)
}

// LoadOptions configures Load and Parse. The zero value detects the format,
// accepts CRLs without checking their signature (and says so in a
// Warning), and logs nothing.
type LoadOptions struct {
	// Format selects the input format; FormatAuto detects it.
	Format Format
	// CRLIssuer, when set, is the certificate that must have signed a CRL
	// input; a CRL that it did not sign, or that names another issuer, is
	// rejected. When nil, the CRL's signature is not checked and the List
	// carries a Warning saying so.
	CRLIssuer *x509.Certificate
	// HashKind is the kind of the hashes in a FormatHashes list: KindFileSHA256
	// and its SHA-1 and MD5 siblings are chosen by length when zero (or when
	// any other file-hash kind is given); KindAuthentihash makes them
	// Authenticode image hashes, KindCDHash Apple CodeDirectory hashes. Zero also reads a file whose name contains
	// "authentihash" as image hashes, as LOLDrivers names them.
	HashKind Kind
	// Now is the time a CRL's nextUpdate is compared with; zero means
	// time.Now. A stale CRL is still loaded, with a Warning.
	Now time.Time
	// MaxSize caps the bytes read from one input; zero means 1 GiB.
	MaxSize int64
	// Logger receives warnings; nil logs nothing.
	Logger *slog.Logger
}

const defaultMaxSize = 1 << 30

// ParseError results when an input cannot be read as its format. It locates
// the problem by line (text formats) or byte offset (binary formats).
type ParseError struct {
	// Source is the name given to Parse, or Load's path.
	Source string
	// Format is the format being read.
	Format Format
	// Line is 1-based, zero when the format has no lines.
	Line int
	// Offset is a byte offset, -1 when Line applies instead.
	Offset int64
	// Err is the underlying problem.
	Err error
}

func (e *ParseError) Error() string {
	where := e.Source
	switch {
	case e.Line > 0:
		where = fmt.Sprintf("%s:%d", e.Source, e.Line)
	case e.Offset >= 0:
		where = fmt.Sprintf("%s: offset %d (0x%x)", e.Source, e.Offset, e.Offset)
	}
	f := ""
	if e.Format != "" {
		f = string(e.Format) + " "
	}
	return fmt.Sprintf("blocklist: %s: %s%v", where, f, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnknownFormat results when auto-detection recognizes no format.
var ErrUnknownFormat = errors.New("unrecognized blocklist format")

// ErrNoEntries results when an input of any format but a CRL holds no
// entry to match: a download cut short after its header (a CSV's, a
// native list's "entries": [] written before the entries), a generator
// that failed, or a WDAC policy with no deny rule. Matching against it
// would let every certificate and file it was meant to list pass without
// a word. A CRL listing no certificate is an issuer's ordinary answer,
// and its signature (LoadOptions.CRLIssuer) vouches for it.
var ErrNoEntries = errors.New("holds no entries")

// Load reads the blocklist file at path, or the blocklist directory at
// path as LoadDir does.
func Load(path string, opts LoadOptions) (*List, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("blocklist: %w", err)
	}
	if fi.IsDir() {
		return LoadDir(path, opts)
	}
	max := opts.MaxSize
	if max <= 0 {
		max = defaultMaxSize
	}
	if fi.Mode().IsRegular() && fi.Size() <= max {
		// Read in one allocation rather than growing a buffer.
		b := make([]byte, fi.Size())
		if _, err := io.ReadFull(f, b); err != nil {
			return nil, fmt.Errorf("blocklist: %s: %w", path, err)
		}
		return parseBytes(b, path, opts)
	}
	return Parse(f, path, opts)
}

// Parse reads a blocklist from r; name is recorded as the entries' Source
// and used to detect YAML by extension.
func Parse(r io.Reader, name string, opts LoadOptions) (*List, error) {
	max := opts.MaxSize
	if max <= 0 {
		max = defaultMaxSize
	}
	var b []byte
	var err error
	if lr, ok := r.(interface{ Len() int }); ok && int64(lr.Len()) <= max {
		// bytes.Reader, strings.Reader, bytes.Buffer: read in one allocation.
		b = make([]byte, lr.Len())
		_, err = io.ReadFull(r, b)
	} else {
		b, err = io.ReadAll(io.LimitReader(r, max+1))
	}
	if err != nil {
		return nil, fmt.Errorf("blocklist: %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, &ParseError{Source: name, Offset: max, Err: fmt.Errorf("input exceeds the %d-byte cap (LoadOptions.MaxSize)", max)}
	}
	return parseBytes(b, name, opts)
}

func parseBytes(b []byte, name string, opts LoadOptions) (*List, error) {
	f := opts.Format
	if f == FormatAuto {
		f = detect(b, name)
		if f == FormatAuto && onlyComments(b) {
			return nil, &ParseError{Source: name, Offset: 0, Err: fmt.Errorf("%w: it holds only blank lines and # comments (an empty list would let everything it should list pass; give no list rather than an empty one)", ErrNoEntries)}
		}
		if f == FormatAuto {
			return nil, &ParseError{Source: name, Offset: 0, Err: fmt.Errorf("%w (want native JSON/YAML, CSV, hash list, PEM/DER certificates, CRL, CTL, LOLDrivers or WDAC XML)", ErrUnknownFormat)}
		}
	}
	p := &parser{list: New(), name: name, opts: opts, format: f}
	var err error
	switch f {
	case FormatNative:
		err = p.native(b)
	case FormatCSV:
		err = p.csv(b)
	case FormatHashes:
		err = p.hashes(b)
	case FormatCertificates:
		err = p.certificates(b)
	case FormatCRL:
		err = p.crl(b)
	case FormatCTL:
		err = p.ctl(b)
	case FormatLOLDrivers:
		err = p.loldrivers(b)
	case FormatWDAC:
		err = p.wdac(b)
	default:
		return nil, fmt.Errorf("blocklist: unknown format %q", f)
	}
	if err != nil {
		return nil, err
	}
	if f != FormatCRL && p.list.Len() == 0 {
		return nil, &ParseError{Source: name, Format: f, Offset: -1, Err: fmt.Errorf("%w (a truncated download or a failed generation would let everything it should list pass; give no list rather than an empty one)", ErrNoEntries)}
	}
	p.list.buildIndex(0)
	return p.list, nil
}

// parser carries one load's state.
type parser struct {
	list   *List
	name   string
	opts   LoadOptions
	format Format
}

// errAt returns a ParseError at a line.
func (p *parser) errLine(line int, format string, args ...any) error {
	return &ParseError{Source: p.name, Format: p.format, Line: line, Offset: -1, Err: fmt.Errorf(format, args...)}
}

// errOff returns a ParseError at a byte offset.
func (p *parser) errOff(off int64, format string, args ...any) error {
	return &ParseError{Source: p.name, Format: p.format, Offset: off, Err: fmt.Errorf(format, args...)}
}

// addAt normalizes and adds e, located at line or offset, turning a bad
// entry into a ParseError there.
func (p *parser) addAt(e Entry, line int, off int64) error {
	e.Source, e.Line, e.Offset = p.name, line, off
	if err := normalize(&e); err != nil {
		if line > 0 {
			return p.errLine(line, "%w", err)
		}
		return p.errOff(off, "%w", err)
	}
	if err := p.list.appendEntry(e); err != nil {
		return p.errLine(line, "%w", err)
	}
	return nil
}

func (p *parser) warnLine(line int, format string, args ...any) {
	p.list.warn(Warning{Source: p.name, Line: line, Message: fmt.Sprintf(format, args...)}, p.opts.Logger)
}

func (p *parser) warnOff(off int64, format string, args ...any) {
	p.list.warn(Warning{Source: p.name, Offset: off, Message: fmt.Sprintf(format, args...)}, p.opts.Logger)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// detect guesses the format of b.
// DetectFormat returns the format of the list b, named name (its
// extension tells YAML apart), as Parse detects it: FormatAuto when no
// format matches.
func DetectFormat(b []byte, name string) Format { return detect(b, name) }

func detect(b []byte, name string) Format {
	t := bytes.TrimLeft(bytes.TrimPrefix(b, utf8BOM), " \t\r\n")
	if len(t) == 0 {
		return FormatAuto
	}
	if t[0] == 0x30 && len(t) == len(b) {
		if f := detectDER(b); f != FormatAuto {
			return f
		}
	}
	switch {
	case t[0] != '{' && t[0] != '[' && t[0] != '<' &&
		(bytes.HasPrefix(t, []byte("-----BEGIN")) || bytes.Contains(t, []byte("\n-----BEGIN "))):
		// PEM, perhaps after comment lines as in CA bundles.
		switch {
		case bytes.Contains(t, []byte("-----BEGIN X509 CRL")):
			return FormatCRL
		case bytes.Contains(t, []byte("-----BEGIN CERTIFICATE")):
			return FormatCertificates
		case bytes.Contains(t, []byte("-----BEGIN PKCS7")):
			return FormatCTL
		}
		return FormatAuto
	case t[0] == '{' || t[0] == '[':
		return detectJSON(t)
	case t[0] == '<':
		if bytes.Contains(t, []byte("SiPolicy")) {
			return FormatWDAC
		}
		return FormatAuto
	}
	ext := strings.ToLower(filepath.Ext(name))
	first := firstLine(t)
	if ext == ".yaml" || ext == ".yml" || looksYAML(firstContentLine(t)) {
		if bytes.Contains(t, []byte("KnownVulnerableSamples")) {
			return FormatLOLDrivers
		}
		return FormatNative
	}
	if looksHashList(t) {
		return FormatHashes
	}
	if bytes.IndexByte(first, ',') >= 0 {
		return FormatCSV
	}
	return FormatAuto
}

func firstLine(t []byte) []byte {
	if i := bytes.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	return bytes.TrimRight(t, "\r")
}

// firstContentLine returns the first line that is neither blank nor a
// '#' comment.
func firstContentLine(t []byte) []byte {
	for len(t) > 0 {
		line := firstLine(t)
		if s := bytes.TrimSpace(line); len(s) > 0 && s[0] != '#' {
			return line
		}
		i := bytes.IndexByte(t, '\n')
		if i < 0 {
			break
		}
		t = t[i+1:]
	}
	return nil
}

// looksYAML reports whether a first line is a YAML document marker, comment
// or "key:" mapping line.
func looksYAML(line []byte) bool {
	s := strings.TrimSpace(string(line))
	if s == "---" || strings.HasPrefix(s, "%YAML") {
		return true
	}
	k, _, ok := strings.Cut(s, ":")
	if !ok || k == "" || strings.ContainsAny(k, " ,\t\"") {
		return false
	}
	return true
}

// looksHashList reports whether every non-comment line of t (up to 100)
// starts with a hex string of a hash length.
func looksHashList(t []byte) bool {
	n := 0
	for len(t) > 0 && n < 100 {
		line := firstLine(t)
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			t = t[i+1:]
		} else {
			t = nil
		}
		s := strings.TrimSpace(string(line))
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)[0]
		switch len(f) {
		case 32, 40, 64, 96:
		default:
			return false
		}
		if !isHex(f) {
			return false
		}
		n++
	}
	return n > 0
}

// detectJSON tells native JSON from LOLDrivers JSON by their keys.
func detectJSON(t []byte) Format {
	head := t
	if len(head) > 1<<16 {
		head = head[:1<<16]
	}
	switch {
	case bytes.Contains(head, []byte(`"KnownVulnerableSamples"`)) || bytes.Contains(head, []byte(`"MitreID"`)):
		return FormatLOLDrivers
	case bytes.Contains(head, []byte(`"entries"`)) || t[0] == '[':
		return FormatNative
	}
	return FormatNative
}

// detectDER tells DER certificates, CRLs and PKCS#7 CTLs apart by trying
// each parser; the PKCS#7 ContentInfo starts with an OID where the others
// start with a SEQUENCE.
func detectDER(b []byte) Format {
	if _, err := x509.ParseCertificates(b); err == nil {
		return FormatCertificates
	}
	if _, err := x509.ParseRevocationList(b); err == nil {
		return FormatCRL
	}
	// ContentInfo: SEQUENCE { OBJECT IDENTIFIER ... }.
	if len(b) > 4 {
		i := 2
		if b[1]&0x80 != 0 {
			i = 2 + int(b[1]&0x7f)
		}
		if i < len(b) && b[i] == 0x06 {
			return FormatCTL
		}
	}
	return FormatAuto
}
