package codesign

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"howett.net/plist"

	"github.com/shipgate/shipgate/signing"
)

// reqContext is what a requirement is evaluated against: the facts of one
// verified signature, as Apple's Requirement::Context holds them.
type reqContext struct {
	identifier string
	// cdhash is the 20-byte cdhash of the CodeDirectory macOS validates
	// with: the one with the strongest hash type.
	cdhash   []byte
	platform uint8
	// chain is the signer's chain, leaf first, as built; nil for ad-hoc
	// signatures. chainTrusted reports that it verified to a trusted root:
	// otherwise its anchor proves nothing and anchor terms are unknown.
	chain        []*x509.Certificate
	chainTrusted bool
	// info is the bound Info.plist's top-level dictionary; infoKnown is
	// false when the code's Info.plist was not available (a Mach-O checked
	// outside its bundle).
	info      map[string]any
	infoKnown bool
	// ents is the signed XML entitlements dictionary; entsKnown is false
	// when only DER entitlements are present, or when the XML ones do not
	// say what the DER ones (which macOS grants) say.
	ents      map[string]any
	entsKnown bool
	// entsWhy says why entsKnown is false, when the reason is not that
	// only DER entitlements are present.
	entsWhy string
	// appleRoot reports whether a certificate is one of Apple's root CAs.
	appleRoot func(*x509.Certificate) bool
}

// Outcomes of evaluating a requirement, in three-valued logic: a term
// shipgate cannot decide offline is unknown, and stays unknown through
// "and", "or" and "!" unless the other side decides.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// evaluation collects what could not be decided.
type evaluation struct {
	ctx     *reqContext
	unknown map[string]bool
}

// evaluate reports whether the facts in ctx satisfy r: satisfied,
// unsatisfied, or unknown, with the terms that could not be decided.
func (r *Requirement) evaluate(ctx *reqContext) (signing.RequirementResult, []string) {
	e := &evaluation{ctx: ctx, unknown: map[string]bool{}}
	out := e.eval(r.root).result()
	var why []string
	for k := range e.unknown {
		why = append(why, k)
	}
	sort.Strings(why)
	return out, why
}

func (e *evaluation) undecided(n *reqNode, why string) tri {
	var b strings.Builder
	n.print(&b, levelTop)
	e.unknown[strings.TrimSpace(b.String())+": "+why] = true
	return triUnknown
}

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// eval decides n against the context, in three-valued logic.
func (e *evaluation) eval(n *reqNode) tri {
	c := e.ctx
	switch n.op &^ opFlagMask {
	case opFalse:
		return triFalse
	case opTrue:
		return triTrue
	case opIdent:
		return triOf(string(n.data) == c.identifier)
	case opAppleAnchor:
		return e.appleSigned(n)
	case opAppleGenericAnchor:
		if len(c.chain) > 0 && !c.chainTrusted {
			return e.undecided(n, "the signer's chain does not verify to a trusted root")
		}
		return triOf(e.appleAnchored())
	case opAnchorHash, opCertField, opCertGeneric, opCertPolicy:
		return e.evalCert(n)
	case opInfoKeyValue, opInfoKeyField, opEntitlementField:
		return e.evalKey(n)
	case opAnd:
		return triAnd(e.eval(n.kids[0]), e.eval(n.kids[1]))
	case opOr:
		return triOr(e.eval(n.kids[0]), e.eval(n.kids[1]))
	case opNot:
		return triNot(e.eval(n.kids[0]))
	case opCDHash:
		return triOf(c.cdhash != nil && bytes.Equal(c.cdhash, n.data))
	case opCertFieldDate:
		return e.undecided(n, "certificate date fields are not evaluated")
	case opTrustedCert, opTrustedCerts:
		return e.undecided(n, "depends on the trust settings of the Mac that checks it")
	case opNamedAnchor, opNamedCode:
		return e.undecided(n, "names a requirement stored in macOS's Security framework")
	case opPlatform:
		return triOf(uint32(c.platform) == n.num)
	case opNotarized:
		return e.undecided(n, "notarization is decided by Apple's ticket service or a stapled ticket, not checked here")
	case opLegacyDevID:
		return e.undecided(n, "depends on Apple's list of legacy Developer ID accounts")
	default:
		if n.op&opGenericFalse != 0 {
			return triFalse
		}
		return e.eval(n.kids[0])
	}
}

