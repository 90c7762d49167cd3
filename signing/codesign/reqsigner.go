package codesign

import (
	"crypto/x509"
	"sort"

	"github.com/shipgate/shipgate/signing"
)

// SatisfiedBySigner evaluates r against a signer's certificate chain
// alone, for signatures that sign no code, such as an installer package's:
// chain is the signer's chain as built, leaf first, and trusted reports
// that it verified to a trusted root (otherwise anchor terms are unknown,
// as for code). Certificate and anchor terms are evaluated as for a
// Mach-O slice. Terms about code (identifier, cdhash, platform, Info.plist
// keys, entitlements) cannot be decided for such a signature: they are
// unknown, named in the strings with the reason, and never satisfy the
// requirement, whatever the operators around them ("!identifier x" is
// unknown too). what names the signed thing in those reasons, such as "an
// installer package".
func (r *Requirement) SatisfiedBySigner(chain []*x509.Certificate, trusted bool, what string) (signing.RequirementResult, []string) {
	if r == nil || r.root == nil {
		return signing.RequirementUnknown, []string{"empty requirement"}
	}
	if what == "" {
		what = "the signature"
	}
	ctx := &reqContext{chain: chain, chainTrusted: trusted, appleRoot: signing.IsAppleRoot}
	e := &evaluation{ctx: ctx, unknown: map[string]bool{}}
	out := e.evalSigner(r.root, what).result()
	return out, e.reasons()
}

// evalSigner is eval for a signature without code: the operators are
// walked here so that no code term reaches eval, which would decide it
// against empty facts.
func (e *evaluation) evalSigner(n *reqNode, what string) tri {
	switch n.op &^ opFlagMask {
	case opAnd:
		return triAnd(e.evalSigner(n.kids[0], what), e.evalSigner(n.kids[1], what))
	case opOr:
		return triOr(e.evalSigner(n.kids[0], what), e.evalSigner(n.kids[1], what))
	case opNot:
		return triNot(e.evalSigner(n.kids[0], what))
	case opIdent:
		return e.undecided(n, what+" has no code identifier")
	case opCDHash:
		return e.undecided(n, what+" has no CodeDirectory, so no cdhash")
	case opPlatform:
		return e.undecided(n, what+" has no CodeDirectory, so no platform")
	case opInfoKeyValue, opInfoKeyField:
		return e.undecided(n, what+" has no Info.plist bound to its signature")
	case opEntitlementField:
		return e.undecided(n, what+" has no entitlements")
	case opFalse, opTrue, opAppleAnchor, opAnchorHash, opCertField, opTrustedCert, opTrustedCerts, opCertGeneric,
		opAppleGenericAnchor, opCertPolicy, opNamedAnchor, opNamedCode, opNotarized, opCertFieldDate, opLegacyDevID:
		return e.eval(n)
	}
	// An opcode from a later release: generic-false is false, generic-skip
	// is the expression that follows it.
	if n.op&opGenericFalse != 0 || len(n.kids) == 0 {
		return triFalse
	}
	return e.evalSigner(n.kids[0], what)
}

// reasons lists the undecided terms, sorted.
func (e *evaluation) reasons() []string {
	why := make([]string, 0, len(e.unknown))
	for k := range e.unknown {
		why = append(why, k)
	}
	sort.Strings(why)
	return why
}
