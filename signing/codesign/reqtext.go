package codesign

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// maxReqTextSize bounds a requirement's text form.
const maxReqTextSize = 64 << 10

// CompileRequirement parses a requirement in Apple's text form (the
// language of csreq(1) and `codesign -R`), such as
//
//	anchor apple generic and certificate leaf[subject.OU] = "ABCDE12345"
//
// It accepts what String prints, with an optional "designated =>" prefix
// and C comments: always/true, never/false, identifier, cdhash H"…",
// platform = N, notarized, legacy, anchor apple [generic | name], anchor
// trusted, anchor = H"…", certificate|cert leaf|root|N followed by
// = H"…", trusted or [field] match, where field is subject.X, email,
// field.OID or policy.OID, info[key] match, entitlement[key] match, and
// !, and, or and parentheses. A match is empty or exists, absent,
// = value (with * before or after for suffix, prefix or substring), ~, <,
// >, <= or >= value. Date comparisons (timestamp.OID) are refused. Errors
// are *FormatError values whose Offset is the byte offset in text.
func CompileRequirement(text string) (*Requirement, error) {
	if len(text) > maxReqTextSize {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirement text: %d bytes, over the cap of %d", len(text), maxReqTextSize)}
	}
	p := &reqParser{src: text}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if p.peekWord("designated") && p.pos+1 < len(p.toks) && p.toks[p.pos+1].text == "=>" {
		p.pos += 2
	}
	root, err := p.expr(1)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t, "unexpected %q after the requirement", t.text)
	}
	// and/or chains nest to the left, one level per operator: the tree
	// must stay within the depth the binary parser (and Apple's
	// interpreter) accept.
	if d := treeDepth(root); d > maxReqDepth {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirement text: nested %d operators deep, more than %d", d, maxReqDepth)}
	}
	return &Requirement{root: root}, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokString
	tokHash
	tokHex
	tokPunct
)

type reqToken struct {
	kind tokKind
	text string // the word, punctuation, or decoded string
	data []byte // hash or hex bytes
	at   int
}

type reqParser struct {
	src  string
	toks []reqToken
	pos  int
	ops  int
}

func (p *reqParser) errAt(t reqToken, format string, args ...any) error {
	return &FormatError{Offset: int64(t.at), Reason: "requirement text: " + fmt.Sprintf(format, args...)}
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '-' }

// lex splits the text into tokens, skipping white space and C comments.
func (p *reqParser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		var err error
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return &FormatError{Offset: int64(i), Reason: "requirement text: unterminated comment"}
			}
			i += end + 4
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '"':
			i, err = p.lexString(i)
		case c == 'H' && i+1 < len(s) && s[i+1] == '"':
			i, err = p.lexHash(i)
		case c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X'):
			i, err = p.lexHex(i)
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			p.toks = append(p.toks, reqToken{kind: tokWord, text: s[i:j], at: i})
			i = j
		default:
			i, err = p.lexPunct(i)
		}
		if err != nil {
			return err
		}
	}
	p.toks = append(p.toks, reqToken{kind: tokEOF, text: "end of text", at: len(s)})
	return nil
}

// lexString reads the quoted string at i, with backslash escapes, and
// returns the offset after it.
func (p *reqParser) lexString(i int) (int, error) {
	s := p.src
	var b strings.Builder
	j := i + 1
	for ; j < len(s) && s[j] != '"'; j++ {
		if s[j] == '\\' && j+1 < len(s) {
			j++
		}
		b.WriteByte(s[j])
	}
	if j >= len(s) {
		return i, &FormatError{Offset: int64(i), Reason: "requirement text: unterminated string"}
	}
	p.toks = append(p.toks, reqToken{kind: tokString, text: b.String(), at: i})
	return j + 1, nil
}

