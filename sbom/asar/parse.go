package asar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonBase is the offset of the JSON string in the archive.
const jsonBase = 16

// maxNesting caps JSON nesting inside values the parser skips, as
// encoding/json caps it.
const maxNesting = 10000

// parser turns the JSON header into entries in one pass over its bytes: a
// strict JSON scanner (the grammar encoding/json accepts) that sees
// duplicate names and applies the caps while it reads.
type parser struct {
	ar         *Reader
	b          []byte
	i          int
	entries    int
	maxEntries int
	maxDepth   int
	problems   []*EntryError
	// pathBytes totals the entries' paths, which repeat their parents'
	// names: deep nesting with long names makes them grow as depth × name
	// length, so they are capped in proportion to the header.
	pathBytes int64
}

// pathBytesPerHeaderByte caps the total length of the entries' paths per
// byte of JSON header (plus 1 MiB). An entry takes at least about 20 header
// bytes and real paths stay below a few hundred bytes, so real archives
// stay far below it; a hostile one cannot make 1 MB of header cost more
// than about 33 MB of paths.
const pathBytesPerHeaderByte = 32

func (p *parser) off() int64 { return jsonBase + int64(p.i) }

func (p *parser) fail(reason string) error {
	return &FormatError{Offset: p.off(), Reason: "JSON header: " + reason}
}

func (p *parser) problem(path string, off int64, err error, detail string) *EntryError {
	ee := &EntryError{Path: path, Offset: off, Err: err, Detail: detail}
	p.problems = append(p.problems, ee)
	return ee
}

// atEnd skips white space and reports whether the input is used up.
func (p *parser) atEnd() bool {
	p.ws()
	return p.i >= len(p.b)
}

// ws skips white space and returns the next byte, or 0 at the end (a NUL
// byte in the input also reads as 0: check atEnd where it matters).
func (p *parser) ws() byte {
	for p.i < len(p.b) {
		switch c := p.b[p.i]; c {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return c
		}
	}
	return 0
}

func (p *parser) expect(c byte) error {
	if p.ws() != c {
		if p.i >= len(p.b) {
			return p.fail("unexpected end of JSON input")
		}
		return p.fail(fmt.Sprintf("invalid character %q, want %q", p.b[p.i], c))
	}
	p.i++
	return nil
}

// more reports whether an object or array continues after a member: it
// consumes the ',' and reports true, or consumes the closing byte and
// reports false. first is set for the first member.
func (p *parser) more(close byte, first bool) (bool, error) {
	c := p.ws()
	if c == close {
		p.i++
		return false, nil
	}
	if !first {
		if c != ',' {
			if p.i >= len(p.b) {
				return false, p.fail("unexpected end of JSON input")
			}
			return false, p.fail(fmt.Sprintf("invalid character %q after a value", c))
		}
		p.i++
		p.ws()
	}
	return true, nil
}

// member reads the start of the next member of an object whose '{' was
// consumed: its key and the ':' after it. ok is false once the closing '}'
// has been consumed.
func (p *parser) member(first bool) (key string, ok bool, err error) {
	if ok, err = p.more('}', first); err != nil || !ok {
		return "", false, err
	}
	if key, err = p.str(); err != nil {
		return "", false, err
	}
	if err = p.expect(':'); err != nil {
		return "", false, err
	}
	return key, true, nil
}

// str reads a string at the current position (after white space), decoding
// escapes and replacing invalid UTF-8 with U+FFFD as encoding/json does.
func (p *parser) str() (string, error) { return p.strLike("") }

