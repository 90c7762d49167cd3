package codesign

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Code requirements (Security framework, requirement.h): a Requirements
// blob (0xfade0c01) indexes Requirement blobs (0xfade0c00) by type; each
// Requirement holds a kind (1, the expression form) and an expression in
// Polish notation. Every item is a 4-byte big-endian word: an opcode whose
// high byte holds flags, then its operands; data operands are a 4-byte
// length and the bytes, padded with zeros to a multiple of 4. Certificate
// slots are signed words: 0 the leaf, -1 the anchor, n > 0 the nth
// certificate up from the leaf.
//
// The parser and the printer are written here rather than taken from
// go-macho, whose requirement decoder prints several operators wrongly and
// does not bound its input; the semantics follow Apple's reqinterp.cpp and
// the text form its reqdumper.cpp, so that String prints what
// `codesign -d -r-` prints.
const (
	magicRequirement = 0xfade0c00

	// reqKindExpr is the only requirement kind evaluated: the opcode
	// expression form. Kind 2 (lightweight code requirements, DER) is
	// reported as not understood.
	reqKindExpr = 1
	// reqKindLWCR is a lightweight code requirement (a DER dictionary, as
	// launch constraints use): recognised, not evaluated.
	reqKindLWCR = 2

	// reqTypeDesignated is the designated requirement's type in a
	// Requirements blob; the others are host (1), guest (2), library (4)
	// and plugin (5).
	reqTypeDesignated = 3
)

// Opcodes (ExprOp) and their flag bits.
const (
	opFalse              = 0
	opTrue               = 1
	opIdent              = 2
	opAppleAnchor        = 3
	opAnchorHash         = 4
	opInfoKeyValue       = 5
	opAnd                = 6
	opOr                 = 7
	opCDHash             = 8
	opNot                = 9
	opInfoKeyField       = 10
	opCertField          = 11
	opTrustedCert        = 12
	opTrustedCerts       = 13
	opCertGeneric        = 14
	opAppleGenericAnchor = 15
	opEntitlementField   = 16
	opCertPolicy         = 17
	opNamedAnchor        = 18
	opNamedCode          = 19
	opPlatform           = 20
	opNotarized          = 21
	opCertFieldDate      = 22
	opLegacyDevID        = 23

	opFlagMask     = 0xff000000
	opGenericFalse = 0x80000000 // unknown opcode with a size: evaluates false
	opGenericSkip  = 0x40000000 // unknown opcode with a size: skipped
)

// Match operators (MatchOperation).
const (
	matchExists       = 0
	matchEqual        = 1
	matchContains     = 2
	matchBeginsWith   = 3
	matchEndsWith     = 4
	matchLessThan     = 5
	matchGreaterThan  = 6
	matchLessEqual    = 7
	matchGreaterEqual = 8
	matchOn           = 9
	matchBefore       = 10
	matchAfter        = 11
	matchOnOrBefore   = 12
	matchOnOrAfter    = 13
	matchAbsent       = 14
)

// Certificate slots.
const (
	slotLeafCert   = 0
	slotAnchorCert = -1
)

// Limits of the requirement parser. Apple's interpreter refuses nesting
// deeper than 1000; real designated requirements have a dozen operators.
const (
	maxReqDepth   = 999
	maxReqOps     = 4096
	maxReqSetSize = 1 << 20
	maxReqEntries = 16
)

// cfAbsoluteEpoch is the reference date of CFAbsoluteTime, in which match
// operands of date comparisons count seconds.
var cfAbsoluteEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrLightweightRequirement results when a Requirement blob holds a
// lightweight code requirement (kind 2, DER) rather than an expression:
// shipgate does not evaluate that form.
var ErrLightweightRequirement = errors.New("codesign: lightweight code requirement (kind 2) is not evaluated")

// Requirement is a parsed code requirement: an expression in Apple's
// requirement language, read from a Requirement blob or compiled from its
// text form. The zero value is not usable.
type Requirement struct {
	root *reqNode
}

// String returns the requirement in Apple's text form, as
// `codesign -d -r-` prints it.
func (r *Requirement) String() string {
	if r == nil || r.root == nil {
		return ""
	}
	var b strings.Builder
	r.root.print(&b, levelTop)
	return strings.TrimPrefix(b.String(), " ")
}

