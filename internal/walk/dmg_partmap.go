package walk

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/dmg"
)

// Bounds on the partition maps read from a disk image's decoded sectors.
// macOS reads GPTs of up to 65535 entries of up to 65535 bytes: the
// entries past these bounds are not read, and a map that has some is
// reported.
const (
	maxMapEntries  = 256
	maxGPTEntryLen = 1024
	// minGPTEntryLen is the size of a GPT entry's fields; macOS refuses
	// a GPT whose entries are shorter.
	minGPTEntryLen = 128
)

// diskReader reads the decoded disk a disk image attaches as: each block
// table partition's sectors from its first sector on, zeros where no
// partition lies. What does not decode reads as not there (ok false).
type diskReader struct {
	im    *dmg.Image
	take  func(int64) bool
	parts map[int]*dmg.PartitionReader
}

func (d *diskReader) readAt(b []byte, off int64) bool {
	clear(b)
	for n := 0; n < len(b); {
		at := off + int64(n)
		var p *dmg.Partition
		next := int64(-1) // the start of the first partition after at
		for i := range d.im.Partitions {
			q := &d.im.Partitions[i]
			a, z := int64(q.FirstSector)*dmg.SectorSize, int64(q.FirstSector+q.Sectors)*dmg.SectorSize
			if at >= a && at < z {
				p = q
				break
			}
			if a > at && (next < 0 || a < next) {
				next = a
			}
		}
		if p == nil {
			if next < 0 {
				return true
			}
			n += int(min(int64(len(b)-n), next-at))
			continue
		}
		pr, ok := d.parts[p.Index]
		if !ok {
			var err error
			if pr, err = d.im.OpenPartition(p.Index, dmg.PartitionOptions{Take: d.take}); err != nil {
				pr = nil
			}
			d.parts[p.Index] = pr
		}
		if pr == nil {
			return false
		}
		start := int64(p.FirstSector) * dmg.SectorSize
		want := min(int64(len(b)-n), pr.Size()-(at-start))
		if k, _ := pr.ReadAt(b[n:n+int(want)], at-start); int64(k) < want {
			return false
		}
		n += int(want)
	}
	return true
}

// mapEntry is a partition a partition map of the disk places.
type mapEntry struct {
	scheme string
	sector uint64
}

// partitionMapEntries returns the start sectors of the partitions the
// disk's MBR, GPT and Apple partition map list (all three are read: a
// hybrid disk holds more than one), and what of them was not read.
func (d *diskReader) partitionMapEntries() (out []mapEntry, unread []string) {
	var s0, s1 [dmg.SectorSize]byte
	if !d.readAt(s0[:], 0) || !d.readAt(s1[:], dmg.SectorSize) {
		return nil, nil
	}
	le, be := binary.LittleEndian, binary.BigEndian
	if s0[510] == 0x55 && s0[511] == 0xaa {
		for i := range 4 {
			e := s0[446+16*i:]
			if typ := e[4]; typ != 0 && typ != 0xee {
				out = append(out, mapEntry{"MBR", uint64(le.Uint32(e[8:]))})
				if extendedMBRType(typ) {
					logical, more := d.logicalPartitions(uint64(le.Uint32(e[8:])))
					out = append(out, logical...)
					if more {
						unread = append(unread, fmt.Sprintf("the MBR's extended partition chains more than %d boot records; the rest were not read", maxMapEntries))
					}
				}
			}
		}
	}
	if string(s1[:8]) == "EFI PART" {
		gpt, why := d.gptEntries(s1[:])
		out = append(out, gpt...)
		if why != "" {
			unread = append(unread, why)
		}
	}
	if string(s0[:2]) == "ER" && string(s1[:2]) == "PM" {
		bs := uint64(be.Uint16(s0[2:]))
		if bs < dmg.SectorSize || bs%dmg.SectorSize != 0 {
			bs = dmg.SectorSize
		}
		n := be.Uint32(s1[4:])
		if n > maxMapEntries {
			unread = append(unread, fmt.Sprintf("the Apple partition map lists %d entries; only the first %d were read", n, maxMapEntries))
			n = maxMapEntries
		}
		var e [dmg.SectorSize]byte
		for i := range uint64(n) {
			if !d.readAt(e[:], int64((1+i)*bs)) || string(e[:2]) != "PM" {
				break
			}
			out = append(out, mapEntry{"Apple partition map", uint64(be.Uint32(e[8:])) * (bs / dmg.SectorSize)})
		}
	}
	return out, unread
}

