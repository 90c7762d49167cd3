package blocklist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate/internal/x509name"
)

// List is a set of blocklist entries indexed for lookup. The zero List is not
// usable; make one with [New], [Load], [Parse] or [Default]. A List is safe
// for concurrent matching once built; Add and Merge must not run
// concurrently with anything else.
type List struct {
	entries []Entry
	// index maps, per kind, a normalized key to the first entry with that key
	// (its position plus one); Entry.next chains the rest.
	index [numKinds]map[string]int32
	// tails maps keys that have more than one entry to the last of them.
	tails    [numKinds]map[string]int32
	warnings []Warning
	groups   int32
}

// Warning is something a loader wants the user to know about the list it
// loaded without rejecting it: a CRL whose signature could not be checked, a
// rule that cannot be expressed and was skipped.
type Warning struct {
	// Source and Line (or Offset) locate the cause.
	Source string `json:"source"`
	Line   int    `json:"line,omitempty"`
	Offset int64  `json:"offset,omitempty"`
	// Message says what happened, lowercase.
	Message string `json:"message"`
	// Incomplete marks a warning that the list matched against is not the
	// whole, current list (stale, dated in the future, a file left
	// unloaded, entries dropped past the limit), rather than that an
	// entry or indicator was skipped.
	Incomplete bool `json:"incomplete,omitempty"`
}

// String returns "source:line: message".
func (w Warning) String() string {
	switch {
	case w.Line > 0:
		return fmt.Sprintf("%s:%d: %s", w.Source, w.Line, w.Message)
	case w.Offset > 0:
		return fmt.Sprintf("%s@0x%x: %s", w.Source, w.Offset, w.Message)
	}
	return w.Source + ": " + w.Message
}

// maxEntries caps a List so entry positions fit the int32 index.
const maxEntries = math.MaxInt32 - 1

// ErrTooManyEntries results when a list would exceed the supported size.
var ErrTooManyEntries = errors.New("blocklist: too many entries")

// New returns an empty List.
func New() *List { return &List{} }

// Len returns the number of entries.
func (l *List) Len() int { return len(l.entries) }

// Entries returns a copy of the entries in load order: the order of the
// source files as merged, and within a file the order of its records.
func (l *List) Entries() []Entry {
	out := make([]Entry, len(l.entries))
	copy(out, l.entries)
	for i := range out {
		out[i].next = 0
	}
	return out
}

// Warnings returns what the loaders reported without failing, in load order.
func (l *List) Warnings() []Warning {
	return append([]Warning(nil), l.warnings...)
}

// Add validates e, brings its Value into normal form and adds it.
func (l *List) Add(e Entry) error {
	if err := normalize(&e); err != nil {
		return err
	}
	return l.add(e)
}

// add inserts a normalized entry and indexes it.
func (l *List) add(e Entry) error {
	if err := l.appendEntry(e); err != nil {
		return err
	}
	l.link(int32(len(l.entries)))
	return nil
}

// appendEntry stores a normalized entry without indexing it; buildIndex
// must follow. Loaders use it so that the index maps are made once, at
// their final size.
func (l *List) appendEntry(e Entry) error {
	if len(l.entries) >= maxEntries {
		return ErrTooManyEntries
	}
	e.next = 0
	l.entries = append(l.entries, e)
	return nil
}

// buildIndex indexes entries[from:], sizing new maps from the entry counts.
func (l *List) buildIndex(from int) {
	var counts [numKinds]int
	for i := from; i < len(l.entries); i++ {
		counts[l.entries[i].Kind]++
	}
	for k, n := range counts {
		if n > 0 && l.index[k] == nil {
			l.index[k] = make(map[string]int32, n)
		}
	}
	for i := from; i < len(l.entries); i++ {
		l.link(int32(i) + 1)
	}
}

// link indexes the entry at position pos (1-based).
func (l *List) link(pos int32) {
	e := &l.entries[pos-1]
	m := l.index[e.Kind]
	if m == nil {
		m = make(map[string]int32)
		l.index[e.Kind] = m
	}
	key := indexKey(e)
	head, ok := m[key]
	if !ok {
		m[key] = pos
		return
	}
	// Append at the tail so lookups return entries in load order; tails
	// remembers it for keys listed more than once, so that a list repeating
	// one key a million times still loads in linear time.
	t := l.tails[e.Kind]
	if t == nil {
		t = make(map[string]int32)
		l.tails[e.Kind] = t
	}
	tail, ok := t[key]
	if !ok {
		tail = head
	}
	l.entries[tail-1].next = pos
	t[key] = pos
}

