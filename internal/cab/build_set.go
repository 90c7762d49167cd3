package cab

import (
	"encoding/binary"
)

// BuildSetOptions says how [BuildSet] splits a cabinet into a set.
type BuildSetOptions struct {
	// Names are the cabinets' file names, one per cabinet of the set.
	Names []string
	// SetID is written in every header.
	SetID uint16
	// Cuts are, for each cabinet but the last, the index of the folder's
	// data block that ends it: that block is split in two, its first
	// half ending the cabinet (cbUncomp 0) and its second starting the
	// next, as cabarc splits a folder. Increasing, one fewer than Names.
	Cuts []int
	// Whole ends each cabinet after block Cuts[k] instead, splitting no
	// block.
	Whole bool
}

// setBlock is one data block of a built folder.
type setBlock struct {
	data    []byte
	uncomp  int
	ufolder int64 // the folder's uncompressed bytes before it
}

// BuildSet writes files as [Build] does, one folder, and splits the
// cabinet into the set o describes, for test fixtures: each file is listed
// in every cabinet its data lies in, continued from the previous one
// (iFolder 0xFFFD), into the next (0xFFFE) or both (0xFFFF), with its
// offset in the whole folder.
func BuildSet(files []BuildFile, opts BuildOptions, o BuildSetOptions) [][]byte {
	one := Build(files, opts)
	le := binary.LittleEndian
	var blocks []setBlock
	off := int(le.Uint32(one[36:]))
	var u int64
	for range int(le.Uint16(one[40:])) {
		n, uc := int(le.Uint16(one[off+4:])), int(le.Uint16(one[off+6:]))
		blocks = append(blocks, setBlock{one[off+8 : off+8+n], uc, u})
		u += int64(uc)
		off += 8 + n
	}
	typeCompress := le.Uint16(one[42:])
	// Each cabinet: its blocks' parts (data, cbUncomp) and the range of
	// the folder's uncompressed bytes that complete in it.
	var out [][]byte
	start, from := 0, int64(0)
	var carry []byte // second half of a block split at the previous cut
	for k := range o.Names {
		var parts [][]byte
		var sizes []int
		if carry != nil {
			parts, sizes = append(parts, carry), append(sizes, blocks[start-1].uncomp)
			carry = nil
		}
		end := len(blocks)
		if k < len(o.Cuts) {
			end = o.Cuts[k]
		}
		for i := start; i < end; i++ {
			parts, sizes = append(parts, blocks[i].data), append(sizes, blocks[i].uncomp)
		}
		to := u
		if k < len(o.Cuts) {
			b := blocks[end]
			if o.Whole {
				parts, sizes = append(parts, b.data), append(sizes, b.uncomp)
				to = b.ufolder + int64(b.uncomp)
			} else {
				h := len(b.data) / 2
				parts, sizes = append(parts, b.data[:h]), append(sizes, 0)
				carry = b.data[h:]
				to = b.ufolder
			}
			start = end + 1
		}
		out = append(out, setMember(files, opts, o, k, typeCompress, parts, sizes, from, to))
		from = to
	}
	return out
}

// setMember writes cabinet k of a set: its header, its one folder of
// parts, and the files whose data lies in [from, to) of the folder.
func setMember(files []BuildFile, opts BuildOptions, o BuildSetOptions, k int, typeCompress uint16, parts [][]byte, sizes []int, from, to int64) []byte {
	le := binary.LittleEndian
	var hdr []byte
	var flags uint16
	if k > 0 {
		flags |= flagPrevCabinet
		hdr = append(append(hdr, o.Names[k-1]...), 0, 'd', 0)
	}
	if k < len(o.Names)-1 {
		flags |= flagNextCabinet
		hdr = append(append(hdr, o.Names[k+1]...), 0, 'd', 0)
	}
	var filesPart []byte
	var pos int64
	n := 0
	last := k == len(o.Names)-1
	for _, f := range files {
		s, e := pos, pos+int64(len(f.Data))
		pos = e
		inside := s >= from && (s < to || last)
		prev, next := s < from && e > from, e > to && !last
		if !inside && !prev {
			continue
		}
		var ifold uint16
		switch {
		case prev && next:
			ifold = ifoldContinuedPrevAndNext
		case prev:
			ifold = ifoldContinuedFromPrev
		case next:
			ifold = ifoldContinuedToNext
		}
		var ent [16]byte
		le.PutUint32(ent[:], uint32(len(f.Data)))
		le.PutUint32(ent[4:], uint32(s))
		le.PutUint16(ent[8:], ifold)
		le.PutUint16(ent[10:], 0x5a21)
		le.PutUint16(ent[14:], 0x20)
		filesPart = append(append(append(filesPart, ent[:]...), f.Name...), 0)
		n++
	}
	coffFiles := 36 + len(hdr) + 8
	out := make([]byte, 36)
	copy(out, "MSCF")
	le.PutUint32(out[16:], uint32(coffFiles))
	out[24], out[25] = 3, 1
	le.PutUint16(out[26:], 1)
	le.PutUint16(out[28:], uint16(n))
	le.PutUint16(out[30:], flags)
	le.PutUint16(out[32:], o.SetID)
	le.PutUint16(out[34:], uint16(k))
	out = append(out, hdr...)
	var folder [8]byte
	le.PutUint32(folder[:], uint32(coffFiles+len(filesPart)))
	le.PutUint16(folder[4:], uint16(len(parts)))
	le.PutUint16(folder[6:], typeCompress)
	out = append(append(out, folder[:]...), filesPart...)
	for i, p := range parts {
		blk := make([]byte, 8, 8+len(p))
		le.PutUint16(blk[4:], uint16(len(p)))
		le.PutUint16(blk[6:], uint16(sizes[i]))
		blk = append(blk, p...)
		if !opts.NoChecksums {
			le.PutUint32(blk, checksum(blk[4:8], checksum(p, 0)))
		}
		out = append(out, blk...)
	}
	le.PutUint32(out[8:], uint32(len(out)))
	return out
}
