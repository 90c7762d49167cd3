package release

import "fmt"

// A tar header's text fields (names) end at their first NUL, and its
// numeric fields at the first NUL after their digits: archive/tar, GNU
// tar and bsdtar read no further. The bytes after that, up to the
// field's end, are zeros (a numeric field may end in spaces: GNU tar
// writes a checksum as six digits, a NUL and a space).

// headerField is a field of a tar header block: its bytes [lo, hi),
// numeric or text.
type headerField struct {
	lo, hi  int
	numeric bool
}

// Fields of each header form, by offset (POSIX.1-2017 ustar; GNU tar's
// tar.h for the GNU header's times, offset, sparse map and real size;
// star's prefix and times).
var (
	v7Fields = []headerField{
		{0, 100, false}, {100, 108, true}, {108, 116, true}, {116, 124, true},
		{124, 136, true}, {136, 148, true}, {148, 156, true}, {157, 257, false},
	}
	ustarFields = append(v7Fields[:len(v7Fields):len(v7Fields)],
		headerField{265, 297, false}, headerField{297, 329, false},
		headerField{329, 337, true}, headerField{337, 345, true})
	posixFields = append(ustarFields[:len(ustarFields):len(ustarFields)], headerField{345, 500, false})
	starFields  = append(ustarFields[:len(ustarFields):len(ustarFields)],
		headerField{345, 476, false}, headerField{476, 488, true}, headerField{488, 500, true})
	gnuFields = func() []headerField {
		f := append(ustarFields[:len(ustarFields):len(ustarFields)],
			headerField{345, 357, true}, headerField{357, 369, true}, headerField{369, 381, true},
			headerField{381, 385, true}, headerField{483, 495, true})
		for at := 386; at < 482; at += 12 { // four sparse entries: offset, size
			f = append(f, headerField{at, at + 12, true})
		}
		return f
	}()
	v7DevFields = append(v7Fields[:len(v7Fields):len(v7Fields)],
		headerField{329, 337, true}, headerField{337, 345, true})
)

// checkFieldTails reports the first field of the header block b (at
// offset at) that holds bytes after its end (see above), which no
// extractor reads; form is the block's fields.
func (t *TarReader) checkFieldTails(idx int, b []byte, at int64, form []headerField) {
	for _, f := range form {
		v := b[f.lo:f.hi]
		if f.numeric && v[0]&0x80 != 0 {
			continue // base-256: binary, every byte read
		}
		end := 0
		for end < len(v) && v[end] != 0 {
			end++
		}
		for i := end; i < len(v); i++ {
			if v[i] != 0 && (!f.numeric || v[i] != ' ') {
				t.problem(Problem{Kind: ProblemHiddenData, Offset: at + int64(f.lo+i), Index: idx,
					Message: fmt.Sprintf("tar entry %d's header field [%d, %d) holds non-zero bytes after the NUL that ends it (the first at offset %d), which no extractor reads", idx, f.lo, f.hi, at+int64(f.lo+i))})
				return
			}
		}
	}
}
