package release

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// ZipLocalEntry places one entry of a zip archive for [ZipLocalNames]:
// where its data starts (zip.File.DataOffset; negative when unknown) and
// its compressed size.
type ZipLocalEntry struct {
	DataOffset int64
	Compressed uint64
}

// ZipLocalNames compares the local file header of each of an archive's n
// entries (entry(i) places the i-th) with its central directory record
// and returns, by entry index, why they
// disagree on the name: central(i, local, up) is given the name the local
// header gives and the one its Unicode Path extra field (0x7075) gives when
// it names the entry otherwise ("" for none), and reports whether the
// central record says the same (verify and sbom compare it with the
// central record's own Unicode Path field, so a field both headers carry
// is reported once). Go's reader, Info-ZIP's unzip and Python go by the central
// name; streaming extractors (Java's ZipInputStream, bsdtar reading a
// pipe) go by the local one, so an entry that names readme.txt in one
// place and codec.dll in the other is checked as the one and installed as
// the other. verify and sbom report these entries alike.
//
// The local header of an entry is found where Go found it: it ends exactly
// where the entry's data starts, and it starts after the previous entry's
// data ends. Every header that fits is compared, so a second, fake header
// hidden at the end of the real one's extra field does not hide the real
// name. The bytes read are those between data regions, at most 128 KiB
// before each entry, so never more than the archive's size (size bytes
// at ra) in all.
func ZipLocalNames(n int, entry func(i int) ZipLocalEntry, ra io.ReaderAt, size int64, central func(i int, local []byte, up string) bool) map[int]string {
	type ent struct {
		i          int
		start, end int64
	}
	es := make([]ent, 0, n)
	for i := range n {
		z := entry(i)
		off := z.DataOffset
		if off < 0 || off > size {
			continue // reported when the entry is read
		}
		end := off + int64(min(z.Compressed, uint64(size-off)))
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
			continue // overlapping entries are reported as such
		}
		if n := int(x.start - lo); cap(buf) < n {
			buf = make([]byte, n)
		}
		win := buf[:x.start-lo]
		if n, _ := ra.ReadAt(win, lo); n < len(win) {
			continue
		}
		if why := localHeaderName(win, lo, func(local []byte, up string) bool { return central(x.i, local, up) }); why != "" {
			out[x.i] = why
		}
	}
	return out
}

// localHeaderName looks in win, the bytes before an entry's data (from
// offset lo), for each local header that ends where the data starts, and
// returns why the first that disagrees with the central name does.
func localHeaderName(win []byte, lo int64, central func(local []byte, up string) bool) string {
	for p := 0; p+30 <= len(win); p++ {
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
		if p+30+n+m != len(win) {
			continue
		}
		local := win[p+30 : p+30+n]
		up, _, _ := ZipUnicodePath(win[p+30+n:], string(local))
		if central(local, up) {
			continue
		}
		if up != "" {
			return fmt.Sprintf("its local header at offset %d has a Unicode Path extra field (0x7075) naming it %q", lo+int64(p), up)
		}
		return fmt.Sprintf("its local header at offset %d names it %q", lo+int64(p), local)
	}
	return ""
}
