package blocklist

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/shipgate/shipgate/internal/strictyaml"
)

// nativeVersion is the only native format version this package reads.
const nativeVersion = 1

// rawEntry is one entry of the native format as written.
type rawEntry struct {
	Kind      string     `json:"kind" yaml:"kind"`
	Value     string     `json:"value" yaml:"value"`
	Issuer    string     `json:"issuer" yaml:"issuer"`
	IssuerDER string     `json:"issuerDER" yaml:"issuerDER"`
	ChainTBS  string     `json:"chainTBS" yaml:"chainTBS"`
	NotBefore string     `json:"notBefore" yaml:"notBefore"`
	NotAfter  string     `json:"notAfter" yaml:"notAfter"`
	RevokedAt string     `json:"revokedAt" yaml:"revokedAt"`
	Reason    flexString `json:"reason" yaml:"reason"`
	Note      string     `json:"note" yaml:"note"`
	Reference string     `json:"reference" yaml:"reference"`
}

var rawEntryFields = map[string]bool{
	"kind": true, "value": true, "issuer": true, "issuerDER": true, "chainTBS": true, "notBefore": true,
	"notAfter": true, "revokedAt": true, "reason": true, "note": true, "reference": true,
}

// flexString accepts any YAML scalar (reason codes may be names or numbers).
type flexString string

// native reads the native format, JSON or YAML.
func (p *parser) native(b []byte) error {
	t := bytes.TrimLeft(bytes.TrimPrefix(b, utf8BOM), " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return p.nativeJSON(b)
	}
	return p.nativeYAML(b)
}

// nativeJSON reads the JSON form with a small scanner specialized to the
// native schema (an object of version and entries; entries are flat objects
// of strings), which keeps each entry's line and loads a million entries in
// well under a second, where encoding/json's reflection takes several.
func (p *parser) nativeJSON(b []byte) error {
	body := bytes.TrimPrefix(b, utf8BOM)
	r := &nativeReader{p: p, s: &jscan{b: body}, lines: lineCounter{b: body}, bomLen: int64(len(b) - len(body))}
	s := r.s
	s.ws()
	p.list.grow(bytes.Count(body, []byte(`"kind"`)))
	switch s.next() {
	case '[':
		// A bare array of entries.
		if err := r.entries(); err != nil {
			return err
		}
		r.version, r.sawEntries = nativeVersion, true
	case '{':
		if err := r.object(); err != nil {
			return err
		}
	default:
		s.i = 0
		return r.fail(errors.New("want a JSON object with \"version\" and \"entries\""))
	}
	s.ws()
	if s.i < len(s.b) {
		return r.fail(errors.New("data after the top-level value"))
	}
	if r.version == 0 {
		return p.errLine(1, "missing \"version\"")
	}
	if !r.sawEntries {
		return p.errLine(1, "missing \"entries\"")
	}
	return nil
}

// nativeReader is nativeJSON's state: the scanner, the line counter of the
// input after any BOM (of bomLen bytes), and what the top level gave.
type nativeReader struct {
	p          *parser
	s          *jscan
	lines      lineCounter
	bomLen     int64
	version    int
	sawEntries bool
}

// fail reports err at the scanner's offset, with its line.
func (r *nativeReader) fail(err error) error {
	return r.p.errLine(r.lines.lineAt(int64(r.s.i)), "offset %d: %w", int64(r.s.i)+r.bomLen, err)
}

// entries reads an array of entries; the scanner is just past '['.
func (r *nativeReader) entries() error {
	s := r.s
	s.ws()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		line := r.lines.lineAt(int64(s.i))
		re, err := s.entry()
		if err != nil {
			return r.fail(err)
		}
		if err := r.p.addRaw(re, line); err != nil {
			return err
		}
		s.ws()
		switch s.next() {
		case ',':
			continue
		case ']':
			return nil
		default:
			s.i--
			return r.fail(errors.New("want ',' or ']' after an entry"))
		}
	}
}

