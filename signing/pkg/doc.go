// Package pkg reads and verifies macOS flat installer packages (.pkg): xar
// archives whose table of contents is signed, holding a Distribution and
// component packages with a Payload and Scripts (compressed cpio archives).
//
// [NewReader] reads a xar archive over an [io.ReaderAt]: the 28-byte
// big-endian header ("xar!", header size, version 1, the compressed and
// decompressed lengths of the table of contents, the checksum algorithm:
// 0 none, 1 SHA-1, 2 MD5, 3 SHA-256 or, with a name after the fixed header
// as mackyle's xar writes, "other", 4 SHA-512), the zlib-compressed XML
// table of contents (at most [MaxTOC] bytes either way, its length exact),
// and the heap after it. The table's <checksum> names where in the heap
// the hash of the compressed table is stored; each <file>'s <data> names
// its heap offset, archived length, decoded size, encoding (none, zlib as
// "application/x-gzip", bzip2) and archived and extracted checksums.
// Elements that must occur once are refused when repeated (a second
// <checksum> or <size> another reader might take instead), names that are
// not single path elements are reported and not opened, and every heap
// byte must be owned by the checksum, a signature or a file's data: gaps,
// overlaps and bytes after the heap are reported with their offsets.
//
// The reader is ours because no well-kept Go xar reader exists: none is
// among the modules this project may use, and the public ones are
// unmaintained and trust the table's sizes and repeated elements. Reading
// hostile input safely is the point here, so every size is checked against
// the file and the limits before anything is allocated, and XML is read
// with encoding/xml (no external entities, bounded nesting).
package pkg
