package dmg

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate/signing"
	"github.com/shipgate/shipgate/signing/codesign"
)

// Options controls verification. The zero value is usable: it trusts no
// root, checks at the current time, logs nothing and uses the default
// expansion limit.
type Options struct {
	// Trust holds the roots the code signature's signer must chain to; nil
	// trusts nothing. Apple's roots are in signing.EmbeddedApple.
	Trust *signing.TrustStore
	// Time is when chains are checked when no verified timestamp says
	// otherwise; zero means now.
	Time time.Time
	// FileHash, when set, receives every byte of the file once, in order.
	FileHash hash.Hash
	// MaxExpanded caps the bytes the image's chunks may decode to (zero
	// and ignored sectors count); past it the remaining checksums are not
	// verified (dmg/expansion-limit). A bzip2 chunk counts at least the
	// block buffer its decoder allocates (4 bytes per byte of the block
	// size its header declares: 3.6 MB for bzip2 -9), however few sectors
	// it holds. Zero means 1 GiB plus 64 times the file's size.
	MaxExpanded int64
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger

	// decoded, when set (by a test), is called with the number of
	// decoded sector bytes each time Verify checksums some, so that the
	// test can count the work an image costs.
	decoded func(n int)
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Result is everything Verify found about a disk image.
type Result struct {
	// Image is the parsed trailer and block tables.
	Image *Image `json:"image"`
	// Signature is the image's code signature: unsigned when the koly
	// trailer locates none.
	Signature signing.Signature `json:"signature"`
	// CodeSignature describes the embedded signature (identifier, team,
	// CodeDirectories, cdhashes); nil when unsigned.
	CodeSignature *codesign.Slice `json:"codeSignature,omitempty"`
	// FileSystems names the file system found at the start of each
	// partition that holds one ("APFS", "HFS+"), by partition index.
	FileSystems map[int]string `json:"fileSystems,omitempty"`
	// Findings are the problems found, at file offsets.
	Findings []signing.Finding `json:"findings"`
}

// Status returns the signature's status.
func (r *Result) Status() signing.Status { return r.Signature.Status }

// Open verifies the disk image at path. It is sugar for Verify on an
// *os.File.
func Open(path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dmg: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("dmg: %w", err)
	}
	res, err := Verify(f, st.Size(), opts)
	if err != nil && !errors.Is(err, ErrNotDMG) {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return res, err
}

// Verify checks the UDIF disk image held in r[0:size]: the koly trailer,
// the XML plist and its block tables, the layout of the file (every byte
// belongs to the data fork's chunks, the plist, the resource fork, the code
// signature or the trailer), the CRC-32 checksums of the data fork, of each
// partition's decoded sectors (raw, zlib, bzip2, ADC and LZMA chunks are
// decoded; LZFSE ones are reported as not opened) and the master
// checksum, and the embedded code signature: a SuperBlob whose
// CodeDirectory hashes [0, signature offset) and binds the koly trailer in
// its rep-specific slot (6), with the code signature length zeroed as
// signed. The signature's CMS, chain, team ID and timestamp are checked by
// package codesign, whose findings keep their codesign/ rules.
//
// Tampered and malformed images are reported in the Result. Verify
// returns ErrNotDMG for files that do not end with a koly trailer, a
// *FormatError for a trailer of an unknown version, and otherwise an error
// only for an I/O failure.
//
// Not checked: the file system inside the image (APFS or HFS+ is not
// opened, so the files it holds are not verified; dmg/filesystem-not-opened
// says so), stapled notarization tickets (a ticket blob in the SuperBlob's
// ticket slot is reported as unverified), encrypted and segmented images.
func Verify(r io.ReaderAt, size int64, opts Options) (*Result, error) {
	im, err := NewReader(r, size)
	if err != nil {
		return nil, err
	}
	v := &verifier{im: im, r: r, size: size, opts: opts, res: &Result{Image: im}}
	v.budget = opts.MaxExpanded
	if v.budget <= 0 {
		v.budget = 1<<30 + 64*size
	}
	if err := v.layout(); err != nil {
		return nil, err
	}
	if err := v.checksums(); err != nil {
		return nil, err
	}
	if err := v.signature(); err != nil {
		return nil, err
	}
	v.fileSystemNote()
	res := v.res
	res.Findings = append(append(im.Findings, v.finds...), res.Findings...)
	sortFindings(res.Findings)
	if res.Findings == nil {
		res.Findings = []signing.Finding{}
	}
	// Structural errors about bytes the signature covers, or about bytes
	// it should cover, make the image invalid whoever signed it.
	for _, f := range res.Findings {
		if f.Severity == signing.SeverityError && strings.HasPrefix(string(f.Rule), "dmg/") {
			res.Signature.Status = res.Signature.Status.Worse(signing.StatusInvalid)
		}
	}
	opts.logger().Debug("dmg: verified", "partitions", len(im.Partitions), "status", res.Signature.Status.String())
	return res, nil
}

type verifier struct {
	im     *Image
	r      io.ReaderAt
	size   int64
	opts   Options
	res    *Result
	finds  []signing.Finding
	budget int64
	used   int64
	over   bool
	// layoutOK and sumsOK feed the checks.
	layoutProblems []string
	sumProblems    []string
	sumNotes       []string
}

func (v *verifier) add(rule signing.Rule, sev signing.Severity, off int64, format string, args ...any) {
	f := signing.NewFinding(rule, sev, fmt.Sprintf(format, args...))
	if off >= 0 {
		f = f.At(off)
	}
	if rule != RuleFilesystemNotOpened && rule != RuleUnsigned {
		f = f.For(0)
	}
	v.finds = append(v.finds, f)
}

// layout checks that every byte of the file belongs to one structure, that
// chunks lie inside the data fork, and reports the rest.
func (v *verifier) layout() error {
	im, k := v.im, v.im.Koly
	rs := im.regions()
	dfA, dfZ := int64(k.DataForkOffset), int64(k.DataForkOffset+k.DataForkLength)
	body := v.size - KolySize
	if !inFile(k.DataForkOffset, k.DataForkLength, body) {
		dfA, dfZ = 0, 0
	}
	for _, r := range rs {
		if strings.HasPrefix(r.what, "chunk ") && (r.a < dfA || r.z > dfZ) {
			v.layoutProblems = append(v.layoutProblems, r.what+" lies outside the data fork")
			v.add(RuleMalformed, signing.SeverityError, r.a, "%s [%#x, %#x) lies outside the data fork [%#x, %#x)", r.what, r.a, r.z, dfA, dfZ)
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].a < rs[j].a })
	pos, last := int64(0), "the start of the file"
	for _, r := range rs {
		if r.a < pos {
			rule := RuleMalformed
			if strings.Contains(r.what, "signature") || strings.Contains(last, "signature") {
				rule = RuleSignatureOutOfRange
			}
			v.layoutProblems = append(v.layoutProblems, r.what+" overlaps "+last)
			v.add(rule, signing.SeverityError, r.a, "%s [%#x, %#x) overlaps %s, which ends at %#x", r.what, r.a, r.z, last, pos)
		} else if r.a > pos {
			if err := v.gap(pos, r.a, last, r.what); err != nil {
				return err
			}
		}
		if r.z > pos {
			pos, last = r.z, r.what
		}
	}
	return nil
}

