package container

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/shipgate/shipgate/internal/squirrel"
)

// maxInnerScan bounds the bytes of a resource's start searched for an
// installer container that does not start at the resource's first byte,
// and maxInnerScanTotal those of one PE's resources together.
const (
	maxInnerScan      = 64 << 10
	maxInnerScanTotal = 1 << 20
)

// innerMagics are the signatures of the containers resourceInner looks
// for: a cabinet's and a compound file's (an MSI database's).
var innerMagics = [][]byte{[]byte("MSCF"), {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}}

// resourceInner returns the offset in the resource res of a cabinet or
// MSI database that does not start at its first byte but within its
// first maxInnerScan bytes (behind a wrapper's own header: the wrapper
// writes out the bytes past it, and 7-Zip's cabinet reader finds a
// cabinet's signature anywhere), the first whose header Detect takes; 0
// when none. Only data resources are searched (RT_RCDATA, and types named
// by a string): icons, dialogs and the other standard types hold none.
// budget, the bytes the PE's resources may still read, is spent.
func resourceInner(r io.ReaderAt, res squirrel.Resource, budget *int64) int64 {
	if res.Err != nil || res.Size < 36+1 || *budget <= 0 || isIExpressCabinet(res) ||
		res.Type == "" && res.TypeID != squirrel.RTRCData {
		return 0
	}
	b := make([]byte, min(res.Size, maxInnerScan, *budget))
	*budget -= int64(len(b))
	n, _ := r.ReadAt(b, res.Offset)
	b = b[:n]
	for i := 1; i+8 <= len(b); i++ {
		if b[i] != 'M' && b[i] != 0xd0 {
			continue
		}
		for _, m := range innerMagics {
			if !bytes.HasPrefix(b[i:], m) {
				continue
			}
			off := int64(i)
			if m[0] == 'M' && !plausibleCabHeader(b[i:], res.Size-off) {
				continue
			}
			sub := res
			sub.Offset, sub.Size = res.Offset+off, res.Size-off
			if resourcePayload(r, sub, b[i:]) {
				return off
			}
		}
	}
	return 0
}

// plausibleCabHeader reports whether b, of a resource whose rest holds
// room bytes, starts with a cabinet header (CFHEADER) a reader takes:
// "MSCF", reserved1 zero, a cabinet of at least its header's 36 bytes
// and no more than room, its first file entry inside it, version 1.3.
// Text that happens to hold "MSCF" is none.
func plausibleCabHeader(b []byte, room int64) bool {
	if len(b) < 36 {
		return false
	}
	size := int64(binary.LittleEndian.Uint32(b[8:]))
	files := int64(binary.LittleEndian.Uint32(b[16:]))
	return binary.LittleEndian.Uint32(b[4:]) == 0 && size >= 36 && size <= room &&
		files >= 36 && files < size && b[24] == 3 && b[25] == 1
}
