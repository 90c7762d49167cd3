package dmg

import (
	"encoding/binary"
	"io"
	"math/bits"
)

// File system names DetectFileSystem returns.
const (
	FSAPFS    = "APFS"
	FSHFSPlus = "HFS+"
	FSHFS     = "HFS"
	FSFAT     = "FAT"
	FSExFAT   = "exFAT"
	FSNTFS    = "NTFS"
	FSUDF     = "UDF"
	FSISO9660 = "ISO 9660"
)

// vrsAt is where a Volume Recognition Sequence (ECMA-167, UDF) and ISO
// 9660's volume descriptors start: byte 32768, sector 16 of 2048 bytes;
// vrsCount descriptors of 2048 bytes are looked at.
const (
	vrsAt    = 32768
	vrsCount = 16
)

// DetectFileSystem names the file system whose signature is at the start
// of r, a partition's decoded bytes: APFS (NXSB at byte 32 of its
// container superblock), HFS+ or HFSX (H+ or HX at byte 1024), HFS (BD at
// byte 1024, with an allocation block size), exFAT and NTFS (their OEM
// names at byte 3 of the boot sector), FAT (a BIOS parameter block of
// valid sizes, whatever its jump and signature bytes), UDF (an NSR02 or
// NSR03 descriptor in the Volume Recognition Sequence at byte 32768) and
// ISO 9660 (CD001 at byte 32769, or High Sierra's CDROM at byte 32777,
// which macOS's cd9660 mounts too); "" for none. macOS mounts every one of
// them from a disk image, so a partition that holds one carries files
// too. Each signature is read on its own (a sector that does not decode
// hides only the signatures in it), and it never fails: what cannot be
// read is no signature.
func DetectFileSystem(r io.ReaderAt) string {
	read := func(b []byte, off int64) []byte {
		n, _ := r.ReadAt(b, off)
		return b[:n]
	}
	var apfs [4]byte
	if string(read(apfs[:], 32)) == "NXSB" {
		return FSAPFS
	}
	var hfs [24]byte
	if h := read(hfs[:], 1024); len(h) >= 2 {
		switch {
		case string(h[:2]) == "H+" || string(h[:2]) == "HX":
			return FSHFSPlus
		case string(h[:2]) == "BD" && len(h) == len(hfs) && hfsBlockSize(binary.BigEndian.Uint32(h[20:])):
			return FSHFS
		}
	}
	var boot [512]byte
	if b := read(boot[:], 0); len(b) >= 11 {
		switch {
		case string(b[3:11]) == "EXFAT   ":
			return FSExFAT
		case string(b[3:11]) == "NTFS    ":
			return FSNTFS
		case isFATBootSector(b):
			return FSFAT
		}
	}
	return volumeDescriptors(read)
}

// hfsBlockSize reports whether n is an HFS allocation block size: a
// non-zero multiple of 512.
func hfsBlockSize(n uint32) bool { return n != 0 && n%512 == 0 }

// isFATBootSector reports whether b starts with a FAT BIOS parameter
// block: bytes per sector a power of two from 512 to 4096, sectors per
// cluster a power of two, reserved sectors, one to four FATs, a media
// descriptor (0xF0, 0xF8 to 0xFF), a sector count and a FAT size (FAT12
// and FAT16's, or FAT32's). A partition map's sector (a protective MBR's
// boot code, a GPT header, an Apple driver descriptor map) fails the
// sizes.
func isFATBootSector(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	le := binary.LittleEndian
	bps := le.Uint16(b[11:])
	spc := b[13]
	switch {
	case bps < 512 || bps > 4096 || bits.OnesCount16(bps) != 1:
		return false
	case spc == 0 || bits.OnesCount8(spc) != 1:
		return false
	case le.Uint16(b[14:]) == 0 || b[16] == 0 || b[16] > 4:
		return false
	case b[21] != 0xF0 && b[21] < 0xF8:
		return false
	case le.Uint16(b[19:]) == 0 && le.Uint32(b[32:]) == 0:
		return false
	}
	return le.Uint16(b[22:]) != 0 || le.Uint32(b[36:]) != 0
}

// volumeDescriptors names the file system of the descriptors at byte
// 32768 of a partition, read by read: UDF when an NSR02 or NSR03
// descriptor is among the first 16 slots of 2048 bytes (the Volume
// Recognition Sequence, whose descriptors take a sector each, 4096 bytes
// on such media; a UDF bridge disc starts with ISO 9660's), ISO 9660 when
// the first descriptor is CD001 or, in the High Sierra format that
// preceded ISO 9660 (its standard identifier 8 bytes further on), CDROM,
// else "".
func volumeDescriptors(read func(b []byte, off int64) []byte) string {
	var id [14]byte
	first := ""
	for k := range vrsCount {
		d := read(id[:], vrsAt+int64(k)*2048)
		if len(d) < 6 {
			break
		}
		if k == 0 {
			first = string(d[1:6])
			if len(d) == len(id) && string(d[9:14]) == "CDROM" {
				first = "CDROM"
			}
		}
		if s := string(d[1:6]); s == "NSR02" || s == "NSR03" {
			return FSUDF
		}
	}
	if first == "CD001" || first == "CDROM" {
		return FSISO9660
	}
	return ""
}