// evalKey evaluates a term on the Info.plist (info[key] = value, info[key]
// match) or the entitlements (entitlement[key] match).
func (e *evaluation) evalKey(n *reqNode) tri {
	c := e.ctx
	switch n.op &^ opFlagMask {
	case opInfoKeyValue:
		if !c.infoKnown {
			return e.undecided(n, "the code's Info.plist is not available here")
		}
		return triOf(match(&reqMatch{op: matchEqual, value: n.value}, lookup(c.info, n.data)))
	case opInfoKeyField:
		if !c.infoKnown {
			return e.undecided(n, "the code's Info.plist is not available here")
		}
		return triOf(match(n.match, lookup(c.info, n.data)))
	default: // opEntitlementField
		if !c.entsKnown {
			why := c.entsWhy
			if why == "" {
				why = "the entitlements are only in DER form, which is not decoded"
			}
			return e.undecided(n, why)
		}
		return triOf(match(n.match, lookup(c.ents, n.data)))
	}
}

// evalCert evaluates a term on the certificate in n's slot: its hash
// (anchorHash), a field (certField), or an extension or policy OID
// (certGeneric, certPolicy).
func (e *evaluation) evalCert(n *reqNode) tri {
	if e.claimedSlot(n.slot) {
		return e.undecided(n, untrustedSlot)
	}
	cert := e.ctx.cert(n.slot)
	switch op := n.op &^ opFlagMask; op {
	case opAnchorHash:
		if cert == nil || len(n.data) != sha1.Size {
			return triFalse
		}
		sum := sha1.Sum(cert.Raw)
		return triOf(bytes.Equal(sum[:], n.data))
	case opCertField:
		if cert == nil {
			return triFalse
		}
		v, ok := certFieldValue(cert, string(n.data))
		if !ok {
			return triFalse // as Apple: a missing or unknown field fails
		}
		return triOf(match(n.match, v))
	default: // opCertGeneric, opCertPolicy
		if cert == nil {
			return triFalse
		}
		has := false
		switch {
		case !bytes.Equal(encodeOID(n.oid), n.data):
			// Apple compares the OID's bytes with the certificate's
			// (DER, minimal): a padded encoding names no extension.
		case op == opCertGeneric:
			for _, x := range cert.Extensions {
				has = has || oidEqual(x.Id, n.oid)
			}
		default:
			for _, pid := range cert.PolicyIdentifiers {
				has = has || oidEqual(pid, n.oid)
			}
		}
		if has {
			return triOf(match(n.match, true))
		}
		return triOf(match(n.match, absentValue{}))
	}
}

// untrustedSlot says why a claimedSlot term is undecided.
const untrustedSlot = "the signer's chain does not verify to a trusted root, so the certificates above the leaf are only as its signer claims"

// claimedSlot reports whether slot names a certificate other than the
// leaf of a chain that did not verify: such a chain holds whatever the
// signature carried (or the longest failing path through it), and the
// certificate macOS would find in that slot may be another. The leaf,
// which made the signature, is decided; an ad-hoc signature has no
// certificates, so every slot is decided (false).
func (e *evaluation) claimedSlot(slot int32) bool {
	return len(e.ctx.chain) > 0 && !e.ctx.chainTrusted && slot != 0
}

// appleAnchored is "anchor apple generic": the chain's anchor is one of
// Apple's root CAs.
func (e *evaluation) appleAnchored() bool {
	a := e.ctx.cert(slotAnchorCert)
	return a != nil && e.ctx.appleRoot != nil && e.ctx.appleRoot(a)
}

// appleSigned is "anchor apple": Apple's own code, anchored at an Apple
// root under the Apple Code Signing Certification Authority. macOS also
// accepts code in the running system's trust cache, which only ad-hoc
// platform binaries rely on: for those the answer is unknown here.
func (e *evaluation) appleSigned(n *reqNode) tri {
	if len(e.ctx.chain) == 0 {
		return e.undecided(n, "without a certificate chain only the trust cache of the Mac that runs it could vouch for it")
	}
	if !e.ctx.chainTrusted {
		return e.undecided(n, "the signer's chain does not verify to a trusted root")
	}
	if !e.appleAnchored() {
		return triFalse
	}
	in := e.ctx.cert(-2)
	if in == nil {
		return triFalse
	}
	cn, _ := certFieldValue(in, "subject.CN")
	o, _ := certFieldValue(in, "subject.O")
	return triOf(cn == "Apple Code Signing Certification Authority" && o == "Apple Inc.")
}

