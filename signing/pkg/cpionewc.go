package pkg

import (
	"bytes"
	"fmt"
)

// cpioFormat is the header format of a cpio archive.
type cpioFormat int

const (
	cpioUnknown cpioFormat = iota
	// cpioODC is the POSIX.1 portable format ("070707", octal fields),
	// which Apple's tools write.
	cpioODC
	// cpioNewc is SVR4's "new ASCII" format ("070701", hexadecimal
	// fields, 4-byte alignment), GNU cpio's -H newc.
	cpioNewc
	// cpioCRC is newc with a checksum of each file's bytes ("070702",
	// -H crc).
	cpioCRC
)

// cpioFormatOf returns the format whose magic b starts with.
func cpioFormatOf(b []byte) cpioFormat {
	switch {
	case bytes.HasPrefix(b, []byte("070707")):
		return cpioODC
	case bytes.HasPrefix(b, []byte("070701")):
		return cpioNewc
	case bytes.HasPrefix(b, []byte("070702")):
		return cpioCRC
	}
	return cpioUnknown
}

// readCPIOEntry reads the entry whose header starts at off in b, in the
// archive's format (that of its first header): GNU cpio and libarchive
// read the whole archive in the format they detect first, so a header of
// another format is an error, not another reading.
func readCPIOEntry(b []byte, off int, f cpioFormat) (cpioRecord, error) {
	switch f {
	case cpioODC:
		return readODCEntry(b, off)
	case cpioNewc, cpioCRC:
		return readNewcEntry(b, off, f)
	}
	n := min(len(b), 6)
	return cpioRecord{}, fmt.Errorf("cpio entry at offset %d has the magic %q, neither odc (070707) nor newc (070701, 070702)", off, b[:n])
}

// newcHeaderLen is the length of a newc header: the magic and thirteen
// 8-digit hexadecimal fields (ino, mode, uid, gid, nlink, mtime,
// filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check).
const newcHeaderLen = 110

// readNewcEntry reads the newc entry whose header starts at off in b. The
// name and the data are each padded with zeros to a multiple of 4 bytes
// from the header's start; a padding byte that is not zero, which
// extractors skip, is an error, as is a "070702" file whose bytes do not
// sum to its checksum (GNU cpio reports it, libarchive does not check).
func readNewcEntry(b []byte, off int, f cpioFormat) (cpioRecord, error) {
	if len(b)-off < newcHeaderLen {
		return cpioRecord{}, fmt.Errorf("cpio header at offset %d is cut short (no TRAILER!!! entry)", off)
	}
	h := b[off : off+newcHeaderLen]
	if cpioFormatOf(h) != f {
		return cpioRecord{}, fmt.Errorf("cpio entry at offset %d has the magic %q, not that of the archive's first (%s)", off, h[:6], map[cpioFormat]string{cpioNewc: "070701", cpioCRC: "070702"}[f])
	}
	var v [13]int64
	for i := range v {
		n, err := hex8(h[6+8*i : 14+8*i])
		if err != nil {
			return cpioRecord{}, fmt.Errorf("cpio header at offset %d: %w", off, err)
		}
		v[i] = n
	}
	ino, mode, nlink, fileSize, devMajor, devMinor, nameSize, check := v[0], v[1], v[4], v[6], v[7], v[8], v[11], v[12]
	nameAt := off + newcHeaderLen
	if nameSize < 1 || nameSize > int64(len(b)-nameAt) {
		return cpioRecord{}, fmt.Errorf("cpio name of %d bytes at offset %d runs past the archive", nameSize, nameAt)
	}
	nameEnd := nameAt + int(nameSize)
	dataAt := pad4(off, nameEnd)
	if dataAt > len(b) {
		return cpioRecord{}, fmt.Errorf("cpio name padding at offset %d runs past the archive", nameEnd)
	}
	if fileSize > int64(len(b)-dataAt) {
		return cpioRecord{}, fmt.Errorf("cpio data of %d bytes at offset %d runs past the archive", fileSize, dataAt)
	}
	dataEnd := dataAt + int(fileSize)
	end := pad4(off, dataEnd)
	if end > len(b) {
		end = len(b) // the trailer's data padding may be cut by the end
	}
	if err := zeroPadding(b, nameEnd, dataAt, dataEnd, end); err != nil {
		return cpioRecord{}, err
	}
	name, err := cpioName(b[nameAt:nameEnd], nameAt)
	if err != nil {
		return cpioRecord{}, err
	}
	data := b[dataAt:dataEnd]
	if f == cpioCRC && mode&0o170000 == 0o100000 {
		var sum uint32
		for _, c := range data {
			sum += uint32(c)
		}
		if int64(sum) != check {
			return cpioRecord{}, fmt.Errorf("cpio entry at offset %d: its bytes sum to %#08x, not its checksum %#08x", off, sum, check)
		}
	}
	return cpioRecord{
		inode: cpioInode{devMajor: devMajor, devMinor: devMinor, ino: ino}, mode: mode, nlink: nlink, fileSize: fileSize,
		name: name, data: data, end: end,
	}, nil
}

// pad4 rounds at up to a multiple of 4 bytes from start.
func pad4(start, at int) int { return at + (4-(at-start)%4)%4 }

// zeroPadding checks that the padding after a name (nameEnd to dataAt)
// and after the data (dataEnd to end) is zeros.
func zeroPadding(b []byte, nameEnd, dataAt, dataEnd, end int) error {
	for _, r := range [][2]int{{nameEnd, dataAt}, {dataEnd, end}} {
		for i := r[0]; i < r[1]; i++ {
			if b[i] != 0 {
				return fmt.Errorf("cpio padding byte at offset %d is %#02x, not zero", i, b[i])
			}
		}
	}
	return nil
}

// hex8 parses an 8-digit hexadecimal header field, and nothing else:
// libarchive's reader stops at the first character that is not a digit,
// so a field it would read otherwise than here is refused.
func hex8(b []byte) (int64, error) {
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("field %q is not hexadecimal", b)
		}
		n = n<<4 | int64(d)
	}
	return n, nil
}
