// Package pkgfile builds flat installer packages (xar archives) for tests:
// a table of contents with checksums, an RSA signature and a CMS
// x-signature over its checksum made with the test PKI, and cpio payloads
// (odc) compressed with gzip or pbzx.
package pkgfile

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"html"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/shipgate/shipgate/internal/cms"
	"github.com/shipgate/shipgate/internal/machofile"
	"github.com/shipgate/shipgate/internal/testpki"
)

// Apple OIDs of installer-signing certificates.
var (
	// OIDDeveloperIDInstaller marks a Developer ID Installer leaf.
	OIDDeveloperIDInstaller = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 6, 1, 14}
	// OIDEKUDeveloperIDInstaller is the Developer ID Installer extended
	// key usage.
	OIDEKUDeveloperIDInstaller = asn1.ObjectIdentifier{1, 2, 840, 113635, 100, 4, 13}
	oidTimeStampToken          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

// InstallerLeafExtensions are the extensions of a Developer ID Installer
// leaf: the marker and the installer EKU (mint it with NoEKU).
func InstallerLeafExtensions() []pkix.Extension {
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{OIDEKUDeveloperIDInstaller})
	return []pkix.Extension{
		{Id: OIDDeveloperIDInstaller, Critical: true, Value: []byte{0x05, 0x00}},
		{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: eku},
	}
}

// PKI is machofile's test Apple hierarchy with installer leaves.
type PKI struct {
	*machofile.PKI
	// Installer is a Developer ID Installer leaf of team machofile.TeamID.
	Installer *testpki.Cert
	// OtherTeam is a Developer ID Installer leaf of another team under the
	// same CA; Untrusted one under a root nobody trusts.
	OtherTeam, Untrusted *testpki.Cert
}

// OtherTeamID is the team of PKI.OtherTeam.
const OtherTeamID = "OTHER98765"

// NewPKI mints the fixture PKI (deterministic).
func NewPKI() *PKI { return WithInstallers(machofile.NewPKI()) }

// WithInstallers adds installer leaves to machofile's PKI mp.
func WithInstallers(mp *machofile.PKI) *PKI {
	p := &PKI{PKI: mp}
	p.Installer = p.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Installer: Example Corp (" + machofile.TeamID + ")", Organization: "Example Corp",
		OrganizationalUnit: machofile.TeamID, KeyN: 16, NoEKU: true, ExtraExtensions: InstallerLeafExtensions(),
	})
	p.OtherTeam = p.CA.Issue(testpki.Spec{
		CommonName: "Developer ID Installer: Other Corp (" + OtherTeamID + ")", Organization: "Other Corp",
		OrganizationalUnit: OtherTeamID, KeyN: 17, NoEKU: true, ExtraExtensions: InstallerLeafExtensions(),
	})
	p.Untrusted = p.OtherRoot.Issue(testpki.Spec{
		CommonName:         "Developer ID Installer: Mallory (" + machofile.TeamID + ")",
		OrganizationalUnit: machofile.TeamID, KeyN: 18, NoEKU: true, ExtraExtensions: InstallerLeafExtensions(),
	})
	return p
}

// Encodings of file data in the heap.
const (
	EncodingNone = "application/octet-stream"
	EncodingZlib = "application/x-gzip"
)

// File is one file of the archive; directories are implied by paths.
type File struct {
	Path     string
	Data     []byte
	Encoding string // EncodingNone when empty
	// ArchivedChecksum and ExtractedChecksum override the recorded hex.
	ArchivedChecksum, ExtractedChecksum string
	// NoChecksums leaves both checksums out.
	NoChecksums bool
}