// lexHash reads the H"…" hash at i and returns the offset after it.
func (p *reqParser) lexHash(i int) (int, error) {
	s := p.src
	end := strings.IndexByte(s[i+2:], '"')
	if end < 0 {
		return i, &FormatError{Offset: int64(i), Reason: "requirement text: unterminated hash"}
	}
	d, err := hex.DecodeString(s[i+2 : i+2+end])
	if err != nil {
		return i, &FormatError{Offset: int64(i), Reason: "requirement text: hash is not hex: " + err.Error()}
	}
	p.toks = append(p.toks, reqToken{kind: tokHash, text: s[i : i+3+end], data: d, at: i})
	return i + end + 3, nil
}

// lexHex reads the 0x constant at i and returns the offset after it.
func (p *reqParser) lexHex(i int) (int, error) {
	s := p.src
	j := i + 2
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	d, err := hex.DecodeString(s[i+2 : j])
	if err != nil {
		return i, &FormatError{Offset: int64(i), Reason: "requirement text: bad hex constant: " + err.Error()}
	}
	p.toks = append(p.toks, reqToken{kind: tokHex, text: s[i:j], data: d, at: i})
	return j, nil
}

// lexPunct reads the one- or two-character operator at i and returns the
// offset after it.
func (p *reqParser) lexPunct(i int) (int, error) {
	s, c := p.src, p.src[i]
	two := ""
	if i+1 < len(s) {
		two = s[i : i+2]
	}
	switch two {
	case "==", "<=", ">=", "=>":
		p.toks = append(p.toks, reqToken{kind: tokPunct, text: two, at: i})
		return i + 2, nil
	}
	if !strings.ContainsRune("()[]!=~<>*", rune(c)) {
		return i, &FormatError{Offset: int64(i), Reason: fmt.Sprintf("requirement text: unexpected character %q", c)}
	}
	p.toks = append(p.toks, reqToken{kind: tokPunct, text: string(c), at: i})
	return i + 1, nil
}

func (p *reqParser) peek() reqToken { return p.toks[p.pos] }
func (p *reqParser) next() reqToken {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}
func (p *reqParser) peekWord(w string) bool {
	t := p.peek()
	return t.kind == tokWord && t.text == w
}
func (p *reqParser) peekPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}
func (p *reqParser) acceptWord(w string) bool {
	if p.peekWord(w) {
		p.pos++
		return true
	}
	return false
}
func (p *reqParser) acceptPunct(s string) bool {
	if p.peekPunct(s) {
		p.pos++
		return true
	}
	return false
}
func (p *reqParser) expectPunct(s string) error {
	if !p.acceptPunct(s) {
		t := p.peek()
		return p.errAt(t, "expected %q, found %q", s, t.text)
	}
	return nil
}

func (p *reqParser) node(t reqToken, depth int, n *reqNode) (*reqNode, error) {
	if depth > maxReqDepth {
		return nil, p.errAt(t, "nested deeper than %d operators", maxReqDepth)
	}
	if p.ops++; p.ops > maxReqOps {
		return nil, p.errAt(t, "more than %d operators", maxReqOps)
	}
	return n, nil
}

// expr parses or-chains of and-chains, left-associative as csreq builds them.
func (p *reqParser) expr(depth int) (*reqNode, error) {
	left, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		t := p.next()
		right, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		if left, err = p.node(t, depth, &reqNode{op: opOr, kids: []*reqNode{left, right}}); err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *reqParser) and(depth int) (*reqNode, error) {
	left, err := p.primary(depth + 1)
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		t := p.next()
		right, err := p.primary(depth + 1)
		if err != nil {
			return nil, err
		}
		if left, err = p.node(t, depth, &reqNode{op: opAnd, kids: []*reqNode{left, right}}); err != nil {
			return nil, err
		}
	}
	return left, nil
}

