// Package dmgfile builds UDIF disk images (.dmg) for tests: a data fork of
// raw, zlib, bzip2, zero-fill and ignore chunks, the XML plist with its
// block tables (mish), CRC-32 checksums and the koly trailer, optionally
// signed with a SuperBlob whose CodeDirectory hashes the image as codesign
// signs one (a single hash over [0, signature), the koly trailer bound in
// special slot 6 with its code signature length zeroed). CrossCheck checks
// an image holding a volume with dmg2img and 7-Zip, where they are installed.
package dmgfile

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"github.com/shipgate/shipgate/internal/lzfse/lzfsetest"
	"hash/crc32"

	"howett.net/plist"

	"github.com/shipgate/shipgate/internal/machofile"
)

// Chunk types.
const (
	ChunkZeroFill   uint32 = 0
	ChunkRaw        uint32 = 1
	ChunkIgnore     uint32 = 2
	ChunkZlib       uint32 = 0x80000005
	ChunkBzip2      uint32 = 0x80000006
	ChunkADC        uint32 = 0x80000004
	ChunkLZFSE      uint32 = 0x80000007
	ChunkLZMA       uint32 = 0x80000008
	ChunkComment    uint32 = 0x7ffffffe
	ChunkTerminator uint32 = 0xffffffff
)

// bzip2Sector is one sector, "shipgate bzip2 sector " repeated to 512
// bytes, compressed by bzip2 -9 (Go has no bzip2 writer); BzipSector is
// the sector it decodes to.
var bzip2Sector, _ = hex.DecodeString("425a6839314159265359f1bcd3180000dd1980400010003ae0dc1020007053000026aaa34f42632605f45d8bb1735302c0b22c8b153e54d0bca9f8590b42e61795342d0bd177245385090f1bcd3180")

// bzip2At is bzip2Sector with its header declaring level (zero: 9).
func bzip2At(level int) []byte {
	b := bytes.Clone(bzip2Sector)
	if level >= 1 && level <= 9 {
		b[3] = byte('0' + level)
	}
	return b
}

// BzipSector is the decoded content of the bzip2 chunk.
var BzipSector = bytes.Repeat([]byte("shipgate bzip2 sector "), 24)[:512]

