package filekind

import (
	"bytes"
	"encoding/binary"
	"io"
)

// arMagic starts an ar archive: a static library.
const arMagic = "!<arch>\n"

// universalOfArchives reports whether the universal file whose first bytes
// are head (IsUniversal) holds only ar archives: a static library lipo
// made of one per architecture (libfoo.a for arm64 and x86_64). No loader
// maps one and codesign cannot sign one; a thin static library is not
// native code here either. read reads the bytes at a file offset; it
// reports false when they are not there, and the file then counts as a
// universal Mach-O.
func universalOfArchives(head []byte, read func(p []byte, off int64) bool) bool {
	es := 20
	if binary.BigEndian.Uint32(head) == 0xcafebabf {
		es = 32
	}
	n := int(binary.BigEndian.Uint32(head[4:]))
	if 8+n*es > len(head) {
		return false
	}
	var m [len(arMagic)]byte
	for i := range n {
		e := head[8+i*es:]
		off := int64(binary.BigEndian.Uint32(e[8:]))
		if es == 32 {
			u := binary.BigEndian.Uint64(e[8:])
			if u > 1<<62 {
				return false
			}
			off = int64(u)
		}
		if !read(m[:], off) || !bytes.Equal(m[:], []byte(arMagic)) {
			return false
		}
	}
	return true
}

// headReader reads from head only.
func headReader(head []byte) func(p []byte, off int64) bool {
	return func(p []byte, off int64) bool {
		return off >= 0 && off+int64(len(p)) <= int64(len(head)) && copy(p, head[off:]) == len(p)
	}
}

// readerAt reads from r, falling back on head where it holds the bytes.
func readerAt(r io.ReaderAt, head []byte) func(p []byte, off int64) bool {
	inHead := headReader(head)
	return func(p []byte, off int64) bool {
		if inHead(p, off) {
			return true
		}
		n, _ := r.ReadAt(p, off)
		return off >= 0 && n == len(p)
	}
}