// newGroup returns a fresh group id linking entries about one object.
func (l *List) newGroup() int32 {
	l.groups++
	return l.groups
}

func (l *List) warn(w Warning, log *slog.Logger) {
	l.warnings = append(l.warnings, w)
	if log != nil {
		log.Warn("blocklist: "+w.Message, "source", w.Source, "line", w.Line, "offset", w.Offset)
	}
}

// Merge adds other's entries and warnings after l's, keeping their order.
func (l *List) Merge(other *List) {
	if other == nil {
		return
	}
	base := l.groups
	from := len(l.entries)
	l.grow(len(other.entries))
	for _, e := range other.entries {
		if e.group != 0 {
			e.group += base
		}
		if err := l.appendEntry(e); err != nil {
			// Only ErrTooManyEntries; the list keeps what fits.
			l.warnings = append(l.warnings, Warning{Source: e.Source, Message: err.Error(), Incomplete: true})
			break
		}
	}
	l.buildIndex(from)
	l.groups += other.groups
	l.warnings = append(l.warnings, other.warnings...)
}

// grow makes room for n more entries.
func (l *List) grow(n int) {
	if cap(l.entries)-len(l.entries) < n {
		s := make([]Entry, len(l.entries), len(l.entries)+n)
		copy(s, l.entries)
		l.entries = s
	}
}

// NeedsHashes reports whether some file entry is keyed only by SHA-1 or only
// by MD5 — with no SHA-256 of the same file listed beside it — so that a
// caller must compute those hashes of every file to apply the list.
func (l *List) NeedsHashes() (sha1, md5 bool) {
	var haveSHA256 map[int32]bool
	for i := range l.entries {
		e := &l.entries[i]
		if e.Kind == KindFileSHA256 && e.group != 0 {
			if haveSHA256 == nil {
				haveSHA256 = make(map[int32]bool)
			}
			haveSHA256[e.group] = true
		}
	}
	for i := range l.entries {
		e := &l.entries[i]
		if e.Kind != KindFileSHA1 && e.Kind != KindFileMD5 {
			continue
		}
		if e.group != 0 && haveSHA256[e.group] {
			continue
		}
		if e.Kind == KindFileSHA1 {
			sha1 = true
		} else {
			md5 = true
		}
	}
	return sha1, md5
}

// NeedsAuthentihashes reports whether some Authenticode image hash entry is
// a SHA-1 (40 hex digits) or an MD5 (32) with no SHA-256 image hash of the
// same sample beside it, so that a caller must compute PE image hashes with
// those algorithms too; SHA-256 image hashes are assumed computed.
func (l *List) NeedsAuthentihashes() (sha1, md5 bool) {
	var have256 map[int32]bool
	for i := range l.entries {
		e := &l.entries[i]
		if e.Kind == KindAuthentihash && len(e.Value) == 64 && e.group != 0 {
			if have256 == nil {
				have256 = make(map[int32]bool)
			}
			have256[e.group] = true
		}
	}
	for i := range l.entries {
		e := &l.entries[i]
		if e.Kind != KindAuthentihash || len(e.Value) == 64 || (e.group != 0 && have256[e.group]) {
			continue
		}
		switch len(e.Value) {
		case 40:
			sha1 = true
		case 32:
			md5 = true
		}
	}
	return sha1, md5
}

// lookup calls f for each entry of kind k under key, in load order, until f
// returns false.
func (l *List) lookup(k Kind, key string, f func(int32) bool) {
	m := l.index[k]
	if m == nil {
		return
	}
	for p := m[key]; p != 0; p = l.entries[p-1].next {
		if !f(p - 1) {
			return
		}
	}
}

// indexKey is the map key of a normalized entry.
func indexKey(e *Entry) string {
	if e.Kind == KindSubject {
		return subjectKey(e.Value)
	}
	return e.Value
}

// subjectKey keys a subject entry: a canonical DN, or a CN folded as
// x509name.Fold does (case, spaces, Unicode compatibility forms).
func subjectKey(v string) string {
	if strings.Contains(v, "=") {
		return "dn:" + canonDN(v)
	}
	return "cn:" + x509name.Fold(v)
}

