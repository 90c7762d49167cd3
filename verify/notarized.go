package verify

import (
	"fmt"
	"strings"

	"github.com/shipgate/shipgate/signing"
)

// checkNotarized applies a policy's requireNotarized to a Mach-O file (a
// bundle's main executable; a thin Mach-O can only carry a ticket in its
// signature's ticket slot), a disk image or a flat package: each signature
// must carry a stapled ticket that parses and names its cdhash. Apple's
// signature on a ticket is not verified (the format does not document it),
// so "verified" is never satisfied and says so.
func (c *check) checkNotarized(want Notarized, line int) {
	switch c.f.Kind {
	case KindMachO, KindMachOUniversal, KindDMG, KindPkg:
	default:
		return
	}
	who := "requireNotarized: " + string(want) + ", set by the policy"
	if line > 0 {
		who = fmt.Sprintf("requireNotarized: %s, set by the policy rule at line %d", want, line)
	}
	sigs := c.f.Signatures
	if len(sigs) == 0 {
		sigs = []signing.Signature{{Index: -1, Status: signing.StatusUnsigned}}
	}
	for _, sig := range sigs {
		what := capital(sigName(&c.f, sig))
		add := func(msg string) {
			f := c.add(RuleNotNotarized, signing.SeverityError, msg+" ("+who+")")
			*f = f.For(sig.Index)
		}
		n := sig.Notarization
		switch {
		case sig.Status == signing.StatusUnsigned:
			add(what + " carries no signature, so no notarization ticket can name it")
		case n == nil:
			add(what + " is not where stapler puts a ticket: stapled tickets belong to a bundle's main executable, a disk image or a flat package")
		case n.Status == signing.NotarizationNotStapled:
			add(fmt.Sprintf("%s has no stapled notarization ticket (cdhashes %s); Gatekeeper may fetch one online, which shipgate does not do", what, strings.Join(n.CDHashes, ", ")))
		case n.Status == signing.NotarizationMalformed:
			add(fmt.Sprintf("%s has data where its notarization ticket belongs (%s) that is not a ticket: %s", what, n.Location, n.Detail))
		case !n.Bound():
			add(fmt.Sprintf("%s has a stapled notarization ticket (%s) that names none of its cdhashes (%s): a ticket for other code", what, n.Location, strings.Join(n.CDHashes, ", ")))
		case want == NotarizedVerified:
			add(fmt.Sprintf("%s has a stapled notarization ticket (%s) naming cdhash %s, but Apple's signature on it cannot be verified offline: the ticket format does not document it. Use requireNotarized: stapled to accept an unverified ticket bound to the code", what, n.Location, n.Matched[0]))
		}
	}
}
