package apfs

import (
	"bytes"
	"sort"
)

// span is a range [from, to) of an object's bytes.
type span struct{ from, to int }

// slackOf records the bytes of the object b at block addr outside the
// spans used (its header, records, table of contents…) that are not
// zero: space a structure the reader owns leaves unused, such as a
// B-tree node's free space between its keys and values or a
// superblock's tail past its last field, which no
// checksum its writer computes makes verified. They are listed with the
// unreferenced blocks (Volume.Unreferenced). A later call for the same
// block replaces an earlier one.
func (c *container) slackOf(addr uint64, b []byte, used []span) {
	sort.Slice(used, func(i, j int) bool { return used[i].from < used[j].from })
	var runs []Run
	at := 0
	gap := func(from, to int) {
		if from < to && len(bytes.Trim(b[from:to], "\x00")) > 0 {
			runs = append(runs, Run{Offset: int64(addr)*int64(c.blockSize) + int64(from), Size: int64(to - from)})
		}
	}
	for _, u := range used {
		gap(at, min(u.from, len(b)))
		at = max(at, min(u.to, len(b)))
	}
	gap(at, len(b))
	if c.slack == nil {
		c.slack = map[uint64][]Run{}
	}
	if runs == nil {
		delete(c.slack, addr)
		return
	}
	c.slack[addr] = runs
}
