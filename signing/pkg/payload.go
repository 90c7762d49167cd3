package pkg

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/shipgate/shipgate/internal/volfs"
)

// ErrTooLarge is returned for a Payload or Scripts archive that
// decompresses to more than the limit given.
var ErrTooLarge = errors.New("archive decompresses to more than the limit")

// maxCPIOEntries caps the entries of one cpio archive.
const maxCPIOEntries = 1 << 20

// decompress reads a component's Payload or Scripts stream (gzip, pbzx,
// bzip2, or an uncompressed cpio archive) into memory, at most limit
// bytes.
func decompress(r io.Reader, limit int64) ([]byte, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(6)
	var src io.Reader
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(false)
		src = zr
	case bytes.HasPrefix(magic, []byte("pbzx")):
		src = &pbzxReader{r: br, limit: limit}
	case bytes.HasPrefix(magic, []byte("BZh")):
		src = bzip2.NewReader(br)
	case cpioFormatOf(magic) != cpioUnknown:
		src = br
	default:
		return nil, fmt.Errorf("neither gzip, pbzx, bzip2 nor a cpio archive (odc or newc) (starts % x)", magic)
	}
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(src, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, ErrTooLarge
	}
	if _, ok := src.(*gzip.Reader); ok {
		// Bytes after the gzip stream are not part of the archive.
		if rest, _ := io.Copy(io.Discard, br); rest != 0 {
			return nil, fmt.Errorf("%d bytes follow the gzip stream", rest)
		}
	}
	return out.Bytes(), nil
}

// pbzxReader decodes Apple's pbzx stream: "pbzx", a big-endian 64-bit
// chunk size, then chunks of a 64-bit flags word (bit 24 set when another
// chunk follows) and a 64-bit length, each an xz stream or, when it would
// not shrink, the raw chunk.
type pbzxReader struct {
	r       *bufio.Reader
	limit   int64
	started bool
	more    bool
	cur     io.Reader
	chunk   uint64
	err     error
}

func (p *pbzxReader) Read(b []byte) (int, error) {
	for {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur != nil {
			n, err := p.cur.Read(b)
			if err == io.EOF {
				p.cur = nil
				if n > 0 {
					return n, nil
				}
				continue
			}
			if err != nil {
				p.err = fmt.Errorf("pbzx chunk: %w", err)
			}
			return n, err
		}
		if err := p.next(); err != nil {
			p.err = err
			return 0, err
		}
	}
}

// pbzxChunk is the chunk size Apple's pbzx streams declare (16 MiB).
const pbzxChunk = 1 << 24

func (p *pbzxReader) next() error {
	var h [16]byte
	if !p.started {
		if _, err := io.ReadFull(p.r, h[:12]); err != nil {
			return fmt.Errorf("pbzx header: %w", err)
		}
		p.chunk = binary.BigEndian.Uint64(h[4:12])
		p.started, p.more = true, true
	}
	if !p.more {
		if _, err := p.r.ReadByte(); err == nil {
			return errors.New("pbzx: bytes follow the last chunk")
		}
		return io.EOF
	}
	if _, err := io.ReadFull(p.r, h[:]); err != nil {
		return fmt.Errorf("pbzx chunk header: %w", err)
	}
	flags, n := binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])
	p.more = flags&(1<<24) != 0
	if n > uint64(p.limit) {
		return ErrTooLarge
	}
	data := io.LimitReader(p.r, int64(n))
	magic, _ := p.r.Peek(6)
	isXZ := n >= 6 && bytes.Equal(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0})
	if isXZ && (n == p.chunk || n == pbzxChunk) {
		// Readers of pbzx tell a stored chunk by its length (that of a
		// whole chunk), not by its first bytes: they would copy these
		// bytes as they are while they are decoded here.
		return fmt.Errorf("pbzx chunk of %d bytes, a whole chunk's length, which readers take as stored, starts as an xz stream, which is decoded here: the two readings differ", n)
	}
	if isXZ {
		xr, err := xz.NewReader(data)
		if err != nil {
			return fmt.Errorf("pbzx chunk: %w", err)
		}
		xr.SingleStream = true
		p.cur = &drain{r: xr, rest: data}
	} else {
		p.cur = &drain{r: data, rest: data}
	}
	return nil
}