// cert returns the certificate in slot: 0 the leaf, n > 0 the nth up, a
// negative slot counts from the anchor (-1).
func (c *reqContext) cert(slot int32) *x509.Certificate {
	i := int(slot)
	if i < 0 {
		i += len(c.chain)
	}
	if i < 0 || i >= len(c.chain) {
		return nil
	}
	return c.chain[i]
}

// absentValue is what a lookup finds when the key is missing (kCFNull).
type absentValue struct{}

func lookup(dict map[string]any, key []byte) any {
	if v, ok := dict[string(key)]; ok && v != nil {
		return v
	}
	return absentValue{}
}

// certSubjectFields are the subject attributes Apple's certFieldValue
// knows, by their names in the text form.
var certSubjectFields = map[string]asn1.ObjectIdentifier{
	"subject.C":        {2, 5, 4, 6},
	"subject.CN":       {2, 5, 4, 3},
	"subject.D":        {2, 5, 4, 13},
	"subject.L":        {2, 5, 4, 7},
	"subject.O":        {2, 5, 4, 10},
	"subject.C-O":      {2, 5, 4, 10, 1},
	"subject.OU":       {2, 5, 4, 11},
	"subject.C-OU":     {2, 5, 4, 11, 1},
	"subject.ST":       {2, 5, 4, 8},
	"subject.C-ST":     {2, 5, 4, 8, 1},
	"subject.STREET":   {2, 5, 4, 9},
	"subject.C-STREET": {2, 5, 4, 9, 1},
	"subject.UID":      {0, 9, 2342, 19200300, 100, 1, 1},
}

// certFieldValue returns a certificate field: the value of a subject
// attribute as Apple reads it (the last of its type, see
// [signing.SubjectAttribute]), or for "email" the certificate's email addresses. It returns
// false when the field is missing or the name unknown, which Apple's
// interpreter evaluates as false whatever the match.
func certFieldValue(cert *x509.Certificate, key string) (any, bool) {
	if key == "email" {
		var out []any
		for _, a := range cert.EmailAddresses {
			out = append(out, a)
		}
		for _, atv := range cert.Subject.Names {
			if atv.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}) {
				if s, ok := atv.Value.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out, true
	}
	oid, ok := certSubjectFields[key]
	if !ok {
		return nil, false
	}
	s, ok := signing.SubjectAttribute(cert, oid)
	if !ok {
		return nil, false
	}
	return s, true
}

func oidEqual(id asn1.ObjectIdentifier, arcs []uint64) bool {
	if len(id) != len(arcs) {
		return false
	}
	for i, a := range id {
		if a < 0 || uint64(a) != arcs[i] {
			return false
		}
	}
	return true
}

// match applies a match suffix to a candidate as Apple's Match does: a
// missing value matches only absent; an array matches when one of its
// elements does; exists matches anything but false; equality needs a string
// equal to the operand; the others compare strings.
func match(m *reqMatch, v any) bool {
	if _, absent := v.(absentValue); absent {
		return m.op == matchAbsent
	}
	if arr, ok := v.([]any); ok {
		for _, x := range arr {
			if x != nil && match(m, x) {
				return true
			}
		}
	}
	s, isString := v.(string)
	want := string(m.value)
	switch m.op {
	case matchAbsent:
		return false
	case matchExists:
		b, isBool := v.(bool)
		return !isBool || b
	case matchEqual:
		return isString && s == want
	case matchContains:
		return isString && strings.Contains(s, want)
	case matchBeginsWith:
		return isString && strings.HasPrefix(s, want)
	case matchEndsWith:
		return isString && strings.HasSuffix(s, want)
	case matchLessThan:
		return isString && compareNumerically(s, want) < 0
	case matchGreaterThan:
		return isString && compareNumerically(s, want) > 0
	case matchLessEqual:
		return isString && compareNumerically(s, want) <= 0
	case matchGreaterEqual:
		return isString && compareNumerically(s, want) >= 0
	}
	// Dates are never string or plist values here (plists are decoded
	// without dates reaching a date comparison), and unknown operators
	// never match.
	return false
}

