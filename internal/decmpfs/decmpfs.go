// Package decmpfs decodes files compressed by macOS transparent
// compression (the com.apple.decmpfs extended attribute), as HFS+ and
// APFS store them, when their data is inline in the attribute: types 1
// (stored) and 3 (zlib, or stored after a 0x?f byte), up to MaxSize
// bytes. Other types (data in the resource fork, LZVN, LZFSE) are not
// decoded.
package decmpfs

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
)

// MaxSize bounds the decoded size of one file.
const MaxSize = 16 << 20

// Decode decodes a compressed file whose data is inline in its
// com.apple.decmpfs attribute a (types 1 and 3); why says why not.
func Decode(a []byte) (data []byte, why string) {
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
	switch {
	case typ == 1 || (typ == 3 && len(body) > 0 && body[0]&0x0f == 0x0f):
		if typ == 3 {
			body = body[1:]
		}
		if uint64(len(body)) != size {
			return nil, fmt.Sprintf("its %d stored bytes are not the %d it declares", len(body), size)
		}
		return bytes.Clone(body), ""
	case typ == 3:
		br := bytes.NewReader(body)
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, fmt.Sprintf("its zlib stream does not start: %v", err)
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(zr, int64(size)+1))
		if err != nil || uint64(n) != size {
			return nil, fmt.Sprintf("it decodes to %d bytes, not the %d it declares (%v)", n, size, err)
		}
		// The stream ended (its checksum checked, read byte by byte
		// from br, an io.ByteReader): bytes after it, which no reader
		// decodes, would be a payload in an attribute whose file verifies.
		if br.Len() > 0 {
			return nil, fmt.Sprintf("%d bytes follow its zlib stream", br.Len())
		}
		return buf.Bytes(), ""
	}
	return nil, fmt.Sprintf("compression type %d (data in the resource fork, or LZVN/LZFSE) is not decoded", typ)
}