// drain reads r, then checks that rest (the chunk's compressed bytes) is
// used up.
type drain struct {
	r    io.Reader
	rest io.Reader
}

func (d *drain) Read(b []byte) (int, error) {
	n, err := d.r.Read(b)
	if err == io.EOF {
		if k, _ := io.Copy(io.Discard, d.rest); k != 0 {
			return n, fmt.Errorf("%d bytes follow the xz stream in its chunk", k)
		}
	}
	return n, err
}

// odcHeaderLen is the length of an odc ("070707") cpio header: magic, dev,
// ino, mode, uid, gid, nlink, rdev (6 octal digits each), mtime (11),
// namesize (6), filesize (11).
const odcHeaderLen = 76

// cpioProblem is an entry of a cpio archive that was not added.
type cpioProblem struct {
	name   string
	reason string
}

// parseCPIO reads a cpio archive held in b into a tree: odc, as Apple
// writes payloads, or newc (with or without checksums), whose first
// header sets the format of every entry. Entries whose names are not
// relative paths inside the archive, that repeat a name (the last one
// wins, as the installer extracts them in order), or that are neither
// files, directories, symlinks nor special files (devices, FIFOs and
// sockets, which are listed with their type, no data: see specialMode)
// are returned as problems. A header that
// cannot be read is an error with its offset.
func parseCPIO(b []byte) (*node, []cpioProblem, error) {
	root := newDir(".")
	var probs []cpioProblem
	names := newCPIONames()
	format := cpioFormatOf(b)
	links := cpioLinks{newc: format != cpioODC, inodes: map[cpioInode]*cpioLink{}}
	for off, count := 0, 0; ; count++ {
		if count > maxCPIOEntries {
			return nil, nil, fmt.Errorf("more than %d cpio entries", maxCPIOEntries)
		}
		e, err := readCPIOEntry(b, off, format)
		if err != nil {
			return nil, nil, err
		}
		name := e.name
		off = e.end
		if name == "TRAILER!!!" {
			for _, c := range b[off:] {
				if c != 0 {
					return nil, nil, fmt.Errorf("%d bytes after the cpio trailer at offset %d are not zero padding", len(b)-off, off)
				}
			}
			return root, probs, nil
		}
		p := strings.TrimPrefix(name, "./")
		if p == "." || p == "" && name == "." {
			continue // the root itself
		}
		np, ok := names.add(name, p, e.mode&0o170000 == 0o040000)
		probs = append(probs, np...)
		if !ok {
			continue
		}
		n, prob := links.node(e)
		if prob != "" {
			probs = append(probs, cpioProblem{name, prob})
		}
		if n == nil {
			continue
		}
		if why := place(root, p, n); why != "" {
			probs = append(probs, cpioProblem{name, why})
		}
	}
}

// cpioRecord is one cpio header, its name and its data.
type cpioRecord struct {
	inode                 cpioInode
	mode, nlink, fileSize int64
	name                  string
	data                  []byte
	end                   int // offset of the next header
}

// cpioInode names a file of the archive's source: entries sharing one,
// with a link count over 1, are hard links.
type cpioInode struct{ devMajor, devMinor, ino int64 }