// gap reports the bytes [a, z) that no structure owns: an error when one
// of them is not zero, a warning for zero padding.
func (v *verifier) gap(a, z int64, after, before string) error {
	nz, err := firstNonZero(v.r, a, z)
	if err != nil {
		return err
	}
	v.layoutProblems = append(v.layoutProblems, fmt.Sprintf("%d bytes at %#x belong to no structure", z-a, a))
	if nz >= 0 {
		v.add(RuleUnownedData, signing.SeverityError, a, "%d bytes at %#x between %s and %s belong to no structure of the image (first non-zero byte at %#x): nothing reads them, and a payload can hide there", z-a, a, after, before, nz)
		return nil
	}
	v.add(RuleUnownedData, signing.SeverityWarning, a, "%d zero bytes at %#x between %s and %s belong to no structure of the image", z-a, a, after, before)
	return nil
}

// firstNonZero returns the offset of the first non-zero byte of r in
// [a, z), or -1.
func firstNonZero(r io.ReaderAt, a, z int64) (int64, error) {
	buf := make([]byte, min(z-a, 64<<10))
	for off := a; off < z; {
		n := min(int64(len(buf)), z-off)
		if k, err := r.ReadAt(buf[:n], off); int64(k) < n {
			return 0, fmt.Errorf("dmg: reading %#x: %w", off, orEOF(err))
		}
		if i := firstNonZeroByte(buf[:n]); i >= 0 {
			return off + int64(i), nil
		}
		off += n
	}
	return -1, nil
}

