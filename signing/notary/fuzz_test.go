package notary

import (
	"bytes"
	"testing"

	"github.com/shipgate/shipgate/internal/ticketfile"
)

// FuzzParse: Parse never panics, and a ticket it accepts accounts for every
// byte.
func FuzzParse(f *testing.F) {
	good := ticketfile.Ticket(cdA, cdB)
	f.Add(good)
	f.Add(good[:40])
	f.Add(append(bytes.Clone(good), 0))
	f.Add([]byte("s8ch\x01\x00\x00\x00\x02\x00\x00\x00\x14\x00\x00\x000\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tk, err := Parse(b)
		if err != nil {
			return
		}
		if tk.Size != len(b) || len(tk.Certificates) == 0 || len(tk.Content) < 20 {
			t.Fatalf("accepted %+v", tk)
		}
		_ = Check(b, "fuzz", []string{"00", "zz"})
	})
}

// FuzzPackageTicket: reading trailers never panics and never returns a
// ticket outside the file or past MaxSize.
func FuzzPackageTicket(f *testing.F) {
	f.Add(append([]byte("xar!"), ticketfile.Staple(ticketfile.Ticket(cdA))...))
	f.Add(ticketfile.Trailer(2, 1<<31))
	f.Add(append(ticketfile.Trailer(9, 0), ticketfile.Trailer(9, 0)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := PackageTicket(bytes.NewReader(b), int64(len(b)))
		if err != nil || tr == nil {
			return
		}
		if tr.Start < 0 || tr.Start > int64(len(b)) || len(tr.Ticket) > MaxSize || tr.TicketOffset+int64(len(tr.Ticket)) > int64(len(b)) {
			t.Fatalf("trailers %+v for %d bytes", tr, len(b))
		}
	})
}