// reqNode is one operator of an expression.
type reqNode struct {
	op    uint32 // with its flag byte
	kids  []*reqNode
	slot  int32
	data  []byte // identifier, hash, key, field, OID, name
	value []byte // the legacy info value
	num   uint32 // platform
	match *reqMatch
	// oid is data decoded, for the OID operators.
	oid []uint64
}

// reqMatch is a match suffix.
type reqMatch struct {
	op    uint32
	value []byte
	when  int64 // CFAbsoluteTime seconds, for date comparisons
}

// reqReader reads an expression with bounds, depth and operator count
// checked. Offsets in errors are from the start of the Requirement blob.
type reqReader struct {
	b   []byte
	pc  int
	ops int
}

func (r *reqReader) fail(at int, format string, args ...any) error {
	return &FormatError{Offset: int64(at), Reason: "requirement: " + fmt.Sprintf(format, args...)}
}

func (r *reqReader) word() (uint32, error) {
	if len(r.b)-r.pc < 4 {
		return 0, r.fail(r.pc, "truncated: a 4-byte word at %#x runs past the %d-byte requirement", r.pc, len(r.b))
	}
	v := binary.BigEndian.Uint32(r.b[r.pc:])
	r.pc += 4
	return v, nil
}

func (r *reqReader) data() ([]byte, error) {
	at := r.pc
	n, err := r.word()
	if err != nil {
		return nil, err
	}
	padded := (uint64(n) + 3) &^ 3
	if padded > uint64(len(r.b)-r.pc) {
		return nil, r.fail(at, "data length %d at %#x runs past the %d-byte requirement", n, at, len(r.b))
	}
	d := r.b[r.pc : r.pc+int(n)]
	r.pc += int(padded)
	return d, nil
}

// expr reads the expression at r.pc, nested depth operators deep.
func (r *reqReader) expr(depth int) (*reqNode, error) {
	at := r.pc
	if depth > maxReqDepth {
		return nil, r.fail(at, "nested deeper than %d operators", maxReqDepth)
	}
	if r.ops++; r.ops > maxReqOps {
		return nil, r.fail(at, "more than %d operators", maxReqOps)
	}
	op, err := r.word()
	if err != nil {
		return nil, err
	}
	n := &reqNode{op: op}
	if err := r.operands(n, at, depth); err != nil {
		return nil, err
	}
	return n, nil
}

// operands reads the operands of n's opcode (read at offset at), its
// subexpressions one level deeper than depth.
func (r *reqReader) operands(n *reqNode, at, depth int) error {
	var err error
	switch n.op &^ opFlagMask {
	case opFalse, opTrue, opAppleAnchor, opAppleGenericAnchor, opTrustedCerts, opNotarized, opLegacyDevID:
	case opIdent, opCDHash, opNamedAnchor, opNamedCode:
		n.data, err = r.data()
	case opAnchorHash:
		if err = r.slot(n); err == nil {
			n.data, err = r.data()
		}
	case opInfoKeyValue:
		if n.data, err = r.data(); err == nil {
			n.value, err = r.data()
		}
	case opAnd, opOr:
		err = r.kids(n, 2, depth)
	case opNot:
		err = r.kids(n, 1, depth)
	case opInfoKeyField, opEntitlementField:
		if n.data, err = r.data(); err == nil {
			n.match, err = r.matchSuffix()
		}
	case opCertField, opCertGeneric, opCertPolicy, opCertFieldDate:
		err = r.certField(n)
	case opTrustedCert:
		err = r.slot(n)
	case opPlatform:
		n.num, err = r.word()
	default:
		err = r.unknownOp(n, at, depth)
	}
	return err
}

// kids reads count subexpressions of n.
func (r *reqReader) kids(n *reqNode, count, depth int) error {
	for range count {
		k, err := r.expr(depth + 1)
		if err != nil {
			return err
		}
		n.kids = append(n.kids, k)
	}
	return nil
}

// certField reads a certificate field term's slot, field (an OID but for
// opCertField) and match.
func (r *reqReader) certField(n *reqNode) error {
	if err := r.slot(n); err != nil {
		return err
	}
	dat := r.pc
	var err error
	if n.data, err = r.data(); err != nil {
		return err
	}
	if n.op&^opFlagMask != opCertField {
		if n.oid, err = decodeOID(n.data); err != nil {
			return r.fail(dat, "%v", err)
		}
	}
	n.match, err = r.matchSuffix()
	return err
}

