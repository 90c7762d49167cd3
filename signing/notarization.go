package signing

// NotarizationStatus says what was found of a stapled Apple notarization
// ticket.
type NotarizationStatus string

const (
	// NotarizationNotStapled results when no ticket is stapled where stapler
	// puts one. The code may still be notarized: Gatekeeper can fetch the
	// ticket online, which shipgate does not do.
	NotarizationNotStapled NotarizationStatus = "not-stapled"
	// NotarizationStapledUnverified results when a ticket is stapled and
	// parses ("s8ch" header, certificate chain, content), but Apple's
	// signature on it is not verified: the signed layout is not publicly
	// documented. Anyone can write such a ticket.
	NotarizationStapledUnverified NotarizationStatus = "stapled-unverified"
	// NotarizationMalformed results when the data where stapler puts a
	// ticket is not a ticket: wrong magic, lengths that disagree, trailing
	// bytes, a certificate chain that does not parse.
	NotarizationMalformed NotarizationStatus = "malformed"
)

// Notarization is what a stapled notarization ticket says about the signed
// code it is stapled to. No field means Apple notarized the code: Apple's
// signature on the ticket is not verified.
type Notarization struct {
	// Status is what was found.
	Status NotarizationStatus `json:"status"`
	// Location says where the ticket was found: "Contents/CodeResources",
	// "ticket slot at 0x…", "package trailer at 0x…".
	Location string `json:"location,omitempty"`
	// TicketSize and TicketSHA256 identify the ticket's bytes (lowercase hex).
	TicketSize   int64  `json:"ticketSize,omitempty"`
	TicketSHA256 string `json:"ticketSHA256,omitempty"`
	// TicketSigner is the subject common name of the first certificate the
	// ticket carries, as claimed: its chain is not verified.
	TicketSigner string `json:"ticketSigner,omitempty"`
	// CDHashes are the code's cdhashes (20 bytes, lowercase hex; for a flat
	// package the table of contents checksum, truncated) the ticket was
	// searched for, and Matched those the ticket's content holds.
	CDHashes []string `json:"cdhashes,omitempty"`
	Matched  []string `json:"matched,omitempty"`
	// Detail explains a malformed ticket.
	Detail string `json:"detail,omitempty"`
}

// Bound reports a parsed ticket whose content holds one of the code's
// cdhashes.
func (n *Notarization) Bound() bool {
	return n != nil && n.Status == NotarizationStapledUnverified && len(n.Matched) > 0
}