// strLike is str, returning same (not a copy) when the string equals it,
// and the header's names and the algorithm's as constants: an entry's
// only string of its own is then its name and its hash (its one block's
// hash is the hash's when they are the same).
func (p *parser) strLike(same string) (string, error) {
	if p.ws() != '"' {
		return "", p.fail("want a string")
	}
	p.i++
	start := p.i
	// Fast path: printable ASCII without escapes.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			b := p.b[start:p.i]
			p.i++
			if len(same) > 0 && string(b) == same {
				return same, nil
			}
			return headerString(b), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		p.i++
	}
	out := []byte(nil)
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return "", p.fail("unexpected end of JSON input")
			}
			e := p.b[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.fail("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						if v, ok := p.hex4(); ok {
							r2 = v
						} else {
							return "", p.fail("invalid \\u escape")
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							continue
						}
						p.i = save // not a pair: the second escape stands alone
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", p.fail(fmt.Sprintf("invalid escape \\%c", e))
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, p.b[p.i:p.i+size]...)
			}
			p.i += size
		}
	}
	return "", p.fail("unexpected end of JSON input")
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 16)
	if err != nil || strings.ContainsAny(string(p.b[p.i:p.i+4]), "+-") {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

// num reads a number (JSON grammar) and returns its text.
func (p *parser) num() (string, error) {
	b, err := p.numBytes()
	return string(b), err
}

// numBytes is num returning the number's bytes in the header, not a copy.
func (p *parser) numBytes() ([]byte, error) {
	start := p.i
	b := p.b
	digits := func() int {
		n := 0
		for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(b) && b[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, p.fail("invalid number")
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	return b[start:p.i], nil
}

// literal reads true, false or null.
func (p *parser) literal() (string, error) {
	for _, l := range []string{"true", "false", "null"} {
		if strings.HasPrefix(string(p.b[p.i:min(p.i+5, len(p.b))]), l) {
			p.i += len(l)
			return l, nil
		}
	}
	return "", p.fail(fmt.Sprintf("invalid character %q looking for a value", p.b[p.i]))
}

// skip consumes one value of any kind.
func (p *parser) skip(nesting int) error {
	if nesting > maxNesting {
		return p.fail("nested too deeply")
	}
	switch c := p.ws(); {
	case c == '{':
		p.i++
		for first := true; ; first = false {
			_, ok, err := p.member(first)
			if err != nil || !ok {
				return err
			}
			if err := p.skip(nesting + 1); err != nil {
				return err
			}
		}
	case c == '[':
		p.i++
		for first := true; ; first = false {
			ok, err := p.more(']', first)
			if err != nil || !ok {
				return err
			}
			if err := p.skip(nesting + 1); err != nil {
				return err
			}
		}
	case c == '"':
		_, err := p.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := p.num()
		return err
	case p.i >= len(p.b):
		return p.fail("unexpected end of JSON input")
	default:
		_, err := p.literal()
		return err
	}
}

func (p *parser) parse(header []byte) (*Entry, error) {
	p.b = header
	// Chromium's JSON reader, which Electron parses the header with,
	// skips a UTF-8 byte order mark.
	if len(header) >= 3 && string(header[:3]) == "\xef\xbb\xbf" {
		p.i = 3
	}
	if p.ws() != '{' {
		if p.i >= len(p.b) {
			return nil, p.fail("unexpected end of JSON input")
		}
		return nil, &FormatError{Offset: p.off(), Reason: "JSON header is not an object"}
	}
	p.i++
	root := &Entry{Path: ".", Name: ".", Kind: KindDir, Offset: -1, headerOff: jsonBase}
	if err := p.entryBody(root, 0); err != nil {
		return nil, err
	}
	if root.err != nil || root.Kind != KindDir {
		return nil, &FormatError{Offset: jsonBase, Reason: "JSON header root is not a directory"}
	}
	if !p.atEnd() {
		return nil, &FormatError{Offset: p.off(), Reason: "trailing data after the JSON header"}
	}
	return root, nil
}

// entryBody parses the members of an entry object whose '{' was consumed.
func (p *parser) entryBody(e *Entry, depth int) error {
	var k entryKeys
	for first := true; ; first = false {
		key, ok, err := p.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if bit := keyBit(key); k.seen&bit != 0 {
			k.bad = append(k.bad, "duplicate key "+strconv.Quote(key))
		} else {
			k.seen |= bit
		}
		if err := p.entryMember(e, &k, key, depth); err != nil {
			return err
		}
	}
	k.classify(e)
	if len(k.bad) > 0 && e.err == nil {
		e.err = p.problem(e.Path, e.headerOff, ErrMalformedEntry, strings.Join(k.bad, "; "))
	}
	return nil
}

// entryKeys is what the members of an entry's object said: which keys it
// has, and what was wrong with them.
type entryKeys struct {
	seen                         uint8
	hasFiles, hasSize, hasOffset bool
	hasLink, badType             bool
	bad                          []string
}

// skipBad records why the value at hand is refused and skips it.
func (k *entryKeys) skipBad(p *parser, depth int, why string) error {
	k.bad = append(k.bad, why)
	return p.skip(depth)
}

// entryMember parses the value of e's member key, whose name was consumed.
func (p *parser) entryMember(e *Entry, k *entryKeys, key string, depth int) error {
	valOff := p.off()
	c := p.ws()
	switch key {
	case "files":
		k.hasFiles = true
		return p.entryFiles(e, k, c, valOff, depth)
	case "size":
		k.hasSize = true
		return p.entrySize(e, k, c, depth)
	case "offset", "link":
		if key == "offset" {
			k.hasOffset = true
		} else {
			k.hasLink = true
		}
		return p.entryString(e, k, key, c, depth)
	case "executable", "unpacked":
		return p.entryBool(e, k, key, c, depth)
	case "integrity":
		in, msg, err := p.integrity(depth, &e.integ)
		if err != nil {
			return err
		}
		if msg != "" {
			// The bytes stay readable; VerifyFile fails on them.
			p.problem(e.Path, valOff, ErrIntegrity, msg)
		}
		e.Integrity = in
		return nil
	default:
		return p.skip(depth)
	}
}

// entryFiles parses a directory's "files" object, whose first character
// is c, at offset valOff.
func (p *parser) entryFiles(e *Entry, k *entryKeys, c byte, valOff int64, depth int) error {
	if depth >= p.maxDepth {
		p.problem(e.Path, valOff, ErrTooDeep, fmt.Sprintf("more than %d levels", p.maxDepth))
		if err := p.skip(depth); err != nil {
			return err
		}
		e.err = ErrTooDeep
		return nil
	}
	if c != '{' {
		k.badType = true
		return k.skipBad(p, depth, `"files" is not an object`)
	}
	p.i++
	return p.dir(e, depth)
}

// entrySize parses a file's "size", a JSON integer in [0, 2^53].
func (p *parser) entrySize(e *Entry, k *entryKeys, c byte, depth int) error {
	const bad = `"size" is not an integer in [0, 2^53]`
	if c != '-' && (c < '0' || c > '9') {
		return k.skipBad(p, depth, bad)
	}
	n, err := p.numBytes()
	if err != nil {
		return err
	}
	v, perr := strconv.ParseInt(string(n), 10, 64) // no copy: n does not escape
	if perr != nil || v < 0 || v > 1<<53 {
		k.bad = append(k.bad, bad)
		return nil
	}
	e.Size = v
	return nil
}

// entryString parses a link's "link" or a file's "offset" (a decimal
// string).
func (p *parser) entryString(e *Entry, k *entryKeys, key string, c byte, depth int) error {
	if c != '"' {
		return k.skipBad(p, depth, strconv.Quote(key)+" is not a string")
	}
	if key == "offset" {
		// Most offsets are plain digits: parsed in place, not copied.
		if v, ok := p.digitString(); ok {
			e.Offset = v
			return nil
		}
	}
	s, err := p.str()
	if err != nil {
		return err
	}
	if key == "link" {
		e.Link = s
		return nil
	}
	v, perr := strconv.ParseUint(s, 10, 63)
	if perr != nil || s == "" || strings.TrimLeft(s, "0123456789") != "" {
		k.bad = append(k.bad, `"offset" is not a decimal string`)
		return nil
	}
	e.Offset = int64(v)
	return nil
}

// digitString reads, when the string at p.i (its '"') is one to 19 decimal
// digits of a value below 2^63, that value; else it reads nothing and
// reports false.
func (p *parser) digitString() (int64, bool) {
	i := p.i + 1
	for i < len(p.b) && p.b[i] >= '0' && p.b[i] <= '9' {
		i++
	}
	if i == p.i+1 || i >= len(p.b) || p.b[i] != '"' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.b[p.i+1:i]), 10, 63)
	if err != nil {
		return 0, false
	}
	p.i = i + 1
	return int64(v), true
}

// entryBool parses a file's "executable" or "unpacked", a JSON boolean.
func (p *parser) entryBool(e *Entry, k *entryKeys, key string, c byte, depth int) error {
	if c != 't' && c != 'f' {
		return k.skipBad(p, depth, strconv.Quote(key)+" is not a boolean")
	}
	l, err := p.literal()
	if err != nil {
		return err
	}
	if l == "null" {
		k.bad = append(k.bad, strconv.Quote(key)+" is not a boolean")
		return nil
	}
	if key == "executable" {
		e.Executable = l == "true"
	} else {
		e.Unpacked = l == "true"
	}
	return nil
}

// classify gives e its kind from the keys it has: a directory has only
// "files", a link only "link", a file "size" (and "offset" unless
// unpacked). Anything else is malformed.
func (k *entryKeys) classify(e *Entry) {
	switch {
	case k.hasFiles && !k.hasLink && !k.hasSize && !k.hasOffset:
		e.Kind = KindDir
		e.Offset = -1
	case k.hasLink && !k.hasFiles && !k.hasSize && !k.hasOffset:
		e.Kind = KindLink
		e.Offset = -1
		if len(k.bad) == 0 {
			c, err := cleanLinkTarget(e.Link)
			if err != nil {
				e.linkErr = err
			} else {
				e.Link = c
			}
		}
	case k.hasSize && !k.hasFiles && !k.hasLink:
		e.Kind = KindFile
		if e.Unpacked {
			e.Offset = -1
		} else if !k.hasOffset {
			k.bad = append(k.bad, `packed file has no "offset"`)
		}
	default:
		e.Kind = KindFile
		if !k.badType {
			k.bad = append(k.bad, "not exactly one of a directory, a file or a link")
		}
	}
}

// headerString is string(b), without a copy for the names a header's
// entries use and the one algorithm.
func headerString(b []byte) string {
	switch string(b) {
	case "files":
		return "files"
	case "size":
		return "size"
	case "offset":
		return "offset"
	case "integrity":
		return "integrity"
	case "algorithm":
		return "algorithm"
	case "hash":
		return "hash"
	case "blockSize":
		return "blockSize"
	case "blocks":
		return "blocks"
	case "unpacked":
		return "unpacked"
	case "executable":
		return "executable"
	case "link":
		return "link"
	case "SHA256":
		return "SHA256"
	}
	return string(b)
}

// dir parses the members of e's "files" object, whose '{' was consumed.
func (p *parser) dir(e *Entry, depth int) error {
	var index map[string]int // made once the folder is large (childIndex)
	for first := true; ; first = false {
		ok, err := p.more('}', first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		name, childPath, err := p.childName(e.Path)
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		off := p.off()
		p.entries++
		if p.entries > p.maxEntries {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("more than %d entries", p.maxEntries)}
		}
		p.pathBytes += int64(len(childPath))
		if limit := pathBytesPerHeaderByte*int64(len(p.b)) + 1<<20; p.pathBytes > limit {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("entry paths total more than %d bytes (%d per header byte): directories too deep for their names", limit, pathBytesPerHeaderByte)}
		}
		c := &Entry{Path: childPath, Name: name, Offset: -1, headerOff: off}
		safe := safeName(name)
		if !safe {
			c.Path = e.Path + "/" + strconv.Quote(name)
			if e.Path == "." {
				c.Path = strconv.Quote(name)
			}
		}
		if p.ws() != '{' {
			if err := p.skip(depth); err != nil {
				return err
			}
			c.Kind = KindFile
			c.err = p.problem(c.Path, off, ErrMalformedEntry, "entry is not an object")
		} else {
			p.i++
			if err := p.entryBody(c, depth+1); err != nil {
				return err
			}
		}
		if !safe {
			p.problem(c.Path, off, ErrInsecurePath, "entry left out")
			continue
		}
		var i int
		if index, i = childIndex(e.children, index, name); i >= 0 {
			p.problem(c.Path, off, ErrDuplicate, fmt.Sprintf("first at byte 0x%x; the last one is used", e.children[i].headerOff))
			e.children[i] = c
			continue
		}
		if index != nil {
			index[name] = len(e.children)
		}
		e.children = append(e.children, c)
	}
	// Writers list a folder's entries sorted, most often.
	byName := func(a, b *Entry) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(e.children, byName) {
		slices.SortFunc(e.children, byName)
	}
	return nil
}

