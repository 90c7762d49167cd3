package authenticode

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// appxSignatureRecords reports the values of AppxSignature.p7x's own
// records (local header, data descriptor, central directory record) that
// carry data: no digest covers these records, so every field that could
// hold anything must hold what the file is. An extra field must be the
// ZIP64 one, its values the entry's sizes and offset; CRC-32s must be the
// data's, and the local header's sizes the central directory's (or zero
// when a data descriptor follows). The times, versions and attributes,
// a few bytes in all, are left as they are. It returns why, each with the
// offset it is about.
func (z *appxZip) appxSignatureRecords(r io.ReaderAt, sig *appxEntry) ([]string, []int64, error) {
	var whys []string
	var offs []int64
	bad := func(off int64, format string, args ...any) {
		whys, offs = append(whys, fmt.Sprintf(format, args...)), append(offs, off)
	}
	le := binary.LittleEndian
	values := []uint64{sig.uncomp, sig.comp, uint64(sig.local), 0}
	if why := zip64ExtraValues(sig.cdExtra, values); why != "" {
		bad(sig.cdOff+46+int64(len(sig.name)), "%s's central directory record: %s", appxSignatureName, why)
	}
	if sig.localErr != "" {
		return whys, offs, nil
	}
	data, err := z.readAll(r, sig, maxTableBytes)
	if err != nil {
		return whys, offs, nil // reported as a malformed signature
	}
	crc := crc32.ChecksumIEEE(data)
	cdRec := z.cd[sig.cdOff-z.cdOff:]
	if got := le.Uint32(cdRec[16:]); got != crc {
		bad(sig.cdOff+16, "%s's central directory record gives CRC-32 %08x, its data's is %08x", appxSignatureName, got, crc)
	}
	lfh := make([]byte, 30+len(sig.name)+sig.lfhExtra)
	if err := readFull(r, lfh, sig.local); err != nil {
		return nil, nil, err
	}
	if why := zip64ExtraValues(lfh[30+len(sig.name):], values); why != "" {
		bad(sig.local+30+int64(len(sig.name)), "%s's local header: %s", appxSignatureName, why)
	}
	descriptor := sig.flags&8 != 0
	for _, f := range []struct {
		at   int
		want uint32
		what string
	}{{14, crc, "CRC-32"}, {18, uint32(min(sig.comp, 0xffffffff)), "compressed size"}, {22, uint32(min(sig.uncomp, 0xffffffff)), "size"}} {
		got := le.Uint32(lfh[f.at:])
		if got != f.want && !(descriptor && got == 0) && !(f.at > 14 && got == 0xffffffff) {
			bad(sig.local+int64(f.at), "%s's local header gives %s %08x, not %08x", appxSignatureName, f.what, got, f.want)
		}
	}
	if descriptor {
		if why := z.descriptorValues(r, sig, crc); why != "" {
			bad(sig.dataOff+int64(sig.comp), "%s's data descriptor %s", appxSignatureName, why)
		}
	}
	return whys, offs, nil
}

// descriptorValues says what is wrong with the data descriptor after
// ent's data (crc its data's CRC-32): a CRC-32 or sizes other than ent's.
func (z *appxZip) descriptorValues(r io.ReaderAt, ent *appxEntry, crc uint32) string {
	at := ent.dataOff + int64(ent.comp)
	d := make([]byte, ent.end-at)
	if err := readFull(r, d, at); err != nil {
		return "cannot be read"
	}
	if len(d) == 16 || len(d) == 24 {
		d = d[4:] // the optional signature
	}
	le := binary.LittleEndian
	var comp, uncomp uint64
	switch len(d) {
	case 12:
		comp, uncomp = uint64(le.Uint32(d[4:])), uint64(le.Uint32(d[8:]))
	case 20:
		comp, uncomp = le.Uint64(d[4:]), le.Uint64(d[12:])
	default:
		return fmt.Sprintf("is %d bytes long", len(d))
	}
	if le.Uint32(d) != crc || comp != ent.comp || uncomp != ent.uncomp {
		return fmt.Sprintf("gives CRC-32 %08x and sizes %d and %d, not %08x, %d and %d", le.Uint32(d), comp, uncomp, crc, ent.comp, ent.uncomp)
	}
	return ""
}

// zip64ExtraValues says what is wrong with an extra field of the
// signature's records, or "" when it is empty or one ZIP64 extended
// information field holding only values among want (8 bytes each) and a
// zero disk number (4 bytes): values the verifier knows, which carry
// nothing.
func zip64ExtraValues(x []byte, want []uint64) string {
	if len(x) == 0 {
		return ""
	}
	le := binary.LittleEndian
	if len(x) < 4 || le.Uint16(x) != 1 || int(le.Uint16(x[2:]))+4 != len(x) || len(x) > zip64ExtraMax {
		return fmt.Sprintf("a %d-byte extra field other than one ZIP64 field", len(x))
	}
	f := x[4:]
	for len(f) >= 8 {
		if v := le.Uint64(f); !slices.Contains(want, v) {
			return fmt.Sprintf("a ZIP64 extra field holding %#x, none of the entry's sizes or offset", v)
		}
		f = f[8:]
	}
	if len(f) != 0 && (len(f) != 4 || le.Uint32(f) != 0) {
		return fmt.Sprintf("a ZIP64 extra field ending in % x, not a zero disk number", f)
	}
	return ""
}

// endRecordValues says what is wrong with the fields of the end records
// that the directory digest rewrites (so covers none of): the counts,
// size and offset of the directory must be the archive's, or in the end
// record of a ZIP64 archive the all-ones mark that sends readers to the
// ZIP64 one. It returns "" when they are.
func (z *appxZip) endRecordValues() string {
	le := binary.LittleEndian
	e := z.eocd
	count, size, off := uint64(len(z.entries)), uint64(len(z.cd)), uint64(z.cdOff)
	if z.zip64 {
		if got := le.Uint64(z.z64[24:]); got != count {
			return fmt.Sprintf("the ZIP64 end record counts %d entries on its disk, %d in all", got, count)
		}
	}
	for _, f := range []struct {
		at, n int
		want  uint64
		what  string
	}{{8, 2, count, "entries on its disk"}, {10, 2, count, "entries"}, {12, 4, size, "directory bytes"}, {16, 4, off, "directory offset"}} {
		got, mark := uint64(le.Uint16(e[f.at:])), uint64(0xffff)
		if f.n == 4 {
			got, mark = uint64(le.Uint32(e[f.at:])), 0xffffffff
		}
		if got != f.want && !(z.zip64 && got == mark) {
			return fmt.Sprintf("the end record gives %d as its %s, the archive has %d", got, f.what, f.want)
		}
	}
	return ""
}

// deflateBound is the most a deflate encoder writes for n bytes: zlib
// writes at most compressBound (n + n>>12 + n>>14 + n>>25 + 13), falling
// back to stored blocks, but an encoder of fixed Huffman codes alone
// spends up to 9 bits a byte, and some (older .NET DeflateStream) do. The
// encoding of AppxSignature.p7x is no digest's, so its blocks past what
// encoders need (empty blocks, stored blocks of chosen lengths, Huffman
// tables for symbols never used) could carry data of any size.
func deflateBound(n int64) int64 { return n + n/8 + 64 }
