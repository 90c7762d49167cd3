package codesign

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	macho "github.com/blacktop/go-macho"
	"github.com/blacktop/go-macho/types"

	"github.com/shipgate/shipgate/signing"
)

// Mach-O header magics as read little-endian from the first four bytes.
const (
	magic32   = 0xfeedface
	magic64   = 0xfeedfacf
	cigam32   = 0xcefaedfe
	cigam64   = 0xcffaedfe
	fatMagic  = 0xcafebabe
	fatMagic6 = 0xcafebabf
)

// Limits on what a hostile header may make us read.
const (
	// maxLoadCommandBytes caps sizeofcmds; real files use well under 64 KiB.
	maxLoadCommandBytes = 16 << 20
	// maxSignatureSize caps LC_CODE_SIGNATURE datasize. A 4 GiB image with
	// 4 KiB pages and SHA-256 plus SHA-1 directories needs about 52 MiB.
	maxSignatureSize = 128 << 20
	// maxSignaturePad is how many zero bytes may follow the SuperBlob in
	// the LC_CODE_SIGNATURE area without a warning. The linkers pad to 16
	// bytes; codesign and rcodesign reserve room for the CMS blob and its
	// timestamp before signing and leave the unused part as zeros, a few
	// KiB at most.
	maxSignaturePad = 64 << 10
)

// segment is one LC_SEGMENT or LC_SEGMENT_64, in slice coordinates.
type segment struct {
	name     string
	fileOff  uint64
	fileSize uint64
}

// linkeditRange is data a load command places in the file (symbol tables,
// fixups, the signature), in slice coordinates.
type linkeditRange struct {
	cmd      string
	off, end uint64
}

// image is what the Mach-O header and load commands of one slice say.
type image struct {
	is64       bool
	order      binary.ByteOrder
	cpuType    uint32
	cpuSubtype uint32
	fileType   uint32
	segments   []segment
	ranges     []linkeditRange
	// sigCmdOff is the slice offset of LC_CODE_SIGNATURE, -1 when absent.
	sigCmdOff       int64
	sigOff, sigSize uint64
	// goMachoErr records why go-macho could not read the segments, when our
	// own load-command reader had to stand in.
	goMachoErr string
}

// readImage parses the Mach-O header and load commands of the slice
// [0, size) of r. Segments come from go-macho when it can read them; the
// load-command walk that finds LC_CODE_SIGNATURE and the link-edit data is
// ours, because go-macho allocates the signature from its unchecked size
// and gives up on the whole file when one blob is bad.
//
// bud, when not nil, is charged for the load commands read (twice: our
// walk and go-macho's); readImage returns errBudget when it runs out.
func readImage(r io.ReaderAt, size int64, bud *budget) (*image, error) {
	im, ncmds, sizeCmds, hdrSize, err := readMachHeader(r, size)
	if err != nil {
		return nil, err
	}
	if !bud.readBytes(2*int64(sizeCmds), "load commands") || !bud.items(int64(ncmds), "load commands") {
		return nil, errBudget
	}
	cmds := make([]byte, sizeCmds)
	if err := readFull(r, cmds, int64(hdrSize)); err != nil {
		return nil, fmt.Errorf("reading load commands: %w", err)
	}
	if err := im.walkLoadCommands(cmds, ncmds, hdrSize); err != nil {
		return nil, err
	}
	own := im.segments
	if segs, err := goMachoSegments(r, size); err != nil {
		im.goMachoErr = err.Error()
	} else if len(segs) == len(own) {
		im.segments = segs
	}
	return im, nil
}

