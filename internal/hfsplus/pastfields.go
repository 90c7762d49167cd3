package hfsplus

import "fmt"

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