// hexLengths lists the accepted hex lengths of each hashed kind.
var hexLengths = map[Kind][]int{
	KindCertSHA1:     {40},
	KindCertSHA256:   {64},
	KindSPKISHA256:   {64},
	KindTBS:          {32, 40, 64, 96},
	KindFileSHA256:   {64},
	KindFileSHA1:     {40},
	KindFileMD5:      {32},
	KindAuthentihash: {32, 40, 64},
	KindCDHash:       {40, 64},
}

// normalHex lowercases s and strips colons, spaces and a 0x prefix. It
// reports false unless the result is hex of one of the given lengths.
func normalHex(s string, lengths []int) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	if strings.IndexByte(s, ':') >= 0 || strings.IndexByte(s, ' ') >= 0 {
		s = strings.NewReplacer(":", "", " ", "").Replace(s)
	}
	ok := false
	for _, n := range lengths {
		if len(s) == n {
			ok = true
			break
		}
	}
	if !ok {
		return "", false
	}
	upper := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", false
		}
	}
	if upper {
		s = strings.ToLower(s)
	}
	return s, true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// EntryError results when an entry is not well formed.
type EntryError struct {
	// Kind and Value are the entry as given.
	Kind  Kind
	Value string
	// Reason says what is wrong with it.
	Reason string
}

func (e *EntryError) Error() string {
	v := e.Value
	if len(v) > 80 {
		v = v[:80] + "…"
	}
	return fmt.Sprintf("%s entry %q: %s", e.Kind, v, e.Reason)
}