// Spec describes an archive to build.
type Spec struct {
	Files []File
	// Hash is the table of contents checksum's algorithm and the files'
	// checksum algorithm; zero means SHA-1, as productbuild writes.
	Hash crypto.Hash
	// Signer, when set, adds an RSA <signature> carrying Signer and Chain.
	Signer *testpki.Cert
	Chain  []*testpki.Cert
	// CMS adds an <x-signature style="CMS">, by CMSSigner (Signer when
	// nil), with a timestamp by TSA at TimestampAt when TSA is set.
	CMS         bool
	CMSSigner   *testpki.Cert
	TSA         *testpki.Cert
	TimestampAt time.Time
	// ExtraHeap is appended after the heap.
	ExtraHeap []byte
	// TweakTOC edits the XML before it is compressed.
	TweakTOC func(string) string
	// SignWith, when set, replaces the bytes the RSA signature is made
	// over (for bad fixtures).
	SignWith []byte
	// TweakCMS, when not nil, edits the CMS spec (its timestamp token
	// already among the unsigned attributes) before the final signing, to
	// add unsigned structures: attributes, certificate entries.
	TweakCMS func(*testpki.CMSSpec)
}

// Layout says where Build put things.
type Layout struct {
	HeapStart int64
	// Data maps each file's path to its heap offset (relative).
	Data map[string]int64
	// Signature, CMS are the signatures' heap offsets; -1 when absent.
	Signature, CMS int64
}

type node struct {
	name     string
	file     *File
	children map[string]*node
	id       int
}

// Build returns the archive described by s.
func Build(s Spec) ([]byte, *Layout) {
	// The CMS's length depends on what it signs (its timestamp's serial):
	// reserve what it took and build again; when that does not settle,
	// move the signing time by a second and start over.
	for nonce := range 16 {
		guess := -1
		for range 4 {
			b, lay, n := s.build(guess, nonce)
			if n == guess || !s.CMS {
				return b, lay
			}
			guess = n
		}
	}
	panic("pkgfile: the CMS length does not settle")
}

func (s Spec) build(cmsGuess, nonce int) ([]byte, *Layout, int) {
	b := s.newArchive(cmsGuess, nonce)
	b.writeHeap()
	xml := b.toc()
	if s.TweakTOC != nil {
		xml = s.TweakTOC(xml)
	}
	return b.assemble(xml)
}

// heapEnc is where a file's encoded data is in the heap.
type heapEnc struct {
	off, length int64
}

// archive is an archive being built by Spec.build.
type archive struct {
	s         Spec
	h         crypto.Hash
	nonce     int
	lay       *Layout
	cmsSigner *testpki.Cert
	// heapOff is where the files' data starts in the heap, after the
	// checksum and signatures.
	heapOff          int64
	sigSize, cmsSize int
	root             *node
	encs             map[*File]heapEnc
	heap             bytes.Buffer
}

// newArchive lays out the start of the heap: the checksum, then the
// signatures, the CMS taking cmsGuess bytes (when not negative).
func (s Spec) newArchive(cmsGuess, nonce int) *archive {
	h := s.Hash
	if h == 0 {
		h = crypto.SHA1
	}
	b := &archive{s: s, h: h, nonce: nonce, lay: &Layout{Data: map[string]int64{}, Signature: -1, CMS: -1}}
	b.heapOff = int64(h.Size())
	if s.Signer != nil {
		b.sigSize = s.Signer.Key.Public().(*rsa.PublicKey).Size()
		b.lay.Signature = b.heapOff
		b.heapOff += int64(b.sigSize)
	}
	b.cmsSigner = s.CMSSigner
	if b.cmsSigner == nil {
		b.cmsSigner = s.Signer
	}
	if s.CMS {
		b.cmsSize = cmsGuess
		if b.cmsSize < 0 {
			b.cmsSize = len(s.cms(b.cmsSigner, make([]byte, h.Size()), nonce))
		}
		b.lay.CMS = b.heapOff
		b.heapOff += int64(b.cmsSize)
	}
	return b
}