// readODCEntry reads the odc cpio entry whose header starts at off in b.
func readODCEntry(b []byte, off int) (cpioRecord, error) {
	if len(b)-off < odcHeaderLen {
		return cpioRecord{}, fmt.Errorf("cpio header at offset %d is cut short (no TRAILER!!! entry)", off)
	}
	h := b[off : off+odcHeaderLen]
	if string(h[:6]) != "070707" {
		return cpioRecord{}, fmt.Errorf("cpio entry at offset %d has the magic %q, not 070707 as the archive's first", off, h[:6])
	}
	dev, err4 := octal(h[6:12])
	ino, err5 := octal(h[12:18])
	mode, err1 := octal(h[18:24])
	nlink, err6 := octal(h[36:42])
	nameSize, err2 := octal(h[59:65])
	fileSize, err3 := octal(h[65:76])
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return cpioRecord{}, fmt.Errorf("cpio header at offset %d: %w", off, err)
	}
	nameAt := off + odcHeaderLen
	if nameSize < 1 || nameSize > int64(len(b)-nameAt) {
		return cpioRecord{}, fmt.Errorf("cpio name of %d bytes at offset %d runs past the archive", nameSize, nameAt)
	}
	dataAt := nameAt + int(nameSize)
	if fileSize > int64(len(b)-dataAt) {
		return cpioRecord{}, fmt.Errorf("cpio data of %d bytes at offset %d runs past the archive", fileSize, dataAt)
	}
	name, err := cpioName(b[nameAt:dataAt], nameAt)
	if err != nil {
		return cpioRecord{}, err
	}
	return cpioRecord{
		inode: cpioInode{devMajor: dev, ino: ino}, mode: mode, nlink: nlink, fileSize: fileSize,
		name: name,
		data: b[dataAt : dataAt+int(fileSize)],
		end:  dataAt + int(fileSize),
	}, nil
}

// cpioName returns the entry name rawName (at offset at) holds: one
// NUL-terminated string, of at least its NUL.
func cpioName(rawName []byte, at int) (string, error) {
	if rawName[len(rawName)-1] != 0 || bytes.IndexByte(rawName[:len(rawName)-1], 0) >= 0 {
		return "", fmt.Errorf("cpio name at offset %d is not one NUL-terminated string", at)
	}
	return string(rawName[:len(rawName)-1]), nil
}

// cpioLink is the regular files of one inode seen so far: the first
// one's name, every node, and the bytes they hold once an entry carried
// them.
type cpioLink struct {
	name    string
	nodes   []*node
	size    int64
	data    []byte
	hasData bool
}

// cpioLinks holds the regular files of each inode whose link count is
// over 1: a later entry naming the same inode is a hard link to the
// first, as libarchive (bsdtar, and the tools built on it) reads cpio
// archives. In newc archives (newc set) the bytes come with the last
// link, the earlier ones written empty, as GNU cpio writes them; both
// libarchive and GNU cpio then give every name those bytes.
type cpioLinks struct {
	newc   bool
	inodes map[cpioInode]*cpioLink
}

// node returns the tree node of entry e, nil when it is left out, and the
// problem found with it ("" when none).
func (links cpioLinks) node(e cpioRecord) (*node, string) {
	mode, fileSize, data := e.mode, e.fileSize, e.data
	switch mode & 0o170000 {
	case 0o100000:
		n := &node{mode: fileMode(mode), size: fileSize, data: data}
		if e.nlink > 1 {
			return links.link(e, n)
		}
		return n, ""
	case 0o040000:
		n := newDir("")
		n.mode |= fs.FileMode(mode & 0o777)
		if fileSize != 0 {
			return n, fmt.Sprintf("a directory holding %d bytes", fileSize)
		}
		return n, ""
	case 0o120000:
		return &node{mode: fs.ModeSymlink | 0o777, size: fileSize, link: string(data)}, ""
	}
	if t, ok := specialMode(mode); ok {
		// The installer creates the node; it holds no file to open.
		return &node{mode: t | fileMode(mode)}, ""
	}
	return nil, fmt.Sprintf("of file type %06o, neither file, directory, symlink nor special file", mode&0o170000)
}