// Spec says what to build. The zero value builds the standard image.
type Spec struct {
	// Payload is stored zlib-compressed in the APFS partition, padded with
	// zeros to whole sectors; nil stores a fixed text.
	Payload []byte
	// LZFSE adds a chunk typed LZFSE whose bytes are not an LZFSE stream
	// (a corrupt chunk) to the APFS partition.
	LZFSE bool
	// LZFSEChunks stores the file system partition's zlib chunks as LZFSE
	// ones instead (a ULFO image's codec), encoded by lzfsetest, rotating
	// v2, LZVN and raw blocks.
	LZFSEChunks bool
	// LZFSEBlocks chooses the LZFSE chunks' blocks; zero rotates them.
	LZFSEBlocks lzfsetest.Kind
	// Trailer is written between the plist and the koly trailer (Sign
	// writes its own between the signature and the trailer).
	Trailer []byte
	// ZeroSectors is the size of the APFS partition's zero-fill chunk;
	// zero means 16. A hostile image claims billions.
	ZeroSectors int
	// HFS, when set, replaces the APFS partition with an Apple_HFS one
	// holding this volume (an HFS+ image from internal/hfsplus, whose
	// first 1024 bytes are unused, or another's): its first two sectors as
	// zero-fill (a zlib chunk when they are not zeros),
	// the rest in zlib chunks of at most 2048 sectors, every third one
	// raw. LZFSE appends its chunk to this partition, and ZeroSectors,
	// when set, a zero-fill chunk of that many sectors.
	HFS []byte
	// HFSBzip2 stores the HFS volume's first sector as the bzip2 chunk,
	// whose content it then becomes (7-Zip then no longer reads the
	// volume: it wants zeros there).
	HFSBzip2 bool
	// Bzip2Level, from 1 to 9, is the block size the bzip2 chunk's stream
	// header declares ("BZh1" to "BZh9"); zero means 9, as bzip2 -9 wrote
	// it. The sector compresses the same at any level: only the header
	// digit, and the block buffer a decoder allocates for it, change.
	Bzip2Level int
	// APFS, when set, replaces the APFS partition's stand-in with this
	// container (from internal/apfs), in zlib chunks of at most 2048
	// sectors, every third one raw; LZFSE appends its chunk as for HFS.
	APFS []byte
	// FreeHFS, when set, stores a second HFS+ volume (as HFS is stored,
	// without bzip2) in the partition named Apple_Free instead of its
	// ignore chunk: a volume macOS mounts that the name hides.
	FreeHFS []byte
	// ADC stores the file system partition's zlib chunks as ADC ones
	// instead (a UDCO image's codec), encoded by ADC.
	ADC bool
	// LZMA stores them as LZMA ones (a ULMO image's codec: an xz stream
	// of one LZMA2 block without a check, as libdmg-hfsplus writes it),
	// encoded by XZ.
	LZMA bool
	// LZMADict is the dictionary size of the LZMA chunks; zero means 8 MiB.
	LZMADict int
	// UnknownChunk gives the chunks LZFSE and FreeLZFSE add the type
	// 0x80000009, which no UDIF codec has: a chunk nothing decodes.
	UnknownChunk bool
	// FreeLZFSE appends a corrupt LZFSE chunk (as LZFSE does) to the
	// partition named Apple_Free.
	FreeLZFSE bool
	// Map, when set, returns the content of the first partition (the
	// partition map, by default an MBR without entries), stored raw and
	// padded to whole sectors; fsSectors is the size of the file system
	// partition that follows it, before the one named Apple_Free.
	Map func(fsSectors int) []byte
}

// ChunkPos locates a chunk's data in the image.
type ChunkPos struct {
	Partition, Index int
	Type             uint32
	Off, Len         int
}

// Layout says where Build put things.
type Layout struct {
	DataFork       [2]int
	XMLOff, XMLLen int
	Chunks         []ChunkPos
	// Sig locates the signature area (Sign only).
	SigOff, SigLen int
	Sign           *machofile.Layout
}

// Chunk returns the position of the first chunk of type t.
func (l *Layout) Chunk(t uint32) ChunkPos {
	for _, c := range l.Chunks {
		if c.Type == t {
			return c
		}
	}
	panic(fmt.Sprintf("dmgfile: no chunk of type %#x", t))
}

type chunk struct {
	typ     uint32
	sectors int
	data    []byte // stored
	plain   []byte // decoded
}

type partition struct {
	name   string
	id     string
	chunks []chunk
}

func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func sectors(b []byte) []byte {
	n := (len(b) + 511) / 512 * 512
	if n == 0 {
		n = 512
	}
	return append(append([]byte(nil), b...), make([]byte, n-len(b))...)
}

var zeroSector [512]byte

// hfsChunks stores an HFS+ volume as chunks (see Spec.HFS).
func hfsChunks(vol []byte, bz, lzfse bool, zeros int) []chunk {
	v := sectors(vol)
	cs := []chunk{{typ: ChunkZeroFill, sectors: 2}}
	if len(v) >= 1024 && !bytes.Equal(v[:1024], make([]byte, 1024)) {
		// Not an HFS+ volume's unused start (a ForeignVolume's boot
		// sector): stored, not zero-filled.
		cs = []chunk{{typ: ChunkZlib, sectors: 2, data: zlibOf(v[:1024]), plain: v[:1024]}}
	}
	if bz {
		cs = []chunk{
			{typ: ChunkBzip2, sectors: 1, data: bzip2Sector, plain: BzipSector},
			{typ: ChunkZeroFill, sectors: 1},
		}
	}
	cs = append(cs, volumeChunks(vol, 1024, lzfse)...)
	if zeros > 0 {
		cs = append(cs, chunk{typ: ChunkZeroFill, sectors: zeros})
	}
	return cs
}

