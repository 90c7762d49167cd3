package authenticode

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
)

// The APPX digests are defined over the raw bytes of the package's zip
// records (APPNOTE.TXT 4.3), so the package is read here record by record
// rather than through archive/zip, which hides the offsets and the bytes
// between records.

// Limits on what an APPX package may make the verifier hold in memory.
const (
	// maxAPPXDirectory bounds the central directory read into memory.
	maxAPPXDirectory = 64 << 20
	// maxAPPXEntries bounds the entries examined.
	maxAPPXEntries = 1 << 20
	// maxAPPXXML bounds the uncompressed size of the block map, the content
	// types and the manifest.
	maxAPPXXML = 64 << 20
)

const (
	zipLocalSig     = "PK\x03\x04"
	zipCentralSig   = "PK\x01\x02"
	zipEndSig       = "PK\x05\x06"
	zip64EndSig     = "PK\x06\x06"
	zip64LocatorSig = "PK\x06\x07"
	zipDescSig      = "PK\x07\x08"
	zipEndLen       = 22
	zip64LocatorLen = 20
	zip64EndMin     = 56
)

// appxEntry is one file of the package as its central directory record and
// local header give it.
type appxEntry struct {
	name       string
	cdOff      int64 // offset of its central directory record
	cdLen      int64 // length of that record
	flags      uint16
	method     uint16
	comp       uint64
	uncomp     uint64
	local      int64 // offset of its local header
	cdExtra    []byte
	commentLen int
	// From the local header: where the data starts, where the record
	// (header, data, data descriptor) ends, and the header's extra field.
	dataOff  int64
	end      int64
	lfhExtra int
	localErr string // why the local header cannot be used; empty when it can
}

// appxZip is the layout of an APPX package's zip archive.
type appxZip struct {
	size    int64
	entries []*appxEntry
	byName  map[string]*appxEntry
	cdOff   int64
	cd      []byte // the central directory's raw bytes
	zip64   bool
	z64     []byte // the ZIP64 end record with its extensible data; nil without
	z64Off  int64
	loc     []byte // the ZIP64 end locator
	eocd    []byte // the end record with its comment
	eocdOff int64
	end     int64 // where the end record's comment ends
}

// readAPPXZip parses the zip archive of size bytes at r: the end records,
// the central directory and every local header. Problems that leave the
// archive unreadable are a *FormatError; those an extractor would get past
// are returned as findings by the caller, from the layout.
func readAPPXZip(r io.ReaderAt, size int64) (*appxZip, error) {
	z := &appxZip{size: size, byName: map[string]*appxEntry{}}
	if err := z.readEnd(r); err != nil {
		return nil, err
	}
	count, cdSize, cdOff, err := z.directory(r)
	if err != nil {
		return nil, err
	}
	if err := z.readDirectory(r, count, cdSize, cdOff); err != nil {
		return nil, err
	}
	for _, ent := range z.entries {
		if err := z.readLocal(r, ent); err != nil {
			return nil, err
		}
	}
	return z, nil
}

// readEnd finds the end of central directory record in the last 64 KiB
// and 22 bytes of the archive and keeps it, with its comment, in z.
func (z *appxZip) readEnd(r io.ReaderAt) error {
	size := z.size
	tailLen := min(size, 0xffff+zipEndLen)
	tail := make([]byte, tailLen)
	if err := readFull(r, tail, size-tailLen); err != nil {
		return err
	}
	at := findEndRecord(r, tail, size-tailLen)
	if at < 0 {
		return ErrNotAPPX
	}
	le := binary.LittleEndian
	z.eocdOff = size - tailLen + int64(at)
	z.end = z.eocdOff + zipEndLen + int64(le.Uint16(tail[at+20:]))
	z.eocd = bytes.Clone(tail[at : z.end-(size-tailLen)])
	return nil
}