// smallDir is the number of a folder's entries looked through one by one
// for a name met before; a larger folder's are indexed by name.
const smallDir = 16

// childIndex returns the position of the entry named name among children
// (the names are distinct), or -1, and index, the positions by name of a
// folder of more than smallDir entries (made here when the folder reaches
// that size), to which the caller adds its next entry.
func childIndex(children []*Entry, index map[string]int, name string) (map[string]int, int) {
	if index == nil && len(children) < smallDir {
		for i, c := range children {
			if c.Name == name {
				return nil, i
			}
		}
		return nil, -1
	}
	if index == nil {
		index = make(map[string]int, len(children)+smallDir/2)
		for i, c := range children {
			index[c.Name] = i
		}
	}
	if i, ok := index[name]; ok {
		return index, i
	}
	return index, -1
}

// childName reads the name of an entry of the directory at dir (as str
// does) and returns it with the entry's path, dir/name (name at the root
// "."). A name of printable ASCII without escapes is the path's suffix, so
// that the two take one allocation.
func (p *parser) childName(dir string) (name, path string, err error) {
	if dir != "." && p.ws() == '"' {
		for i := p.i + 1; i < len(p.b); i++ {
			c := p.b[i]
			if c == '"' {
				path = dir + "/" + string(p.b[p.i+1:i])
				p.i = i + 1
				return path[len(dir)+1:], path, nil
			}
			if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
				break
			}
		}
	}
	if name, err = p.str(); err != nil {
		return "", "", err
	}
	if dir == "." {
		return name, name, nil
	}
	return name, dir + "/" + name, nil
}