// readMachHeader reads the Mach-O header of the slice [0, size) of r into a
// new image, and returns the number of load commands, the bytes they take
// (checked against the slice, the cap and their number) and the header's
// size, where they start.
func readMachHeader(r io.ReaderAt, size int64) (im *image, ncmds uint32, sizeCmds, hdrSize uint64, err error) {
	var hdr [32]byte
	if size < 28 {
		return nil, 0, 0, 0, &FormatError{Offset: 0, Reason: "file shorter than a Mach-O header"}
	}
	n, err := r.ReadAt(hdr[:], 0)
	if n < 28 {
		return nil, 0, 0, 0, fmt.Errorf("reading Mach-O header: %w", orEOF(err))
	}
	im = &image{sigCmdOff: -1}
	switch binary.LittleEndian.Uint32(hdr[:4]) {
	case magic32:
		im.order = binary.LittleEndian
	case magic64:
		im.order, im.is64 = binary.LittleEndian, true
	case cigam32:
		im.order = binary.BigEndian
	case cigam64:
		im.order, im.is64 = binary.BigEndian, true
	default:
		return nil, 0, 0, 0, &FormatError{Offset: 0, Reason: "not a Mach-O header"}
	}
	bo := im.order
	im.cpuType = bo.Uint32(hdr[4:])
	im.cpuSubtype = bo.Uint32(hdr[8:])
	im.fileType = bo.Uint32(hdr[12:])
	ncmds = bo.Uint32(hdr[16:])
	sizeCmds = uint64(bo.Uint32(hdr[20:]))
	hdrSize = uint64(28)
	if im.is64 {
		hdrSize = 32
	}
	if hdrSize+sizeCmds > uint64(size) {
		return nil, 0, 0, 0, &FormatError{Offset: 20, Reason: fmt.Sprintf("load commands (%d bytes) run past the end of the slice (%d bytes)", sizeCmds, size)}
	}
	if sizeCmds > maxLoadCommandBytes {
		return nil, 0, 0, 0, &FormatError{Offset: 20, Reason: fmt.Sprintf("load commands take %d bytes, over the cap of %d", sizeCmds, maxLoadCommandBytes)}
	}
	if uint64(ncmds)*8 > sizeCmds {
		return nil, 0, 0, 0, &FormatError{Offset: 16, Reason: fmt.Sprintf("%d load commands cannot fit in %d bytes", ncmds, sizeCmds)}
	}
	return im, ncmds, sizeCmds, hdrSize, nil
}

// walkLoadCommands walks the ncmds load commands in cmds, which start at
// slice offset hdrSize, checking that each fits, and reads each with
// loadCommand.
func (im *image) walkLoadCommands(cmds []byte, ncmds uint32, hdrSize uint64) error {
	bo := im.order
	sizeCmds := uint64(len(cmds))
	off := uint64(0)
	for i := uint32(0); i < ncmds; i++ {
		at := int64(hdrSize + off)
		if off+8 > sizeCmds {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("load command %d runs past sizeofcmds", i)}
		}
		cmd := types.LoadCmd(bo.Uint32(cmds[off:]))
		csize := uint64(bo.Uint32(cmds[off+4:]))
		if csize < 8 || off+csize > sizeCmds {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("load command %d (%s) has invalid size %d", i, cmd, csize)}
		}
		if err := im.loadCommand(cmd, cmds[off:off+csize], at); err != nil {
			return err
		}
		off += csize
	}
	return nil
}