// checksums verifies the data fork's CRC-32, each partition's CRC-32 over
// its decoded sectors, and the master checksum.
func (v *verifier) checksums() error {
	im, k := v.im, v.im.Koly
	body := v.size - KolySize
	if crc, ok := k.DataChecksum.CRC32(); ok && inFile(k.DataForkOffset, k.DataForkLength, body) {
		h := crc32.NewIEEE()
		if _, err := io.Copy(h, io.NewSectionReader(v.r, int64(k.DataForkOffset), int64(k.DataForkLength))); err != nil {
			return fmt.Errorf("dmg: reading the data fork: %w", err)
		}
		if got := h.Sum32(); got != crc {
			v.sumProblems = append(v.sumProblems, "data fork")
			v.add(RuleChecksumMismatch, signing.SeverityError, v.im.kolyAt(80), "the data fork's CRC-32 is %08x, the koly trailer records %08x: the data fork changed", got, crc)
		}
	} else if k.DataChecksum.Type != 0 && !ok {
		v.sumNotes = append(v.sumNotes, fmt.Sprintf("data fork checksum of type %d not verified", k.DataChecksum.Type))
	}
	v.res.FileSystems = map[int]string{}
	var crcs []uint32
	allCRC := im.xmlOK
	for i := range im.Partitions {
		p := &im.Partitions[i]
		want, ok := p.Checksum.CRC32()
		if !ok {
			allCRC = false
		} else {
			crcs = append(crcs, want)
		}
		h := crc32.NewIEEE()
		hd := &headWriter{max: 4096}
		var w io.Writer = io.MultiWriter(h, hd)
		if v.opts.decoded != nil {
			w = io.MultiWriter(w, countWriter(v.opts.decoded))
		}
		complete, err := v.decode(p, w)
		if err != nil {
			return err
		}
		if fs := fileSystem(hd.b); fs != "" {
			v.res.FileSystems[p.Index] = fs
		}
		switch {
		case !ok:
			if p.Checksum.Type != 0 {
				v.sumNotes = append(v.sumNotes, fmt.Sprintf("partition %d checksum of type %d not verified", p.Index, p.Checksum.Type))
			}
		case !complete:
			v.sumNotes = append(v.sumNotes, fmt.Sprintf("partition %d not fully decoded", p.Index))
		case onlyIgnored(p):
			// Free space: hdiutil records no meaningful CRC for it.
		case h.Sum32() != want:
			v.sumProblems = append(v.sumProblems, fmt.Sprintf("partition %d", p.Index))
			v.add(RuleChecksumMismatch, signing.SeverityError, int64(k.XMLOffset), "partition %d (%q): the CRC-32 of its %d decoded sectors is %08x, its block table records %08x: its content changed", p.Index, p.Name, p.Sectors, h.Sum32(), want)
		}
	}
	if mc, ok := k.MasterChecksum.CRC32(); ok && allCRC && len(crcs) > 0 {
		b := make([]byte, 4*len(crcs))
		for i, c := range crcs {
			binary.BigEndian.PutUint32(b[4*i:], c)
		}
		if got := crc32.ChecksumIEEE(b); got != mc {
			v.add(RuleChecksumMismatch, signing.SeverityWarning, v.im.kolyAt(kolyMasterChecksum), "the master CRC-32 of the block tables' checksums is %08x, the koly trailer records %08x", got, mc)
		}
	}
	return nil
}

// onlyIgnored reports whether every sector of p is an ignore chunk.
func onlyIgnored(p *Partition) bool {
	for _, c := range p.Chunks {
		if c.Type != ChunkIgnore && c.Type != ChunkComment && c.Type != ChunkTerminator {
			return false
		}
	}
	return true
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	b   []byte
	max int
}