// integrity parses an integrity object into a (the entry's: no
// allocation for the integrity and its first block); msg says what is
// wrong with it.
func (p *parser) integrity(depth int, a *integrityAlloc) (*Integrity, string, error) {
	*a = integrityAlloc{} // a repeated "integrity" replaces the earlier one
	if p.ws() != '{' {
		return &a.in, `"integrity" is not an object`, p.skip(depth)
	}
	p.i++
	in := &a.in
	var msgs []string
	for first := true; ; first = false {
		key, ok, err := p.member(first)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			break
		}
		c := p.ws()
		switch key {
		case "algorithm":
			msgs, err = p.integrityString(depth, c, key, &in.Algorithm, msgs)
		case "hash":
			msgs, err = p.integrityString(depth, c, key, &in.Hash, msgs)
		case "blockSize":
			msgs, err = p.integrityBlockSize(depth, c, &in.BlockSize, msgs)
		case "blocks":
			msgs, err = p.integrityBlocks(depth, c, in, a.one[:0], msgs)
		default:
			err = p.skip(depth)
		}
		if err != nil {
			return nil, "", err
		}
	}
	if in.BlockSize <= 0 && len(msgs) == 0 {
		msgs = append(msgs, "integrity blockSize is not a positive integer")
	}
	return in, strings.Join(msgs, "; "), nil
}

