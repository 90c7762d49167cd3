package hfsplus

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestAttackPendingJournal: a journaled volume whose journal holds a
// transaction not replayed was read as its B-trees say, and passed, while
// macOS replays the journal when it mounts the volume and shows the
// catalog and file blocks the transaction carries instead. A journal
// left empty (start == end), as an unmounted volume has, or one marked
// to be reset, is no problem; a pending one is, in either byte order.
func TestAttackPendingJournal(t *testing.T) {
	for _, c := range []struct {
		name       string
		order      binary.ByteOrder
		start, end uint64
		flags      uint32
		want       bool
	}{
		{"clean", binary.LittleEndian, 0x200, 0x200, jiInFS, false},
		{"pending little-endian", binary.LittleEndian, 0x200, 0x1200, jiInFS, true},
		{"pending big-endian", binary.BigEndian, 0x1000, 0x200, jiInFS, true},
		{"pending but reset", binary.LittleEndian, 0x200, 0x1200, jiInFS | jiNeedInit, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := build(t, BuildSpec{Files: sample(), Hidden: make([]byte, 3*4096)})
			u := extrasOf(open(t, img), ExtraUnreferenced)
			if len(u) != 1 || u[0].Size != 3*4096 {
				t.Fatalf("extras %+v", u)
			}
			at := uint64(u[0].Offset)
			be := binary.BigEndian
			h := img[1024:]
			be.PutUint32(h[4:], be.Uint32(h[4:])|volJournaled)
			be.PutUint32(h[12:], uint32(at/4096))
			be.PutUint32(img[at:], c.flags)
			be.PutUint64(img[at+36:], at+4096)
			be.PutUint64(img[at+44:], 2*4096)
			j := img[at+4096:]
			c.order.PutUint32(j[0:], journalMagic)
			c.order.PutUint32(j[4:], journalEndian)
			c.order.PutUint64(j[8:], c.start)
			c.order.PutUint64(j[16:], c.end)
			c.order.PutUint64(j[24:], 2*4096)
			v := open(t, img)
			if n := len(extrasOf(v, ExtraUnreferenced)); n != 0 {
				t.Errorf("the journal's blocks are reported unreferenced: %+v", v.Extras)
			}
			got := len(v.Problems) == 1 && strings.Contains(v.Problems[0].Reason, "not replayed") && v.Problems[0].Offset == int64(at+4096)
			if got != c.want || len(v.Problems) > 1 || !c.want && len(v.Problems) != 0 {
				t.Errorf("problems %+v, want a pending journal reported: %v", v.Problems, c.want)
			}
		})
	}
}
