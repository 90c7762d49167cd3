// Package notary parses stapled Apple notarization tickets and finds them
// where stapler(1) puts them.
//
// A ticket is what Apple's notary service returns for notarized code: a
// list of the cdhashes it notarized, signed by Apple. stapler puts it in a
// bundle's Contents/CodeResources file, in a disk image's code signature
// (a blob wrapper, magic 0xfade0b01, in the SuperBlob's ticket slot
// 0x10002), or at the end of a flat package after a "t8lr" trailer (see
// [PackageTicket]). Security.framework's notarization.cpp reads those three
// places; rcodesign (apple-codesign, stapling.rs) writes them.
//
// Apple does not document the ticket itself. What this package checks is
// what public sources agree on and a real ticket shows: the magic "s8ch",
// a little-endian version 1, the length of a DER certificate chain, the
// length of the content after it, and that the lengths account for every
// byte. The chain's first certificate is Apple's "Software Ticket Signing"
// leaf (P-256, issued by Apple System Integration CA 4). Where in the
// content Apple's signature sits and which bytes it covers is not publicly
// described, so this package does NOT verify the signature, and it does
// not verify the chain: a parsed ticket is "stapled-unverified". Its cdhash
// binding is a search of the content for the code's 20-byte cdhash, not a
// walk of a parsed hash list. Anyone can write a ticket that passes both.
//
// The package is ours rather than a library's because no Go library reads
// tickets; rcodesign treats them as opaque bytes.
package notary

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/shipgate/shipgate/signing"
)

// Magic starts every ticket.
const Magic = "s8ch"

// MaxSize bounds a ticket. Apple's tickets are a few KiB; a larger blob
// where a ticket belongs is data no signature covers.
const MaxSize = 64 << 10

// headerSize is the fixed header: magic, version, chain length, content
// length.
const headerSize = 16

// maxCertificates bounds the certificates a ticket's chain may hold.
const maxCertificates = 8

// FormatError reports a ticket that does not parse, at an offset into the
// ticket.
type FormatError struct {
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("notary: ticket at byte %#x: %s", e.Offset, e.Reason)
}

// Ticket is a parsed notarization ticket. Nothing in it is verified.
type Ticket struct {
	// Version is the header's version; Parse accepts 1 only.
	Version uint32
	// Certificates is the chain the ticket carries, as claimed.
	Certificates []*x509.Certificate
	// Content is the ticket after the certificate chain: the cdhash list
	// and Apple's signature, in a layout that is not documented.
	Content []byte
	// Size and SHA256 identify the whole ticket (lowercase hex).
	Size   int
	SHA256 string
	// Layout says how the ticket differs from the layout shipgate reads
	// (header, certificate chain, then as many content bytes as the
	// header's second length says, a chain no larger than Apple's needs);
	// "" when it does not.
	Layout string

	// named is the part of Content searched for cdhashes: the content
	// bytes the header declares, when fewer follow.
	named []byte
}

// Parse parses a ticket. It returns a *FormatError when b is not one.
func Parse(b []byte) (*Ticket, error) {
	bad := func(off int, format string, a ...any) error {
		return &FormatError{Offset: int64(off), Reason: fmt.Sprintf(format, a...)}
	}
	if len(b) > MaxSize {
		return nil, bad(0, "%d bytes, more than a ticket (at most %d)", len(b), MaxSize)
	}
	if len(b) < headerSize {
		return nil, bad(0, "%d bytes, shorter than the %d-byte header", len(b), headerSize)
	}
	if string(b[:4]) != Magic {
		return nil, bad(0, "magic %q, want %q", b[:4], Magic)
	}
	le := binary.LittleEndian
	t := &Ticket{Version: le.Uint32(b[4:]), Size: len(b)}
	if t.Version != 1 {
		return nil, bad(4, "version %d, only 1 is known", t.Version)
	}
	chainLen, contentLen := uint64(le.Uint32(b[8:])), uint64(le.Uint32(b[12:]))
	rest := uint64(len(b) - headerSize)
	switch {
	case chainLen > rest:
		return nil, bad(8, "certificate chain of %d bytes, but %d bytes follow the header", chainLen, rest)
	case rest-chainLen < 20:
		return nil, bad(int(headerSize+chainLen), "%d bytes after the certificate chain cannot hold a cdhash", rest-chainLen)
	}
	// The second length is read as the content's size, which one real
	// ticket's header supports but no public source states: a ticket
	// that disagrees is kept, with the difference in Layout, rather than
	// called malformed (a wrong guess would fail every stapled release).
	switch {
	case contentLen > rest-chainLen:
		t.Layout = fmt.Sprintf("its header declares %d content bytes and %d follow the certificate chain", contentLen, rest-chainLen)
	case contentLen < rest-chainLen:
		t.Layout = fmt.Sprintf("%d bytes follow the %d content bytes its header declares", rest-chainLen-contentLen, contentLen)
	}
	chain := b[headerSize : headerSize+chainLen]
	var seq asn1.RawValue
	tail, err := asn1.Unmarshal(chain, &seq)
	if err != nil || seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, bad(headerSize, "certificate chain is not a DER SEQUENCE")
	}
	if len(tail) != 0 {
		return nil, bad(headerSize+len(chain)-len(tail), "%d bytes after the certificate chain's SEQUENCE", len(tail))
	}
	// Count before parsing: x509.ParseCertificates has no cap.
	n, inner := 0, seq.Bytes
	for len(inner) > 0 {
		var c asn1.RawValue
		if inner, err = asn1.Unmarshal(inner, &c); err != nil {
			return nil, bad(headerSize, "certificate chain: %v", err)
		}
		if n++; n > maxCertificates {
			return nil, bad(headerSize, "certificate chain holds more than %d certificates", maxCertificates)
		}
	}
	if n == 0 {
		return nil, bad(headerSize, "certificate chain is empty")
	}
	if t.Certificates, err = x509.ParseCertificates(seq.Bytes); err != nil {
		return nil, bad(headerSize, "certificate chain: %v", err)
	}
	if t.Layout == "" {
		t.Layout = chainPayload(t.Certificates)
	}
	t.Content = b[headerSize+chainLen:]
	t.named = t.Content
	if contentLen < uint64(len(t.Content)) {
		// Bytes past the declared content are no part of the ticket its
		// header describes: a cdhash appended there names nothing.
		t.named = t.Content[:contentLen]
	}
	sum := sha256.Sum256(b)
	t.SHA256 = hex.EncodeToString(sum[:])
	return t, nil
}

