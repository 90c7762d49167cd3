package codesign

import (
	"fmt"
	"path"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/notary"
)

// parseTicketBlob reports whether the ticket-slot blob b is a blob wrapper
// holding a ticket that parses, and keeps its payload.
func (s *sliceState) parseTicketBlob(b blob, at int64) bool {
	if ticketBlobProblem(b) != "" {
		return false
	}
	s.ticket, s.ticketAt = b.data[8:], at+8
	return true
}

// keepBadTicket keeps the bytes of a ticket-slot blob that is not a
// wrapped ticket, so that the notarization facts say it is malformed.
func (s *sliceState) keepBadTicket(b blob, at int64) {
	s.ticket, s.ticketAt = b.data, at
	if b.magic == magicBlobWrapper && len(b.data) >= 8 {
		s.ticket, s.ticketAt = b.data[8:], at+8
	}
}

// ticketBlobProblem says why b is not a wrapped ticket; "" when it is.
func ticketBlobProblem(b blob) string {
	if b.magic != magicBlobWrapper || len(b.data) < 8 {
		return fmt.Sprintf("magic %#08x, want a blob wrapper %#08x", b.magic, magicBlobWrapper)
	}
	if _, err := notary.Parse(b.data[8:]); err != nil {
		return err.Error()
	}
	return ""
}

// notarize records what the ticket slot holds against the slice's
// cdhashes, and reports a ticket that names none of them.
func (s *sliceState) notarize() {
	loc := ""
	if s.ticket != nil {
		loc = fmt.Sprintf("ticket slot at %#x", s.ticketAt)
	}
	n := notary.Check(s.ticket, loc, s.slice.CDHashes)
	s.sig.Notarization = n
	if n.Status == signing.NotarizationStapledUnverified && n.Detail != "" {
		s.add(RuleNotarizationTicketLayout, signing.SeverityWarning, signing.StatusValid, s.ticketAt,
			fmt.Sprintf("the stapled notarization ticket at %#x is not laid out as shipgate reads tickets (%s): no signature covers its bytes", s.ticketAt, n.Detail))
	}
	if n.Status == signing.NotarizationStapledUnverified && !n.Bound() {
		s.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, signing.StatusValid, s.ticketAt,
			fmt.Sprintf("the stapled notarization ticket at %#x names none of the signature's cdhashes (%v): it is a ticket for other code", s.ticketAt, s.slice.CDHashes))
	}
}

// outerTicket is the ticket stapled to an enclosing bundle, which names
// the code nested in it too (Apple's ticket lists every executable of a
// submission).
type outerTicket struct {
	raw []byte
	loc string // the ticket file's path in the fs.FS
}

// inherit returns the ticket nested bundles are checked against: this
// bundle's own, else the one it inherited.
func (b *bundleCheck) inherit() *outerTicket {
	if b.ticket != nil {
		return &outerTicket{raw: b.ticket, loc: path.Join(b.lay.root, stapledTicket)}
	}
	return b.outer
}

// notarize records, on each signature of the bundle's main executable,
// what its ticket holds against that slice's cdhashes: the bundle's own
// Contents/CodeResources, else an enclosing bundle's ticket, else
// not-stapled. A bundle's own ticket naming none of the slice's cdhashes
// is a warning; an enclosing one is only recorded, as Apple's tickets may
// or may not list nested code.
func (b *bundleCheck) notarize() {
	if b.mainItem < 0 {
		return
	}
	r := b.out.Items[b.mainItem].Result
	if r == nil {
		return
	}
	raw, loc := b.ticket, "Contents/"+stapledTicket
	if raw == nil && b.outer != nil {
		raw, loc = b.outer.raw, b.outer.loc
	}
	p := path.Join(b.lay.root, stapledTicket)
	for i := range r.Signatures {
		var hs []string
		if i < len(r.Slices) {
			hs = r.Slices[i].CDHashes
		}
		n := notary.Check(raw, loc, hs)
		r.Signatures[i].Notarization = n
		if i == 0 && b.ticket != nil && n.Status == signing.NotarizationStapledUnverified && n.Detail != "" {
			b.add(RuleNotarizationTicketLayout, signing.SeverityWarning, p, fmt.Sprintf("the stapled notarization ticket is not laid out as shipgate reads tickets (%s): no signature covers its bytes", n.Detail))
		}
		if b.ticket != nil && n.Status == signing.NotarizationStapledUnverified && !n.Bound() {
			b.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, p, fmt.Sprintf("the stapled notarization ticket names none of the cdhashes of the main executable's signature %d (%v): it is a ticket for other code", i, hs))
		}
	}
}