// unknownOp reads an opcode from a later release (read at offset at),
// which must carry a size: its payload is skipped; generic-false evaluates
// false, generic-skip evaluates the expression that follows.
func (r *reqReader) unknownOp(n *reqNode, at, depth int) error {
	if n.op&(opGenericFalse|opGenericSkip) == 0 {
		return r.fail(at, "opcode %#x is not understood and carries no size to skip it", n.op)
	}
	var err error
	if n.data, err = r.data(); err != nil {
		return err
	}
	if n.op&opGenericFalse == 0 {
		return r.kids(n, 1, depth)
	}
	return nil
}

func (r *reqReader) slot(n *reqNode) error {
	v, err := r.word()
	n.slot = int32(v)
	return err
}

func (r *reqReader) matchSuffix() (*reqMatch, error) {
	op, err := r.word()
	if err != nil {
		return nil, err
	}
	m := &reqMatch{op: op}
	switch {
	case op == matchExists || op == matchAbsent:
	case op >= matchOn && op <= matchOnOrAfter:
		at := r.pc
		if len(r.b)-r.pc < 8 {
			return nil, r.fail(at, "truncated: a date at %#x runs past the %d-byte requirement", at, len(r.b))
		}
		m.when = int64(binary.BigEndian.Uint64(r.b[r.pc:]))
		r.pc += 8
	default:
		// Known string operators and, as Apple's interpreter assumes,
		// unknown ones carry one data operand.
		m.value, err = r.data()
	}
	return m, err
}

// decodeOID decodes the content octets of a DER OBJECT IDENTIFIER.
func decodeOID(b []byte) ([]uint64, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("empty OID")
	}
	var arcs []uint64
	var v uint64
	for i, c := range b {
		if v > (1<<57)-1 {
			return nil, fmt.Errorf("OID arc overflows at byte %d", i)
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(b)-1 {
				return nil, fmt.Errorf("OID ends inside an arc")
			}
			continue
		}
		if len(arcs) == 0 {
			switch {
			case v < 40:
				arcs = append(arcs, 0, v)
			case v < 80:
				arcs = append(arcs, 1, v-40)
			default:
				arcs = append(arcs, 2, v-80)
			}
		} else {
			arcs = append(arcs, v)
		}
		v = 0
	}
	return arcs, nil
}

// encodeOID is the inverse of decodeOID.
func encodeOID(arcs []uint64) []byte {
	var out []byte
	put := func(v uint64) {
		var tmp [10]byte
		i := len(tmp) - 1
		tmp[i] = byte(v & 0x7f)
		for v >>= 7; v > 0; v >>= 7 {
			i--
			tmp[i] = byte(v&0x7f) | 0x80
		}
		out = append(out, tmp[i:]...)
	}
	put(arcs[0]*40 + arcs[1])
	for _, a := range arcs[2:] {
		put(a)
	}
	return out
}

func oidString(arcs []uint64) string {
	parts := make([]string, len(arcs))
	for i, a := range arcs {
		parts[i] = strconv.FormatUint(a, 10)
	}
	return strings.Join(parts, ".")
}

// ParseRequirement parses a Requirement blob (magic 0xfade0c00) holding
// an expression. Errors are *FormatError values whose offsets count from
// the start of b.
func ParseRequirement(b []byte) (*Requirement, error) {
	if len(b) < 12 {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirement: %d bytes, too short for a Requirement blob", len(b))}
	}
	if m := binary.BigEndian.Uint32(b); m != magicRequirement {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirement: magic %#08x, want %#08x", m, magicRequirement)}
	}
	n := binary.BigEndian.Uint32(b[4:])
	if n < 12 || uint64(n) > uint64(len(b)) {
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("requirement: blob length %d does not fit its %d bytes", n, len(b))}
	}
	switch k := binary.BigEndian.Uint32(b[8:]); k {
	case reqKindExpr:
	case reqKindLWCR:
		return nil, ErrLightweightRequirement
	default:
		return nil, &FormatError{Offset: 8, Reason: fmt.Sprintf("requirement: kind %d is neither the expression form (1) nor a lightweight code requirement (2)", k)}
	}
	r := &reqReader{b: b[:n], pc: 12}
	root, err := r.expr(1)
	if err != nil {
		return nil, err
	}
	if r.pc != len(r.b) {
		// Apple's interpreter stops after one expression; bytes after it
		// are covered by the requirements hash but mean nothing.
		if !allZero(r.b[r.pc:]) {
			return nil, r.fail(r.pc, "%d bytes follow the expression", len(r.b)-r.pc)
		}
	}
	return &Requirement{root: root}, nil
}

