package release

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
)

// ZipLocalEntry places one entry of a zip archive for [ZipLocalHeaders]:
// where its data starts (zip.File.DataOffset; negative when unknown), its
// compressed size and its compression method, as its central directory
// record gives them.
type ZipLocalEntry struct {
	DataOffset int64
	Compressed uint64
	Method     uint16
	// Host and ExternalAttrs are the central record's host system (the
	// high byte of its version made by) and external attributes, which
	// a local header's "xl" field must not contradict (ZipXLDisagrees).
	Host          uint8
	ExternalAttrs uint32
}

// ZipLocalProblem is why an entry's local file header disagrees with its
// central directory record (see [ZipLocalHeaders]).
type ZipLocalProblem struct {
	// Why says what the local header says otherwise, and where it is.
	Why string
	// Data says the disagreement is on the entry's data (its compression
	// method or compressed size), not its name.
	Data bool
	// Mode says it is on the entry's type and mode (an "xl" field).
	Mode bool
}

// Message is the finding (file/malformed) about the zip entry named name
// whose local header disagrees so; done is the walker's verb ("checked",
// "inventoried").
func (p ZipLocalProblem) Message(name, done string) string {
	if p.Mode {
		return fmt.Sprintf("zip entry %q: %s; bsdtar (libarchive) takes the entry's type and mode from that field, other extractors from the central record, so what it installs (a symbolic link, set-ID bits) is not the file that was %s", name, p.Why, done)
	}
	if p.Data {
		return fmt.Sprintf("zip entry %q: %s; extractors that go by the local header (Info-ZIP's unzip, 7-Zip and bsdtar for its method, those that stream the archive for where its data ends) read other bytes as its data, and what follows as the next entry, so what they install is not the file that was %s", name, p.Why, done)
	}
	return fmt.Sprintf("zip entry %q: %s; extractors that stream the archive install it under that name, so it was %s under a name it may not have", name, p.Why, done)
}

// ZipLocalHeaders compares the local file header of each of an archive's
// n entries (entry(i) places the i-th) with its central directory record
// and returns, by entry index, why they disagree, on the name first:
// central(i, local, up) is given the name the local header gives and the
// one its Unicode Path extra field (0x7075) gives when it names the entry
// otherwise ("" for none), and reports whether the central record says
// the same (verify and sbom compare it with the central record's own
// Unicode Path field, so a field both headers carry is reported once).
// Go's reader, Info-ZIP's unzip and Python go by the central name;
// streaming extractors (Java's ZipInputStream, bsdtar reading a pipe) go
// by the local one, so an entry that names readme.txt in one place and
// codec.dll in the other is checked as the one and installed as the
// other.
//
// Then on the type and mode: a local "xl" extra field (ZipXLID), which
// libarchive takes them from, must give the central record's.
//
// Then on the data: the compression method, which unzip, 7-Zip and
// bsdtar take from the local header (an entry stored by its central
// record, whose bytes are a deflate stream, is installed inflated: a DLL
// checked as data), and, when the local header has no data descriptor
// (general purpose bit 3), the compressed size, by which streaming
// extractors end the entry and look for the next local header: a local
// size shorter than the central one leaves, inside the data Go reads as
// the entry's, another entry only they install. A stored entry with a
// data descriptor is ended by libarchive's streaming reader at the first
// descriptor whose CRC-32 is that of the bytes before it: its data is
// searched for one that ends it early (storedDescriptor; a deflated one is
// ended by its stream: see StrictDeflate). verify and sbom report these
// entries alike.
//
// The local header of an entry is found where Go found it: it ends exactly
// where the entry's data starts, and it starts after the previous entry's
// data ends. Every header that fits is compared, so a second, fake header
// hidden at the end of the real one's extra field does not hide the real
// one. The bytes read are those between data regions, at most 128 KiB
// before each entry, and the data of stored entries with a data
// descriptor, so never more than twice the archive's size (size bytes at
// ra) in all.
func ZipLocalHeaders(n int, entry func(i int) ZipLocalEntry, ra io.ReaderAt, size int64, central func(i int, local []byte, up string) bool) map[int]ZipLocalProblem {
	type ent struct {
		i          int
		start, end int64
		z          ZipLocalEntry
	}
	es := make([]ent, 0, n)
	for i := range n {
		z := entry(i)
		off := z.DataOffset
		if off < 0 || off > size {
			continue // reported when the entry is read
		}
		end := off + int64(min(z.Compressed, uint64(size-off)))
		es = append(es, ent{i, off, end, z})
	}
	sort.Slice(es, func(a, b int) bool { return es[a].start < es[b].start })
	out := map[int]ZipLocalProblem{}
	var prevEnd int64
	var buf, data []byte // reused: an archive has a window per entry
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
		why, scan := localHeaderProblem(win, lo, x.z, func(local []byte, up string) bool { return central(x.i, local, up) })
		if why.Why == "" && scan {
			why = storedDescriptor(ra, x.start, x.end, &data)
		}
		if why.Why != "" {
			out[x.i] = why
		}
	}
	return out
}

