package authenticode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/saferwall/pe"
	pelog "github.com/saferwall/pe/log"
)

// Limits on hostile headers and tables.
const (
	// maxHeaderBytes bounds how much of the file start is read to parse the
	// DOS, NT and section headers.
	maxHeaderBytes = 4 << 20
	// maxTableBytes bounds how many bytes of the certificate table are read
	// into memory; larger tables are still hashed, streamed.
	maxTableBytes = 32 << 20
	// maxEntries bounds the WIN_CERTIFICATE entries examined.
	maxEntries = 64
	// maxSignatures bounds signatures, nested ones included.
	maxSignatures = 64
	// maxNestDepth bounds nested-signature recursion.
	maxNestDepth = 4
)

// section is one section's raw data range in the file.
type section struct {
	name      string
	off, size uint32 // PointerToRawData, SizeOfRawData
	vsize     uint32 // VirtualSize
}

// layout holds the header facts verification needs, all as file offsets.
type layout struct {
	size           int64
	lfanew         int64
	pe32plus       bool
	machine        uint16
	checksumOff    int64
	storedChecksum uint32
	// secDirOff is the offset of DataDirectory[4]; -1 when
	// NumberOfRvaAndSizes < 5 leaves no such entry.
	secDirOff        int64
	certOff, certLen int64 // DataDirectory[4]: a file offset and a size
	sizeOfHeaders    uint32
	sectionAlign     uint32
	fileAlign        uint32
	sizeOfImage      uint32
	subsystem        uint16
	sections         []section
}

// discardLogger silences saferwall, which otherwise logs to standard output.
type discardLogger struct{}

func (discardLogger) Log(pelog.Level, ...any) error { return nil }

// readLayout parses the headers of the file at r through saferwall/pe, which
// is given only the header bytes (it would otherwise map the whole file), in
// fast mode with every data directory parser off: the certificate table is
// read and checked here, entry by entry, because saferwall reads only the
// first entry and ignores what follows its PKCS#7 blob.
func readLayout(r io.ReaderAt, size int64) (*layout, error) {
	hdr, nth, err := readHeaderBytes(r, size)
	if err != nil {
		return nil, err
	}
	lf, nsec, ohSize := nth.lfanew, nth.nsec, nth.ohSize
	f, err := parsePEHeaders(hdr)
	if err != nil {
		return nil, &FormatError{Offset: 0, Reason: "headers: " + err.Error()}
	}
	if err := parseHeaders(f); err != nil {
		return nil, &FormatError{Offset: lf, Reason: "headers: " + err.Error()}
	}
	l := &layout{size: size, lfanew: lf, machine: uint16(f.NtHeader.FileHeader.Machine)}
	if err := l.readOptionalHeader(f, ohSize); err != nil {
		return nil, err
	}
	l.readSections(hdr[lf+24+ohSize:], nsec)
	return l, nil
}

// ntHeader is where the NT headers start (e_lfanew) and the sizes their
// file header gives.
type ntHeader struct {
	lfanew int64
	nsec   int64 // NumberOfSections
	ohSize int64 // SizeOfOptionalHeader
}

// readHeaderBytes checks the DOS and NT signatures of the file at r and
// reads its headers from offset 0 through the section table (at least
// what saferwall expects).
func readHeaderBytes(r io.ReaderAt, size int64) ([]byte, ntHeader, error) {
	le := binary.LittleEndian
	var dos [64]byte
	if size < int64(len(dos)) {
		return nil, ntHeader{}, ErrNotPE
	}
	if err := readFull(r, dos[:], 0); err != nil {
		return nil, ntHeader{}, err
	}
	if dos[0] != 'M' || dos[1] != 'Z' {
		return nil, ntHeader{}, ErrNotPE
	}
	lf := int64(le.Uint32(dos[0x3c:]))
	if lf < 4 || lf+4+20 > size {
		return nil, ntHeader{}, ErrNotPE
	}
	var nt [24]byte
	if err := readFull(r, nt[:], lf); err != nil {
		return nil, ntHeader{}, err
	}
	if string(nt[:4]) != "PE\x00\x00" {
		return nil, ntHeader{}, ErrNotPE
	}
	nsec := int64(le.Uint16(nt[6:]))
	ohSize := int64(le.Uint16(nt[20:]))
	hdrEnd := lf + 24 + ohSize + 40*nsec
	if hdrEnd > maxHeaderBytes {
		return nil, ntHeader{}, &FormatError{Offset: lf, Reason: fmt.Sprintf("headers end at 0x%x, beyond the %d-byte limit", hdrEnd, maxHeaderBytes)}
	}
	if hdrEnd > size {
		return nil, ntHeader{}, &FormatError{Offset: lf + 24, Reason: "optional header or section table extends beyond the end of the file"}
	}
	// saferwall reads a fixed-size optional header; give it at least that.
	n := max(hdrEnd, min(size, lf+24+240+40))
	n = max(n, min(size, pe.TinyPESize))
	hdr := make([]byte, n)
	if err := readFull(r, hdr, 0); err != nil {
		return nil, ntHeader{}, err
	}
	return hdr, ntHeader{lfanew: lf, nsec: nsec, ohSize: ohSize}, nil
}