// findEndRecord returns the index in tail, the bytes of r from tailOff to
// the end of the archive, of the end record to read, or -1 if there is
// none: the last end record whose comment fits in the file and whose
// directory is where it says, passing over an empty archive's record when
// one with entries precedes it, as the release walker does (22 bytes
// appended must not hide the package); failing that, the last whose
// comment fits.
func findEndRecord(r io.ReaderAt, tail []byte, tailOff int64) int {
	le := binary.LittleEndian
	at, empty, fits := -1, -1, -1
	for i := len(tail) - zipEndLen; i >= 0 && at < 0; i-- {
		if string(tail[i:i+4]) != zipEndSig || i+zipEndLen+int(le.Uint16(tail[i+20:])) > len(tail) {
			continue
		}
		if fits < 0 {
			fits = i
		}
		off := tailOff + int64(i)
		count, dirSize, dirOff := le.Uint16(tail[i+10:]), int64(le.Uint32(tail[i+12:])), int64(le.Uint32(tail[i+16:]))
		var sig [4]byte
		switch {
		case count == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff:
			if off >= zip64LocatorLen {
				if _, err := r.ReadAt(sig[:], off-zip64LocatorLen); err == nil && string(sig[:]) == zip64LocatorSig {
					at = i
				}
			}
		case count == 0 && dirSize == 0:
			if empty < 0 {
				empty = i
			}
		case dirOff+dirSize <= off:
			if _, err := r.ReadAt(sig[:], dirOff); err == nil && string(sig[:]) == zipCentralSig {
				at = i
			}
		}
	}
	switch {
	case at >= 0:
		return at
	case empty >= 0:
		return empty
	}
	return fits
}

// directory returns the entry count, size and offset of the central
// directory as the end record gives them, or the ZIP64 end record when a
// ZIP64 locator precedes the end record. It rejects an archive spanning
// several disks.
func (z *appxZip) directory(r io.ReaderAt) (count, cdSize, cdOff uint64, err error) {
	le := binary.LittleEndian
	e := z.eocd
	if le.Uint16(e[4:]) != 0 && le.Uint16(e[4:]) != 0xffff || le.Uint16(e[6:]) != 0 && le.Uint16(e[6:]) != 0xffff {
		return 0, 0, 0, &FormatError{Offset: z.eocdOff + 4, Reason: "zip archive spans several disks"}
	}
	count = uint64(le.Uint16(e[10:]))
	cdSize = uint64(le.Uint32(e[12:]))
	cdOff = uint64(le.Uint32(e[16:]))
	if z.eocdOff >= zip64LocatorLen {
		if err := z.readZIP64End(r); err != nil {
			return 0, 0, 0, err
		}
		if z.zip64 {
			count, cdSize, cdOff = le.Uint64(z.z64[32:]), le.Uint64(z.z64[40:]), le.Uint64(z.z64[48:])
		}
	}
	return count, cdSize, cdOff, nil
}

// readZIP64End reads the ZIP64 end record, with its extensible data, that a
// ZIP64 locator right before the end record points at, and keeps both in
// z; without a locator it leaves z as it is.
func (z *appxZip) readZIP64End(r io.ReaderAt) error {
	le := binary.LittleEndian
	var loc [zip64LocatorLen]byte
	if err := readFull(r, loc[:], z.eocdOff-zip64LocatorLen); err != nil {
		return err
	}
	if string(loc[:4]) != zip64LocatorSig {
		return nil
	}
	z.zip64 = true
	z.loc = loc[:]
	z.z64Off = int64(le.Uint64(loc[8:]))
	if z.z64Off < 0 || z.z64Off > z.eocdOff-zip64LocatorLen-zip64EndMin {
		return &FormatError{Offset: z.eocdOff - zip64LocatorLen + 8, Reason: fmt.Sprintf("ZIP64 end record offset 0x%x lies outside the archive", z.z64Off)}
	}
	var h [zip64EndMin]byte
	if err := readFull(r, h[:], z.z64Off); err != nil {
		return err
	}
	recLen := le.Uint64(h[4:])
	if string(h[:4]) != zip64EndSig || recLen < zip64EndMin-12 || recLen > uint64(z.eocdOff-zip64LocatorLen-z.z64Off-12) || recLen > maxAPPXDirectory {
		return &FormatError{Offset: z.z64Off, Reason: "ZIP64 end record missing or of a bad size"}
	}
	z.z64 = make([]byte, 12+recLen)
	return readFull(r, z.z64, z.z64Off)
}