// object reads the top-level object's fields: version, entries, $schema
// and description; the scanner is just past '{'.
func (r *nativeReader) object() error {
	s := r.s
	s.ws()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	seen := map[string]bool{}
	for {
		s.ws()
		keyAt := s.i
		key, err := s.str()
		if err != nil {
			return r.fail(err)
		}
		if seen[key] {
			return r.p.errLine(r.lines.lineAt(int64(keyAt)), "duplicate field %q", key)
		}
		seen[key] = true
		s.ws()
		if s.next() != ':' {
			s.i--
			return r.fail(errors.New("want ':'"))
		}
		s.ws()
		if err := r.field(key, keyAt); err != nil {
			return err
		}
		s.ws()
		c := s.next()
		if c == ',' {
			continue
		}
		if c == '}' {
			return nil
		}
		s.i--
		return r.fail(errors.New("want ',' or '}'"))
	}
}

// field reads the value of the top-level field key (at offset keyAt).
func (r *nativeReader) field(key string, keyAt int) error {
	s := r.s
	switch key {
	case "version":
		v, isNum, err := s.scalar()
		if err != nil {
			return r.fail(err)
		}
		if !isNum || v != "1" {
			return r.p.errLine(r.lines.lineAt(int64(keyAt)), "unsupported version %s (this shipgate reads version %d)", v, nativeVersion)
		}
		r.version = nativeVersion
	case "entries":
		if s.next() != '[' {
			s.i--
			return r.fail(errors.New("\"entries\" must be an array"))
		}
		if err := r.entries(); err != nil {
			return err
		}
		r.sawEntries = true
	case "$schema", "description":
		if _, _, err := s.scalar(); err != nil {
			return r.fail(err)
		}
	default:
		return r.p.errLine(r.lines.lineAt(int64(keyAt)), "unknown field %q", key)
	}
	return nil
}

// jscan is a JSON scanner for the native format's flat shapes.
type jscan struct {
	b []byte
	i int
}

func (s *jscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
			continue
		}
		return
	}
}

func (s *jscan) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jscan) next() byte {
	if s.i < len(s.b) {
		s.i++
		return s.b[s.i-1]
	}
	s.i++ // so that callers' s.i-- lands on the end
	return 0
}

var errUnexpectedEnd = errors.New("unexpected end of input")

// str reads a JSON string.
func (s *jscan) str() (string, error) {
	b, esc, err := s.strBytes()
	if err != nil || !esc {
		return string(b), err
	}
	return string(b), nil
}

// strBytes reads a JSON string, returning its bytes: a window into the input
// when it has no escapes (esc false), else a decoded copy.
func (s *jscan) strBytes() ([]byte, bool, error) {
	if s.peek() != '"' {
		return nil, false, errors.New("want a string")
	}
	start := s.i
	escaped := false
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '\\':
			escaped = true
			j++
		case c == '"':
			s.i = j + 1
			if !escaped {
				return s.b[start+1 : j], false, nil
			}
			var out string
			if err := json.Unmarshal(s.b[start:j+1], &out); err != nil {
				s.i = start
				return nil, false, fmt.Errorf("bad string: %v", err)
			}
			return []byte(out), true, nil
		case c < 0x20:
			s.i = j
			return nil, false, errors.New("control character in string")
		}
	}
	s.i = len(s.b)
	return nil, false, errUnexpectedEnd
}

// scalar reads a string, number, true, false or null, returning its text
// (empty for null) and whether it was a number.
func (s *jscan) scalar() (string, bool, error) {
	switch c := s.peek(); {
	case c == '"':
		v, err := s.str()
		return v, false, err
	case c == '-' || '0' <= c && c <= '9':
		start := s.i
		for s.i < len(s.b) && strings.IndexByte("+-.0123456789eE", s.b[s.i]) >= 0 {
			s.i++
		}
		v := string(s.b[start:s.i])
		if !json.Valid([]byte(v)) {
			s.i = start
			return "", false, fmt.Errorf("bad number %q", v)
		}
		return v, true, nil
	case c == 'n' && bytes.HasPrefix(s.b[s.i:], []byte("null")):
		s.i += 4
		return "", false, nil
	case c == 't' && bytes.HasPrefix(s.b[s.i:], []byte("true")):
		s.i += 4
		return "true", false, nil
	case c == 'f' && bytes.HasPrefix(s.b[s.i:], []byte("false")):
		s.i += 5
		return "false", false, nil
	case c == 0:
		return "", false, errUnexpectedEnd
	}
	return "", false, fmt.Errorf("want a string or a number, got %q", s.peek())
}