// gptEntries returns the partitions of the GPT whose header is hdr, and
// why some were not read ("" when all were): entries past maxMapEntries,
// or longer than maxGPTEntryLen, which macOS reads, are not.
func (d *diskReader) gptEntries(hdr []byte) (out []mapEntry, unread string) {
	le := binary.LittleEndian
	lba, n, size := le.Uint64(hdr[72:]), le.Uint32(hdr[80:]), le.Uint32(hdr[84:])
	switch {
	case n == 0 || size < minGPTEntryLen:
		return nil, "" // macOS reads no partition from it either
	case size > maxGPTEntryLen || lba >= 1<<40:
		return nil, fmt.Sprintf("the GPT's %d entries of %d bytes at sector %d were not read (entries of at most %d bytes are)", n, size, lba, maxGPTEntryLen)
	case n > maxMapEntries:
		unread = fmt.Sprintf("the GPT lists %d entries; only the first %d were read", n, maxMapEntries)
		n = maxMapEntries
	}
	t := make([]byte, int(n)*int(size))
	if !d.readAt(t, int64(lba)*dmg.SectorSize) {
		return nil, fmt.Sprintf("the GPT's %d entries at sector %d do not read", n, lba)
	}
	for i := range int(n) {
		e := t[i*int(size):]
		if !zeroGUID(e[:16]) {
			out = append(out, mapEntry{"GPT", le.Uint64(e[32:])})
		}
	}
	return out, unread
}

// extendedMBRType reports whether an MBR partition type is an extended
// partition (DOS, LBA, Linux), whose boot records chain logical
// partitions, as macOS's MBR scheme (IOFDiskPartitionScheme) reads them.
func extendedMBRType(t byte) bool { return t == 0x05 || t == 0x0f || t == 0x85 }

// logicalPartitions returns the logical partitions of the extended
// partition starting at sector ext: each extended boot record's first
// entry is a partition relative to the record, its second the next record
// relative to ext. The chain is followed for at most maxMapEntries records
// and never back to a record already read.
func (d *diskReader) logicalPartitions(ext uint64) (out []mapEntry, more bool) {
	var b [dmg.SectorSize]byte
	le := binary.LittleEndian
	seen := map[uint64]bool{}
	for at := ext; !seen[at] && at < 1<<40; {
		if len(seen) == maxMapEntries {
			return out, true
		}
		seen[at] = true
		if !d.readAt(b[:], int64(at)*dmg.SectorSize) || b[510] != 0x55 || b[511] != 0xaa {
			break
		}
		if first := b[446:]; first[4] != 0 && !extendedMBRType(first[4]) {
			out = append(out, mapEntry{"MBR extended partition", at + uint64(le.Uint32(first[8:]))})
		}
		next := b[446+16:]
		if !extendedMBRType(next[4]) {
			break
		}
		at = ext + uint64(le.Uint32(next[8:]))
	}
	return out, false
}

func zeroGUID(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// mappedFileSystems reports the partitions the disk's partition maps
// place where no block table partition starts (so otherFileSystems does
// not look) and that hold a file system: macOS mounts the volumes the
// map names, wherever it puts them, such as a second volume inside the
// opened one's free blocks.
func mappedFileSystems(im *dmg.Image, opened int, take func(int64) bool, add func(signing.Rule, signing.Severity, string, int64, string, ...any)) {
	d := &diskReader{im: im, take: take, parts: map[int]*dmg.PartitionReader{}}
	starts := map[uint64]bool{}
	for _, p := range im.Partitions {
		starts[p.FirstSector] = true
	}
	seen := map[uint64]bool{}
	entries, unread := d.partitionMapEntries()
	for _, why := range unread {
		add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "%s: a file system a partition there places, which macOS mounts, was not looked for", why)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].sector < entries[j].sector })
	for _, e := range entries {
		if starts[e.sector] || seen[e.sector] || e.sector > 1<<40 {
			continue
		}
		seen[e.sector] = true
		at := int64(e.sector) * dmg.SectorSize
		if fsys := dmg.DetectFileSystem(diskAt{d, at}); fsys != "" {
			add(dmg.RuleFilesystemMalformed, signing.SeverityError, "", -1, "the disk's %s places a partition at sector %d, where no block table partition starts, and it holds a file system (%s) besides partition %d's, which macOS mounts too: its files were not verified", e.scheme, e.sector, fsys, opened)
		}
	}
}

// diskAt reads the decoded disk from byte at on, as an io.ReaderAt.
type diskAt struct {
	d  *diskReader
	at int64
}

func (r diskAt) ReadAt(b []byte, off int64) (int, error) {
	if !r.d.readAt(b, r.at+off) {
		return 0, io.ErrUnexpectedEOF
	}
	return len(b), nil
}
