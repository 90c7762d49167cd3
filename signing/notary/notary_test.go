package notary

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/internal/testpki"
	"github.com/shipgate/shipgate/internal/ticketfile"
	"github.com/shipgate/shipgate/signing"
)

var (
	cdA = bytes.Repeat([]byte{0xa1}, 32)
	cdB = bytes.Repeat([]byte{0xb2}, 32)
)

// TestParse: a ticket parses; every kind of broken one is a FormatError
// that names the offset where it breaks.
func TestParse(t *testing.T) {
	good := ticketfile.Ticket(cdA)
	tk, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Version != 1 || len(tk.Certificates) != 2 || tk.Signer() != "Software Ticket Signing" || !tk.Names(cdA) || tk.Names(cdB) {
		t.Fatalf("parsed %+v", tk)
	}
	le := binary.LittleEndian
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for _, c := range []struct {
		name string
		b    []byte
		off  int64
		want string
	}{
		{"empty", nil, 0, "shorter than"},
		{"wrong magic", edit(func(b []byte) []byte { b[0] = 'x'; return b }), 0, "magic"},
		{"version 2", edit(func(b []byte) []byte { le.PutUint32(b[4:], 2); return b }), 4, "version 2"},
		{"chain longer than the ticket", edit(func(b []byte) []byte { le.PutUint32(b[8:], 1<<31); return b }), 8, "certificate chain of"},
		{"chain not DER", edit(func(b []byte) []byte { b[16] = 0x04; return b }), 16, "not a DER SEQUENCE"},
		{"empty chain", ticketfile.Raw([]byte{0x30, 0}, ticketfile.Content(cdA)), 16, "empty"},
		{"chain of garbage", ticketfile.Raw([]byte{0x30, 3, 2, 1, 0}, ticketfile.Content(cdA)), 16, "certificate chain"},
		{"bytes after the chain's SEQUENCE", ticketfile.Raw(append(ticketfile.Chain(ticketfile.Leaf.Cert), 0, 0), ticketfile.Content(cdA)), 16 + int64(len(ticketfile.Chain(ticketfile.Leaf.Cert))), "after the certificate chain"},
		{"content too short for a cdhash", ticketfile.Raw(ticketfile.Chain(ticketfile.Leaf.Cert), make([]byte, 19)), 16 + int64(len(ticketfile.Chain(ticketfile.Leaf.Cert))), "cannot hold a cdhash"},
		{"oversized", make([]byte, MaxSize+1), 0, "more than a ticket"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.b)
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Offset != c.off || !strings.Contains(fe.Reason, c.want) {
				t.Errorf("err %v, want FormatError at %#x containing %q", err, c.off, c.want)
			}
		})
	}
}

// TestParseLayoutDisagrees: a header whose content length disagrees with
// the bytes after the chain (trailing bytes, one byte short, a length that
// wraps) still parses, as shipgate's reading of that length is unconfirmed,
// and Layout says how it disagrees.
func TestParseLayoutDisagrees(t *testing.T) {
	good := ticketfile.Ticket(cdA)
	wraps := bytes.Clone(good)
	binary.LittleEndian.PutUint32(wraps[12:], 0xffffffff)
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"trailing bytes": {append(bytes.Clone(good), "garbage"...), "7 bytes follow"},
		"one byte short": {good[:len(good)-1], "declares"},
		"length wraps":   {wraps, "declares 4294967295"},
	} {
		t.Run(name, func(t *testing.T) {
			tk, err := Parse(c.b)
			if err != nil || !strings.Contains(tk.Layout, c.want) {
				t.Fatalf("Parse: %v, layout %q, want %q", err, tk.Layout, c.want)
			}
			if n := Check(c.b, "x", nil); n.Status != signing.NotarizationStapledUnverified || !strings.Contains(n.Detail, c.want) {
				t.Errorf("Check: %+v", n)
			}
		})
	}
	if tk, err := Parse(good); err != nil || tk.Layout != "" {
		t.Errorf("good ticket: %v, layout %q", err, tk.Layout)
	}
}