// entry reads one entry object.
func (s *jscan) entry() (rawEntry, error) {
	var re rawEntry
	if s.next() != '{' {
		s.i--
		return re, errors.New("an entry must be an object")
	}
	s.ws()
	if s.peek() == '}' {
		s.i++
		return re, nil
	}
	var seen uint16
	for {
		s.ws()
		keyAt := s.i
		kb, _, err := s.strBytes()
		if err != nil {
			return re, err
		}
		if bit := rawEntryBit(kb); bit != 0 {
			if seen&bit != 0 {
				s.i = keyAt
				return re, fmt.Errorf("duplicate field %q", kb)
			}
			seen |= bit
		}
		s.ws()
		if s.next() != ':' {
			s.i--
			return re, errors.New("want ':'")
		}
		s.ws()
		if string(kb) == "kind" && s.peek() == '"' {
			// Intern the kind name: no allocation per entry.
			vb, _, err := s.strBytes()
			if err != nil {
				return re, err
			}
			if k, ok := kindByName[string(vb)]; ok {
				re.Kind = kindNames[k]
			} else {
				re.Kind = string(vb)
			}
		} else {
			valAt := s.i
			v, isNum, err := s.scalar()
			if err != nil {
				return re, err
			}
			if isNum && string(kb) != "reason" {
				s.i = valAt
				return re, fmt.Errorf("field %q: want a string", kb)
			}
			if err := re.set(kb, v); err != nil {
				s.i = keyAt
				return re, err
			}
		}
		s.ws()
		switch s.next() {
		case ',':
			continue
		case '}':
			return re, nil
		}
		s.i--
		return re, errors.New("want ',' or '}' in an entry")
	}
}

var kindByName = func() map[string]Kind {
	m := make(map[string]Kind, len(kindNames))
	for i, n := range kindNames {
		if Kind(i) != KindInvalid {
			m[n] = Kind(i)
		}
	}
	return m
}()

// rawEntryBit returns a bit of its own for each field of rawEntry, 0 for
// any other key: the JSON reader refuses a field given twice, as the YAML
// reader (strictyaml) does, since encoding/json and this scanner keep the
// last value where a reviewer reads the first ("value" twice lists another
// certificate than the one shown).
func rawEntryBit(key []byte) uint16 {
	for i, k := range rawEntryKeys {
		if string(key) == k {
			return 1 << i
		}
	}
	return 0
}

// rawEntryKeys are the JSON names of rawEntry's fields, as set reads them.
var rawEntryKeys = [...]string{"kind", "value", "issuer", "issuerDER", "chainTBS", "notBefore", "notAfter", "revokedAt", "reason", "note", "reference"}

// set assigns one field by its JSON name.
func (re *rawEntry) set(key []byte, v string) error {
	switch string(key) {
	case "kind":
		re.Kind = v
	case "value":
		re.Value = v
	case "issuer":
		re.Issuer = v
	case "issuerDER":
		re.IssuerDER = v
	case "chainTBS":
		re.ChainTBS = v
	case "notBefore":
		re.NotBefore = v
	case "notAfter":
		re.NotAfter = v
	case "revokedAt":
		re.RevokedAt = v
	case "reason":
		re.Reason = flexString(v)
	case "note":
		re.Note = v
	case "reference":
		re.Reference = v
	default:
		return fmt.Errorf("unknown field %q", key)
	}
	return nil
}

// lineCounter maps increasing byte offsets to 1-based lines in O(total).
type lineCounter struct {
	b    []byte
	off  int64
	line int
}