// readDirectory reads the central directory of cdSize bytes at cdOff,
// within the limits and before the end records, and its records into
// z.entries: exactly count of them, with no name twice.
func (z *appxZip) readDirectory(r io.ReaderAt, count, cdSize, cdOff uint64) error {
	dirEnd := z.eocdOff
	if z.zip64 {
		dirEnd = z.z64Off
	}
	switch {
	case cdSize > maxAPPXDirectory:
		return &FormatError{Offset: z.eocdOff, Reason: fmt.Sprintf("central directory of %d bytes exceeds the %d-byte limit", cdSize, maxAPPXDirectory)}
	case count > maxAPPXEntries:
		return &FormatError{Offset: z.eocdOff, Reason: fmt.Sprintf("%d entries exceed the %d-entry limit", count, maxAPPXEntries)}
	case cdOff > uint64(dirEnd) || cdSize > uint64(dirEnd)-cdOff:
		return &FormatError{Offset: z.eocdOff, Reason: fmt.Sprintf("central directory [0x%x, +%d) lies outside the archive", cdOff, cdSize)}
	}
	z.cdOff = int64(cdOff)
	z.cd = make([]byte, cdSize)
	if err := readFull(r, z.cd, z.cdOff); err != nil {
		return err
	}
	for p := 0; p < len(z.cd); {
		off := z.cdOff + int64(p)
		ent, err := parseCentralRecord(z.cd[p:], off)
		if err != nil {
			return err
		}
		if len(z.entries) >= maxAPPXEntries {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("more than %d entries", maxAPPXEntries)}
		}
		z.entries = append(z.entries, ent)
		if _, dup := z.byName[ent.name]; dup {
			return &FormatError{Offset: off, Reason: fmt.Sprintf("entry %q appears twice", ent.name)}
		}
		z.byName[ent.name] = ent
		p += int(ent.cdLen)
	}
	if uint64(len(z.entries)) != count {
		return &FormatError{Offset: z.eocdOff, Reason: fmt.Sprintf("the end record counts %d entries, the central directory holds %d", count, len(z.entries))}
	}
	return nil
}

// parseCentralRecord parses the central directory record at the start of
// h, the rest of the directory from the archive offset off, with the
// values its ZIP64 extra field holds.
func parseCentralRecord(h []byte, off int64) (*appxEntry, error) {
	le := binary.LittleEndian
	if len(h) < 46 || string(h[:4]) != zipCentralSig {
		return nil, &FormatError{Offset: off, Reason: "central directory record expected"}
	}
	n, x, c := int(le.Uint16(h[28:])), int(le.Uint16(h[30:])), int(le.Uint16(h[32:]))
	if 46+n+x+c > len(h) {
		return nil, &FormatError{Offset: off, Reason: "central directory record runs past the directory"}
	}
	ent := &appxEntry{
		name: string(h[46 : 46+n]), cdOff: off, cdLen: int64(46 + n + x + c),
		flags: le.Uint16(h[8:]), method: le.Uint16(h[10:]),
		comp: uint64(le.Uint32(h[20:])), uncomp: uint64(le.Uint32(h[24:])),
		local:   int64(le.Uint32(h[42:])),
		cdExtra: h[46+n : 46+n+x], commentLen: c,
	}
	if le.Uint16(h[34:]) != 0 && le.Uint16(h[34:]) != 0xffff {
		return nil, &FormatError{Offset: off + 34, Reason: "entry on another disk"}
	}
	if err := ent.zip64Extra(le.Uint32(h[24:]) == 0xffffffff, le.Uint32(h[20:]) == 0xffffffff, le.Uint32(h[42:]) == 0xffffffff); err != "" {
		return nil, &FormatError{Offset: off, Reason: ent.name + ": " + err}
	}
	return ent, nil
}

// zip64Extra reads the ZIP64 extended information field of a central
// directory record for the values marked as stored there.
func (e *appxEntry) zip64Extra(uncomp, comp, off bool) string {
	if !uncomp && !comp && !off {
		return ""
	}
	le := binary.LittleEndian
	for x := e.cdExtra; len(x) >= 4; {
		id, n := le.Uint16(x), int(le.Uint16(x[2:]))
		if 4+n > len(x) {
			break
		}
		if id == 1 {
			f := x[4 : 4+n]
			take := func(v *uint64) bool {
				if len(f) < 8 {
					return false
				}
				*v, f = le.Uint64(f), f[8:]
				return true
			}
			var l uint64
			if uncomp && !take(&e.uncomp) || comp && !take(&e.comp) || off && !take(&l) {
				return "ZIP64 extra field too short"
			}
			if off {
				if l > 1<<62 {
					return "local header offset out of range"
				}
				e.local = int64(l)
			}
			return ""
		}
		x = x[4+n:]
	}
	return "ZIP64 extra field missing"
}

