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
	if n.Status == signing.NotarizationStapledUnverified && !n.Bound() {
		s.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, signing.StatusValid, s.ticketAt,
			fmt.Sprintf("the stapled notarization ticket at %#x names none of the signature's cdhashes (%v): it is a ticket for other code", s.ticketAt, s.slice.CDHashes))
	}
}

// notarize records, on each signature of the bundle's main executable,
// what Contents/CodeResources holds against that slice's cdhashes: for the
// top bundle always (not-stapled without the file), for a nested one only
// when it has the file. A ticket naming none of the slice's cdhashes is a
// warning.
func (b *bundleCheck) notarize() {
	if b.mainItem < 0 || (b.ticket == nil && !b.top) {
		return
	}
	r := b.out.Items[b.mainItem].Result
	if r == nil {
		return
	}
	p := path.Join(b.lay.root, stapledTicket)
	for i := range r.Signatures {
		var hs []string
		if i < len(r.Slices) {
			hs = r.Slices[i].CDHashes
		}
		n := notary.Check(b.ticket, "Contents/"+stapledTicket, hs)
		r.Signatures[i].Notarization = n
		if n.Status == signing.NotarizationStapledUnverified && !n.Bound() {
			b.add(RuleNotarizationTicketMismatch, signing.SeverityWarning, p, fmt.Sprintf("the stapled notarization ticket names none of the cdhashes of the main executable's signature %d (%v): it is a ticket for other code", i, hs))
		}
	}
}
