package codesign

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"

	"github.com/shipgate/shipgate/signing"
)

// Subject attributes DRMaker reads.
var (
	oidCommonName         = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidOrganization       = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrganizationalUnit = asn1.ObjectIdentifier{2, 5, 4, 11}
)

// implicitDesignated returns the designated requirement macOS derives for
// a signature that carries none, as the Security framework's DRMaker
// (libsecurity_codesigning, drmaker.cpp) builds it and codesign -d -r-
// prints it after "# designated =>"; nil where that is not known.
//
// Ad-hoc code (no certificates) is its cdhash: `cdhash H"…"` (DRMaker
// makes none; SecStaticCode falls back to the cdhash). Signed code is
// always `identifier "…" and` one of:
//
//   - an anchor DRMaker counts as Apple's (SecIsAppleTrustAnchor) with
//     exactly three certificates whose intermediate carries the WWDR
//     marker 1.2.840.113635.100.6.2.1 (Apple Development, Apple
//     Distribution, Mac App Store submission: DRMaker's "iOS signature",
//     tested first): `anchor apple generic and certificate
//     leaf[subject.CN] = "…" and certificate
//     1[field.1.2.840.113635.100.6.2.1] /* exists */`;
//   - the same with the Developer ID intermediate marker
//     1.2.840.113635.100.6.2.6: `anchor apple generic and certificate
//     1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate
//     leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate
//     leaf[subject.OU] = "…"` (the leaf's marker is required, not
//     checked: a leaf without it fails its own requirement);
//   - any other Apple-anchored chain (Apple's own code, or a chain of
//     another length): `anchor apple`;
//   - a non-Apple anchor: the SHA-1 of the highest certificate, walking up
//     from the leaf, whose subject O equals the leaf's (exact comparison;
//     the leaf itself when it has none or its issuer's differs), as
//     `certificate leaf|N|root = H"…"`, root when the walk reaches the
//     anchor.
//
// DRMaker reads one value of the CN, OU or O attribute; which one it
// takes when a subject holds several, and what it writes when the leaf
// has no CN or OU (older versions fail, newer ones log and go on), the
// sources do not settle: for those subjects implicitDesignated returns
// nil. So it does for an identifier or chain the requirement cannot hold.
func implicitDesignated(ctx *reqContext) *Requirement {
	if len(ctx.chain) == 0 {
		if len(ctx.cdhash) == 0 {
			return nil
		}
		return &Requirement{root: &reqNode{op: opCDHash, data: ctx.cdhash}}
	}
	var rest *reqNode
	if anchor := ctx.chain[len(ctx.chain)-1]; ctx.appleRoot != nil && ctx.appleRoot(anchor) {
		rest = appleAnchorDR(ctx.chain)
	} else {
		rest = nonAppleAnchorDR(ctx.chain)
	}
	if rest == nil {
		return nil
	}
	return &Requirement{root: and(&reqNode{op: opIdent, data: []byte(ctx.identifier)}, rest)}
}

// appleAnchorDR is DRMaker's appleAnchor: the terms after the identifier
// for a chain anchored at an Apple root.
func appleAnchorDR(chain []*x509.Certificate) *reqNode {
	leaf := chain[0]
	switch {
	case len(chain) == 3 && hasExtension(chain[1], signing.OIDAppleWWDRCA):
		cn, ok := soleSubjectValue(leaf, oidCommonName)
		if !ok {
			return nil
		}
		return and(&reqNode{op: opAppleGenericAnchor}, and(
			certEqual(slotLeafCert, "subject.CN", cn),
			certHas(1, signing.OIDAppleWWDRCA)))
	case len(chain) == 3 && hasExtension(chain[1], signing.OIDAppleDeveloperIDCA):
		team, ok := soleSubjectValue(leaf, oidOrganizationalUnit)
		if !ok {
			return nil
		}
		return and(&reqNode{op: opAppleGenericAnchor}, and(
			certHas(1, signing.OIDAppleDeveloperIDCA), and(
				certHas(slotLeafCert, signing.OIDAppleDeveloperIDApplication),
				certEqual(slotLeafCert, "subject.OU", team))))
	}
	return &reqNode{op: opAppleAnchor}
}

// nonAppleAnchorDR is DRMaker's nonAppleAnchor: the SHA-1 of the highest
// certificate that shares the leaf's organization.
func nonAppleAnchorDR(chain []*x509.Certificate) *reqNode {
	slot := 0
	org, ok := soleSubjectValue(chain[0], oidOrganization)
	if !ok && subjectValueCount(chain[0], oidOrganization) > 0 {
		return nil // several O values, or one that is no string
	}
	if ok {
		for slot+1 < len(chain) {
			up := chain[slot+1]
			o, found := soleSubjectValue(up, oidOrganization)
			if !found && subjectValueCount(up, oidOrganization) > 0 {
				return nil
			}
			if !found || o != org {
				break
			}
			slot++
		}
	}
	h := sha1.Sum(chain[slot].Raw)
	n := &reqNode{op: opAnchorHash, slot: int32(slot), data: h[:]}
	if slot == len(chain)-1 {
		n.slot = slotAnchorCert
	}
	return n
}

// and joins two terms as DRMaker does, the right one nested.
func and(l, r *reqNode) *reqNode { return &reqNode{op: opAnd, kids: []*reqNode{l, r}} }

// certEqual is `certificate SLOT[FIELD] = "VALUE"`.
func certEqual(slot int32, field, value string) *reqNode {
	return &reqNode{op: opCertField, slot: slot, data: []byte(field), match: &reqMatch{op: matchEqual, value: []byte(value)}}
}

// certHas is `certificate SLOT[field.OID] /* exists */`.
func certHas(slot int32, id asn1.ObjectIdentifier) *reqNode {
	arcs := make([]uint64, len(id))
	for i, a := range id {
		arcs[i] = uint64(a)
	}
	return &reqNode{op: opCertGeneric, slot: slot, oid: arcs, data: encodeOID(arcs), match: &reqMatch{op: matchExists}}
}

// soleSubjectValue returns the string value of the subject attribute id
// when the subject holds exactly one.
func soleSubjectValue(c *x509.Certificate, id asn1.ObjectIdentifier) (string, bool) {
	if subjectValueCount(c, id) != 1 {
		return "", false
	}
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal(id) {
			s, ok := atv.Value.(string)
			return s, ok
		}
	}
	return "", false
}

// subjectValueCount counts the subject's attributes of type id.
func subjectValueCount(c *x509.Certificate, id asn1.ObjectIdentifier) int {
	n := 0
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal(id) {
			n++
		}
	}
	return n
}

// hasExtension reports whether c carries an extension with the given OID.
func hasExtension(c *x509.Certificate, id asn1.ObjectIdentifier) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(id) {
			return true
		}
	}
	return false
}