// volumeChunks stores a volume's bytes from byte from on as zlib chunks
// of at most 2048 sectors, every third one raw, then the LZFSE chunk
// when lzfse is set.
func volumeChunks(vol []byte, from int, lzfse bool) []chunk {
	v := sectors(vol)
	var cs []chunk
	for i, at := 0, from; at < len(v); i++ {
		end := min(len(v), at+2048*512)
		b := v[at:end]
		if i%3 == 2 {
			cs = append(cs, chunk{typ: ChunkRaw, sectors: len(b) / 512, data: b, plain: b})
		} else {
			cs = append(cs, chunk{typ: ChunkZlib, sectors: len(b) / 512, data: zlibOf(b), plain: b})
		}
		at = end
	}
	if lzfse {
		lz := []byte("bvx2 not really an LZFSE block: nothing decodes it here....")
		cs = append(cs, chunk{typ: ChunkLZFSE, sectors: 2, data: lz})
	}
	return cs
}

// Build returns an unsigned UDZO-style image and its layout.
func Build(s Spec) ([]byte, *Layout) {
	parts := s.partitions()
	lay := &Layout{}
	var data []byte
	var blkx []blkxEntry
	var crcs []uint32
	sector := 0
	for pi, pt := range parts {
		mish, sum, total := pt.mish(pi, sector, &data, lay)
		crcs = append(crcs, sum)
		blkx = append(blkx, blkxEntry{Attributes: "0x0050", CFName: pt.name, Data: mish, ID: pt.id, Name: pt.name})
		sector += total
	}
	xml, err := plist.MarshalIndent(map[string]any{"resource-fork": map[string]any{"blkx": blkx}}, plist.XMLFormat, "\t")
	if err != nil {
		panic(err)
	}
	xml = append(xml, '\n')
	lay.DataFork = [2]int{0, len(data)}
	lay.XMLOff, lay.XMLLen = len(data), len(xml)
	img := append(append([]byte(nil), data...), xml...)
	img = append(img, s.Trailer...)
	return append(img, koly(data, xml, crcs, sector)...), lay
}