// Bounds on a ticket's chain: Apple's is its signing leaf and the
// integration CA (and at most the root), each under a kilobyte or two. No
// signature shipgate verifies covers the chain, so a certificate beyond
// these is room for a payload, not a structure it can attribute bytes to.
const (
	maxChainCertificates = 3
	maxCertificateSize   = 4096
	maxExtensionSize     = 1024
)

// chainPayload says how a ticket's chain exceeds what Apple's chain
// needs (more certificates, a large certificate or extension); "" when it
// does not.
func chainPayload(certs []*x509.Certificate) string {
	if len(certs) > maxChainCertificates {
		return fmt.Sprintf("its certificate chain holds %d certificates, more than the %d of Apple's ticket chain", len(certs), maxChainCertificates)
	}
	for i, c := range certs {
		for _, e := range c.Extensions {
			if len(e.Value) > maxExtensionSize {
				return fmt.Sprintf("certificate %d of its chain has an extension of %d bytes (%v), more than %d", i, len(e.Value), e.Id, maxExtensionSize)
			}
		}
		if len(c.Raw) > maxCertificateSize {
			return fmt.Sprintf("certificate %d of its chain is %d bytes, more than %d", i, len(c.Raw), maxCertificateSize)
		}
	}
	return ""
}

// Names reports whether the ticket's content holds cdhash, truncated to 20
// bytes as Gatekeeper names code. It is a byte search: the position of the
// hash list in the content is not documented. Only the content bytes the
// header declares are searched: bytes after them (Layout says so) do not
// name code.
func (t *Ticket) Names(cdhash []byte) bool {
	if len(cdhash) > 20 {
		cdhash = cdhash[:20]
	}
	named := t.named
	if named == nil {
		named = t.Content // a Ticket not made by Parse
	}
	return len(cdhash) == 20 && bytes.Contains(named, cdhash)
}

// Signer returns the common name of the ticket's first certificate, as
// claimed.
func (t *Ticket) Signer() string {
	if len(t.Certificates) == 0 {
		return ""
	}
	return t.Certificates[0].Subject.CommonName
}

// Check parses raw, found at location, and reports which of cdhashes
// (lowercase hex; at least 20 bytes each) its content holds. A nil raw
// reports a ticket not stapled.
func Check(raw []byte, location string, cdhashes []string) *signing.Notarization {
	if raw == nil {
		return &signing.Notarization{Status: signing.NotarizationNotStapled, CDHashes: cdhashes}
	}
	sum := sha256.Sum256(raw)
	n := &signing.Notarization{Location: location, TicketSize: int64(len(raw)), TicketSHA256: hex.EncodeToString(sum[:]), CDHashes: cdhashes}
	t, err := Parse(raw)
	if err != nil {
		n.Status = signing.NotarizationMalformed
		var fe *FormatError
		if errors.As(err, &fe) {
			n.Detail = fe.Reason + fmt.Sprintf(" (byte %#x of the ticket)", fe.Offset)
		} else {
			n.Detail = err.Error()
		}
		return n
	}
	n.Status = signing.NotarizationStapledUnverified
	n.TicketSigner = t.Signer()
	if t.Layout != "" {
		n.Detail = "the ticket's layout differs from the one shipgate reads: " + t.Layout
	}
	for _, h := range cdhashes {
		b, err := hex.DecodeString(h)
		if err == nil && t.Names(b) {
			n.Matched = append(n.Matched, h)
		}
	}
	return n
}
