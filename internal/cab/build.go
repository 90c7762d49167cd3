package cab

import (
	"encoding/binary"
)

// BuildFile is a file to write with [Build].
type BuildFile struct {
	// Name is stored as given ("\\"-separated by convention).
	Name string
	Data []byte
}

// BuildOptions says how [Build] writes a cabinet.
type BuildOptions struct {
	// Method is MethodNone, MethodMSZIP or MethodLZX (each 32 KiB frame
	// one uncompressed LZX block, unless Encode is set); another method is
	// written as the folder's typeCompress with the data stored, for tests
	// of what is not decompressed.
	Method Method
	// NoChecksums leaves every CFDATA checksum zero.
	NoChecksums bool
	// BlockSize is the uncompressed bytes per block (zero: 32 KiB).
	BlockSize int
	// LZXWindow, with MethodLZX, is the window size in bits written in
	// the folder's typeCompress.
	LZXWindow int
	// Encode, when set, compresses the files' bytes into the folder's data
	// blocks instead: each block's data and what it decompresses to (for
	// encoders kept in tests).
	Encode func(all []byte) (data [][]byte, sizes []int)
}

// Build writes a cabinet of one folder holding files, for test fixtures.
func Build(files []BuildFile, opts BuildOptions) []byte {
	le := binary.LittleEndian
	var all []byte
	for _, f := range files {
		all = append(all, f.Data...)
	}
	bs := opts.BlockSize
	if bs <= 0 || bs > maxBlockUncomp || opts.Method == MethodLZX {
		bs = maxBlockUncomp
	}
	var blocks [][]byte // each: header + data
	var window []byte
	if opts.Encode != nil {
		datas, sizes := opts.Encode(all)
		for i, data := range datas {
			blk := make([]byte, 8, 8+len(data))
			le.PutUint16(blk[4:], uint16(len(data)))
			le.PutUint16(blk[6:], uint16(sizes[i]))
			blk = append(blk, data...)
			if !opts.NoChecksums {
				le.PutUint32(blk, checksum(blk[4:8], checksum(data, 0)))
			}
			blocks = append(blocks, blk)
		}
		all = nil
	}
	for off := 0; off < len(all); off += bs {
		chunk := all[off:min(off+bs, len(all))]
		data := chunk
		if opts.Method == MethodMSZIP {
			data = mszipBlock(chunk, window)
			window = append(window, chunk...)
			if len(window) > maxBlockUncomp {
				window = window[len(window)-maxBlockUncomp:]
			}
		} else if opts.Method == MethodLZX {
			data = lzxStored(chunk, off == 0)
		}
		blk := make([]byte, 8, 8+len(data))
		le.PutUint16(blk[4:], uint16(len(data)))
		le.PutUint16(blk[6:], uint16(len(chunk)))
		blk = append(blk, data...)
		if !opts.NoChecksums {
			le.PutUint32(blk, checksum(blk[4:8], checksum(data, 0)))
		}
		blocks = append(blocks, blk)
	}
	coffFiles := 36 + 8
	var filesPart []byte
	var pos uint32
	for _, f := range files {
		var e [16]byte
		le.PutUint32(e[:], uint32(len(f.Data)))
		le.PutUint32(e[4:], pos)
		le.PutUint16(e[10:], 0x5a21) // 2025-01-01
		le.PutUint16(e[14:], 0x20)   // archive
		pos += uint32(len(f.Data))
		filesPart = append(filesPart, e[:]...)
		filesPart = append(filesPart, f.Name...)
		filesPart = append(filesPart, 0)
	}
	dataStart := coffFiles + len(filesPart)
	out := make([]byte, 36, dataStart)
	copy(out, "MSCF")
	le.PutUint32(out[16:], uint32(coffFiles))
	out[24], out[25] = 3, 1
	le.PutUint16(out[26:], 1)
	le.PutUint16(out[28:], uint16(len(files)))
	var folder [8]byte
	le.PutUint32(folder[:], uint32(dataStart))
	le.PutUint16(folder[4:], uint16(len(blocks)))
	le.PutUint16(folder[6:], uint16(opts.Method)|uint16(opts.LZXWindow)<<8)
	out = append(out, folder[:]...)
	out = append(out, filesPart...)
	for _, b := range blocks {
		out = append(out, b...)
	}
	le.PutUint32(out[8:], uint32(len(out)))
	return out
}

// lzxStored returns an LZX frame holding b in one uncompressed block: on
// the stream's first frame the E8 header bit (none), then the block type
// and size, padding to 16 bits, R0-R2 (1) and the bytes, then a pad byte
// when their number is odd.
func lzxStored(b []byte, first bool) []byte {
	v := uint32(lzxUncompressed)<<24 | uint32(len(b))
	if first {
		v <<= 4 // 1+3+24 bits, 4 of padding
	} else {
		v <<= 5 // 3+24 bits, 5 of padding
	}
	le := binary.LittleEndian
	out := le.AppendUint16(nil, uint16(v>>16))
	out = le.AppendUint16(out, uint16(v))
	for range 3 {
		out = le.AppendUint32(out, 1)
	}
	out = append(out, b...)
	if len(b)&1 == 1 {
		out = append(out, 0)
	}
	return out
}

// BuildBomb returns a cabinet of n folders that all point at
// the same run of 65535 empty data blocks, each holding a file that claims
// the folder's 2 GiB: a few hundred kilobytes declaring n×2 GiB, for tests
// of expansion budgets.
func BuildBomb(n int) []byte {
	le := binary.LittleEndian
	const blocks = 0xffff
	coffFiles := 36 + 8*n
	var files []byte
	for i := 0; i < n; i++ {
		var e [16]byte
		le.PutUint32(e[:], blocks*32768)
		le.PutUint16(e[8:], uint16(i))
		files = append(files, e[:]...)
		files = append(files, byte('a'+i), 0)
	}
	data := coffFiles + len(files)
	b := make([]byte, 36, data+blocks*8)
	copy(b, "MSCF")
	le.PutUint32(b[16:], uint32(coffFiles))
	b[24], b[25] = 3, 1
	le.PutUint16(b[26:], uint16(n))
	le.PutUint16(b[28:], uint16(n))
	for i := 0; i < n; i++ {
		var fo [8]byte
		le.PutUint32(fo[:], uint32(data))
		le.PutUint16(fo[4:], blocks)
		le.PutUint16(fo[6:], uint16(MethodMSZIP))
		b = append(b, fo[:]...)
	}
	b = append(b, files...)
	b = append(b, make([]byte, blocks*8)...)
	le.PutUint32(b[8:], uint32(len(b)))
	return b
}