// parsePEHeaders runs saferwall/pe over the header bytes alone.
func parsePEHeaders(hdr []byte) (*pe.File, error) {
	return pe.NewBytes(hdr, &pe.Options{
		Fast:                       true,
		DisableCertValidation:      true,
		DisableSignatureValidation: true,
		OmitExportDirectory:        true,
		OmitImportDirectory:        true,
		OmitExceptionDirectory:     true,
		OmitResourceDirectory:      true,
		OmitSecurityDirectory:      true,
		OmitRelocDirectory:         true,
		OmitDebugDirectory:         true,
		OmitArchitectureDirectory:  true,
		OmitGlobalPtrDirectory:     true,
		OmitTLSDirectory:           true,
		OmitLoadConfigDirectory:    true,
		OmitBoundImportDirectory:   true,
		OmitIATDirectory:           true,
		OmitDelayImportDirectory:   true,
		OmitCLRHeaderDirectory:     true,
		OmitCLRMetadata:            true,
		MaxCOFFSymbolsCount:        1,
		MaxRelocEntriesCount:       1,
		Logger:                     discardLogger{},
	})
}

// readOptionalHeader fills in l's fields from the optional header of f
// (SizeOfOptionalHeader ohSize) and checks that the CheckSum field and the
// data directories it declares lie inside it.
func (l *layout) readOptionalHeader(f *pe.File, ohSize int64) error {
	lf := l.lfanew
	oh := lf + 24
	l.checksumOff = oh + 64
	var dirs, nrva int64
	switch h := f.NtHeader.OptionalHeader.(type) {
	case pe.ImageOptionalHeader64:
		l.pe32plus = true
		l.storedChecksum = h.CheckSum
		l.sizeOfHeaders, l.sectionAlign, l.fileAlign = h.SizeOfHeaders, h.SectionAlignment, h.FileAlignment
		l.sizeOfImage, l.subsystem = h.SizeOfImage, uint16(h.Subsystem)
		dirs, nrva = oh+112, int64(h.NumberOfRvaAndSizes)
		l.certOff, l.certLen = int64(h.DataDirectory[pe.ImageDirectoryEntryCertificate].VirtualAddress), int64(h.DataDirectory[pe.ImageDirectoryEntryCertificate].Size)
	case pe.ImageOptionalHeader32:
		l.storedChecksum = h.CheckSum
		l.sizeOfHeaders, l.sectionAlign, l.fileAlign = h.SizeOfHeaders, h.SectionAlignment, h.FileAlignment
		l.sizeOfImage, l.subsystem = h.SizeOfImage, uint16(h.Subsystem)
		dirs, nrva = oh+96, int64(h.NumberOfRvaAndSizes)
		l.certOff, l.certLen = int64(h.DataDirectory[pe.ImageDirectoryEntryCertificate].VirtualAddress), int64(h.DataDirectory[pe.ImageDirectoryEntryCertificate].Size)
	default:
		return &FormatError{Offset: oh, Reason: "no optional header"}
	}
	if ohSize < 68 {
		return &FormatError{Offset: lf + 20, Reason: fmt.Sprintf("SizeOfOptionalHeader %d leaves no CheckSum field", ohSize)}
	}
	if dirs-oh > ohSize {
		// NumberOfRvaAndSizes itself lies beyond the optional header.
		nrva = 0
	}
	l.secDirOff = -1
	if nrva >= 5 {
		if dirs+5*8 > oh+ohSize {
			return &FormatError{Offset: lf + 20, Reason: fmt.Sprintf("SizeOfOptionalHeader %d is too small for %d data directories", ohSize, nrva)}
		}
		l.secDirOff = dirs + 4*8
	} else {
		l.certOff, l.certLen = 0, 0
	}
	return nil
}

// readSections appends the nsec section headers of the table at the start
// of tbl. They are read here rather than from saferwall, which drops
// sections after a few anomalies and judges them against the header bytes.
func (l *layout) readSections(tbl []byte, nsec int64) {
	le := binary.LittleEndian
	for i := int64(0); i < nsec; i++ {
		b := tbl[40*i : 40*i+40]
		name := string(b[:8])
		for j := 0; j < len(name); j++ {
			if name[j] == 0 {
				name = name[:j]
				break
			}
		}
		l.sections = append(l.sections, section{name: name, vsize: le.Uint32(b[8:]), size: le.Uint32(b[16:]), off: le.Uint32(b[20:])})
	}
}

// parseHeaders runs saferwall's parser, turning its panics into errors.
func parseHeaders(f *pe.File) (err error) {
	defer func() {
		if e := recover(); e != nil {
			err = fmt.Errorf("parser failure: %v", e)
		}
	}()
	return f.Parse()
}

// readFull reads len(p) bytes at off; a short file is an I/O error here,
// since callers check bounds against the size first.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("authenticode: reading %d bytes at offset 0x%x: %w", len(p), off, err)
}
