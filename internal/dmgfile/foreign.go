package dmgfile

import "encoding/binary"

// ForeignVolumes are the file systems ForeignVolume makes, by the names
// dmg.DetectFileSystem gives them.
var ForeignVolumes = []string{"FAT", "exFAT", "NTFS", "UDF", "ISO 9660"}

// ForeignVolume returns the first 64 KiB of a volume of the file system
// named fs (one of ForeignVolumes), as its formatter lays them out: a FAT16
// boot sector and FATs, an exFAT or NTFS boot sector, UDF's Volume
// Recognition Sequence (BEA01, NSR02, TEA01) or ISO 9660's primary volume
// descriptor and terminator at byte 32768. It holds no files: it is for
// fixtures that put a volume macOS mounts where only an HFS+ or APFS one
// is read. nil for another name.
func ForeignVolume(fs string) []byte {
	b := make([]byte, 64<<10)
	le := binary.LittleEndian
	bootSector := func(oem string) {
		copy(b, []byte{0xEB, 0x3C, 0x90})
		copy(b[3:11], oem)
		b[510], b[511] = 0x55, 0xAA
	}
	descriptor := func(at int, typ byte, id string) {
		b[at] = typ
		copy(b[at+1:], id)
		b[at+6] = 1
	}
	switch fs {
	case "FAT":
		bootSector("MSDOS5.0")
		le.PutUint16(b[11:], 512) // bytes per sector
		b[13] = 4                 // sectors per cluster
		le.PutUint16(b[14:], 1)   // reserved sectors
		b[16] = 2                 // FATs
		le.PutUint16(b[17:], 512) // root directory entries
		le.PutUint16(b[19:], 128) // sectors
		b[21] = 0xF8              // media descriptor
		le.PutUint16(b[22:], 1)   // sectors per FAT
		b[38] = 0x29              // extended boot signature
		copy(b[43:54], "NO NAME    ")
		copy(b[54:62], "FAT16   ")
		for _, fat := range []int{512, 1024} {
			copy(b[fat:], []byte{0xF8, 0xFF, 0xFF, 0xFF})
		}
	case "exFAT":
		bootSector("EXFAT   ")
		b[108], b[109] = 9, 3 // 512-byte sectors, 8 per cluster
		b[110] = 1            // FATs
	case "NTFS":
		bootSector("NTFS    ")
		le.PutUint16(b[11:], 512)
		b[13] = 8
		b[21] = 0xF8
		le.PutUint64(b[40:], 127) // sectors
	case "UDF":
		descriptor(32768, 0, "BEA01")
		descriptor(32768+2048, 0, "NSR02")
		descriptor(32768+4096, 0, "TEA01")
	case "ISO 9660":
		descriptor(32768, 1, "CD001")
		copy(b[32768+40:32768+72], "FOREIGN                         ")
		descriptor(32768+2048, 0xFF, "CD001")
	default:
		return nil
	}
	return b
}