// skipWrong appends msg, what is wrong with the value that starts at p.i,
// to msgs, and skips the value.
func (p *parser) skipWrong(depth int, msg string, msgs []string) ([]string, error) {
	msgs = append(msgs, msg)
	return msgs, p.skip(depth)
}

// integrityString parses the value of the integrity's member key, which
// starts with c, into s, and appends to msgs what is wrong with it.
func (p *parser) integrityString(depth int, c byte, key string, s *string, msgs []string) ([]string, error) {
	if c != '"' {
		return p.skipWrong(depth, "integrity "+key+" has the wrong type", msgs)
	}
	v, err := p.str()
	if err != nil {
		return msgs, err
	}
	*s = v
	return msgs, nil
}

// integrityBlockSize parses the value of the integrity's blockSize, which
// starts with c, into size, and appends to msgs what is wrong with it.
func (p *parser) integrityBlockSize(depth int, c byte, size *int64, msgs []string) ([]string, error) {
	if c != '-' && (c < '0' || c > '9') {
		return p.skipWrong(depth, "integrity blockSize has the wrong type", msgs)
	}
	n, err := p.num()
	if err != nil {
		return msgs, err
	}
	v, perr := strconv.ParseInt(n, 10, 64)
	if perr != nil || v <= 0 {
		return append(msgs, "integrity blockSize is not a positive integer"), nil
	}
	*size = v
	return msgs, nil
}

// integrityBlocks parses the value of the integrity's blocks, which
// starts with c, into in.Blocks, from the spare slice of one block, and
// appends to msgs what is wrong with it. A repeated "blocks" replaces the
// earlier one, as JSON.parse does.
func (p *parser) integrityBlocks(depth int, c byte, in *Integrity, spare []string, msgs []string) ([]string, error) {
	if c != '[' {
		return p.skipWrong(depth, "integrity blocks has the wrong type", msgs)
	}
	p.i++
	in.Blocks = nil
	for first := true; ; first = false {
		ok, err := p.more(']', first)
		if err != nil {
			return msgs, err
		}
		if !ok {
			break
		}
		if p.ws() != '"' {
			if msgs, err = p.skipWrong(depth, "integrity block is not a string", msgs); err != nil {
				return msgs, err
			}
			continue
		}
		s, err := p.strLike(in.Hash)
		if err != nil {
			return msgs, err
		}
		if in.Blocks == nil {
			in.Blocks = spare
		}
		in.Blocks = append(in.Blocks, s)
	}
	return msgs, nil
}