// writeHeap writes the files' data to the heap in path order and makes
// the tree of their names.
func (b *archive) writeHeap() {
	b.root = &node{children: map[string]*node{}}
	ids := 0
	files := append([]File(nil), b.s.Files...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	b.encs = map[*File]heapEnc{}
	for i := range files {
		f := &files[i]
		n := b.root
		parts := strings.Split(f.Path, "/")
		for k, p := range parts {
			c := n.children[p]
			if c == nil {
				ids++
				c = &node{name: p, children: map[string]*node{}, id: ids}
				n.children[p] = c
			}
			if k == len(parts)-1 {
				c.file = f
			}
			n = c
		}
		data := f.Data
		if f.Encoding == EncodingZlib {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(f.Data)
			w.Close()
			data = z.Bytes()
		}
		b.encs[f] = heapEnc{off: b.heapOff + int64(b.heap.Len()), length: int64(len(data))}
		b.lay.Data[f.Path] = b.heapOff + int64(b.heap.Len())
		b.heap.Write(data)
	}
}

// keyInfo is the <KeyInfo> of a signature by leaf with chain.
func keyInfo(leaf *testpki.Cert, chain []*testpki.Cert) string {
	var b strings.Builder
	b.WriteString("   <KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\">\n    <X509Data>\n")
	for _, c := range append([]*testpki.Cert{leaf}, chain...) {
		fmt.Fprintf(&b, "     <X509Certificate>%s</X509Certificate>\n", base64.StdEncoding.EncodeToString(c.Cert.Raw))
	}
	b.WriteString("    </X509Data>\n   </KeyInfo>\n")
	return b.String()
}

// toc is the table of contents' XML.
func (b *archive) toc() string {
	s, h := b.s, b.h
	var toc strings.Builder
	toc.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n")
	fmt.Fprintf(&toc, "  <checksum style=\"%s\">\n   <offset>0</offset>\n   <size>%d</size>\n  </checksum>\n", cms.HashName(h), h.Size())
	fmt.Fprintf(&toc, "  <creation-time>%s</creation-time>\n", testpki.Epoch.Format("2006-01-02T15:04:05"))
	if s.Signer != nil {
		fmt.Fprintf(&toc, "  <signature style=\"RSA\">\n   <offset>%d</offset>\n   <size>%d</size>\n%s  </signature>\n", b.lay.Signature, b.sigSize, keyInfo(s.Signer, s.Chain))
	}
	if s.CMS {
		fmt.Fprintf(&toc, "  <x-signature style=\"CMS\">\n   <offset>%d</offset>\n   <size>%d</size>\n%s  </x-signature>\n", b.lay.CMS, b.cmsSize, keyInfo(b.cmsSigner, s.Chain))
	}
	b.writeFiles(&toc, b.root, "  ")
	toc.WriteString(" </toc>\n</xar>\n")
	return toc.String()
}

// writeFiles writes the <file> elements of n's children, in name order.
func (b *archive) writeFiles(toc *strings.Builder, n *node, indent string) {
	names := make([]string, 0, len(n.children))
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := n.children[k]
		fmt.Fprintf(toc, "%s<file id=\"%d\">\n", indent, c.id)
		fmt.Fprintf(toc, "%s <name>%s</name>\n", indent, html.EscapeString(c.name))
		if c.file == nil {
			fmt.Fprintf(toc, "%s <type>directory</type>\n%s <mode>0755</mode>\n", indent, indent)
			b.writeFiles(toc, c, indent+" ")
		} else {
			b.writeFileData(toc, c.file, indent)
		}
		fmt.Fprintf(toc, "%s</file>\n", indent)
	}
}