// compareNumerically compares strings as CFStringCompare with
// kCFCompareNumerically does: runs of digits compare by value, the rest
// byte by byte.
func compareNumerically(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digitRun(a), digitRun(b)
			x, y := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if len(x) != len(y) {
				return cmpInt(len(x), len(y))
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return cmpInt(int(a[0]), int(b[0]))
		}
		a, b = a[1:], b[1:]
	}
	return cmpInt(len(a), len(b))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// plistDict decodes a property list whose top level is a dictionary.
func plistDict(b []byte) (map[string]any, error) {
	var d map[string]any
	if _, err := plist.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("not a dictionary")
	}
	return d, nil
}

// Satisfies evaluates r against the slice's verified signature, as
// `codesign --verify -R` does: its CodeDirectory's identifier and cdhash,
// the signer's chain, the entitlements and, for a bundle's main
// executable, the bound Info.plist. A slice whose signature was not
// verified (unsigned, malformed) gives unknown. The strings name the terms
// that could not be decided and why.
func (s *Slice) Satisfies(r *Requirement) (signing.RequirementResult, []string) {
	if s == nil || s.req == nil {
		return signing.RequirementUnknown, []string{"the slice's signature was not verified"}
	}
	if r == nil || r.root == nil {
		return signing.RequirementUnknown, []string{"empty requirement"}
	}
	return r.evaluate(s.req)
}

// hashRank orders CodeDirectory hash types as macOS prefers them.
func hashRank(h HashType) int {
	switch h {
	case HashSHA384:
		return 4
	case HashSHA256:
		return 3
	case HashSHA256Truncated:
		return 2
	case HashSHA1:
		return 1
	}
	return 0
}

// requirementContext is what the slice's requirements are evaluated
// against: the code directory with the strongest hash, the chain, the
// Info.plist and the entitlements macOS grants.
func (s *sliceState) requirementContext(opts Options) *reqContext {
	primary := s.cds[0]
	best := primary
	for _, cd := range s.cds[1:] {
		if hashRank(cd.HashType) > hashRank(best.HashType) {
			best = cd
		}
	}
	// macOS evaluates against the directory with the strongest hash.
	ctx := &reqContext{identifier: best.Identifier, platform: best.Platform, chain: s.chain, chainTrusted: s.chainTrusted, appleRoot: opts.appleRoot}
	if ctx.appleRoot == nil {
		ctx.appleRoot = signing.IsAppleRoot
	}
	ctx.cdhash, _ = hexBytes(best.CDHash)
	if s.ext != nil {
		ctx.infoKnown = true
		if s.ext.info != nil {
			d, err := plistDict(s.ext.info)
			ctx.info, ctx.infoKnown = d, err == nil
		}
	}
	switch {
	case s.slice.Entitlements != "":
		d, err := plistDict([]byte(s.slice.Entitlements))
		ctx.ents, ctx.entsKnown = d, err == nil
		if err != nil {
			ctx.entsWhy = "the XML entitlements do not parse"
		}
		if ctx.entsKnown && len(s.slice.DEREntitlements) > 0 {
			// macOS grants the DER entitlements; the terms are read from
			// the XML ones, as codesign -R reads them, only when both
			// say the same.
			der, err := decodeDEREntitlements(s.slice.DEREntitlements)
			switch {
			case err != nil:
				ctx.entsKnown, ctx.entsWhy = false, "the DER entitlements, which macOS grants, do not decode ("+err.Error()+")"
			case !sameEntitlements(d, der):
				ctx.entsKnown, ctx.entsWhy = false, "the XML and DER entitlements differ, and macOS grants the DER ones"
			}
		}
	case len(s.slice.DEREntitlements) == 0:
		ctx.entsKnown = true
	}
	return ctx
}