// storedDescriptor looks in the data of a stored entry with a data
// descriptor, at [start, end) of r, for where extractors that stream the
// archive end it: libarchive (bsdtar reading a pipe) ends such an entry at
// the first "PK\x07\x08" followed by the CRC-32 of the bytes before it
// (archive_read_support_format_zip.c, zip_read_data_none), and takes the
// bytes after the descriptor for the next local header. *buf is reused
// from call to call.
func storedDescriptor(r io.ReaderAt, start, end int64, buf *[]byte) ZipLocalProblem {
	const chunk = 64 << 10
	sig := []byte("PK\x07\x08")
	if n := int(min(chunk+8, end-start)); cap(*buf) < n { // a chunk and the next one's first 8 bytes
		*buf = make([]byte, n)
	}
	var crc uint32 // of the data before off
	for off := start; off < end; off += chunk {
		n := int(min(chunk+8, end-off))
		b := (*buf)[:n]
		if k, _ := r.ReadAt(b, off); k < n {
			return ZipLocalProblem{}
		}
		own := min(n, chunk) // signatures starting here are this chunk's
		c, at := crc, 0      // c is the CRC-32 of the data before off+at
		for i := 0; i < own; i++ {
			k := bytes.Index(b[i:min(n, own+len(sig)-1)], sig)
			if k < 0 || i+k+8 > n {
				break
			}
			i += k
			c, at = crc32.Update(c, crc32.IEEETable, b[at:i]), i
			if binary.LittleEndian.Uint32(b[i+4:]) == c {
				return ZipLocalProblem{Why: fmt.Sprintf("it is stored with a data descriptor (general purpose bit 3), and its data holds at offset %d the signature and CRC-32 of a descriptor that ends it %d bytes early", off+int64(i), end-off-int64(i)), Data: true}
			}
		}
		crc = crc32.Update(c, crc32.IEEETable, b[at:own])
	}
	return ZipLocalProblem{}
}

// localHeaderProblem looks in win, the bytes before an entry's data (from
// offset lo), for each local header that ends where the data starts, and
// returns why the first that disagrees with the central record z (and the
// central name) does; scan says one agrees and gives the entry stored
// with a data descriptor (see storedDescriptor).
func localHeaderProblem(win []byte, lo int64, z ZipLocalEntry, central func(local []byte, up string) bool) (_ ZipLocalProblem, scan bool) {
	le := binary.LittleEndian
	for p := 0; p+30 <= len(win); p++ {
		k := bytes.Index(win[p:], []byte("PK\x03\x04"))
		if k < 0 {
			break
		}
		p += k
		if p+30 > len(win) {
			break
		}
		n := int(le.Uint16(win[p+26:]))
		m := int(le.Uint16(win[p+28:]))
		if p+30+n+m != len(win) {
			continue
		}
		at := lo + int64(p)
		local, extra := win[p+30:p+30+n], win[p+30+n:]
		up, _, _ := ZipUnicodePath(extra, string(local))
		if !central(local, up) {
			if up != "" {
				return ZipLocalProblem{Why: fmt.Sprintf("its local header at offset %d has a Unicode Path extra field (0x7075) naming it %q", at, up)}, false
			}
			return ZipLocalProblem{Why: fmt.Sprintf("its local header at offset %d names it %q", at, local)}, false
		}
		if why := ZipXLDisagrees(extra, z.Host, z.ExternalAttrs); why != "" {
			return ZipLocalProblem{Why: fmt.Sprintf("its local header at offset %d has %s", at, why), Mode: true}, false
		}
		method := le.Uint16(win[p+8:])
		if method != z.Method {
			return ZipLocalProblem{Why: fmt.Sprintf("its local header at offset %d gives compression method %d, its central directory record %d", at, method, z.Method), Data: true}, false
		}
		if le.Uint16(win[p+6:])&0x8 != 0 {
			// Sizes in a data descriptor: where a streaming reader ends
			// the data is checked by StrictDeflate, or storedDescriptor.
			scan = scan || method == 0
			continue
		}
		if c, ok := localCompressed(win[p:], extra); ok && c != z.Compressed {
			return ZipLocalProblem{Why: fmt.Sprintf("its local header at offset %d gives %d compressed bytes, its central directory record %d", at, c, z.Compressed), Data: true}, false
		}
	}
	return ZipLocalProblem{}, scan
}

// localCompressed returns the compressed size the local header h (its
// extra field extra) gives: its own field, or the ZIP64 extended
// information's (APPNOTE 4.5.3: a local header holding one of the two
// sizes there holds both) when that is 0xffffffff. ok is false when the
// ZIP64 field is not there to read.
func localCompressed(h, extra []byte) (uint64, bool) {
	le := binary.LittleEndian
	c := le.Uint32(h[18:])
	if c != 0xffffffff {
		return uint64(c), true
	}
	for len(extra) >= 4 {
		tag, n := le.Uint16(extra), int(le.Uint16(extra[2:]))
		if n > len(extra)-4 {
			return 0, false
		}
		if tag == 0x0001 && n >= 16 {
			return le.Uint64(extra[12:]), true
		}
		extra = extra[4+n:]
	}
	return 0, false
}