// primary parses a negation, a parenthesised expression or a term.
func (p *reqParser) primary(depth int) (*reqNode, error) {
	t := p.next()
	if _, err := p.node(t, depth, nil); err != nil {
		return nil, err
	}
	if t.kind == tokPunct {
		switch t.text {
		case "!":
			k, err := p.primary(depth + 1)
			if err != nil {
				return nil, err
			}
			return &reqNode{op: opNot, kids: []*reqNode{k}}, nil
		case "(":
			e, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			return e, p.expectPunct(")")
		}
	}
	if t.kind != tokWord {
		return nil, p.errAt(t, "expected a requirement, found %q", t.text)
	}
	switch t.text {
	case "always", "true":
		return &reqNode{op: opTrue}, nil
	case "never", "false":
		return &reqNode{op: opFalse}, nil
	case "notarized":
		return &reqNode{op: opNotarized}, nil
	case "legacy":
		return &reqNode{op: opLegacyDevID}, nil
	case "identifier":
		p.acceptPunct("=")
		d, err := p.value()
		return &reqNode{op: opIdent, data: d}, err
	case "cdhash":
		p.acceptPunct("=")
		d, err := p.hash()
		return &reqNode{op: opCDHash, data: d}, err
	case "platform":
		return p.platform()
	case "anchor":
		return p.anchor()
	case "certificate", "cert":
		return p.certificate()
	case "info", "entitlement":
		return p.keyField(t.text)
	}
	return nil, p.errAt(t, "unknown requirement %q", t.text)
}

// platform parses what follows "platform": = number.
func (p *reqParser) platform() (*reqNode, error) {
	if err := p.expectPunct("="); err != nil {
		return nil, err
	}
	nt := p.next()
	v, err := strconv.ParseInt(nt.text, 10, 32)
	if nt.kind != tokWord || err != nil {
		return nil, p.errAt(nt, "platform wants a number, found %q", nt.text)
	}
	return &reqNode{op: opPlatform, num: uint32(int32(v))}, nil
}

// anchor parses what follows "anchor": apple [generic | name], trusted,
// or a certificate's tail for the anchor's slot.
func (p *reqParser) anchor() (*reqNode, error) {
	switch {
	case p.acceptWord("apple"):
		if p.acceptWord("generic") {
			return &reqNode{op: opAppleGenericAnchor}, nil
		}
		if nt := p.peek(); nt.kind == tokString || (nt.kind == tokWord && !reqKeywords[nt.text]) {
			d, err := p.value()
			return &reqNode{op: opNamedAnchor, data: d}, err
		}
		return &reqNode{op: opAppleAnchor}, nil
	case p.acceptWord("trusted"):
		return &reqNode{op: opTrustedCerts}, nil
	}
	return p.certTail(slotAnchorCert)
}

// certificate parses what follows "certificate": a slot (leaf, root,
// anchor or a number), then trusted or the certificate's tail.
func (p *reqParser) certificate() (*reqNode, error) {
	st := p.next()
	var slot int32
	switch {
	case st.kind == tokWord && st.text == "leaf":
		slot = slotLeafCert
	case st.kind == tokWord && (st.text == "root" || st.text == "anchor"):
		slot = slotAnchorCert
	default:
		v, err := strconv.ParseInt(st.text, 10, 32)
		if st.kind != tokWord || err != nil {
			return nil, p.errAt(st, "expected a certificate slot (leaf, root or a number), found %q", st.text)
		}
		slot = int32(v)
	}
	if p.acceptWord("trusted") {
		return &reqNode{op: opTrustedCert, slot: slot}, nil
	}
	return p.certTail(slot)
}

// keyField parses what follows "info" or "entitlement" (word): [key]
// match.
func (p *reqParser) keyField(word string) (*reqNode, error) {
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	key, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct("]"); err != nil {
		return nil, err
	}
	m, err := p.match()
	op := uint32(opInfoKeyField)
	if word == "entitlement" {
		op = opEntitlementField
	}
	return &reqNode{op: op, data: key, match: m}, err
}

