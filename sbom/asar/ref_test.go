package asar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// parser turns the JSON header into entries with a token decoder, so that
// duplicate names are seen and caps apply while decoding.
type refParser struct {
	ar         *Reader
	dec        *json.Decoder
	entries    int
	maxEntries int
	maxDepth   int
	problems   []*EntryError
}

func (p *refParser) off() int64 { return jsonBase + p.dec.InputOffset() }

func (p *refParser) fail(reason string) error {
	return &FormatError{Offset: p.off(), Reason: reason}
}

func (p *refParser) problem(path string, off int64, err error, detail string) *EntryError {
	ee := &EntryError{Path: path, Offset: off, Err: err, Detail: detail}
	p.problems = append(p.problems, ee)
	return ee
}

func (p *refParser) token() (json.Token, error) {
	t, err := p.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, p.fail("JSON header: " + err.Error())
	}
	return t, nil
}

func (p *refParser) parse(header []byte) (*Entry, error) {
	p.dec = json.NewDecoder(bytes.NewReader(header))
	p.dec.UseNumber()
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, p.fail("JSON header is not an object")
	}
	root := &Entry{Path: ".", Name: ".", Kind: KindDir, Offset: -1, headerOff: jsonBase}
	if err := p.entryBody(root, 0); err != nil {
		return nil, err
	}
	if root.err != nil || root.Kind != KindDir {
		return nil, &FormatError{Offset: jsonBase, Reason: "JSON header root is not a directory"}
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.fail("trailing data after the JSON header")
	}
	return root, nil
}

// entryBody parses the members of an entry object whose '{' was consumed.
func (p *refParser) entryBody(e *Entry, depth int) error {
	var (
		seen                         uint8
		hasFiles, hasSize, hasOffset bool
		hasLink, badType             bool
		bad                          []string
	)
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if bit := keyBit(key); seen&bit != 0 {
			bad = append(bad, "duplicate key "+strconv.Quote(key))
		} else {
			seen |= bit
		}
		valOff := p.off()
		switch key {
		case "files":
			hasFiles = true
			if depth >= p.maxDepth {
				p.problem(e.Path, valOff, ErrTooDeep, fmt.Sprintf("more than %d levels", p.maxDepth))
				if err := p.skip(); err != nil {
					return err
				}
				e.err = ErrTooDeep
				continue
			}
			ok, err := p.dir(e, depth)
			if err != nil {
				return err
			}
			if !ok {
				badType = true
				bad = append(bad, `"files" is not an object`)
			}
		case "size":
			v, ok, err := p.number()
			if err != nil {
				return err
			}
			hasSize = true
			if !ok || v < 0 || v > 1<<53 {
				bad = append(bad, `"size" is not an integer in [0, 2^53]`)
				continue
			}
			e.Size = v
		case "offset":
			s, ok, err := p.str()
			if err != nil {
				return err
			}
			hasOffset = true
			v, perr := strconv.ParseUint(s, 10, 63)
			if !ok || perr != nil || s == "" || strings.TrimLeft(s, "0123456789") != "" {
				bad = append(bad, `"offset" is not a decimal string`)
				continue
			}
			e.Offset = int64(v)
		case "executable", "unpacked":
			v, ok, err := p.boolean()
			if err != nil {
				return err
			}
			if !ok {
				bad = append(bad, strconv.Quote(key)+" is not a boolean")
				continue
			}
			if key == "executable" {
				e.Executable = v
			} else {
				e.Unpacked = v
			}
		case "link":
			s, ok, err := p.str()
			if err != nil {
				return err
			}
			hasLink = true
			if !ok {
				bad = append(bad, `"link" is not a string`)
				continue
			}
			e.Link = s
		case "integrity":
			in, msg, err := p.integrity()
			if err != nil {
				return err
			}
			if msg != "" {
				// The bytes stay readable; VerifyFile fails on them.
				p.problem(e.Path, valOff, ErrIntegrity, msg)
			}
			e.Integrity = in
		default:
			if err := p.skip(); err != nil {
				return err
			}
		}
	}
	if t, err := p.token(); err != nil {
		return err
	} else if t != json.Delim('}') {
		return p.fail("JSON header: unterminated object")
	}
	switch {
	case hasFiles && !hasLink && !hasSize && !hasOffset:
		e.Kind = KindDir
		e.Offset = -1
	case hasLink && !hasFiles && !hasSize && !hasOffset:
		e.Kind = KindLink
		e.Offset = -1
		if len(bad) == 0 {
			c, err := cleanLinkTarget(e.Link)
			if err != nil {
				e.linkErr = err
			} else {
				e.Link = c
			}
		}
	case hasSize && !hasFiles && !hasLink:
		e.Kind = KindFile
		if e.Unpacked {
			e.Offset = -1
		} else if !hasOffset {
			bad = append(bad, `packed file has no "offset"`)
		}
	default:
		e.Kind = KindFile
		if !badType {
			bad = append(bad, "not exactly one of a directory, a file or a link")
		}
	}
	if len(bad) > 0 && e.err == nil {
		e.err = p.problem(e.Path, e.headerOff, ErrMalformedEntry, strings.Join(bad, "; "))
	}
	return nil
}