// partitions returns the image's partitions: the partition map (an MBR,
// or s.Map's), the file system (APFS-like chunks of every type, or s.HFS),
// and the free space (ignored, or s.FreeHFS).
func (s Spec) partitions() []partition {
	payload := s.Payload
	if payload == nil {
		payload = []byte("Contents/MacOS/Example: the application inside the disk image (a stand-in for an APFS volume's files)\n")
	}
	// An APFS container superblock's magic at byte 32 of the partition.
	super := make([]byte, 8*512)
	copy(super[32:], "NXSB")
	for i := 64; i < len(super); i++ {
		super[i] = byte(i * 7)
	}
	raw := make([]byte, 4*512)
	for i := range raw {
		raw[i] = byte(i*13 + 5)
	}
	mbr := make([]byte, 512)
	mbr[510], mbr[511] = 0x55, 0xaa
	p := sectors(payload)
	zs := s.ZeroSectors
	if zs == 0 {
		zs = 16
	}
	apfs := []chunk{
		{typ: ChunkZlib, sectors: 8, data: zlibOf(super), plain: super},
		{typ: ChunkRaw, sectors: 4, data: raw, plain: raw},
		{typ: ChunkZeroFill, sectors: zs},
		{typ: ChunkBzip2, sectors: 1, data: bzip2At(s.Bzip2Level), plain: BzipSector},
		{typ: ChunkZlib, sectors: len(p) / 512, data: zlibOf(p), plain: p},
	}
	if s.LZFSE {
		lz := []byte("bvx2 not really an LZFSE block: nothing decodes it here....")
		apfs = append(apfs, chunk{typ: ChunkLZFSE, sectors: 2, data: lz})
	}
	fsName := "disk image (Apple_APFS : 1)"
	if s.APFS != nil {
		apfs = volumeChunks(s.APFS, 0, s.LZFSE)
	}
	if s.HFS != nil {
		fsName, apfs = "disk image (Apple_HFS : 1)", hfsChunks(s.HFS, s.HFSBzip2, s.LZFSE, s.ZeroSectors)
		if s.HFSBzip2 {
			apfs[0].data = bzip2At(s.Bzip2Level)
		}
	}
	parts := []partition{
		{name: "Protective Master Boot Record (MBR : 0)", id: "-1", chunks: []chunk{{typ: ChunkRaw, sectors: 1, data: mbr, plain: mbr}}},
		{name: fsName, id: "0", chunks: apfs},
		{name: " (Apple_Free : 2)", id: "1", chunks: []chunk{{typ: ChunkIgnore, sectors: 8}}},
	}
	if s.FreeHFS != nil {
		parts[2].chunks = hfsChunks(s.FreeHFS, false, false, 0)
	}
	for i, c := range parts[1].chunks {
		switch {
		case c.typ != ChunkZlib:
		case s.ADC:
			parts[1].chunks[i].typ, parts[1].chunks[i].data = ChunkADC, ADC(c.plain)
		case s.LZMA:
			parts[1].chunks[i].typ, parts[1].chunks[i].data = ChunkLZMA, XZDict(c.plain, cmp.Or(s.LZMADict, 8<<20))
		case s.LZFSEChunks:
			parts[1].chunks[i].typ, parts[1].chunks[i].data = ChunkLZFSE, lzfsetest.Encode(c.plain, s.LZFSEBlocks)
		}
	}
	if s.FreeLZFSE {
		lz := []byte("bvx2 not really an LZFSE block: nothing decodes it here....")
		parts[2].chunks = append(parts[2].chunks, chunk{typ: ChunkLZFSE, sectors: 2, data: lz})
	}
	for _, p := range parts {
		for i, c := range p.chunks {
			if s.UnknownChunk && c.typ == ChunkLZFSE && bytes.HasPrefix(c.data, []byte("bvx2 not really")) {
				p.chunks[i].typ = 0x80000009
			}
		}
	}
	if s.Map != nil {
		n := 0
		for _, c := range parts[1].chunks {
			n += c.sectors
		}
		m := sectors(s.Map(n))
		parts[0].chunks = []chunk{{typ: ChunkRaw, sectors: len(m) / 512, data: m, plain: m}}
	}
	return parts
}

// blkxEntry is a partition's entry in the resource fork's blkx list.
type blkxEntry struct {
	Attributes string `plist:"Attributes"`
	CFName     string `plist:"CFName"`
	Data       []byte `plist:"Data"`
	ID         string `plist:"ID"`
	Name       string `plist:"Name"`
}

// mish appends partition pi's chunk data to *data, noting each chunk in
// lay, and returns its block table (which starts at sector), the CRC-32 of
// its decoded sectors, and its size in sectors.
func (pt partition) mish(pi, sector int, data *[]byte, lay *Layout) (mish []byte, sum uint32, total int) {
	be := binary.BigEndian
	for _, c := range pt.chunks {
		total += c.sectors
	}
	n := len(pt.chunks) + 1
	mish = make([]byte, 204+40*n)
	copy(mish, "mish")
	be.PutUint32(mish[4:], 1)
	be.PutUint64(mish[8:], uint64(sector))
	be.PutUint64(mish[16:], uint64(total))
	be.PutUint32(mish[200:], uint32(n))
	h := crc32.NewIEEE()
	at := 0
	for ci, c := range pt.chunks {
		e := mish[204+40*ci:]
		be.PutUint32(e, c.typ)
		be.PutUint64(e[8:], uint64(at))
		be.PutUint64(e[16:], uint64(c.sectors))
		be.PutUint64(e[24:], uint64(len(*data)))
		be.PutUint64(e[32:], uint64(len(c.data)))
		if len(c.data) > 0 {
			lay.Chunks = append(lay.Chunks, ChunkPos{Partition: pi, Index: ci, Type: c.typ, Off: len(*data), Len: len(c.data)})
		}
		*data = append(*data, c.data...)
		if c.typ == ChunkIgnore || c.typ == ChunkZeroFill {
			// A hostile count is not hashed: its table's checksum
			// is then wrong, which the expansion limit hides.
			for range min(c.sectors, 1<<16) {
				h.Write(zeroSector[:])
			}
		} else {
			h.Write(c.plain)
		}
		at += c.sectors
	}
	e := mish[204+40*(n-1):]
	be.PutUint32(e, ChunkTerminator)
	be.PutUint64(e[8:], uint64(at))
	sum = h.Sum32()
	if pt.chunks[0].typ == ChunkIgnore {
		sum = 0
	}
	be.PutUint32(mish[64:], 2)
	be.PutUint32(mish[68:], 32)
	be.PutUint32(mish[72:], sum)
	return mish, sum, total
}