// certTail parses what follows a certificate slot: = hash, or [field] match.
func (p *reqParser) certTail(slot int32) (*reqNode, error) {
	if p.acceptPunct("=") || p.peek().kind == tokHash {
		d, err := p.hash()
		return &reqNode{op: opAnchorHash, slot: slot, data: d}, err
	}
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	ft := p.peek()
	field, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct("]"); err != nil {
		return nil, err
	}
	n := &reqNode{op: opCertField, slot: slot, data: field}
	for prefix, op := range map[string]uint32{"field.": opCertGeneric, "policy.": opCertPolicy, "timestamp.": opCertFieldDate} {
		rest, ok := strings.CutPrefix(string(field), prefix)
		if !ok {
			continue
		}
		if op == opCertFieldDate {
			return nil, p.errAt(ft, "date comparisons (%s) are not supported", field)
		}
		arcs, err := parseOIDText(rest)
		if err != nil {
			return nil, p.errAt(ft, "%s: %v", field, err)
		}
		n.op, n.oid, n.data = op, arcs, encodeOID(arcs)
	}
	n.match, err = p.match()
	return n, err
}

func parseOIDText(s string) ([]uint64, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("an OID needs at least two arcs")
	}
	arcs := make([]uint64, len(parts))
	for i, part := range parts {
		v, err := strconv.ParseUint(part, 10, 56)
		if err != nil {
			return nil, fmt.Errorf("arc %q is not a number", part)
		}
		arcs[i] = v
	}
	if arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
		return nil, fmt.Errorf("OID %s does not start with a valid arc pair", s)
	}
	return arcs, nil
}

// match parses a match suffix; none means exists.
func (p *reqParser) match() (*reqMatch, error) {
	t := p.peek()
	switch {
	case t.kind == tokEOF, t.kind == tokWord && (t.text == "and" || t.text == "or"), t.kind == tokPunct && t.text == ")":
		return &reqMatch{op: matchExists}, nil
	case p.acceptWord("exists"):
		return &reqMatch{op: matchExists}, nil
	case p.acceptWord("absent"):
		return &reqMatch{op: matchAbsent}, nil
	case p.acceptPunct("=") || p.acceptPunct("=="):
		pre := p.acceptPunct("*")
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		post := p.acceptPunct("*")
		op := uint32(matchEqual)
		switch {
		case pre && post:
			op = matchContains
		case pre:
			op = matchEndsWith
		case post:
			op = matchBeginsWith
		}
		return &reqMatch{op: op, value: v}, nil
	}
	ops := map[string]uint32{"~": matchContains, "<": matchLessThan, ">": matchGreaterThan, "<=": matchLessEqual, ">=": matchGreaterEqual}
	if op, ok := ops[t.text]; ok && t.kind == tokPunct {
		p.pos++
		if nt := p.peek(); nt.kind == tokWord && nt.text == "timestamp" {
			return nil, p.errAt(nt, "date comparisons are not supported")
		}
		v, err := p.value()
		return &reqMatch{op: op, value: v}, err
	}
	return nil, p.errAt(t, "expected a match (exists, absent, = value…) or the end of the term, found %q", t.text)
}

// value parses a string, a bare word or a 0x constant.
func (p *reqParser) value() ([]byte, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return []byte(t.text), nil
	case tokHex:
		return t.data, nil
	case tokWord:
		if reqKeywords[t.text] {
			return nil, p.errAt(t, "%q is a keyword; quote it to use it as a value", t.text)
		}
		return []byte(t.text), nil
	}
	return nil, p.errAt(t, "expected a value, found %q", t.text)
}

func (p *reqParser) hash() ([]byte, error) {
	t := p.next()
	if t.kind != tokHash && t.kind != tokHex {
		return nil, p.errAt(t, `expected a hash (H"…"), found %q`, t.text)
	}
	if len(t.data) == 0 {
		return nil, p.errAt(t, "empty hash")
	}
	return t.data, nil
}

// treeDepth is the nesting depth of n's tree (1 for a leaf).
func treeDepth(n *reqNode) int {
	d := 0
	for _, k := range n.kids {
		d = max(d, treeDepth(k))
	}
	return d + 1
}