// normalize validates e and writes its Value in normal form.
func normalize(e *Entry) error {
	bad := func(format string, args ...any) error {
		return &EntryError{Kind: e.Kind, Value: e.Value, Reason: fmt.Sprintf(format, args...)}
	}
	if e.Kind <= KindInvalid || e.Kind >= numKinds {
		return bad("unknown kind")
	}
	if _, ok := reasonNames[e.Reason]; !ok {
		return bad("unknown reason code %d", int(e.Reason))
	}
	if lengths, ok := hexLengths[e.Kind]; ok {
		v, ok := normalHex(e.Value, lengths)
		if !ok {
			return bad("want %s hex digits", joinInts(lengths))
		}
		if e.Kind == KindCDHash {
			v = v[:40] // the truncated form Apple stores and staples
		}
		e.Value = v
	}
	switch e.Kind {
	case KindSerial, KindIssuerSerial:
		v, ok := normalizeSerial(e.Value)
		if !ok {
			return bad("serial is not hex")
		}
		e.Value = v
		if e.Kind == KindIssuerSerial && strings.TrimSpace(e.Issuer) == "" && len(e.IssuerDER) == 0 {
			return bad("issuer-serial needs an issuer (use kind serial to block a serial under any issuer)")
		}
	case KindTeamID:
		v := strings.ToUpper(strings.TrimSpace(e.Value))
		if v == "" || len(v) > 64 || strings.IndexFunc(v, func(r rune) bool {
			return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) >= 0 {
			return bad("team ID must be letters and digits")
		}
		e.Value = v
	case KindSubject:
		e.Value = strings.TrimSpace(e.Value)
		if e.Value == "" {
			return bad("empty subject")
		}
		if strings.TrimSpace(e.Issuer) == "" && len(e.IssuerDER) == 0 && e.ChainTBS == "" {
			return bad("a subject needs an issuer, issuerDER or chainTBS: subjects alone are not identities")
		}
	}
	if e.ChainTBS != "" {
		if e.Kind != KindSubject {
			return bad("chainTBS applies only to subject entries")
		}
		v, ok := normalHex(e.ChainTBS, hexLengths[KindTBS])
		if !ok {
			return bad("chainTBS: want 32, 40, 64 or 96 hex digits")
		}
		e.ChainTBS = v
	}
	e.Issuer = strings.TrimSpace(e.Issuer)
	if e.Kind.IsFile() && (e.hasWindow() || e.RevokedAt != nil) {
		return bad("time windows and revocation dates apply to certificate entries only")
	}
	if e.NotBefore != nil && e.NotAfter != nil && e.NotAfter.Before(*e.NotBefore) {
		return bad("notAfter %s is before notBefore %s", e.NotAfter.Format(timeLayout), e.NotBefore.Format(timeLayout))
	}
	for _, t := range []**time.Time{&e.NotBefore, &e.NotAfter, &e.RevokedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// canonDN returns a comparable form of a distinguished name written as RFC
// 4514 ("CN=a,O=b"), OpenSSL one-line ("/C=US/O=b/CN=a") or with spaces after
// separators: attribute types under one name each whichever name or OID a
// tool printed (dnAttrType), values unescaped or decoded from hex
// (dnAttrValue) and folded as RFC 4518 prepares them (x509name.Fold: case, inner and outer
// spaces, Unicode compatibility forms), and the RDNs sorted, so that either
// order matches. A string has no string types to differ in. DER names
// (Entry.IssuerDER) compare as RFC 5280 §7.1 asks; this is the fallback for
// sources that only give strings.
func canonDN(s string) string {
	s = strings.TrimSpace(s)
	var parts []string
	if strings.HasPrefix(s, "/") {
		parts = splitOneline(s[1:])
	} else {
		parts = splitUnescaped(s)
	}
	out := parts[:0]
	for _, p := range parts {
		typ, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		out = append(out, dnAttrType(typ)+"="+x509name.Fold(dnAttrValue(val)))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// splitOneline splits a name in OpenSSL's one-line form ("C=DK/O=Evil
// A/S/CN=Evil A/S", without the leading slash) into its attributes.
// OpenSSL does not escape a slash inside a value, so a piece that does not
// start with an attribute type ("S" of "A/S") continues the value before
// it: a Danish "A/S" or a "Sales/Marketing" unit would otherwise cut the
// value short, and the entry name another subject than the one it lists.
func splitOneline(s string) []string {
	var parts []string
	for _, p := range strings.Split(s, "/") {
		if len(parts) > 0 && !startsWithType(p) {
			parts[len(parts)-1] += "/" + p
			continue
		}
		parts = append(parts, p)
	}
	return parts
}

// isAttrType reports whether t is an attribute type as RFC 4514 §3
// writes one: a keyword (a letter, then letters, digits and hyphens) or a
// dotted OID, optionally with Windows' "OID." prefix.
func isAttrType(t string) bool {
	t = strings.TrimSpace(t)
	if len(t) > 4 && strings.EqualFold(t[:4], "oid.") {
		t = t[4:]
	}
	if t == "" {
		return false
	}
	if c := t[0]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		for i := 1; i < len(t); i++ {
			if c := t[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
		return true
	}
	for _, arc := range strings.Split(t, ".") {
		if arc == "" || strings.Trim(arc, "0123456789") != "" {
			return false
		}
	}
	return strings.Contains(t, ".")
}

// splitUnescaped splits an RFC 4514 string on commas and plus signs (and
// RFC 2253's semicolons) not escaped by a backslash nor inside an RFC 2253
// quoted value ('O="DigiCert, Inc."'). A piece that does not start with an
// attribute type continues the value before it, separator included: a name
// written by hand as "CN=Evil, Inc.,O=Evil" means the value "Evil, Inc.",
// which dropping " Inc." would turn into another subject's.
func splitUnescaped(s string) []string {
	var parts []string
	var starts []int
	start := 0
	quoted := false
	cut := func(end int) {
		if p := s[start:end]; len(parts) > 0 && !startsWithType(p) {
			parts[len(parts)-1] = s[starts[len(starts)-1]:end]
			return
		}
		parts = append(parts, s[start:end])
		starts = append(starts, start)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == '+' || c == ';'):
			cut(i)
			start = i + 1
		}
	}
	cut(len(s))
	return parts
}

// startsWithType reports whether the piece p of a name is "type=value" with
// a type isAttrType knows.
func startsWithType(p string) bool {
	typ, _, ok := strings.Cut(p, "=")
	return ok && isAttrType(typ)
}

// normalizeSerial is signing.NormalizeSerial without its per-call
// allocations, for loading millions of entries; a test keeps them equal.
func normalizeSerial(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	if strings.ContainsAny(s, ": -") {
		s = strings.Map(func(r rune) rune {
			if r == ':' || r == ' ' || r == '-' {
				return -1
			}
			return r
		}, s)
	}
	if s == "" || !isHex(s) {
		return "", false
	}
	s = strings.TrimLeft(strings.ToLower(s), "0")
	if s == "" {
		s = "0"
	}
	return s, true
}

// ListsFileSHA256 reports whether an entry of the list is the file SHA-256
// sum (KindFileSHA256), without building its hex string: a caller that
// matches every file of a release ([List.MatchFile]) builds it only for
// the files the list names.
func (l *List) ListsFileSHA256(sum [sha256.Size]byte) bool {
	if l == nil || len(l.index[KindFileSHA256]) == 0 {
		return false
	}
	var key [2 * sha256.Size]byte
	hex.Encode(key[:], sum[:])
	_, ok := l.index[KindFileSHA256][string(key[:])]
	return ok
}
