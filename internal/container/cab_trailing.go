package container

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// CABTrailing is the path, under a cabinet's path, of the bytes that
// follow the cabinet (past its cbCabinet) up to its Authenticode
// signature or the end, and CABAfterSignature that of those after the
// signature: no extractor reads them.
const (
	CABTrailing       = "$CAB/trailing-data"
	CABAfterSignature = "$CAB/data-after-signature"
)

// cabTrailing hands over, as files under at (CABTrailing,
// CABAfterSignature), the bytes of the size bytes at ra past the
// cabinet's length (cbCabinet, at offset 8) that are not the signature a
// signed cabinet's header reserve locates; cab.NewReader has checked the
// header. When rule is not empty each is also a warning of that rule at
// at (a standalone cabinet's are reported by the signature check, as
// cab/data-after-cabinet and cab/data-after-signature).
func (w *walker) cabTrailing(ra io.ReaderAt, size int64, at string, rule signing.Rule) {
	var h [52]byte
	n, _ := ra.ReadAt(h[:], 0)
	if n < 36 {
		return
	}
	le := binary.LittleEndian
	cb := int64(le.Uint32(h[8:]))
	if cb >= size {
		return
	}
	sigPos, sigEnd := size, size
	if le.Uint16(h[30:])&0x0004 != 0 && n >= 52 && le.Uint16(h[36:]) == 20 {
		if p, l := int64(le.Uint32(h[44:])), int64(le.Uint32(h[48:])); p >= cb && l > 0 && l <= size-p {
			sigPos, sigEnd = p, p+l
		}
	}
	for _, r := range []struct {
		from, to int64
		name     string
	}{{cb, sigPos, CABTrailing}, {sigEnd, size, CABAfterSignature}} {
		n := r.to - r.from
		if n <= 0 {
			continue
		}
		p := release.JoinPath(at, r.name)
		if rule != "" {
			f := signing.NewFinding(rule, signing.SeverityWarning, fmt.Sprintf("%d bytes follow the cabinet (cbCabinet %d) outside its signature; no extractor reads them; they were checked as %s", n, cb, r.name))
			f.Path = at
			off := r.from
			f.Offset = &off
			w.v.Finding(f)
		}
		w.entry(p, release.NewSection(ra, r.from, n), n)
	}
}