// loadCommand reads the load command c of type cmd at slice offset at: a
// segment into im.segments, LC_CODE_SIGNATURE (at most one) into
// im.sigOff and im.sigSize, and the link-edit data each command names into
// im.ranges. Other commands are passed over.
func (im *image) loadCommand(cmd types.LoadCmd, c []byte, at int64) error {
	bo := im.order
	csize := uint64(len(c))
	need := func(n uint64) error {
		if csize < n {
			return &FormatError{Offset: at, Reason: fmt.Sprintf("%s command is %d bytes, shorter than %d", cmd, csize, n)}
		}
		return nil
	}
	u32 := func(o int) uint64 { return uint64(bo.Uint32(c[o:])) }
	switch cmd {
	case types.LC_SEGMENT:
		if err := need(56); err != nil {
			return err
		}
		im.segments = append(im.segments, segment{name: cstring(c[8:24]), fileOff: u32(32), fileSize: u32(36)})
	case types.LC_SEGMENT_64:
		if err := need(72); err != nil {
			return err
		}
		im.segments = append(im.segments, segment{name: cstring(c[8:24]), fileOff: bo.Uint64(c[40:]), fileSize: bo.Uint64(c[48:])})
	case types.LC_CODE_SIGNATURE:
		if err := need(16); err != nil {
			return err
		}
		if im.sigCmdOff >= 0 {
			return &FormatError{Offset: at, Reason: "more than one LC_CODE_SIGNATURE"}
		}
		im.sigCmdOff = at
		im.sigOff, im.sigSize = u32(8), u32(12)
		im.ranges = append(im.ranges, linkeditRange{cmd: "LC_CODE_SIGNATURE", off: im.sigOff, end: im.sigOff + im.sigSize})
	case types.LC_SEGMENT_SPLIT_INFO, types.LC_FUNCTION_STARTS, types.LC_DATA_IN_CODE,
		types.LC_DYLIB_CODE_SIGN_DRS, types.LC_LINKER_OPTIMIZATION_HINT, types.LC_DYLD_EXPORTS_TRIE,
		types.LC_DYLD_CHAINED_FIXUPS, types.LC_ATOM_INFO, types.LC_FUNCTION_VARIANTS:
		if err := need(16); err != nil {
			return err
		}
		im.addRange(cmd.String(), u32(8), u32(12))
	case types.LC_SYMTAB:
		if err := need(24); err != nil {
			return err
		}
		nl := uint64(12)
		if im.is64 {
			nl = 16
		}
		im.addRange("LC_SYMTAB symbols", u32(8), u32(12)*nl)
		im.addRange("LC_SYMTAB strings", u32(16), u32(20))
	case types.LC_DYSYMTAB:
		if err := need(80); err != nil {
			return err
		}
		im.addRange("LC_DYSYMTAB toc", u32(32), u32(36)*8)
		im.addRange("LC_DYSYMTAB modtab", u32(40), u32(44)*52)
		im.addRange("LC_DYSYMTAB extrefsyms", u32(48), u32(52)*4)
		im.addRange("LC_DYSYMTAB indirectsyms", u32(56), u32(60)*4)
		im.addRange("LC_DYSYMTAB extrel", u32(64), u32(68)*8)
		im.addRange("LC_DYSYMTAB locrel", u32(72), u32(76)*8)
	case types.LC_DYLD_INFO, types.LC_DYLD_INFO_ONLY:
		if err := need(48); err != nil {
			return err
		}
		for k, name := range []string{"rebase", "bind", "weak bind", "lazy bind", "export"} {
			im.addRange(cmd.String()+" "+name, u32(8+8*k), u32(12+8*k))
		}
	}
	return nil
}

func (im *image) addRange(cmd string, off, n uint64) {
	if n == 0 {
		return
	}
	im.ranges = append(im.ranges, linkeditRange{cmd: cmd, off: off, end: off + n})
}

// goMachoSegments reads the segment commands with go-macho, asking it for
// nothing else. A panic inside the parser on hostile input becomes an error.
func goMachoSegments(r io.ReaderAt, size int64) (segs []segment, err error) {
	defer func() {
		if p := recover(); p != nil {
			segs, err = nil, fmt.Errorf("go-macho panicked: %v", p)
		}
	}()
	f, err := macho.NewFile(io.NewSectionReader(r, 0, size), macho.FileConfig{
		LoadIncluding: []types.LoadCmd{types.LC_SEGMENT, types.LC_SEGMENT_64},
	})
	if err != nil {
		return nil, err
	}
	for _, s := range f.Segments() {
		segs = append(segs, segment{name: s.Name, fileOff: s.Offset, fileSize: s.Filesz})
	}
	return segs, nil
}

// layoutProblems checks that the signature is the last data of __LINKEDIT
// and __LINKEDIT the last segment in the file (both required by the kernel
// and by codesign), and that nothing follows the image in the slice. It
// returns problems as (offset in slice, message) pairs, and the end of the
// image as the load commands describe it.
func (im *image) layoutProblems(size int64) (probs []layoutProblem, imageEnd uint64) {
	for _, s := range im.segments {
		if s.fileSize > 0 && s.fileOff+s.fileSize > imageEnd {
			imageEnd = s.fileOff + s.fileSize
		}
	}
	for _, r := range im.ranges {
		if r.end > imageEnd {
			imageEnd = r.end
		}
	}
	if im.sigCmdOff < 0 {
		return nil, imageEnd
	}
	le := -1
	for i, s := range im.segments {
		if s.name != "__LINKEDIT" {
			continue
		}
		if le >= 0 {
			// dyld refuses a repeated segment name. The last
			// __LINKEDIT must hold the signature; the others are
			// segments like any other, and must end before it starts.
			probs = append(probs, layoutProblem{off: im.sigCmdOff, msg: "more than one __LINKEDIT segment"})
		}
		le = i
	}
	sigEnd := im.sigOff + im.sigSize
	if le < 0 {
		probs = append(probs, layoutProblem{off: im.sigCmdOff, msg: "no __LINKEDIT segment holds the code signature"})
		return probs, imageEnd
	}
	return im.linkeditProblems(probs, le, sigEnd, size), imageEnd
}

