package release

import (
	"archive/tar"
	"fmt"

	"github.com/shipgate/shipgate/internal/filekind"
)

// TarReader records the bytes archive/tar reads from the end of an
// entry's data to the start of the next one's (its headers, and a GNU
// sparse 1.0 map), which archive/tar does not show, to check what no
// extractor reads in them.

// checkMetaHeaders checks the blocks archive/tar read before entry idx's
// own header, as TarReader recorded them (recorder): each pax ('x') and
// GNU long name or link ('L', 'K') header's unused fields, the bytes past
// a long name's terminating NUL, and the padding after their data, none
// of which archive/tar, GNU tar or bsdtar read. It checks the header block
// of a global pax header or of a GNU sparse file too, which
// checkHeaderUnused does not see (archive/tar reads past them).
func (t *TarReader) checkMetaHeaders(hdr *tar.Header, idx int, start int64, sparse bool) (h headerBlocks) {
	rec := &t.pos.rec
	h.badSize, h.badSum = -1, -1
	if rec.bad {
		t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: start,
			Message: fmt.Sprintf("tar entry %d's headers run past %d bytes; their unused bytes and padding, which no extractor reads, were not checked", idx, maxRecord)})
		return h
	}
	b := rec.buf
	at := 0
	for at+filekind.TarBlock <= len(b) {
		blk := b[at : at+filekind.TarBlock]
		typ := blk[156]
		if typ != tar.TypeXHeader && typ != tar.TypeGNULongName && typ != tar.TypeGNULongLink {
			break
		}
		h.longName = h.longName || typ == tar.TypeGNULongName
		size, ok := tarNumeric(blk[124:136])
		if !ok || size > int64(len(b)) {
			return h // archive/tar read the headers: not reached
		}
		h.note(blk, rec.from+int64(at))
		t.checkHeaderBlock(idx, blk, rec.from+int64(at))
		dataAt := at + filekind.TarBlock
		end := dataAt + int((size+filekind.TarBlock-1)/filekind.TarBlock*filekind.TarBlock)
		if end > len(b) {
			return h
		}
		used := int(size)
		if typ != tar.TypeXHeader {
			for i, c := range b[dataAt : dataAt+used] {
				if c == 0 {
					used = i
					break
				}
			}
		}
		if i := nonZeroAt(b[dataAt+used : end]); i >= 0 {
			off := rec.from + int64(dataAt+used+i)
			what := map[byte]string{tar.TypeXHeader: "pax extended header", tar.TypeGNULongName: "GNU long name", tar.TypeGNULongLink: "GNU long link name"}[typ]
			t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: off,
				Message: fmt.Sprintf("tar entry %d's %s holds non-zero bytes past its end, at offset %d, which no extractor reads", idx, what, off)})
		}
		at = end
	}
	if (sparse || hdr.Typeflag == tar.TypeXGlobalHeader) && at+filekind.TarBlock <= len(b) {
		t.checkHeaderBlock(idx, b[at:at+filekind.TarBlock], rec.from+int64(at))
		if hdr.Typeflag == tar.TypeGNUSparse { // its extension blocks: 21 entries, a flag, 7 unused bytes
			for x := at + filekind.TarBlock; x+filekind.TarBlock <= len(b); x += filekind.TarBlock {
				if i := nonZeroAt(b[x+505 : x+filekind.TarBlock]); i >= 0 {
					off := rec.from + int64(x+505+i)
					t.problem(Problem{Kind: ProblemHiddenData, Index: idx, Name: hdr.Name, Offset: off,
						Message: fmt.Sprintf("tar entry %d's GNU sparse extension header holds non-zero bytes in its unused field [505, 512), at offset %d, which no extractor reads", idx, off)})
					break
				}
			}
		}
	}
	if at+filekind.TarBlock <= len(b) {
		h.main = b[at : at+filekind.TarBlock]
		h.note(h.main, rec.from+int64(at))
	}
	return h
}

// headerBlocks is what checkMetaHeaders learns of an entry's headers.
type headerBlocks struct {
	// main is the entry's own header block, nil when it was not recorded.
	main []byte
	// longName is set when a GNU long name header came before it.
	longName bool
	// badSize is where the first of its header blocks whose size field
	// extractors read otherwise starts (sizeAgrees), -1 for none; badSum
	// where the first whose checksum node-tar refuses (nodeTarSumOK).
	badSize, badSum int64
}

// note records the header block b, at offset at, in badSize and badSum.
func (h *headerBlocks) note(b []byte, at int64) {
	if h.badSize < 0 && !sizeAgrees(b[124:136]) {
		h.badSize = at
	}
	if h.badSum < 0 && !nodeTarSumOK(b) {
		h.badSum = at
	}
}

// maxRecord bounds the bytes recorded between two entries' data: the
// pax header, GNU long name and long link archive/tar reads (1 MiB each
// at most) and a sparse map (1 MiB at most), with their header blocks.
const maxRecord = 4<<20 + 8*filekind.TarBlock

// recorder keeps the bytes of the tar stream read from offset from on,
// until stop, while they are contiguous and fewer than maxRecord.
type recorder struct {
	from int64
	buf  []byte
	bad  bool // a gap, or too many bytes: buf is not what was read
	on   bool
}

func (r *recorder) reset(from int64) { r.from, r.buf, r.bad, r.on = from, r.buf[:0], false, true }

// stop ends the recording: an entry's data is not recorded.
func (r *recorder) stop() { r.on = false }

// add records b, read at offset at of the stream.
func (r *recorder) add(b []byte, at int64) {
	end := at + int64(len(b))
	if !r.on || r.bad || end <= r.from {
		return
	}
	if at < r.from {
		b, at = b[r.from-at:], r.from
	}
	if at != r.from+int64(len(r.buf)) || len(r.buf)+len(b) > maxRecord {
		r.bad, r.buf = true, r.buf[:0]
		return
	}
	r.buf = append(r.buf, b...)
}

// tarNumeric parses a header's numeric field: octal digits between
// spaces and NULs, or base-256 when its first byte's high bit is set.
func tarNumeric(f []byte) (int64, bool) {
	if len(f) > 0 && f[0]&0x80 != 0 {
		if f[0] != 0x80 {
			return 0, false // negative, or too large
		}
		var n int64
		for _, c := range f[1:] {
			if n > (1<<55)-1 {
				return 0, false
			}
			n = n<<8 | int64(c)
		}
		return n, true
	}
	var n int64
	for _, c := range f {
		switch {
		case c >= '0' && c <= '7':
			if n > (1<<60)-1 {
				return 0, false
			}
			n = n<<3 | int64(c-'0')
		case c == ' ' || c == 0:
		default:
			return 0, false
		}
	}
	return n, true
}