// TestParseTooManyCertificates: the chain is counted before it is parsed.
func TestParseTooManyCertificates(t *testing.T) {
	c := ticketfile.Leaf.Cert
	chain := ticketfile.Chain(c, c, c, c, c, c, c, c, c)
	_, err := Parse(ticketfile.Raw(chain, ticketfile.Content(cdA)))
	if err == nil || !strings.Contains(err.Error(), "more than 8 certificates") {
		t.Fatalf("err %v", err)
	}
}

// TestCheck: the binding is to the code's cdhashes, truncated to 20 bytes.
func TestCheck(t *testing.T) {
	a, b := hex.EncodeToString(cdA[:20]), hex.EncodeToString(cdB[:20])
	n := Check(ticketfile.Ticket(cdA), "here", []string{a, b})
	if n.Status != signing.NotarizationStapledUnverified || !n.Bound() || len(n.Matched) != 1 || n.Matched[0] != a || n.TicketSigner != "Software Ticket Signing" || n.TicketSHA256 == "" {
		t.Errorf("bound: %+v", n)
	}
	if n := Check(ticketfile.Ticket(cdA), "here", []string{b}); n.Bound() || n.Status != signing.NotarizationStapledUnverified {
		t.Errorf("other cdhash: %+v", n)
	}
	if n := Check(nil, "", []string{a}); n.Status != signing.NotarizationNotStapled || n.Bound() {
		t.Errorf("absent: %+v", n)
	}
	if n := Check([]byte("s8ch garbage that names nothing"), "here", []string{a}); n.Status != signing.NotarizationMalformed || n.Bound() || n.Detail == "" {
		t.Errorf("garbage: %+v", n)
	}
}

// TestCheckCDHashInChainNotContent: 20 bytes found only in the certificate
// chain do not bind: only the content after the chain is searched.
func TestCheckCDHashInChainNotContent(t *testing.T) {
	tk := ticketfile.Ticket(cdB)
	parsed, err := Parse(tk)
	if err != nil {
		t.Fatal(err)
	}
	inChain := tk[40:60]
	if bytes.Contains(parsed.Content, inChain) {
		t.Skip("fixture repeats chain bytes in its content")
	}
	if parsed.Names(inChain) {
		t.Error("bytes of the certificate chain matched as a cdhash")
	}
	if parsed.Names(cdB[:19]) {
		t.Error("a 19-byte prefix matched as a cdhash")
	}
}

// TestPackageTicket: trailers are walked back from the end of the file to
// the terminator; every inconsistency is an error, an unstapled file none.
func TestPackageTicket(t *testing.T) {
	xar := []byte("xar!...archive bytes...")
	tk := ticketfile.Ticket(cdA)
	stapled := append(bytes.Clone(xar), ticketfile.Staple(tk)...)
	le := binary.LittleEndian
	for _, c := range []struct {
		name     string
		b        []byte
		start    int64
		ticket   bool
		wantErr  string
		noResult bool
	}{
		{name: "unstapled", b: xar, noResult: true},
		{name: "stapled", b: stapled, start: int64(len(xar)), ticket: true},
		{name: "terminator only", b: append(bytes.Clone(xar), ticketfile.Trailer(1, 0)...), start: int64(len(xar))},
		{name: "unknown trailer skipped", b: append(append(bytes.Clone(stapled), "extra"...), ticketfile.Trailer(9, 5)...), start: int64(len(xar)), ticket: true},
		{name: "ticket length past the start", b: func() []byte {
			b := bytes.Clone(stapled)
			le.PutUint32(b[len(b)-8:], 1<<30)
			return b
		}(), wantErr: "precede it"},
		{name: "no terminator", b: append(append(bytes.Clone(xar), tk...), ticketfile.Trailer(2, len(tk))...), wantErr: "before a terminator"},
		{name: "invalid type", b: append(bytes.Clone(xar), ticketfile.Trailer(0, 0)...), wantErr: "invalid type"},
		{name: "two tickets", b: append(append(bytes.Clone(stapled), tk...), ticketfile.Trailer(2, len(tk))...), wantErr: "second ticket"},
		{name: "trailer loop", b: func() []byte {
			b := bytes.Clone(xar)
			for range 20 {
				b = append(b, ticketfile.Trailer(9, 0)...)
			}
			return b
		}(), wantErr: "more than 16"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := PackageTicket(bytes.NewReader(c.b), int64(len(c.b)))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.noResult {
				if tr != nil {
					t.Fatalf("trailers %+v on an unstapled file", tr)
				}
				return
			}
			if tr.Start != c.start || (tr.Ticket != nil) != c.ticket || (c.ticket && !bytes.Equal(tr.Ticket, tk)) {
				t.Errorf("got %+v", tr)
			}
		})
	}
}

