// Package filekind recognises native-code file formats from their first bytes,
// with the same rules wherever shipgate needs them (the release walker, the
// Electron inventory), so that a file cannot be native code to one and data to
// the other.
package filekind

import "encoding/binary"

// HeadLen is how many leading bytes IsUniversal needs to decide every case: a
// universal header is read from the first 4096 bytes of a file, as dyld does.
const HeadLen = 4096

// javaMinVersion is the lowest Java class file major version. Class files share
// the 0xcafebabe magic and put their version where a universal file keeps its
// architecture count.
const javaMinVersion = 45

// IsUniversal reports whether head, the first bytes of a file of size bytes
// (-1 when unknown), starts a universal (fat) Mach-O: magic 0xcafebabe or
// 0xcafebabf and an architecture count that fits the first 4096 bytes (204
// 32-bit entries, 127 64-bit ones). A 0xcafebabe count from 45 up, which a
// Java class version could be, counts only when every entry of the table lies
// after the table and within the file, as the loader requires and a class
// file's constant pool does not; so a slice cannot hide behind a long table of
// filler entries. head should hold HeadLen bytes, or the whole file.
func IsUniversal(head []byte, size int64) bool {
	if len(head) < 8 {
		return false
	}
	m := binary.BigEndian.Uint32(head)
	if m != 0xcafebabe && m != 0xcafebabf {
		return false
	}
	n := binary.BigEndian.Uint32(head[4:])
	es := uint32(20)
	if m == 0xcafebabf {
		es = 32
	}
	switch {
	case n == 0 || n > (HeadLen-8)/es:
		return false
	case n < javaMinVersion || m == 0xcafebabf:
		return true
	}
	tbl := 8 + 20*int(n)
	if tbl > len(head) {
		return false
	}
	for i := 8; i < tbl; i += 20 {
		off, sz := uint64(binary.BigEndian.Uint32(head[i+8:])), uint64(binary.BigEndian.Uint32(head[i+12:]))
		if off < uint64(tbl) || off+sz > 1<<32 || (size >= 0 && off+sz > uint64(size)) {
			return false
		}
	}
	return true
}