// writeFileData writes the type, mode and <data> of the file f.
func (b *archive) writeFileData(toc *strings.Builder, f *File, indent string) {
	h := b.h
	e := b.encs[f]
	encoding := f.Encoding
	if encoding == "" {
		encoding = EncodingNone
	}
	fmt.Fprintf(toc, "%s <type>file</type>\n%s <mode>0644</mode>\n%s <data>\n", indent, indent, indent)
	fmt.Fprintf(toc, "%s  <length>%d</length>\n%s  <offset>%d</offset>\n%s  <size>%d</size>\n", indent, e.length, indent, e.off, indent, len(f.Data))
	fmt.Fprintf(toc, "%s  <encoding style=\"%s\"/>\n", indent, encoding)
	if !f.NoChecksums {
		raw := b.heap.Bytes()[e.off-b.heapOff : e.off-b.heapOff+e.length]
		ac, ec := f.ArchivedChecksum, f.ExtractedChecksum
		if ac == "" {
			ac = hexSum(h, raw)
		}
		if ec == "" {
			ec = hexSum(h, f.Data)
		}
		fmt.Fprintf(toc, "%s  <extracted-checksum style=\"%s\">%s</extracted-checksum>\n", indent, cms.HashName(h), ec)
		fmt.Fprintf(toc, "%s  <archived-checksum style=\"%s\">%s</archived-checksum>\n", indent, cms.HashName(h), ac)
	}
	fmt.Fprintf(toc, "%s </data>\n", indent)
}

// assemble returns the archive with the table of contents xml: the
// header, the compressed table of contents, then the heap. When the CMS
// does not take the planned size it returns only the size it took.
func (b *archive) assemble(xml string) ([]byte, *Layout, int) {
	s, h := b.s, b.h
	var ztoc bytes.Buffer
	zw := zlib.NewWriter(&ztoc)
	zw.Write([]byte(xml))
	zw.Close()
	sum := hashOf(h, ztoc.Bytes())

	var out bytes.Buffer
	var hdr [28]byte
	copy(hdr[:], "xar!")
	be := binary.BigEndian
	be.PutUint16(hdr[4:], 28)
	be.PutUint16(hdr[6:], 1)
	be.PutUint64(hdr[8:], uint64(ztoc.Len()))
	be.PutUint64(hdr[16:], uint64(len(xml)))
	be.PutUint32(hdr[24:], algNumber(h))
	out.Write(hdr[:])
	out.Write(ztoc.Bytes())
	b.lay.HeapStart = int64(out.Len())
	out.Write(sum)
	if s.Signer != nil {
		signed := sum
		if s.SignWith != nil {
			signed = s.SignWith
		}
		sig, err := testpki.SignPKCS1v15(s.Signer.Key.(*rsa.PrivateKey), h, signed)
		if err != nil {
			panic(err)
		}
		out.Write(sig)
	}
	if s.CMS {
		c := s.cms(b.cmsSigner, sum, b.nonce)
		if len(c) != b.cmsSize {
			return nil, nil, len(c)
		}
		out.Write(c)
	}
	out.Write(b.heap.Bytes())
	out.Write(s.ExtraHeap)
	return out.Bytes(), b.lay, b.cmsSize
}

// cms signs the checksum sum as a detached CMS, as productsign does.
func (s Spec) cms(signer *testpki.Cert, sum []byte, nonce int) []byte {
	spec := testpki.CMSSpec{
		Content: sum, ContentIsOctetString: true, Detached: true,
		Signer: signer, Certs: append([]*testpki.Cert{signer}, s.Chain...), Hash: crypto.SHA256,
		SigningTime: testpki.Epoch.Add(time.Duration(nonce) * time.Second),
	}
	if s.TSA == nil {
		return s.tweakedCMS(spec)
	}
	der := testpki.SignCMS(spec)
	sd, err := cms.Parse(der)
	if err != nil || len(sd.Signers) != 1 {
		panic(fmt.Sprintf("pkgfile: reparsing own CMS: %v", err))
	}
	tok := s.TSA.TimestampToken(crypto.SHA256, sd.Signers[0].Signature, s.TimestampAt)
	spec.Unsigned = []testpki.Attr{{Type: oidTimeStampToken, Values: [][]byte{tok}}}
	return s.tweakedCMS(spec)
}

// tweakedCMS signs spec after s.TweakCMS edited it.
func (s Spec) tweakedCMS(spec testpki.CMSSpec) []byte {
	if s.TweakCMS != nil {
		s.TweakCMS(&spec)
	}
	return testpki.SignCMS(spec)
}

