package hfsplus

import (
	"encoding/binary"
)

// The journal header (vfs_journal.h): its magic and the endian marker,
// written in the byte order of the Mac that wrote it, then the offsets
// of the first and past the last transaction not yet replayed.
const (
	journalMagic  = 0x4a4e4c78 // "JNLx"
	journalEndian = 0x12345678
	jiNeedInit    = 4 // kJIJournalNeedInitMask: the journal is reset, not replayed
)

// pendingJournal reports a journal that holds transactions not replayed
// (its header's start and end differ). The volume is read as its B-trees
// say, but macOS replays the journal when it mounts the volume: the
// blocks the transactions carry (catalog records, file data) overwrite
// the ones checked, so the files macOS shows are not the ones verified.
// A volume unmounted cleanly, as disk image tools leave it, has an empty
// journal.
func (v *Volume) pendingJournal() {
	be := binary.BigEndian
	h := v.header[:]
	bs, nblocks := uint64(v.BlockSize), uint64(v.Blocks)
	jib := uint64(be.Uint32(h[12:]))
	if be.Uint32(h[4:])&volJournaled == 0 || jib == 0 || jib >= nblocks {
		return
	}
	var info [52]byte
	if n, _ := v.r.ReadAt(info[:], int64(jib*bs)); n < len(info) {
		return
	}
	flags, off := be.Uint32(info[:]), be.Uint64(info[36:])
	if flags&jiInFS == 0 || flags&jiNeedInit != 0 || off >= nblocks*bs {
		return
	}
	var j [24]byte
	if n, _ := v.r.ReadAt(j[:], int64(off)); n < len(j) {
		return
	}
	var bo binary.ByteOrder = binary.BigEndian
	if binary.LittleEndian.Uint32(j[4:]) == journalEndian {
		bo = binary.LittleEndian
	}
	if bo.Uint32(j[4:]) != journalEndian || bo.Uint32(j[:]) != journalMagic {
		return // not a journal macOS opens: nothing is replayed
	}
	if start, end := bo.Uint64(j[8:]), bo.Uint64(j[16:]); start != end {
		v.problem("", int64(off), "the journal holds transactions not replayed (its header's start %#x and end %#x differ): macOS replays them when it mounts the volume, writing over the catalog and file blocks read here, so the files it shows are not the ones verified", start, end)
	}
}