// designated builds the slice's requirement context and evaluates the
// designated requirement it carries.
func (s *sliceState) designated(opts Options) {
	if len(s.cds) == 0 || s.cds[0].Slot != slotCodeDirectory {
		return
	}
	ctx := s.requirementContext(opts)
	s.slice.req = ctx

	dr := &signing.DesignatedRequirement{}
	s.sig.DesignatedRequirement = dr
	b := s.sb.find(slotRequirements)
	var entry *reqEntry
	if b != nil && b.magic != magicRequirements {
		// macOS reads the slot as a Requirements blob whatever it holds,
		// and refuses one that is not (errSecCSReqInvalid): it is no
		// "no designated requirement".
		s.badRequirement(dr, s.slice.Offset+int64(s.sigOff)+int64(b.off),
			fmt.Errorf("the requirements slot holds magic %#08x, not a Requirements blob (%#08x)", b.magic, magicRequirements))
		return
	}
	if b != nil {
		at := s.slice.Offset + int64(s.sigOff) + int64(b.off)
		set, err := parseRequirementSet(b.data)
		if err != nil {
			s.badRequirement(dr, at, err)
			return
		}
		entry = set.find(reqTypeDesignated)
		if entry != nil && errors.Is(entry.err, ErrLightweightRequirement) {
			dr.Result = signing.RequirementUnknown
			dr.Undecided = []string{"the designated requirement is a lightweight code requirement (DER), which is not evaluated"}
			s.check(CheckDesignatedRequirement, false, dr.Undecided[0])
			s.add(RuleDesignatedRequirementUndecided, signing.SeverityNote, signing.StatusValid, at+int64(entry.off), dr.Undecided[0])
			return
		}
		if entry != nil && entry.err != nil {
			s.badRequirement(dr, at, entry.err)
			return
		}
	}
	if entry == nil {
		dr.Implicit = true
		if r := implicitDesignated(ctx); r != nil {
			dr.Text = r.String()
			dr.Result, dr.Undecided = r.evaluate(ctx)
		}
		s.check(CheckDesignatedRequirement, true, "no explicit designated requirement: macOS derives one from the signature, which satisfies it")
		return
	}
	dr.Text = entry.req.String()
	dr.Result, dr.Undecided = entry.req.evaluate(ctx)
	switch dr.Result {
	case signing.RequirementSatisfied:
		s.check(CheckDesignatedRequirement, true, "the signature satisfies its designated requirement: "+dr.Text)
	case signing.RequirementUnsatisfied:
		s.check(CheckDesignatedRequirement, false, "the signature does not satisfy its own designated requirement: "+dr.Text)
		s.add(RuleDesignatedRequirementUnsatisfied, signing.SeverityError, signing.StatusInvalid, s.slice.Offset+int64(s.sigOff)+int64(b.off),
			fmt.Sprintf("the signature does not satisfy its own designated requirement (codesign --verify refuses it): %s", dr.Text))
	default:
		s.check(CheckDesignatedRequirement, false, "the designated requirement cannot be decided offline: "+strings.Join(dr.Undecided, "; "))
		s.add(RuleDesignatedRequirementUndecided, signing.SeverityNote, signing.StatusValid, s.slice.Offset+int64(s.sigOff)+int64(b.off),
			fmt.Sprintf("the designated requirement %s cannot be decided offline: %s", dr.Text, strings.Join(dr.Undecided, "; ")))
	}
}

// badRequirement reports a requirements blob whose designated requirement
// does not parse: macOS cannot check it, so codesign --verify fails.
func (s *sliceState) badRequirement(dr *signing.DesignatedRequirement, at int64, err error) {
	dr.Result = signing.RequirementUnsatisfied
	msg := err.Error()
	var fe *FormatError
	if errors.As(err, &fe) {
		at += fe.Offset
		msg = fe.Reason
	}
	s.check(CheckDesignatedRequirement, false, "the designated requirement does not parse: "+msg)
	s.add(RuleDesignatedRequirementUnsatisfied, signing.SeverityError, signing.StatusInvalid, at,
		"the designated requirement does not parse, so no signature can satisfy it: "+msg)
}

func hexBytes(s string) ([]byte, error) { return hex.DecodeString(s) }

// triAnd is Kleene's three-valued and: false wins, then undecided.
func triAnd(a, b tri) tri {
	switch {
	case a == triFalse || b == triFalse:
		return triFalse
	case a == triTrue && b == triTrue:
		return triTrue
	}
	return triUnknown
}

// triOr is Kleene's three-valued or: true wins, then undecided.
func triOr(a, b tri) tri {
	switch {
	case a == triTrue || b == triTrue:
		return triTrue
	case a == triFalse && b == triFalse:
		return triFalse
	}
	return triUnknown
}

// triNot negates a decided outcome; undecided stays undecided.
func triNot(a tri) tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

// result is the requirement outcome t stands for.
func (t tri) result() signing.RequirementResult {
	switch t {
	case triTrue:
		return signing.RequirementSatisfied
	case triFalse:
		return signing.RequirementUnsatisfied
	}
	return signing.RequirementUnknown
}
