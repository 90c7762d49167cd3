// Package decmpfs decodes files compressed by macOS transparent
// compression (the com.apple.decmpfs extended attribute), as HFS+ and
// APFS store them, up to MaxSize bytes: types 1 (stored inline), 3 and
// 4 (zlib), 7 and 8 (LZVN), 11 and 12 (LZFSE). Odd types keep the data
// inline in the attribute after its 16-byte header; even types keep it
// in the file's resource fork as a table of chunks of 64 KiB each (see
// fork.go). Other types (5 "dataless", 10, 13 and 14 LZBITMAP) are not
// decoded: a caller must treat such a file as unread, never as empty.
package decmpfs

import (
	"encoding/binary"
	"fmt"
)

// MaxSize bounds the decoded size of one file.
const MaxSize = 16 << 20

// MaxFork bounds the resource fork a caller reads for one file: the
// compressed chunks of MaxSize bytes, each at worst a marker byte and its
// bytes stored, their table and the fork's headers.
const MaxFork = MaxSize + MaxSize/16 + 1<<16

// ChunkSize is the decoded size of every chunk of a resource fork but
// the last.
const ChunkSize = 1 << 16

// Compression methods of the header's compression_type.
const (
	methodZlib  = "zlib"
	methodLZVN  = "LZVN"
	methodLZFSE = "LZFSE"
)

// InFork reports whether the com.apple.decmpfs attribute a keeps its
// file's data in the resource fork (types 4, 8, 10, 12 and 14), which a
// caller then passes to Decode.
func InFork(a []byte) bool {
	if len(a) < 16 || string(a[:4]) != "fpmc" {
		return false
	}
	switch binary.LittleEndian.Uint32(a[4:]) {
	case 4, 8, 10, 12, 14:
		return true
	}
	return false
}

// DeclaredSize returns the decoded size the header of com.apple.decmpfs
// attribute a declares, and whether it has one within MaxSize: the size
// a caller charges to its decoding budget before calling Decode.
func DeclaredSize(a []byte) (int64, bool) {
	if len(a) < 16 {
		return 0, false
	}
	size := binary.LittleEndian.Uint64(a[8:])
	return int64(size), size <= MaxSize
}

// ForkOverLimit says why a resource fork of size bytes is not read for
// decoding, or "" when it is within MaxFork.
func ForkOverLimit(size uint64) string {
	if size > MaxFork {
		return fmt.Sprintf("its resource fork of %d bytes is over the limit of %d", size, MaxFork)
	}
	return ""
}

// Decode decodes a compressed file from its com.apple.decmpfs attribute
// a and, for the types that keep their data there, its resource fork
// (nil when it has none); why says why not, naming the offset in the
// attribute or the fork where decoding stopped.
func Decode(a, fork []byte) (data []byte, why string) {
	if a == nil {
		return nil, "the file has no inline com.apple.decmpfs attribute"
	}
	le := binary.LittleEndian
	if len(a) < 16 || string(a[:4]) != "fpmc" {
		return nil, "the com.apple.decmpfs attribute has no fpmc header"
	}
	typ, size := le.Uint32(a[4:]), le.Uint64(a[8:])
	if size > MaxSize {
		return nil, fmt.Sprintf("it declares %d bytes, over the limit of %d", size, MaxSize)
	}
	body := a[16:]
	var err error
	switch typ {
	case 1:
		if uint64(len(body)) != size {
			return nil, fmt.Sprintf("its %d stored bytes are not the %d it declares", len(body), size)
		}
		data = append([]byte{}, body...)
	case 3:
		data = make([]byte, size)
		err = new(decoder).chunk(methodZlib, body, data)
	case 7:
		data = make([]byte, size)
		err = new(decoder).chunk(methodLZVN, body, data)
	case 11:
		data = make([]byte, size)
		err = new(decoder).chunk(methodLZFSE, body, data)
	case 4:
		data, err = zlibFork(fork, int(size))
	case 8:
		data, err = offsetFork(methodLZVN, fork, int(size))
	case 12:
		data, err = offsetFork(methodLZFSE, fork, int(size))
	case 5:
		return nil, "compression type 5 (dataless: the data is fetched from elsewhere on demand) has no data to decode"
	default:
		return nil, fmt.Sprintf("compression type %d is not decoded", typ)
	}
	if err != nil {
		where := "the com.apple.decmpfs attribute, after its 16-byte header"
		if InFork(a) {
			where = "the resource fork (com.apple.ResourceFork)"
		}
		return nil, fmt.Sprintf("type %d: %v in %s", typ, err, where)
	}
	return data, ""
}