// readLocal reads ent's local header and finds where its record ends.
// Problems are left in ent.localErr; only I/O errors are returned.
func (z *appxZip) readLocal(r io.ReaderAt, ent *appxEntry) error {
	le := binary.LittleEndian
	if ent.local < 0 || ent.local > z.cdOff-30 {
		ent.localErr = fmt.Sprintf("local header offset 0x%x lies outside the file data", ent.local)
		return nil
	}
	var h [30]byte
	if err := readFull(r, h[:], ent.local); err != nil {
		return err
	}
	if string(h[:4]) != zipLocalSig {
		ent.localErr = fmt.Sprintf("no local header at 0x%x", ent.local)
		return nil
	}
	n, x := int64(le.Uint16(h[26:])), int64(le.Uint16(h[28:]))
	ent.lfhExtra = int(x)
	ent.dataOff = ent.local + 30 + n + x
	if ent.dataOff > z.cdOff || ent.comp > uint64(z.cdOff-ent.dataOff) {
		ent.localErr = fmt.Sprintf("data [0x%x, +%d) runs into the central directory", ent.dataOff, ent.comp)
		return nil
	}
	name := make([]byte, n)
	if err := readFull(r, name, ent.local+30); err != nil {
		return err
	}
	if string(name) != ent.name {
		ent.localErr = fmt.Sprintf("local header names %q", name)
		return nil
	}
	if m := le.Uint16(h[8:]); m != ent.method {
		ent.localErr = fmt.Sprintf("local header gives compression method %d, the central directory %d", m, ent.method)
		return nil
	}
	ent.end = ent.dataOff + int64(ent.comp)
	if ent.flags&8 == 0 {
		return nil
	}
	// A data descriptor follows: signature, CRC-32 and the sizes, 4 or 8
	// bytes each (8 in a ZIP64 archive, as makeappx writes them).
	var d [4]byte
	if ent.end+4 <= z.cdOff {
		if err := readFull(r, d[:], ent.end); err != nil {
			return err
		}
	}
	n64, n32 := int64(20), int64(12)
	if string(d[:]) == zipDescSig {
		n64, n32 = 24, 16
	}
	want := n32
	if z.zip64 {
		want = n64
	}
	// Prefer the length after which another record starts.
	for _, k := range []int64{want, n64 + n32 - want} {
		var s [2]byte
		if ent.end+k <= z.cdOff {
			if err := readFull(r, s[:], ent.end+k); err != nil {
				return err
			}
			if string(s[:]) == "PK" {
				want = k
				break
			}
		}
	}
	if ent.end+want > z.cdOff {
		ent.localErr = "data descriptor runs into the central directory"
		return nil
	}
	ent.end += want
	return nil
}

// open returns a reader of ent's uncompressed data, which stops after at
// most limit bytes.
func (z *appxZip) open(r io.ReaderAt, ent *appxEntry, limit int64) (io.Reader, error) {
	if ent.localErr != "" {
		return nil, fmt.Errorf("%s", ent.localErr)
	}
	sr := io.NewSectionReader(r, ent.dataOff, int64(ent.comp))
	switch ent.method {
	case 0:
		return io.LimitReader(sr, limit), nil
	case 8:
		return io.LimitReader(flate.NewReader(sr), limit), nil
	}
	return nil, fmt.Errorf("compression method %d is not stored (0) or deflate (8)", ent.method)
}

// readAll reads ent's uncompressed data, up to limit bytes.
func (z *appxZip) readAll(r io.ReaderAt, ent *appxEntry, limit int64) ([]byte, error) {
	b, _, err := z.readExact(r, ent, limit)
	return b, err
}

// readExact reads ent's uncompressed data, up to limit bytes (and as many
// compressed), and also returns how many of its compressed bytes follow
// the end of its deflate stream: bytes no extractor reads.
func (z *appxZip) readExact(r io.ReaderAt, ent *appxEntry, limit int64) ([]byte, int64, error) {
	if ent.uncomp > uint64(limit) || ent.comp > uint64(limit) {
		return nil, 0, fmt.Errorf("%d bytes (%d compressed) exceed the %d-byte limit", ent.uncomp, ent.comp, limit)
	}
	if ent.localErr != "" {
		return nil, 0, fmt.Errorf("%s", ent.localErr)
	}
	comp := make([]byte, ent.comp)
	if err := readFull(r, comp, ent.dataOff); err != nil {
		return nil, 0, err
	}
	var b []byte
	var rest int64
	switch ent.method {
	case 0:
		b = comp
	case 8:
		// flate reads a bytes.Reader byte by byte, never past its stream's
		// end, so what is left of it after EOF is what follows the stream.
		br := bytes.NewReader(comp)
		var err error
		if b, err = io.ReadAll(io.LimitReader(flate.NewReader(br), int64(ent.uncomp)+1)); err != nil {
			return nil, 0, err
		}
		rest = int64(br.Len())
	default:
		return nil, 0, fmt.Errorf("compression method %d is not stored (0) or deflate (8)", ent.method)
	}
	if uint64(len(b)) != ent.uncomp {
		return nil, 0, fmt.Errorf("holds %d bytes uncompressed, its header says %d", len(b), ent.uncomp)
	}
	return b, rest, nil
}