// linkeditProblems adds to probs what keeps the signature, ending at
// sigEnd, from being the last data of the segment im.segments[le]
// (__LINKEDIT), that segment from being the last in the file, and the
// signature from fitting the size-byte slice.
func (im *image) linkeditProblems(probs []layoutProblem, le int, sigEnd uint64, size int64) []layoutProblem {
	led := im.segments[le]
	leEnd := led.fileOff + led.fileSize
	if im.sigOff < led.fileOff || sigEnd > leEnd {
		probs = append(probs, layoutProblem{off: im.sigCmdOff, msg: fmt.Sprintf("code signature [%#x, %#x) lies outside __LINKEDIT [%#x, %#x)", im.sigOff, sigEnd, led.fileOff, leEnd)})
	} else if sigEnd != leEnd {
		probs = append(probs, layoutProblem{off: int64(sigEnd), msg: fmt.Sprintf("code signature ends at %#x but __LINKEDIT continues to %#x: it is not the last data in __LINKEDIT", sigEnd, leEnd)})
	}
	for i, s := range im.segments {
		if i != le && s.fileSize > 0 && s.fileOff+s.fileSize > led.fileOff {
			probs = append(probs, layoutProblem{off: im.sigCmdOff, msg: fmt.Sprintf("segment %s [%#x, %#x) ends after __LINKEDIT starts: __LINKEDIT is not the last segment", s.name, s.fileOff, s.fileOff+s.fileSize)})
		}
	}
	rs := append([]linkeditRange(nil), im.ranges...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].off < rs[j].off })
	for _, r := range rs {
		if r.cmd != "LC_CODE_SIGNATURE" && r.end > im.sigOff {
			probs = append(probs, layoutProblem{off: int64(r.off), msg: fmt.Sprintf("%s data [%#x, %#x) ends after the code signature starts at %#x: the signature is not the last data in __LINKEDIT", r.cmd, r.off, r.end, im.sigOff)})
		}
	}
	if sigEnd > uint64(size) {
		probs = append(probs, layoutProblem{off: im.sigCmdOff, msg: fmt.Sprintf("code signature [%#x, %#x) runs past the end of the slice (%#x)", im.sigOff, sigEnd, size)})
	}
	return probs
}

// layoutProblem is a structural problem at an offset. rule is empty for
// codesign/malformed; warn marks a warning that leaves the status alone.
// errBudget results when a file's work budget runs out.
var errBudget = errors.New("codesign: work budget exceeded")

type layoutProblem struct {
	off  int64
	msg  string
	rule signing.Rule
	warn bool
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// readFull reads len(b) bytes at off. An io.ReaderAt may report io.EOF
// with a full read at the end of its data; that is success.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	if len(b) == 0 {
		return nil
	}
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	return orEOF(err)
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}

// subtypeCapabilities are the capability bits of a CPU subtype
// (CPU_SUBTYPE_MASK: LIB64, arm64e's pointer-authentication ABI), which
// Mach-O headers carry and lipo does not always copy into the fat header.
const subtypeCapabilities = 0xff000000

// archName names a CPU type and subtype as Apple's tools do.
func archName(cpu, sub uint32) string {
	sub &^= subtypeCapabilities
	switch cpu {
	case 7:
		return "i386"
	case 0x01000007:
		if sub == 8 {
			return "x86_64h"
		}
		return "x86_64"
	case 12:
		switch sub {
		case 6:
			return "armv6"
		case 9:
			return "armv7"
		case 11:
			return "armv7s"
		case 12:
			return "armv7k"
		}
		return "arm"
	case 0x0100000c:
		if sub == 2 {
			return "arm64e"
		}
		return "arm64"
	case 0x0200000c:
		return "arm64_32"
	case 18:
		return "ppc"
	case 0x01000012:
		return "ppc64"
	}
	return fmt.Sprintf("cpu%#x-%#x", cpu, sub)
}