// koly returns the image's trailer for its data fork, XML plist,
// partitions' CRC-32s and size in sectors.
func koly(data, xml []byte, crcs []uint32, nSectors int) []byte {
	be := binary.BigEndian
	master := make([]byte, 4*len(crcs))
	for i, c := range crcs {
		be.PutUint32(master[4*i:], c)
	}
	k := make([]byte, 512)
	copy(k, "koly")
	be.PutUint32(k[4:], 4)
	be.PutUint32(k[8:], 512)
	be.PutUint32(k[12:], 1) // flattened
	be.PutUint64(k[24:], 0)
	be.PutUint64(k[32:], uint64(len(data)))
	be.PutUint32(k[60:], 1)
	be.PutUint32(k[56:], 1)
	be.PutUint32(k[80:], 2)
	be.PutUint32(k[84:], 32)
	be.PutUint32(k[88:], crc32.ChecksumIEEE(data))
	be.PutUint64(k[216:], uint64(len(data)))
	be.PutUint64(k[224:], uint64(len(xml)))
	be.PutUint32(k[352:], 2)
	be.PutUint32(k[356:], 32)
	be.PutUint32(k[360:], crc32.ChecksumIEEE(master))
	be.PutUint32(k[488:], 1)
	be.PutUint64(k[492:], uint64(nSectors))
	return k
}

// SignSpec is how the fixtures sign an image: one SHA-256 CodeDirectory
// with a single hash over the whole image (page size 0) and team TeamID,
// an empty requirement set, and a timestamped Developer ID CMS from p.
func SignSpec(p *machofile.PKI, id string) machofile.SignSpec {
	return machofile.SignSpec{Identifier: id, TeamID: machofile.TeamID, PageLog: -1, Requirements: machofile.EmptyRequirements, CMS: p.Signer().CMS}
}

// Sign returns img (an unsigned image from Build, without a trailer) with
// an embedded code signature after its plist, and trailer between the
// signature and the koly trailer. The CodeDirectories hash [0, signature)
// and bind, in special slot 6, the koly trailer with the signature's
// offset set and its length zero.
func Sign(img []byte, lay *Layout, s machofile.SignSpec, trailer []byte) ([]byte, *Layout, error) {
	be := binary.BigEndian
	sigOff := lay.XMLOff + lay.XMLLen
	if len(img) != sigOff+512 {
		return nil, nil, fmt.Errorf("dmgfile: image has data between its plist and its koly trailer")
	}
	k := append([]byte(nil), img[sigOff:]...)
	be.PutUint64(k[296:], uint64(sigOff))
	be.PutUint64(k[304:], 0)
	s.SpecialData = map[uint32][]byte{6: append([]byte(nil), k...)}
	sig, sl, err := machofile.SignData(img[:sigOff], s)
	if err != nil {
		return nil, nil, err
	}
	be.PutUint64(k[304:], uint64(len(sig)))
	out := append(append(append(append([]byte(nil), img[:sigOff]...), sig...), trailer...), k...)
	l := *lay
	l.SigOff, l.SigLen, l.Sign = sigOff, len(sig), sl
	return out, &l, nil
}