// specialMode returns the fs type bits of a cpio entry of mode mode that is
// a special file: a FIFO, a character or block device, or a socket.
func specialMode(mode int64) (fs.FileMode, bool) {
	switch mode & 0o170000 {
	case 0o010000:
		return fs.ModeNamedPipe, true
	case 0o020000:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case 0o060000:
		return fs.ModeDevice, true
	case 0o140000:
		return fs.ModeSocket, true
	}
	return 0, false
}

// link records regular file n of entry e, whose link count is over 1,
// under its inode, and gives it the bytes the inode holds when extracted.
func (links cpioLinks) link(e cpioRecord, n *node) (*node, string) {
	l := links.inodes[e.inode]
	switch {
	case l == nil:
		links.inodes[e.inode] = &cpioLink{name: e.name, nodes: []*node{n}, size: e.fileSize, data: e.data, hasData: e.fileSize > 0}
		return n, ""
	case e.fileSize == 0:
		// A link written without data: extracted, it holds the inode's
		// bytes, those of an entry before it or, in newc, after it.
		n.size, n.data = l.size, l.data
	case !l.hasData && links.newc:
		// newc's layout: the bytes come with the last link, and every
		// name seen before it holds them.
		l.size, l.data, l.hasData = e.fileSize, e.data, true
		for _, o := range l.nodes {
			o.size, o.data = e.fileSize, e.data
		}
	case !bytes.Equal(e.data, l.data):
		// libarchive links the name to the first one, then writes this
		// entry's bytes into the shared inode: the first name would
		// install bytes never checked (in odc, GNU cpio keeps the
		// first's instead: the extractors disagree).
		return nil, fmt.Sprintf("a hard link to %q (device %d,%d, inode %d) carrying other bytes, which an extractor that links it writes into both names",
			l.name, e.inode.devMajor, e.inode.devMinor, e.inode.ino)
	}
	l.nodes = append(l.nodes, n)
	return n, ""
}

// place puts n at path p under root, making missing parent directories. A
// directory entry for an existing directory keeps its contents.
func place(root *node, p string, n *node) string {
	parts := strings.Split(p, "/")
	d := root
	for _, q := range parts[:len(parts)-1] {
		c := d.kids[q]
		if c == nil {
			c = newDir(q)
			d.kids[q] = c
		}
		if !c.mode.IsDir() {
			return fmt.Sprintf("its parent %q is not a directory", q)
		}
		d = c
	}
	last := parts[len(parts)-1]
	n.name = last
	if old := d.kids[last]; old != nil && old.mode.IsDir() {
		if n.mode.IsDir() {
			return ""
		}
		// The directory's entries came first: replacing it would hide
		// them from the walk while the installer still writes them.
		return fmt.Sprintf("it would replace the directory %q, whose entries precede it, with a %s", p, kindOf(n.mode))
	}
	d.kids[last] = n
	return ""
}

func kindOf(m fs.FileMode) string {
	if m&fs.ModeSymlink != 0 {
		return "symbolic link"
	}
	return "file"
}

// octal parses a field of ASCII octal digits, and nothing else: a sign,
// which strconv accepts, is refused, since libarchive's reader stops at
// the first character that is not a digit and reads "+0000000100" as 0,
// another entry boundary than the one checked here.
func octal(b []byte) (int64, error) {
	n, err := strconv.ParseInt(string(b), 8, 64)
	if err != nil || n < 0 || bytes.ContainsFunc(b, func(r rune) bool { return r < '0' || r > '7' }) {
		return 0, fmt.Errorf("field %q is not octal", b)
	}
	return n, nil
}

// fileMode returns the fs.FileMode of a regular file's cpio mode: its
// permissions and its set-user-ID, set-group-ID and sticky bits, which
// Installer applies (so a reader can report a set-user-ID file).
func fileMode(mode int64) fs.FileMode {
	return fs.FileMode(mode&0o777) | volfs.SpecialBits(uint32(mode))
}
