package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"sort"

	"github.com/shipgate/shipgate/internal/release"
)

// zipLocalNames compares each entry's local file header with its central
// directory record and returns, by entry index, why they disagree on the
// name. Go's reader, Info-ZIP's unzip and Python go by the central name;
// streaming extractors (Java's ZipInputStream, bsdtar reading a pipe) go by
// the local one, so an entry that names readme.txt in one place and
// codec.dll in the other is checked as the one and installed as the other.
//
// The local header of an entry is found where Go found it: it ends exactly
// where the entry's data starts, and it starts after the previous entry's
// data ends. Every header that fits is compared, so a second, fake header
// hidden at the end of the real one's extra field does not hide the real
// name. The bytes read are those between data regions, at most 128 KiB
// before each entry, so never more than the archive's size in all.
func zipLocalNames(recs []zipRec, ra io.ReaderAt, size int64) map[int]string {
	type ent struct {
		i          int
		start, end int64
	}
	es := make([]ent, 0, len(recs))
	for i, z := range recs {
		off := z.off
		if off < 0 || off > size {
			continue // reported when the entry is read
		}
		end := off + int64(min(z.comp, uint64(size-off)))
		es = append(es, ent{i, off, end})
	}
	sort.Slice(es, func(a, b int) bool { return es[a].start < es[b].start })
	out := map[int]string{}
	var prevEnd int64
	var buf []byte // reused: an archive has a window per entry
	for _, x := range es {
		// A local header is at most 30 bytes and a name and an extra
		// field of 64 KiB each.
		lo := max(prevEnd, x.start-(30+2*0xffff))
		prevEnd = max(prevEnd, x.end)
		if lo >= x.start {
			continue // overlapping entries are reported by zipOverlaps
		}
		if n := int(x.start - lo); cap(buf) < n {
			buf = make([]byte, n)
		}
		win := buf[:x.start-lo]
		if n, _ := ra.ReadAt(win, lo); n < len(win) {
			continue
		}
		central := recs[x.i].name
		for p := 0; p+30 <= len(win); {
			k := bytes.Index(win[p:], []byte("PK\x03\x04"))
			if k < 0 {
				break
			}
			p += k
			if p+30 > len(win) {
				break
			}
			n := int(binary.LittleEndian.Uint16(win[p+26:]))
			m := int(binary.LittleEndian.Uint16(win[p+28:]))
			if p+30+n+m == len(win) {
				if local := win[p+30 : p+30+n]; maphash.Bytes(zipNameSeed, local) != central {
					out[x.i] = fmt.Sprintf("its local header at offset %d names it %q", lo+int64(p), local)
					break
				}
				if up, _, ok := release.ZipUnicodePath(win[p+30+n:], string(win[p+30:p+30+n])); ok {
					out[x.i] = fmt.Sprintf("its local header at offset %d has a Unicode Path extra field (0x7075) naming it %q", lo+int64(p), up)
					break
				}
			}
			p++
		}
	}
	return out
}