func algNumber(h crypto.Hash) uint32 {
	switch h {
	case crypto.SHA1:
		return 1
	case crypto.MD5:
		return 2
	case crypto.SHA256:
		return 3
	case crypto.SHA512:
		return 4
	}
	return 0
}

func hashOf(h crypto.Hash, b []byte) []byte {
	var w hash.Hash = h.New()
	w.Write(b)
	return w.Sum(nil)
}

func hexSum(h crypto.Hash, b []byte) string { return hex.EncodeToString(hashOf(h, b)) }

// CPIOFile is one entry of a cpio archive.
type CPIOFile struct {
	// Name is the path as written ("./Applications/X.app/…", ".").
	Name string
	Mode uint32 // full st_mode: 0o100644 file, 0o040755 dir, 0o120755 link
	Data []byte // a symlink's target for links
	// Ino and Nlink, when not zero, replace the inode number (the entry's
	// index from 1) and the link count (1): entries sharing an inode with
	// Nlink above 1 are hard links.
	Ino, Nlink int
}

// inode returns the inode number and link count written for f, the
// i-th entry: its Ino and Nlink when set, else i+1 and 1.
func (f CPIOFile) inode(i int) (ino, nlink int) {
	ino, nlink = i+1, 1
	if f.Ino != 0 {
		ino = f.Ino
	}
	if f.Nlink != 0 {
		nlink = f.Nlink
	}
	return ino, nlink
}

// CPIO writes files as an odc ("070707") cpio archive with its trailer,
// as Apple's installer payloads are.
func CPIO(files []CPIOFile) []byte {
	var b bytes.Buffer
	for i, f := range append(files, CPIOFile{Name: "TRAILER!!!"}) {
		ino, nlink := f.inode(i)
		fmt.Fprintf(&b, "070707%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o",
			0, ino, f.Mode, 0, 80, nlink, 0, testpki.Epoch.Unix(), len(f.Name)+1, len(f.Data))
		b.WriteString(f.Name)
		b.WriteByte(0)
		b.Write(f.Data)
	}
	return b.Bytes()
}

// CPIONewc writes files as a newc cpio archive ("070701", or "070702"
// with each regular file's byte sum when crc is set) with its trailer, as
// GNU cpio -H newc (-H crc) writes them: hexadecimal fields, name and data
// each padded with zeros to a multiple of 4 bytes. A hard link's bytes
// go where the caller puts them (GNU cpio puts them on the last link).
func CPIONewc(files []CPIOFile, crc bool) []byte {
	var b bytes.Buffer
	magic := "070701"
	if crc {
		magic = "070702"
	}
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	for i, f := range append(files, CPIOFile{Name: "TRAILER!!!"}) {
		ino, nlink := f.inode(i)
		if f.Name == "TRAILER!!!" {
			ino, nlink = 0, 1
		}
		var sum uint32
		if crc && f.Mode&0o170000 == 0o100000 {
			for _, c := range f.Data {
				sum += uint32(c)
			}
		}
		fmt.Fprintf(&b, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
			magic, ino, f.Mode, 0, 80, nlink, testpki.Epoch.Unix(), len(f.Data), 1, 2, 0, 0, len(f.Name)+1, sum)
		b.WriteString(f.Name)
		b.WriteByte(0)
		pad()
		b.Write(f.Data)
		pad()
	}
	return b.Bytes()
}

