package notary

import (
	"encoding/binary"
	"fmt"
	"io"
)

// TrailerMagic starts each trailer stapler appends to a flat package.
const TrailerMagic = "t8lr"

// Trailer types, as Security.framework's notarization.cpp names them.
const (
	trailerInvalid    = 0
	trailerTerminator = 1
	trailerTicket     = 2
)

// trailerSize is a trailer's length: magic, version (uint16), type
// (uint16), data length (uint32), 4 reserved bytes, little-endian.
const trailerSize = 16

// maxTrailers bounds the trailers walked back from the end of a package.
const maxTrailers = 16

// PackageTrailers is what stapler appended to a flat package: the xar
// archive ends at Start, where a terminator trailer begins the stapled
// area; each later trailer follows its data.
type PackageTrailers struct {
	// Start is the offset of the terminator trailer: the package's xar
	// data is [0, Start).
	Start int64
	// Ticket is the ticket's data and TicketOffset where it starts; nil
	// when the trailers hold no ticket.
	Ticket       []byte
	TicketOffset int64
	// Unknown lists trailers of types other than terminator and ticket,
	// which Security.framework skips: their data is covered by nothing.
	Unknown []UnknownTrailer
}

// UnknownTrailer is a trailer of an unknown type and its data.
type UnknownTrailer struct {
	// Offset is where the trailer starts; its data is the Length bytes
	// before it.
	Offset int64
	Type   uint16
	Length int64
}

// PackageTicket reads the trailers stapler appends to a flat package:
// [xar][terminator][ticket][ticket trailer], as rcodesign writes them and
// Security.framework reads them back from the end of the file (trailers of
// unknown types are skipped). It returns nil and no error when the file
// does not end in a trailer, and a *FormatError (offset in the file) when
// it ends in one that does not lead back to a terminator.
func PackageTicket(r io.ReaderAt, size int64) (*PackageTrailers, error) {
	if size < trailerSize {
		return nil, nil
	}
	le := binary.LittleEndian
	out := &PackageTrailers{}
	pos := size - trailerSize
	for i := 0; ; i++ {
		var h [trailerSize]byte
		if _, err := r.ReadAt(h[:], pos); err != nil {
			return nil, fmt.Errorf("notary: reading package trailer at %#x: %w", pos, err)
		}
		if string(h[:4]) != TrailerMagic {
			if i == 0 {
				return nil, nil
			}
			return nil, &FormatError{Offset: pos, Reason: fmt.Sprintf("package trailer %d: magic %q, want %q before a terminator", i, h[:4], TrailerMagic)}
		}
		if v := le.Uint16(h[4:]); v != 1 {
			return nil, &FormatError{Offset: pos + 4, Reason: fmt.Sprintf("package trailer version %d, only 1 is known", v)}
		}
		if r := le.Uint32(h[12:]); r != 0 {
			// Security.framework skips them: nothing covers them.
			return nil, &FormatError{Offset: pos + 12, Reason: fmt.Sprintf("package trailer %d's reserved bytes hold %#08x, not zero", i, r)}
		}
		typ, n := le.Uint16(h[6:]), int64(le.Uint32(h[8:]))
		switch typ {
		case trailerTerminator:
			if n != 0 {
				return nil, &FormatError{Offset: pos + 8, Reason: fmt.Sprintf("terminator trailer claims %d data bytes", n)}
			}
			out.Start = pos
			return out, nil
		case trailerInvalid:
			return nil, &FormatError{Offset: pos + 6, Reason: "package trailer of the invalid type 0"}
		}
		if i+1 >= maxTrailers {
			return nil, &FormatError{Offset: pos, Reason: fmt.Sprintf("more than %d package trailers", maxTrailers)}
		}
		if n > pos-trailerSize {
			return nil, &FormatError{Offset: pos + 8, Reason: fmt.Sprintf("package trailer claims %d data bytes, but only %d bytes precede it", n, pos)}
		}
		data := pos - n
		if typ == trailerTicket {
			if out.Ticket != nil {
				return nil, &FormatError{Offset: pos, Reason: "a second ticket trailer"}
			}
			if n > MaxSize {
				return nil, &FormatError{Offset: pos + 8, Reason: fmt.Sprintf("ticket of %d bytes, more than a ticket (at most %d)", n, MaxSize)}
			}
			out.Ticket = make([]byte, n)
			if _, err := r.ReadAt(out.Ticket, data); err != nil {
				return nil, fmt.Errorf("notary: reading the stapled ticket at %#x: %w", data, err)
			}
			out.TicketOffset = data
		} else {
			out.Unknown = append(out.Unknown, UnknownTrailer{Offset: pos, Type: typ, Length: n})
		}
		pos = data - trailerSize
	}
}