func (h *headWriter) Write(p []byte) (int, error) {
	if n := h.max - len(h.b); n > 0 {
		h.b = append(h.b, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

// fileSystem names the file system whose superblock starts b, the first
// bytes of a partition: APFS ("NXSB" at 32) or HFS+/HFSX ("H+"/"HX" at
// 1024).
func fileSystem(b []byte) string {
	switch {
	case len(b) >= 36 && string(b[32:36]) == "NXSB":
		return "APFS"
	case len(b) >= 1026 && (string(b[1024:1026]) == "H+" || string(b[1024:1026]) == "HX"):
		return "HFS+"
	}
	return ""
}

// countWriter calls itself with the length of what is written to it.
type countWriter func(n int)

func (c countWriter) Write(p []byte) (int, error) {
	c(len(p))
	return len(p), nil
}

var zeros = make([]byte, 64<<10)

// decode writes p's decoded sectors to w. complete is false when a chunk
// was not decoded (an unsupported codec, a corrupt stream, the expansion
// limit).
func (v *verifier) decode(p *Partition, w io.Writer) (complete bool, err error) {
	body := v.size - KolySize
	complete = true
	for j, c := range p.Chunks {
		if c.Type == ChunkComment || c.Type == ChunkTerminator {
			continue
		}
		where := fmt.Sprintf("partition %d (%q) chunk %d (%s, sectors %d+%d, data at %#x)", p.Index, p.Name, j, TypeName(c.Type), c.Sector, c.Sectors, c.Offset)
		want := int64(c.Sectors) * SectorSize
		if v.over {
			return false, nil
		}
		cost, ok := v.charge(c, where, want, body)
		if !ok {
			return false, nil
		}
		switch c.Type {
		case ChunkZeroFill, ChunkIgnore:
			v.used += want
			for n := want; n > 0; {
				k := min(n, int64(len(zeros)))
				w.Write(zeros[:k])
				n -= k
			}
			continue
		case ChunkRaw, ChunkZlib, ChunkBzip2, ChunkADC, ChunkLZMA, ChunkLZFSE:
		default:
			v.add(RuleMalformed, signing.SeverityError, int64(v.im.Koly.XMLOffset), "%s: unknown chunk type", where)
			complete = false
			continue
		}
		if !v.decodeChunk(c, where, want, cost, body, w) {
			complete = false
		}
	}
	return complete, nil
}

// charge returns what decoding chunk c (described by where, want bytes
// decoded) costs against the image's expansion budget: its sectors, or for
// bzip2 the block buffer its stream header asks for when larger. When the
// budget cannot pay, it reports so, marks the budget spent and returns
// false.
func (v *verifier) charge(c Chunk, where string, want, body int64) (int64, bool) {
	cost := want
	if (c.Type == ChunkBzip2 || c.Type == ChunkLZMA) && inFile(uint64(c.Offset), uint64(c.Length), body) {
		cost = chunkCost(v.r, c, want)
	}
	if v.used+cost > v.budget {
		v.over = true
		buffer := "bzip2 block buffer"
		if c.Type == ChunkLZMA {
			buffer = "LZMA dictionary"
		}
		if cost > want {
			v.add(RuleExpansionLimit, signing.SeverityWarning, int64(v.im.Koly.XMLOffset), "%s: decoding it costs a %d-byte %s, past the image's expansion budget of %d bytes; the remaining checksums are not verified", where, cost, buffer, v.budget)
		} else {
			v.add(RuleExpansionLimit, signing.SeverityWarning, int64(v.im.Koly.XMLOffset), "%s: the image's chunks decode to more than %d bytes; the remaining checksums are not verified", where, v.budget)
		}
		return 0, false
	}
	return cost, true
}

// decodeChunk writes the want decoded bytes of raw, zlib, bzip2, ADC, LZMA or LZFSE chunk c
// (described by where, charged cost) to w, and reports whether it decoded:
// its data must lie in the image's body, its sector count stay under the
// limit, and its stream decode to exactly its sectors and end with the
// chunk.
func (v *verifier) decodeChunk(c Chunk, where string, want, cost, body int64, w io.Writer) bool {
	if !inFile(uint64(c.Offset), uint64(c.Length), body) {
		v.add(RuleMalformed, signing.SeverityError, int64(v.im.Koly.XMLOffset), "%s: its %d bytes of data run past the image", where, c.Length)
		return false
	}
	if c.Sectors > maxChunkSectors {
		v.add(RuleMalformed, signing.SeverityError, c.Offset, "%s: %d sectors, over the limit of %d for one chunk", where, c.Sectors, maxChunkSectors)
		return false
	}
	v.used += cost
	cr := &countingReader{br: bufio.NewReader(io.NewSectionReader(v.r, c.Offset, c.Length))}
	var src io.Reader = cr
	switch c.Type {
	case ChunkRaw:
		if c.Length != want {
			v.add(RuleMalformed, signing.SeverityError, c.Offset, "%s: holds %d bytes for %d sectors (%d bytes)", where, c.Length, c.Sectors, want)
			return false
		}
	case ChunkZlib:
		zr, err := zlib.NewReader(cr)
		if err != nil {
			v.add(RuleMalformed, signing.SeverityError, c.Offset, "%s: does not decompress: %v", where, err)
			return false
		}
		src = zr
	case ChunkBzip2:
		src = bzip2.NewReader(cr)
	case ChunkADC, ChunkLZMA, ChunkLZFSE:
		d, err := wholeChunkReader(c.Type)(cr, c.Length, want)
		if err != nil {
			v.add(RuleMalformed, signing.SeverityError, c.Offset, "%s: does not decode: %v", where, err)
			return false
		}
		src = bytes.NewReader(d)
	}
	n, err := io.CopyN(w, src, want)
	if err == nil {
		// The stream must end with the sectors, and the chunk with
		// the stream (a zlib stream's checksum is read at its end).
		var one [1]byte
		k, rerr := io.ReadFull(src, one[:])
		switch {
		case k > 0:
			err = errors.New("it decodes to more than its sectors")
		case rerr != nil && rerr != io.EOF:
			err = rerr
		case cr.n != c.Length:
			err = fmt.Errorf("the compressed stream ends after %d of the chunk's %d bytes", cr.n, c.Length)
		}
	} else if errors.Is(err, io.EOF) {
		err = fmt.Errorf("it decodes to %d bytes, want %d", n, want)
	}
	if err != nil {
		v.add(RuleMalformed, signing.SeverityError, c.Offset, "%s: does not decode: %v", where, err)
		return false
	}
	return true
}

// countingReader counts the bytes a decompressor consumes; it is an
// io.ByteReader, so decompressors read no further than they need.
type countingReader struct {
	br *bufio.Reader
	n  int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.br.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// signature checks the embedded code signature the koly trailer locates.
func (v *verifier) signature() error {
	im, k := v.im, v.im.Koly
	res := v.res
	if k.CodeSignatureOffset == 0 && k.CodeSignatureLength == 0 {
		res.Signature = signing.Signature{Format: signing.FormatAppleCodesign, Status: signing.StatusUnsigned}
		res.Signature.AddCheck(signing.CheckSignature, false, "the koly trailer locates no code signature: the disk image is unsigned")
		v.add(RuleUnsigned, signing.SeverityWarning, im.kolyAt(kolySigOffset), "no code signature (the koly trailer's code signature offset and length are zero)")
		v.addChecks()
		return v.hashAll()
	}
	body := v.size - KolySize
	sigA, sigN := k.CodeSignatureOffset, k.CodeSignatureLength
	switch {
	case !inFile(sigA, sigN, body) || sigN == 0:
		v.add(RuleSignatureOutOfRange, signing.SeverityError, im.kolyAt(kolySigOffset), "code signature [%#x, +%#x) does not lie inside the image before the koly trailer (%#x)", sigA, sigN, body)
		res.Signature = signing.Signature{Format: signing.FormatAppleCodesign, Status: signing.StatusMalformed}
		res.Signature.AddCheck(signing.CheckSignature, false, "the koly trailer's code signature fields point outside the image")
		v.addChecks()
		return v.hashAll()
	}
	// Everything the trailer locates must lie before the signature, which
	// hashes [0, its offset): what follows is covered by no hash.
	for _, s := range []struct {
		what string
		off  uint64
		n    uint64
	}{{"data fork", k.DataForkOffset, k.DataForkLength}, {"XML plist", k.XMLOffset, k.XMLLength}, {"resource fork", k.RsrcForkOffset, k.RsrcForkLength}} {
		if s.n > 0 && s.off+s.n > sigA {
			v.add(RuleSignatureOutOfRange, signing.SeverityError, im.kolyAt(kolySigOffset), "the %s [%#x, %#x) does not end before the code signature at %#x: the signature's hash does not cover it", s.what, s.off, s.off+s.n, sigA)
		}
	}
	signed := im.Koly.Raw
	// The trailer is signed with its code signature length zeroed: the
	// length is not known until the signature is made.
	binary.BigEndian.PutUint64(signed[kolySigLength:], 0)
	cs, err := codesign.VerifyEmbedded(v.r, v.size, codesign.Embedded{
		Offset: int64(sigA), Size: int64(sigN), Label: "disk image signature", StapledTicket: true,
		Outside: map[int][]byte{slotRepSpecific: signed[:]},
	}, codesign.Options{Trust: v.opts.Trust, Time: v.opts.Time, FileHash: v.opts.FileHash, Logger: v.opts.Logger})
	if err != nil {
		return fmt.Errorf("dmg: %w", err)
	}
	res.Signature = cs.Signatures[0]
	if len(cs.Slices) == 1 && len(cs.Slices[0].CodeDirectories) > 0 {
		sl := cs.Slices[0]
		res.CodeSignature = &sl
	}
	res.Findings = append(res.Findings, cs.Findings...)
	v.addChecks()
	return nil
}

// hashAll feeds opts.FileHash the whole file when no signature check did.
func (v *verifier) hashAll() error {
	if v.opts.FileHash == nil {
		return nil
	}
	if _, err := io.Copy(v.opts.FileHash, io.NewSectionReader(v.r, 0, v.size)); err != nil {
		return fmt.Errorf("dmg: %w", err)
	}
	return nil
}

// slotRepSpecific is the special slot binding a disk image's koly trailer.
const slotRepSpecific = 6

func (v *verifier) addChecks() {
	s := &v.res.Signature
	kolyOK := true
	for _, f := range v.im.Findings {
		if f.Severity == signing.SeverityError {
			kolyOK = false
		}
	}
	detail := fmt.Sprintf("koly trailer version %d, %d partitions", v.im.Koly.Version, len(v.im.Partitions))
	if !kolyOK {
		detail = "the koly trailer, plist or block tables are inconsistent"
	}
	s.AddCheck(CheckKoly, kolyOK, detail)
	switch {
	case len(v.sumProblems) > 0:
		s.AddCheck(CheckChecksums, false, "CRC-32 mismatch: "+strings.Join(v.sumProblems, ", "))
	case len(v.sumNotes) > 0:
		s.AddCheck(CheckChecksums, true, "the CRC-32s checked match; "+strings.Join(v.sumNotes, "; "))
	default:
		s.AddCheck(CheckChecksums, true, "the data fork and block table CRC-32s match")
	}
	if len(v.layoutProblems) > 0 {
		s.AddCheck(CheckLayout, false, v.layoutProblems[0])
	} else {
		s.AddCheck(CheckLayout, true, "every byte belongs to the data fork's chunks, the plist, the code signature or the koly trailer")
	}
}

// fileSystemNote says which file systems the image holds and that they
// were not opened.
func (v *verifier) fileSystemNote() {
	var parts []string
	for _, p := range v.im.Partitions {
		if fs := v.res.FileSystems[p.Index]; fs != "" {
			parts = append(parts, fmt.Sprintf("partition %d (%q) holds %s", p.Index, p.Name, fs))
		}
	}
	what := "no APFS or HFS+ volume was recognised"
	if len(parts) > 0 {
		what = strings.Join(parts, "; ")
	}
	v.add(RuleFilesystemNotOpened, signing.SeverityWarning, -1, "the file system inside the disk image was not opened (%s): the files it holds, such as an .app, were not verified", what)
}

// sortFindings orders findings by offset (those without one first), then
// rule and message, for deterministic output.
func sortFindings(fs []signing.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case (a.Offset == nil) != (b.Offset == nil):
			return a.Offset == nil
		case a.Offset != nil && *a.Offset != *b.Offset:
			return *a.Offset < *b.Offset
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}