// requirementSet is a parsed Requirements blob: requirement blobs by type.
type requirementSet struct {
	entries []reqEntry
}

type reqEntry struct {
	typ uint32
	off uint32 // from the start of the Requirements blob
	req *Requirement
	err error
}

// parseRequirementSet parses a Requirements blob (0xfade0c01). An entry
// whose requirement does not parse keeps its error; the set fails only
// when its header or index is unusable.
func parseRequirementSet(b []byte) (*requirementSet, error) {
	if len(b) < 12 || len(b) > maxReqSetSize {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirements: %d bytes, not the size of a Requirements blob", len(b))}
	}
	if m := binary.BigEndian.Uint32(b); m != magicRequirements {
		return nil, &FormatError{Offset: 0, Reason: fmt.Sprintf("requirements: magic %#08x, want %#08x", m, magicRequirements)}
	}
	n := binary.BigEndian.Uint32(b[4:])
	if n < 12 || uint64(n) > uint64(len(b)) {
		return nil, &FormatError{Offset: 4, Reason: fmt.Sprintf("requirements: blob length %d does not fit its %d bytes", n, len(b))}
	}
	b = b[:n]
	count := binary.BigEndian.Uint32(b[8:])
	if count > maxReqEntries || 12+uint64(count)*8 > uint64(n) {
		return nil, &FormatError{Offset: 8, Reason: fmt.Sprintf("requirements: %d entries do not fit %d bytes (or the cap of %d)", count, n, maxReqEntries)}
	}
	set := &requirementSet{}
	seen := map[uint32]bool{}
	for i := range count {
		ix := 12 + i*8
		e := reqEntry{typ: binary.BigEndian.Uint32(b[ix:]), off: binary.BigEndian.Uint32(b[ix+4:])}
		if seen[e.typ] {
			return nil, &FormatError{Offset: int64(ix), Reason: fmt.Sprintf("requirements: type %d listed twice", e.typ)}
		}
		seen[e.typ] = true
		switch {
		case e.off < 12+count*8 || uint64(e.off)+8 > uint64(n):
			e.err = &FormatError{Offset: int64(ix + 4), Reason: fmt.Sprintf("requirements: entry %d offset %#x lies outside the blob's data", i, e.off)}
		default:
			l := binary.BigEndian.Uint32(b[e.off+4:])
			if uint64(e.off)+uint64(l) > uint64(n) {
				e.err = &FormatError{Offset: int64(e.off + 4), Reason: fmt.Sprintf("requirements: entry %d length %d runs past the blob", i, l)}
				break
			}
			e.req, e.err = ParseRequirement(b[e.off : e.off+l])
			if fe, ok := e.err.(*FormatError); ok {
				e.err = &FormatError{Offset: fe.Offset + int64(e.off), Reason: fe.Reason}
			}
		}
		set.entries = append(set.entries, e)
	}
	return set, nil
}

func (s *requirementSet) find(typ uint32) *reqEntry {
	for i := range s.entries {
		if s.entries[i].typ == typ {
			return &s.entries[i]
		}
	}
	return nil
}

// Syntax levels of the printer (reqdumper.cpp).
const (
	levelPrimary = iota
	levelAnd
	levelOr
	levelTop
)

// reqKeywords are words the text form reserves; data equal to one is
// quoted.
var reqKeywords = map[string]bool{
	"guest": true, "host": true, "designated": true, "library": true, "plugin": true,
	"or": true, "and": true, "always": true, "true": true, "never": true, "false": true,
	"identifier": true, "cdhash": true, "platform": true, "notarized": true, "legacy": true,
	"anchor": true, "apple": true, "generic": true, "certificate": true, "cert": true,
	"trusted": true, "info": true, "entitlement": true, "exists": true, "absent": true,
	"leaf": true, "root": true, "timestamp": true,
}

// print writes n in the text form, in parentheses where the context's
// precedence level needs them.
func (n *reqNode) print(b *strings.Builder, level int) {
	switch op := n.op &^ opFlagMask; op {
	case opFalse, opTrue, opAppleAnchor, opAppleGenericAnchor, opTrustedCerts, opNotarized, opLegacyDevID:
		b.WriteString(reqWords[op])
	case opAnd, opOr:
		n.printChain(b, level)
	case opNot:
		b.WriteString("! ")
		n.kids[0].print(b, levelPrimary)
	case opAnchorHash, opCertField, opCertGeneric, opCertPolicy, opCertFieldDate, opTrustedCert:
		n.printCert(b)
	case opIdent, opCDHash, opInfoKeyValue, opInfoKeyField, opEntitlementField, opNamedAnchor, opNamedCode, opPlatform:
		n.printTerm(b)
	default:
		// Unknown opcodes with a size: printed as what they evaluate to.
		if n.op&opGenericFalse != 0 {
			fmt.Fprintf(b, " false /* opcode %d */", n.op&^opFlagMask)
			return
		}
		fmt.Fprintf(b, "/* opcode %d */ ", n.op&^opFlagMask)
		n.kids[0].print(b, level)
	}
}

