package release

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"
)

// checkHeaderName reports an entry whose header blocks hb give it another
// size (sizeAgrees), or whose own header names it otherwise for
// archive/tar than for GNU tar and bsdtar, or npm's node-tar, and returns
// errStop then: the file checked would not be the file extracted, and a
// later entry of the name an extractor gives it would replace it unseen.
// Three header forms do this. A GNU header ("ustar  ") whose access or
// change time is no number: archive/tar takes those bytes for a ustar name
// prefix (to read archives of Go before 1.8), the extractors ignore them.
// A star header ("tar" trailer) whose 131-byte prefix has no NUL:
// archive/tar stops there, the extractors read on into the access time,
// as ustar's 155-byte prefix. A ustar header whose version is not "00":
// node-tar, which npm installs packages with, reads no prefix then. A GNU
// long name or a pax path (or sparse name) record names the entry for all
// alike.
func (t *TarReader) checkHeaderName(hdr *tar.Header, idx int, start int64, hb headerBlocks) error {
	if hb.badSize >= 0 {
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: hb.badSize,
			Message: fmt.Sprintf("tar entry %d's header at offset %d has a size field starting with a NUL byte: archive/tar skips it and reads the digits after it, GNU tar and bsdtar read no size, and so the next header where archive/tar reads data; the entries extracted are not those checked, and the rest of the archive was not read", idx, hb.badSize)})
		return errStop
	}
	if hb.badSum >= 0 {
		t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: hb.badSum,
			Message: fmt.Sprintf("tar entry %d's header at offset %d has a checksum npm's node-tar refuses (a signed sum, or digits running into the type flag): archive/tar and GNU tar accept it, node-tar skips the header and reads the entry's data as the next one, so the files npm installs are not those checked; the rest of the archive was not read", idx, hb.badSum)})
		return errStop
	}
	blk := hb.main
	if blk == nil || hb.longName || hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	for _, k := range []string{"path", "GNU.sparse.name"} {
		if _, ok := hdr.PAXRecords[k]; ok {
			return nil
		}
	}
	want, who := extractorName(blk), "GNU tar and bsdtar (a name prefix read from a GNU header's times, or a star header's prefix cut short)"
	if want == hdr.Name {
		want, who = nodeTarName(blk), "npm's node-tar (a ustar header whose version is not \"00\", whose prefix node-tar does not read)"
	}
	if want == hdr.Name {
		return nil
	}
	t.problem(Problem{Kind: ProblemMalformed, Index: idx, Name: hdr.Name, Offset: start,
		Message: fmt.Sprintf("tar entry %d is named %q by archive/tar but %q by %s, so the file checked is not the one extracted; the rest of the archive was not read", idx, hdr.Name, want, who)})
	return errStop
}

// nodeTarName returns the name node-tar (npm's tar) reads from the tar
// header block b: with the ustar magic and version ("ustar\x0000"), the
// prefix as extractorName reads it (node-tar reads 155 bytes when the
// 131st is not NUL, else 130, which comes to the same), a slash and the
// name; else the name alone.
func nodeTarName(b []byte) string {
	if string(b[257:265]) != "ustar\x0000" {
		return cString(b[0:100])
	}
	return extractorName(b)
}

// extractorName returns the name GNU tar and bsdtar read from the tar
// header block b: with the ustar magic ("ustar\x00", whatever its version
// and trailer), the prefix (up to its first NUL in 155 bytes), a slash and
// the name; else (a GNU or V7 header) the name alone.
func extractorName(b []byte) string {
	name := cString(b[0:100])
	if string(b[257:263]) == "ustar\x00" {
		if p := cString(b[345:500]); p != "" {
			return p + "/" + name
		}
	}
	return name
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// sizeAgrees reports whether archive/tar, GNU tar and bsdtar read the same
// size from the numeric field f: archive/tar skips any NULs and spaces
// before its digits, GNU tar one NUL then spaces, bsdtar spaces and tabs
// only, so that a field starting with NULs is 0 for the tools. A field
// of NULs alone is 0 for all three.
func sizeAgrees(f []byte) bool {
	if f[0] != 0 {
		return true
	}
	return strings.Trim(cString(bytes.TrimLeft(f, " \x00")), "0 ") == ""
}

// nodeTarSumOK reports whether node-tar (npm's tar) accepts the checksum of
// the tar header block b: it reads the field as JavaScript's parseInt(s, 8)
// reads the 12 bytes from offset 148 up to their first NUL, trimmed (so
// that eight digits run on into the type flag), and compares it with the
// unsigned sum alone, where archive/tar, GNU tar and bsdtar accept the
// signed sum too. A base-256 checksum is left to them.
func nodeTarSumOK(b []byte) bool {
	if b[148]&0x80 != 0 {
		return true
	}
	f := strings.Trim(cString(b[148:160]), " \t\n\v\f\r")
	var v int64
	n := 0
	for ; n < len(f) && f[n] >= '0' && f[n] <= '7' && v < 1<<40; n++ {
		v = v<<3 | int64(f[n]-'0')
	}
	if n == 0 {
		return false
	}
	sum := int64(8 * ' ')
	for i, c := range b[:512] {
		if i < 148 || i >= 156 {
			sum += int64(c)
		}
	}
	return v == sum
}
