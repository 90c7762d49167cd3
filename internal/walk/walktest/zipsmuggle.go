package walktest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// Smuggle is how a zip archive's one listed entry, readme.txt, carries a
// second entry, ffmpeg.dll, inside the data its central directory record
// gives it: readers that go by the central directory (Go, Info-ZIP's
// unzip, 7-Zip, Explorer) see one text file, readers that stream local
// headers (bsdtar reading a pipe, Java's ZipInputStream) see the DLL too.
type Smuggle int

const (
	// SmuggleDeflateTail: readme.txt is deflated with a data descriptor
	// (general purpose bit 3, as Go's and Java's writers make every
	// entry): a streaming reader ends it where its deflate stream ends,
	// reads the descriptor there, and then the local header of the DLL;
	// the central record's compressed size runs on past both, to a second
	// descriptor.
	SmuggleDeflateTail Smuggle = iota
	// SmuggleStoredSizes: readme.txt is stored; its local header gives
	// the size of the text alone, the central record the text, the DLL's
	// local header and the DLL.
	SmuggleStoredSizes
	// SmuggleDeflateSizes: readme.txt is deflated without a data
	// descriptor; its local header gives the deflate stream's size, the
	// central record that and the DLL's local header and bytes.
	SmuggleDeflateSizes
	// SmuggleLocalMethod: the one entry is ffmpeg.dll, whose central
	// record says it is stored, so that its bytes, the deflate stream of
	// the DLL, are what a central-directory reader takes for the file;
	// its local header says deflated, and Info-ZIP's unzip, 7-Zip and
	// bsdtar all go by the local header's method and install the DLL.
	SmuggleLocalMethod
	// SmuggleStoredDescriptor: readme.txt is stored with a data
	// descriptor (bit 3, as Go's writer stores every entry); after the
	// text its data holds a descriptor whose CRC-32 is the text's, where
	// libarchive's streaming reader ends it, then the DLL's local header
	// and bytes.
	SmuggleStoredDescriptor
)

// Listed returns the name of the one entry the central directory of a
// SmuggledZip lists.
func (s Smuggle) Listed() string {
	if s == SmuggleLocalMethod {
		return "ffmpeg.dll"
	}
	return "readme.txt"
}

// SmuggleText is readme.txt's text, the bytes a reader going by the
// central directory reads first.
const SmuggleText = "hello world\n"

// SmuggledZip returns a zip archive whose central directory lists
// one entry (how.Listed()) and which smuggles dll as ffmpeg.dll the way
// how says. Every CRC and size a central-directory reader checks is right.
func SmuggledZip(t testing.TB, how Smuggle, dll []byte) []byte {
	t.Helper()
	text := []byte(SmuggleText)
	var def bytes.Buffer
	fw, err := flate.NewWriter(&def, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(text)
	fw.Close()
	hidden := append(localHeader("ffmpeg.dll", 0, 0, crc32.ChecksumIEEE(dll), uint32(len(dll)), uint32(len(dll))), dll...)
	var local, body, trailer []byte
	var method, flags uint16
	var crc, usize uint32
	switch how {
	case SmuggleDeflateTail:
		method, flags = 8, 8
		body = append(append(def.Bytes(), descriptor(crc32.ChecksumIEEE(text), uint32(def.Len()), uint32(len(text)))...), hidden...)
		crc, usize = crc32.ChecksumIEEE(text), uint32(len(text))
		local = localHeader("readme.txt", method, flags, 0, 0, 0)
		trailer = descriptor(crc, uint32(len(body)), usize)
	case SmuggleStoredSizes:
		body = append(append([]byte(nil), text...), hidden...)
		crc, usize = crc32.ChecksumIEEE(body), uint32(len(body))
		local = localHeader("readme.txt", 0, 0, crc32.ChecksumIEEE(text), uint32(len(text)), uint32(len(text)))
	case SmuggleDeflateSizes:
		method = 8
		body = append(append([]byte(nil), def.Bytes()...), hidden...)
		crc, usize = crc32.ChecksumIEEE(text), uint32(len(text))
		local = localHeader("readme.txt", method, 0, crc, uint32(def.Len()), usize)
	case SmuggleLocalMethod:
		def.Reset()
		fw.Reset(&def)
		fw.Write(dll)
		fw.Close()
		body = append([]byte(nil), def.Bytes()...)
		crc, usize = crc32.ChecksumIEEE(body), uint32(len(body))
		local = localHeader(how.Listed(), 8, 0, crc32.ChecksumIEEE(dll), usize, uint32(len(dll)))
	case SmuggleStoredDescriptor:
		flags = 8
		body = append(append(append([]byte(nil), text...), descriptor(crc32.ChecksumIEEE(text), uint32(len(text)), uint32(len(text)))...), hidden...)
		crc, usize = crc32.ChecksumIEEE(body), uint32(len(body))
		local = localHeader("readme.txt", 0, flags, 0, 0, 0)
		trailer = descriptor(crc, usize, usize)
	default:
		t.Fatalf("unknown smuggle %d", how)
	}
	out := append(append(local, body...), trailer...)
	le := binary.LittleEndian
	dir := le.AppendUint32(nil, 0x02014b50)
	dir = le.AppendUint16(dir, 20) // made by
	dir = le.AppendUint16(dir, 20) // needed
	dir = le.AppendUint16(dir, flags)
	dir = le.AppendUint16(dir, method)
	dir = le.AppendUint32(dir, 0) // time, date
	dir = le.AppendUint32(dir, crc)
	dir = le.AppendUint32(dir, uint32(len(body)))
	dir = le.AppendUint32(dir, usize)
	dir = le.AppendUint16(dir, uint16(len(how.Listed())))
	dir = append(dir, make([]byte, 12)...) // extra, comment, disk, attributes
	dir = le.AppendUint32(dir, 0)          // local header offset
	dir = append(dir, how.Listed()...)
	end := le.AppendUint32(nil, 0x06054b50)
	end = le.AppendUint32(end, 0)
	end = le.AppendUint16(end, 1)
	end = le.AppendUint16(end, 1)
	end = le.AppendUint32(end, uint32(len(dir)))
	end = le.AppendUint32(end, uint32(len(out)))
	end = le.AppendUint16(end, 0)
	return append(append(out, dir...), end...)
}

// localHeader returns a zip local file header for name.
func localHeader(name string, method, flags uint16, crc, csize, usize uint32) []byte {
	le := binary.LittleEndian
	h := le.AppendUint32(nil, 0x04034b50)
	h = le.AppendUint16(h, 20)
	h = le.AppendUint16(h, flags)
	h = le.AppendUint16(h, method)
	h = le.AppendUint32(h, 0) // time, date
	h = le.AppendUint32(h, crc)
	h = le.AppendUint32(h, csize)
	h = le.AppendUint32(h, usize)
	h = le.AppendUint16(h, uint16(len(name)))
	h = le.AppendUint16(h, 0)
	return append(h, name...)
}

// descriptor returns a zip data descriptor, with its signature.
func descriptor(crc, csize, usize uint32) []byte {
	le := binary.LittleEndian
	d := le.AppendUint32(nil, 0x08074b50)
	d = le.AppendUint32(d, crc)
	d = le.AppendUint32(d, csize)
	return le.AppendUint32(d, usize)
}
