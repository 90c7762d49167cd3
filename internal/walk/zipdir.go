package walk

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/zipend"
)

// A zip archive with many entries is read a chunk of its central
// directory at a time: archive/zip keeps a record of about 250 bytes per
// entry for as long as its Reader lives, which for a million entries is
// more than the rest of the run needs. Each chunk is read by archive/zip
// as an archive of its own, whose end record (made up here) lists only
// that chunk; its entries' offsets are the file's.

// ZipChunkLen is the number of central directory records in a chunk that
// verify and sbom read a zip archive's entries by (ZipChunks): archives of
// fewer are read whole. Both use this one value, so that both hold the
// same records in memory at once.
const ZipChunkLen = 1 << 15

// ZipChunk is a run of N central directory records at [Start, End) of an
// archive.
type ZipChunk struct {
	Start, End int64
	N          int
}

// ZipChunks finds the central directory that the end record at endOff of
// the archive of size bytes at r describes, as archive/zip finds it
// (ZIP64 included), and splits it into chunks of chunkLen records (verify
// and sbom pass ZipChunkLen; tests a smaller value). It reports false for
// an archive that is to be read whole by archive/zip instead: one of at
// most chunkLen records, a directory that does not start at the offset it
// records (a self-extractor's stub shifted it), one beyond 4 GiB, or
// records that do not add up to the count the end record gives.
func ZipChunks(r io.ReaderAt, size, endOff int64, chunkLen int) ([]ZipChunk, bool) {
	var rec [zipend.Len]byte
	if n, _ := r.ReadAt(rec[:], endOff); n < len(rec) || string(rec[:4]) != "PK\x05\x06" {
		return nil, false
	}
	le := binary.LittleEndian
	records, dirSize, dirOff := uint64(le.Uint16(rec[10:])), uint64(le.Uint32(rec[12:])), uint64(le.Uint32(rec[16:]))
	dirEnd := endOff
	if records == 0xffff || dirSize == 0xffffffff || dirOff == 0xffffffff {
		var loc [20]byte
		if n, _ := r.ReadAt(loc[:], endOff-20); endOff < 20 || n < len(loc) || string(loc[:4]) != "PK\x06\x07" {
			return nil, false
		}
		off64 := int64(le.Uint64(loc[8:]))
		var d64 [56]byte
		if n, _ := r.ReadAt(d64[:], off64); off64 < 0 || n < len(d64) || string(d64[:4]) != "PK\x06\x06" {
			return nil, false
		}
		records, dirSize, dirOff = le.Uint64(d64[32:]), le.Uint64(d64[40:]), le.Uint64(d64[48:])
		dirEnd = off64
	}
	if chunkLen < 1 || records <= uint64(chunkLen) || dirOff > 0xfffffff0 || dirSize > 0xfffffff0 || int64(dirOff+dirSize) != dirEnd || dirEnd > size {
		return nil, false
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, int64(dirOff), int64(dirSize)), 1<<16)
	var chunks []ZipChunk
	pos, cur := int64(dirOff), ZipChunk{Start: int64(dirOff)}
	var h [46]byte
	for i := uint64(0); i < records; i++ {
		if _, err := io.ReadFull(br, h[:]); err != nil || string(h[:4]) != "PK\x01\x02" {
			return nil, false
		}
		n := int64(46) + int64(le.Uint16(h[28:])) + int64(le.Uint16(h[30:])) + int64(le.Uint16(h[32:]))
		if _, err := br.Discard(int(n - 46)); err != nil {
			return nil, false
		}
		pos += n
		cur.N++
		if cur.N == chunkLen || i == records-1 {
			cur.End = pos
			chunks = append(chunks, cur)
			cur = ZipChunk{Start: pos}
		}
	}
	return chunks, pos == dirEnd
}

// Reader reads the chunk as an archive of its own, with offsets into r.
func (c ZipChunk) Reader(r io.ReaderAt) (*zip.Reader, error) {
	v := &chunkView{r: r, cut: c.End}
	le := binary.LittleEndian
	copy(v.end[:], "PK\x05\x06")
	le.PutUint16(v.end[8:], uint16(c.N))
	le.PutUint16(v.end[10:], uint16(c.N))
	le.PutUint32(v.end[12:], uint32(c.End-c.Start))
	le.PutUint32(v.end[16:], uint32(c.Start))
	zr, err := zip.NewReader(v, c.End+zipend.Len)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, fmt.Errorf("central directory chunk at offset %d: %w", c.Start, err)
	}
	release.StrictDeflate(zr)
	if len(zr.File) != c.N {
		return nil, fmt.Errorf("central directory chunk at offset %d: %d records, want %d", c.Start, len(zr.File), c.N)
	}
	return zr, nil
}

// chunkView is the bytes of r up to cut, then an end record.
type chunkView struct {
	r   io.ReaderAt
	cut int64
	end [zipend.Len]byte
}

func (v *chunkView) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	if off < v.cut {
		k := int(min(int64(len(p)), v.cut-off))
		m, err := v.r.ReadAt(p[:k], off)
		n += m
		if m < k {
			return n, err
		}
		p, off = p[k:], v.cut
	}
	if len(p) == 0 {
		return n, nil
	}
	if off-v.cut >= zipend.Len {
		return n, io.EOF
	}
	m := copy(p, v.end[off-v.cut:])
	n += m
	if m < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// ZipFiles returns the entries of the zip archive of size bytes at r (its
// end record its last structure, as release.CheckZip leaves an archive),
// in order, read a chunk of chunkLen records at a time when ZipChunks
// takes the archive (as verify reads its input) and by archive/zip's whole
// reader otherwise, and the readers that hold them: a caller done with an
// entry clears its reader's record of it (Reader.File[i] = nil) so that
// only the entries it keeps stay in memory. The error is the whole
// reader's (zip.ErrInsecurePath is not one: such names are the caller's
// to report).
func ZipFiles(r io.ReaderAt, size int64, chunkLen int) ([]*zip.File, []*zip.Reader, error) {
	if z, ok, err := zipend.Find(r, size, []int64{size}, nil); err == nil && ok && z.Valid && z.End == size {
		if chunks, ok := ZipChunks(r, size, z.Off, chunkLen); ok {
			var files []*zip.File
			var readers []*zip.Reader
			for _, c := range chunks {
				zr, err := c.Reader(r)
				if err != nil {
					files, readers = nil, nil
					break // the whole reader says what is wrong
				}
				files = append(files, zr.File...)
				readers = append(readers, zr)
			}
			if readers != nil {
				return files, readers, nil
			}
		}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return nil, nil, err
	}
	release.StrictDeflate(zr)
	return zr.File, []*zip.Reader{zr}, nil
}