// BundleCPIO returns the cpio entries of a bundle's files (as
// machofile.ExampleBundle gives them) under prefix, with their parent
// directories, in path order.
func BundleCPIO(prefix string, files map[string]machofile.BundleFile) []CPIOFile {
	dirs := map[string]bool{}
	var out []CPIOFile
	for _, p := range machofile.SortedPaths(files) {
		full := path.Join(prefix, p)
		for d := path.Dir(full); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
		f := files[p]
		switch {
		case f.Link != "":
			out = append(out, CPIOFile{Name: "./" + full, Mode: 0o120755, Data: []byte(f.Link)})
		default:
			mode := uint32(0o100644)
			if f.Mode&0o111 != 0 {
				mode = 0o100755
			}
			out = append(out, CPIOFile{Name: "./" + full, Mode: mode, Data: f.Data})
		}
	}
	var ds []CPIOFile
	ds = append(ds, CPIOFile{Name: ".", Mode: 0o040755})
	for d := range dirs {
		ds = append(ds, CPIOFile{Name: "./" + d, Mode: 0o040755})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	return append(ds, out...)
}

// Gzip compresses b as a gzip stream.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// PBZX compresses b as Apple's pbzx stream: "pbzx", the chunk size, then
// per chunk its flags, its compressed length and an xz stream (or the raw
// chunk when xz does not make it smaller).
func PBZX(b []byte, chunk int) []byte {
	var out bytes.Buffer
	be := binary.BigEndian
	out.WriteString("pbzx")
	binary.Write(&out, be, uint64(chunk))
	for len(b) > 0 {
		n := min(chunk, len(b))
		var x bytes.Buffer
		w, err := xz.NewWriter(&x)
		if err != nil {
			panic(err)
		}
		w.Write(b[:n])
		w.Close()
		data := x.Bytes()
		if len(data) >= n {
			data = b[:n]
		}
		flags := uint64(0)
		if n < len(b) {
			flags = 1 << 24
		}
		binary.Write(&out, be, flags)
		binary.Write(&out, be, uint64(len(data)))
		out.Write(data)
		b = b[n:]
	}
	return out.Bytes()
}

// ExamplePackage returns the files of a product archive holding
// Example.app (machofile.ExampleBundle) in component package app.pkg: a
// Distribution, app.pkg's PackageInfo, its pbzx (or gzip) Payload and its
// Scripts with a postinstall.
func ExamplePackage(p *machofile.PKI, pbzx bool) []File {
	return Product("com.example.app", "1.4.0", machofile.ExampleBundle(p), pbzx)
}

// Product returns the files of a product archive installing the bundle
// files (paths such as "X.app/Contents/…") into /Applications from
// component package app.pkg, with a postinstall script.
func Product(id, version string, bundle map[string]machofile.BundleFile, pbzx bool) []File {
	payload := CPIO(BundleCPIO("Applications", bundle))
	if pbzx {
		payload = PBZX(payload, 64<<10)
	} else {
		payload = Gzip(payload)
	}
	scripts := Gzip(CPIO([]CPIOFile{
		{Name: ".", Mode: 0o040755},
		{Name: "./postinstall", Mode: 0o100755, Data: []byte("#!/bin/sh\n/usr/bin/true\n")},
	}))
	dist := Distribution(id, version, "#app.pkg")
	info := fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<pkg-info format-version="2" identifier="%s" version="%s" install-location="/" auth="root">
    <payload numberOfFiles="%d" installKBytes="100"/>
    <scripts><postinstall file="./postinstall"/></scripts>
</pkg-info>
`, id, version, len(bundle))
	return []File{
		{Path: "Distribution", Data: dist, Encoding: EncodingZlib},
		{Path: "app.pkg/PackageInfo", Data: []byte(info), Encoding: EncodingZlib},
		{Path: "app.pkg/Payload", Data: payload},
		{Path: "app.pkg/Scripts", Data: scripts},
	}
}

// Distribution returns a Distribution as productbuild writes one for a
// single component package of identifier id: a pkg-ref naming it by id, a
// choices outline with one hidden choice, and the pkg-ref whose text,
// href, names the package ("#app.pkg" for a component package in the
// archive).
func Distribution(id, version, href string) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<installer-gui-script minSpecVersion="2">
    <pkg-ref id="%[1]s"/>
    <choices-outline><line choice="default"><line choice="%[1]s"/></line></choices-outline>
    <choice id="default"/>
    <choice id="%[1]s" visible="false"><pkg-ref id="%[1]s"/></choice>
    <pkg-ref id="%[1]s" version="%[2]s" onConclusion="none">%[3]s</pkg-ref>
</installer-gui-script>
`, id, version, html.EscapeString(href)))
}