// dir parses the "files" object of e. It reports false when the value is
// not an object (and skips it).
func (p *refParser) dir(e *Entry, depth int) (bool, error) {
	t, err := p.token()
	if err != nil {
		return false, err
	}
	if t != json.Delim('{') {
		return false, p.skipFrom(t)
	}
	index := map[string]int{}
	for p.dec.More() {
		t, err := p.token()
		if err != nil {
			return false, err
		}
		name, _ := t.(string)
		off := p.off()
		p.entries++
		if p.entries > p.maxEntries {
			return false, p.fail(fmt.Sprintf("more than %d entries", p.maxEntries))
		}
		childPath := name
		if e.Path != "." {
			childPath = e.Path + "/" + name
		}
		c := &Entry{Path: childPath, Name: name, Offset: -1, headerOff: off}
		safe := safeName(name)
		if !safe {
			c.Path = e.Path + "/" + strconv.Quote(name)
			if e.Path == "." {
				c.Path = strconv.Quote(name)
			}
		}
		vt, err := p.token()
		if err != nil {
			return false, err
		}
		if vt != json.Delim('{') {
			if err := p.skipFrom(vt); err != nil {
				return false, err
			}
			c.Kind = KindFile
			c.err = p.problem(c.Path, off, ErrMalformedEntry, "entry is not an object")
		} else if err := p.entryBody(c, depth+1); err != nil {
			return false, err
		}
		if !safe {
			p.problem(c.Path, off, ErrInsecurePath, "entry left out")
			continue
		}
		if i, dup := index[name]; dup {
			p.problem(c.Path, off, ErrDuplicate, fmt.Sprintf("first at byte 0x%x; the last one is used", e.children[i].headerOff))
			e.children[i] = c
			continue
		}
		index[name] = len(e.children)
		e.children = append(e.children, c)
	}
	if _, err := p.token(); err != nil { // '}'
		return false, err
	}
	sort.Slice(e.children, func(i, j int) bool { return e.children[i].Name < e.children[j].Name })
	return true, nil
}

func (p *refParser) number() (int64, bool, error) {
	t, err := p.token()
	if err != nil {
		return 0, false, err
	}
	n, ok := t.(json.Number)
	if !ok {
		return 0, false, p.skipFrom(t)
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	return v, err == nil, nil
}

func (p *refParser) str() (string, bool, error) {
	t, err := p.token()
	if err != nil {
		return "", false, err
	}
	s, ok := t.(string)
	if !ok {
		return "", false, p.skipFrom(t)
	}
	return s, true, nil
}

func (p *refParser) boolean() (bool, bool, error) {
	t, err := p.token()
	if err != nil {
		return false, false, err
	}
	b, ok := t.(bool)
	if !ok {
		return false, false, p.skipFrom(t)
	}
	return b, true, nil
}

// integrity parses an integrity object from tokens; msg says what is wrong
// with it. Keys are compared exactly, as JSON.parse does ("Algorithm" is not
// "algorithm"), and a repeated key replaces the earlier value.
func (p *refParser) integrity() (*Integrity, string, error) {
	t, err := p.token()
	if err != nil {
		return nil, "", err
	}
	if t != json.Delim('{') {
		return &Integrity{}, `"integrity" is not an object`, p.skipFrom(t)
	}
	in := &Integrity{}
	var msgs []string
	for p.dec.More() {
		kt, err := p.token()
		if err != nil {
			return nil, "", err
		}
		key, _ := kt.(string)
		switch key {
		case "algorithm", "hash":
			s, ok, err := p.str()
			if err != nil {
				return nil, "", err
			}
			if !ok {
				msgs = append(msgs, "integrity "+key+" has the wrong type")
				continue
			}
			if key == "algorithm" {
				in.Algorithm = s
			} else {
				in.Hash = s
			}
		case "blockSize":
			t, err := p.token()
			if err != nil {
				return nil, "", err
			}
			n, isNum := t.(json.Number)
			if !isNum {
				msgs = append(msgs, "integrity blockSize has the wrong type")
				if err := p.skipFrom(t); err != nil {
					return nil, "", err
				}
				continue
			}
			v, perr := strconv.ParseInt(string(n), 10, 64)
			if perr != nil || v <= 0 {
				msgs = append(msgs, "integrity blockSize is not a positive integer")
				continue
			}
			in.BlockSize = v
		case "blocks":
			t, err := p.token()
			if err != nil {
				return nil, "", err
			}
			if t != json.Delim('[') {
				msgs = append(msgs, "integrity blocks has the wrong type")
				if err := p.skipFrom(t); err != nil {
					return nil, "", err
				}
				continue
			}
			in.Blocks = nil
			for p.dec.More() {
				s, ok, err := p.str()
				if err != nil {
					return nil, "", err
				}
				if !ok {
					msgs = append(msgs, "integrity block is not a string")
					continue
				}
				in.Blocks = append(in.Blocks, s)
			}
			if _, err := p.token(); err != nil { // ']'
				return nil, "", err
			}
		default:
			if err := p.skip(); err != nil {
				return nil, "", err
			}
		}
	}
	if _, err := p.token(); err != nil { // '}'
		return nil, "", err
	}
	if in.BlockSize <= 0 && len(msgs) == 0 {
		msgs = append(msgs, "integrity blockSize is not a positive integer")
	}
	return in, strings.Join(msgs, "; "), nil
}

// skip consumes one value.
func (p *refParser) skip() error {
	t, err := p.token()
	if err != nil {
		return err
	}
	return p.skipFrom(t)
}

// skipFrom consumes the rest of a value whose first token was t, without
// recursion.
func (p *refParser) skipFrom(t json.Token) error {
	d, ok := t.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}
