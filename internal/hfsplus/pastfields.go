package hfsplus

import (
	"encoding/binary"
	"fmt"
)

// pastFields collects, for one B-tree, the bytes of its leaf records past
// the fields their type defines (a key past its name, a record past its
// 88, 248 or 64 bytes, a thread past its name): no reader reads them,
// and newfs_hfs and hdiutil write records at their length, so a payload
// there is dmg/metadata-slack like the nodes' free space.
type pastFields struct {
	s       slack
	records int
}

// add notes the bytes tail, at volume offset at, past a record's fields.
func (p *pastFields) add(at int64, tail []byte) {
	if j := firstNonZero(tail); j >= 0 {
		if p.records == 0 {
			p.s.at = -1
		}
		p.s.first(at + int64(j))
		p.s.size += int64(len(tail))
		p.records++
	}
}

// report reports what add found in the tree named file ("the catalog
// file").
func (p *pastFields) report(v *Volume, file string) {
	if p.records > 0 {
		p.s.parts = append(p.s.parts, fmt.Sprintf("%d records past their fields", p.records))
		v.reportSlack(file, &p.s)
	}
}

// Key ends (keyEnd of a tree): where the fields of a B-tree's key end,
// len(key) when a key is too short to tell (the leaf reader or nothing
// then reads it). An index key may be stored longer than its fields: at
// the tree's maximum key length when the tree does not store index keys
// at their length, where the bytes past the key length are padding, or
// with a key length past its name.

// extentKeyEnd: fork type, pad, file ID and start block (TN1150's
// HFSPlusExtentKey, 12 bytes).
func extentKeyEnd(key []byte) int { return min(12, len(key)) }

// catalogKeyEnd: parent ID and name (HFSPlusCatalogKey).
func catalogKeyEnd(key []byte) int { return nameEnd(key, 6) }

// attrKeyEnd: pad, file ID, start block and name (HFSPlusAttrKey).
func attrKeyEnd(key []byte) int { return nameEnd(key, 12) }

// nameEnd returns the end of the HFSUniStr255 at byte at of key, or
// len(key).
func nameEnd(key []byte, at int) int {
	if len(key) < at+2 {
		return len(key)
	}
	end := at + 2 + 2*int(binary.BigEndian.Uint16(key[at:]))
	if end > len(key) {
		return len(key)
	}
	return end
}

// indexPastFields notes the bytes of index record r (at volume offset
// at, its key kl bytes as the index reads it) past its key's fields and
// past its child pointer: macOS reads the key to its fields and the
// pointer after the key, no more.
func (t *tree) indexPastFields(at int64, r []byte, kl int) {
	if t.keyEnd == nil {
		return
	}
	key := r[:kl]
	end := t.keyEnd(key)
	if kl >= 2 {
		// A key stored at the maximum length: its own length field ends
		// its fields too.
		end = min(end, 2+int(binary.BigEndian.Uint16(key)))
	}
	t.past.add(at+int64(end), key[end:])
	t.past.add(at+int64(kl+4), r[kl+4:])
}