func (c *lineCounter) lineAt(off int64) int {
	if c.line == 0 {
		c.line = 1
	}
	if off > int64(len(c.b)) {
		off = int64(len(c.b))
	}
	if off < c.off {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.b[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}

// nativeYAML reads the YAML form, keeping each entry's line.
func (p *parser) nativeYAML(b []byte) error {
	root, err := p.parseYAML(b)
	if err != nil {
		return err
	}
	if root == nil {
		return p.errLine(1, "empty YAML document")
	}
	var seq *yaml.Node
	version := 0
	switch root.Kind {
	case yaml.SequenceNode:
		seq, version = root, nativeVersion
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "version":
				if err := v.Decode(&version); err != nil {
					return p.errLine(v.Line, "version: %v", err)
				}
				if version != nativeVersion {
					return p.errLine(v.Line, "unsupported version %d (this shipgate reads version %d)", version, nativeVersion)
				}
			case "entries":
				if v.Kind != yaml.SequenceNode {
					return p.errLine(v.Line, "\"entries\" must be a sequence")
				}
				seq = v
			case "$schema", "description":
			default:
				return p.errLine(k.Line, "unknown field %q", k.Value)
			}
		}
	default:
		return p.errLine(root.Line, "want a mapping with \"version\" and \"entries\"")
	}
	if version == 0 {
		return p.errLine(1, "missing \"version\"")
	}
	if seq == nil {
		return p.errLine(1, "missing \"entries\"")
	}
	for _, n := range seq.Content {
		if n.Kind != yaml.MappingNode {
			return p.errLine(n.Line, "an entry must be a mapping")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !rawEntryFields[n.Content[i].Value] {
				return p.errLine(n.Content[i].Line, "unknown field %q", n.Content[i].Value)
			}
			if v := n.Content[i+1]; v.Kind != yaml.ScalarNode {
				return p.errLine(v.Line, "field %q must be a scalar", n.Content[i].Value)
			}
		}
		var re rawEntry
		if err := strictyaml.Decode(n, &re, p.yamlOptions()); err != nil {
			return p.yamlError(err)
		}
		if err := p.addRaw(re, n.Line); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalYAML takes any scalar's text.
func (f *flexString) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a scalar", n.Line)
	}
	*f = flexString(n.Value)
	return nil
}

// parseYAML reads b with the strict YAML reader shared by every YAML input
// (one document, no anchors or aliases, no duplicate keys, the size cap
// checked first) and returns its root, nil for an empty document.
func (p *parser) parseYAML(b []byte) (*yaml.Node, error) {
	root, err := strictyaml.Parse(b, p.yamlOptions())
	if err != nil {
		return nil, p.yamlError(err)
	}
	return root, nil
}

func (p *parser) yamlOptions() strictyaml.Options {
	max := p.opts.MaxSize
	if max <= 0 {
		max = defaultMaxSize
	}
	return strictyaml.Options{Name: p.name, MaxSize: max}
}

// yamlError turns an error of the strict YAML reader into a ParseError at
// its line.
func (p *parser) yamlError(err error) error {
	var ye *strictyaml.Error
	if errors.As(err, &ye) {
		return &ParseError{Source: p.name, Format: p.format, Line: ye.Line, Offset: -1, Err: yamlReason{ye}}
	}
	return p.errLine(0, "%w", err)
}

// yamlReason prints a strict YAML error without the input's name and line,
// which its ParseError prints.
type yamlReason struct{ e *strictyaml.Error }

func (r yamlReason) Error() string { return "yaml: " + r.e.Reason }
func (r yamlReason) Unwrap() error { return r.e }

// addRaw converts and adds one native entry.
func (p *parser) addRaw(re rawEntry, line int) error {
	k, err := ParseKind(re.Kind)
	if err != nil {
		return p.errLine(line, "%w", err)
	}
	e := Entry{Kind: k, Value: re.Value, Issuer: re.Issuer, ChainTBS: re.ChainTBS, Note: re.Note, Reference: re.Reference}
	if re.IssuerDER != "" {
		der, err := base64.StdEncoding.DecodeString(re.IssuerDER)
		if err != nil {
			return p.errLine(line, "issuerDER: not base64: %v", err)
		}
		e.IssuerDER = der
	}
	if e.Reason, err = ParseReason(string(re.Reason)); err != nil {
		return p.errLine(line, "%w", err)
	}
	if e.NotBefore, err = parseTimeField("notBefore", re.NotBefore, false); err == nil {
		if e.NotAfter, err = parseTimeField("notAfter", re.NotAfter, true); err == nil {
			e.RevokedAt, err = parseTimeField("revokedAt", re.RevokedAt, false)
		}
	}
	if err != nil {
		return p.errLine(line, "%w", err)
	}
	return p.addAt(e, line, 0)
}

// parseTimeField parses an optional time field; "" gives nil.
func parseTimeField(name, s string, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := parseTime(s, end)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &t, nil
}

// parseTime reads RFC 3339 or a bare date (UTC). A bare date used as the end
// of a window means the end of that day, so "to 2023-03-29" includes it.
func parseTime(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time or a YYYY-MM-DD date, got %q", s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}