// reqWords are the text of the opcodes that take no operands.
var reqWords = map[uint32]string{
	opFalse: "never", opTrue: "always", opAppleAnchor: "anchor apple", opAppleGenericAnchor: "anchor apple generic",
	opTrustedCerts: "anchor trusted", opNotarized: "notarized", opLegacyDevID: "legacy",
}

// printChain prints an and or an or, in parentheses when its operator binds
// more loosely than the context's level.
func (n *reqNode) printChain(b *strings.Builder, level int) {
	word, own := " and ", levelAnd
	if n.op&^opFlagMask == opOr {
		word, own = " or ", levelOr
	}
	if level < own {
		b.WriteString("(")
	}
	n.kids[0].print(b, own)
	b.WriteString(word)
	n.kids[1].print(b, own)
	if level < own {
		b.WriteString(")")
	}
}

// printCert prints a term about a certificate slot: its hash, a field, or
// trusted.
func (n *reqNode) printCert(b *strings.Builder) {
	b.WriteString("certificate")
	printSlot(b, n.slot)
	switch op := n.op &^ opFlagMask; op {
	case opAnchorHash:
		b.WriteString(" = ")
		printHash(b, n.data)
	case opCertField:
		b.WriteString("[")
		printData(b, n.data, true)
		b.WriteString("]")
		n.match.print(b)
	case opCertGeneric, opCertPolicy, opCertFieldDate:
		b.WriteString("[")
		b.WriteString(map[uint32]string{opCertGeneric: "field.", opCertPolicy: "policy.", opCertFieldDate: "timestamp."}[op])
		b.WriteString(oidString(n.oid))
		b.WriteString("]")
		n.match.print(b)
	case opTrustedCert:
		b.WriteString(" trusted")
	}
}

// printTerm prints a term with an operand: an identifier, a cdhash, an
// info or entitlement key, a named anchor or code, a platform.
func (n *reqNode) printTerm(b *strings.Builder) {
	switch n.op &^ opFlagMask {
	case opIdent:
		b.WriteString("identifier ")
		printData(b, n.data, false)
	case opCDHash:
		b.WriteString("cdhash ")
		printHash(b, n.data)
	case opInfoKeyValue:
		b.WriteString("info[")
		printData(b, n.data, true)
		b.WriteString("] = ")
		printData(b, n.value, false)
	case opInfoKeyField:
		b.WriteString("info[")
		printData(b, n.data, true)
		b.WriteString("]")
		n.match.print(b)
	case opEntitlementField:
		b.WriteString("entitlement[")
		printData(b, n.data, true)
		b.WriteString("]")
		n.match.print(b)
	case opNamedAnchor:
		b.WriteString("anchor apple ")
		printData(b, n.data, false)
	case opNamedCode:
		b.WriteString("(")
		printData(b, n.data, false)
		b.WriteString(")")
	case opPlatform:
		fmt.Fprintf(b, "platform = %d", int32(n.num))
	}
}

func (m *reqMatch) print(b *strings.Builder) {
	switch m.op {
	case matchExists:
		b.WriteString(" /* exists */")
	case matchAbsent:
		b.WriteString(" absent ")
	case matchEqual, matchContains, matchEndsWith, matchLessThan, matchGreaterThan, matchLessEqual, matchGreaterEqual:
		b.WriteString(map[uint32]string{matchEqual: " = ", matchContains: " ~ ", matchEndsWith: " = *", matchLessThan: " < ",
			matchGreaterThan: " > ", matchLessEqual: " <= ", matchGreaterEqual: " >= "}[m.op])
		printData(b, m.value, false)
	case matchBeginsWith:
		b.WriteString(" = ")
		printData(b, m.value, false)
		b.WriteString("*")
	case matchOn, matchBefore, matchAfter, matchOnOrBefore, matchOnOrAfter:
		b.WriteString(map[uint32]string{matchOn: " = ", matchBefore: " < ", matchAfter: " > ", matchOnOrBefore: " <= ", matchOnOrAfter: " >= "}[m.op])
		b.WriteString("<" + cfAbsoluteEpoch.Add(time.Duration(m.when)*time.Second).Format("2006-01-02 15:04:05 -0700") + ">")
	default:
		fmt.Fprintf(b, "MATCH OPCODE %d NOT UNDERSTOOD", m.op)
	}
}