// TestCheckCDHashAppendedPastDeclaredContent: a ticket for other code
// (cdA) stapled to code whose cdhash is cdB, with cdB's 20 bytes appended
// after the content its header declares, is not bound to cdB: the header
// relaxation keeps the ticket (Layout says so) but its extra bytes name
// nothing. A cdhash straddling the end of the declared content does not
// bind either.
func TestCheckCDHashAppendedPastDeclaredContent(t *testing.T) {
	b := hex.EncodeToString(cdB[:20])
	good := ticketfile.Ticket(cdA)
	appended := append(bytes.Clone(good), cdB[:20]...)
	n := Check(appended, "here", []string{b})
	if n.Status != signing.NotarizationStapledUnverified || n.Bound() || !strings.Contains(n.Detail, "20 bytes follow") {
		t.Errorf("appended cdhash: %+v", n)
	}
	straddle := append(bytes.Clone(good[:len(good)-10]), cdB[:20]...)
	binary.LittleEndian.PutUint32(straddle[12:], binary.LittleEndian.Uint32(good[12:])) // the header still declares the original content
	if n := Check(straddle, "here", []string{b}); n.Bound() {
		t.Errorf("straddling cdhash: %+v", n)
	}
	// Within the declared content the search still finds it.
	if n := Check(ticketfile.Ticket(cdB), "here", []string{b}); !n.Bound() {
		t.Errorf("declared cdhash: %+v", n)
	}
}

// TestAttackTicketCertificatePayload: no signature shipgate verifies covers
// a ticket, and its certificate chain was only checked to parse, so a
// certificate with a 30 KiB extension, or extra certificates beyond
// Apple's chain, carried a payload under a ticket reported as a note.
// Layout now names such certificates (a warning where tickets are read).
func TestAttackTicketCertificatePayload(t *testing.T) {
	big := ticketfile.CA.Issue(testpki.Spec{CommonName: "Software Ticket Signing", KeyKind: testpki.ECDSA, KeyN: 4, NoEKU: true,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Value: bytes.Repeat([]byte{0x90}, 30000)}}})
	l, c := ticketfile.Leaf.Cert, ticketfile.CA.Cert
	for name, tc := range map[string]struct {
		chain []byte
		want  string
	}{
		"apple-like":      {ticketfile.Chain(l, c), ""},
		"large-extension": {ticketfile.Chain(big.Cert, c), "extension of 30000 bytes"},
		"extra-certs":     {ticketfile.Chain(l, c, c, c), "4 certificates"},
	} {
		t.Run(name, func(t *testing.T) {
			tk, err := Parse(ticketfile.Raw(tc.chain, ticketfile.Content(cdA)))
			if err != nil {
				t.Fatal(err)
			}
			if (tc.want == "") != (tk.Layout == "") || !strings.Contains(tk.Layout, tc.want) {
				t.Errorf("layout %q, want %q", tk.Layout, tc.want)
			}
		})
	}
}