func printSlot(b *strings.Builder, slot int32) {
	switch slot {
	case slotLeafCert:
		b.WriteString(" leaf")
	case slotAnchorCert:
		b.WriteString(" root")
	default:
		fmt.Fprintf(b, " %d", slot)
	}
}

func printHash(b *strings.Builder, d []byte) {
	b.WriteString(`H"` + hex.EncodeToString(d) + `"`)
}

// printData prints data as reqdumper.cpp does in the C locale: bare when
// it is alphanumeric (dots allowed where dotOK), does not start with a
// digit and is no keyword; quoted, with " and \ escaped, when every byte is
// printable or white space; as 0x-hex otherwise.
func printData(b *strings.Builder, d []byte, dotOK bool) {
	const (
		simple = iota
		printable
		binary
	)
	mode := simple
	for i, c := range d {
		switch {
		case isAlnum(c) || (c == '.' && dotOK):
			if i == 0 && c >= '0' && c <= '9' {
				mode = max(mode, printable)
			}
		case c > 0x20 && c < 0x7f, c == ' ', c >= '\t' && c <= '\r':
			mode = max(mode, printable)
		default:
			mode = binary
		}
	}
	if mode == simple && (len(d) == 0 || reqKeywords[string(d)]) {
		mode = printable
	}
	switch mode {
	case simple:
		b.Write(d)
	case printable:
		b.WriteByte('"')
		for _, c := range d {
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
	default:
		b.WriteString("0x" + hex.EncodeToString(d))
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// MarshalBinary encodes the requirement as a Requirement blob (magic
// 0xfade0c00, kind 1), the form a Requirements blob holds and `csreq -b`
// writes.
func (r *Requirement) MarshalBinary() ([]byte, error) {
	if r == nil || r.root == nil {
		return nil, fmt.Errorf("codesign: empty requirement")
	}
	out := binary.BigEndian.AppendUint32(nil, magicRequirement)
	out = binary.BigEndian.AppendUint32(out, 0)
	out = binary.BigEndian.AppendUint32(out, reqKindExpr)
	out = r.root.encode(out)
	binary.BigEndian.PutUint32(out[4:], uint32(len(out)))
	return out, nil
}

func appendData(out, d []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(d)))
	out = append(out, d...)
	for range (4 - len(d)%4) % 4 {
		out = append(out, 0)
	}
	return out
}

func (n *reqNode) encode(out []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, n.op)
	switch n.op &^ opFlagMask {
	case opFalse, opTrue, opAppleAnchor, opAppleGenericAnchor, opTrustedCerts, opNotarized, opLegacyDevID:
	case opIdent, opCDHash, opNamedAnchor, opNamedCode:
		out = appendData(out, n.data)
	case opAnchorHash:
		out = binary.BigEndian.AppendUint32(out, uint32(n.slot))
		out = appendData(out, n.data)
	case opInfoKeyValue:
		out = appendData(appendData(out, n.data), n.value)
	case opAnd, opOr, opNot:
		for _, k := range n.kids {
			out = k.encode(out)
		}
	case opInfoKeyField, opEntitlementField:
		out = n.match.encode(appendData(out, n.data))
	case opCertField, opCertGeneric, opCertPolicy, opCertFieldDate:
		out = binary.BigEndian.AppendUint32(out, uint32(n.slot))
		out = n.match.encode(appendData(out, n.data))
	case opTrustedCert:
		out = binary.BigEndian.AppendUint32(out, uint32(n.slot))
	case opPlatform:
		out = binary.BigEndian.AppendUint32(out, n.num)
	default:
		out = appendData(out, n.data)
		for _, k := range n.kids {
			out = k.encode(out)
		}
	}
	return out
}

func (m *reqMatch) encode(out []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, m.op)
	switch {
	case m.op == matchExists || m.op == matchAbsent:
	case m.op >= matchOn && m.op <= matchOnOrAfter:
		out = binary.BigEndian.AppendUint64(out, uint64(m.when))
	default:
		out = appendData(out, m.value)
	}
	return out
}
