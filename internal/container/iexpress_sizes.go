package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// IExpressFileSizes is the name of the RT_RCDATA resource in which an
// IExpress stub keeps what its cabinet's files take on disk.
//
// What wextract does with it (its GetFileList, before extracting): it
// loads the resource into nine 32-bit little-endian values, and refuses
// to run (an error box, exit code ERROR_RESOURCE_DATA_NOT_FOUND) unless
// the resource holds exactly those 36 bytes and the ninth is not zero.
// Values 0 to 7 are the space the files take on a volume whose clusters
// are 512, 1024, … 65536 bytes: the disk-space check picks the one of the
// target volume's cluster size (doubled on a compressed volume) and adds
// PACKINSTSPACE. The ninth is the files' total size regardless of
// clusters: the progress bar's 100%, against which wextract counts the
// bytes it writes as FDICopy extracts the cabinet.
//
// The resource names no file: wextract extracts every file FDICopy finds
// in the cabinet, so there is no per-file list to match against the
// cabinet's (IExpress's shared resource names include NUMFILES, which is
// not among the resource names wextract.exe holds). What can be checked
// is the total: IExpress writes the sum of the packaged files' sizes, so a
// cabinet whose files add up to another total is not the cabinet IExpress
// packaged with this resource. Values 0 to 7 are not checked: their
// unit is not documented.
const IExpressFileSizes = "FILESIZES"

// iexpressFileSizesLen is the size wextract requires of FILESIZES: nine
// DWORDs (MAX_NUMCLUSTERS cluster sizes, then the total).
const iexpressFileSizesLen = 9 * 4

// IExpressCabinetTrailing is the path, under an IExpress stub's path, of
// the bytes of its CABINET resource past the cabinet's own length.
const IExpressCabinetTrailing = "$IEXPRESS/cabinet-trailing-data"

// checkIExpressSizes reports where the IExpress resources disagree with
// the cabinet cr read from the resource cabinet: a FILESIZES resource
// that wextract refuses or whose total is not the sum of the cabinet's
// file sizes, and bytes of the CABINET resource past the length the
// cabinet's header gives (cbCabinet, at offset 8). wextract hands FDI the
// whole resource as a memory file, and FDI reads no further than
// cbCabinet, so those bytes are extracted by nothing, yet covered by the
// stub's signature: they are handed over as a file to be checked,
// $IEXPRESS/cabinet-trailing-data. A cbCabinet beyond the resource is
// cab.NewReader's error.
func (w *walker) checkIExpressSizes(ra io.ReaderAt, rs []resource, cabinet squirrel.Resource, cr *cab.Reader) {
	var cb [4]byte
	if n, _ := ra.ReadAt(cb[:], cabinet.Offset+8); n == len(cb) {
		if l := int64(binary.LittleEndian.Uint32(cb[:])); l < cabinet.Size {
			off, n := cabinet.Offset+l, cabinet.Size-l
			p := release.JoinPath(w.at, IExpressCabinetTrailing)
			f := signing.NewFinding(RuleIExpressCabinetTrailing, signing.SeverityWarning, fmt.Sprintf("the IExpress CABINET resource holds %d bytes after the %d-byte cabinet its header describes; wextract extracts nothing from them; they were checked as %s", n, l, IExpressCabinetTrailing))
			f.Path = w.at
			f.Offset = &off
			w.v.Finding(f)
			w.entry(p, release.NewSection(ra, off, n), n)
		}
	}
	var total int64
	for _, f := range cr.Files {
		total += f.Size
	}
	var fs *squirrel.Resource
	for i := range rs {
		r := &rs[i].Resource
		if r.Err == nil && r.Type == "" && r.TypeID == squirrel.RTRCData && strings.EqualFold(r.Name, IExpressFileSizes) {
			fs = r
			break
		}
	}
	sizes := func(msg string, off *int64) {
		f := signing.NewFinding(RuleIExpressFileSizes, signing.SeverityWarning, msg)
		f.Path = w.at
		f.Offset = off
		w.v.Finding(f)
	}
	if fs == nil {
		sizes("the IExpress stub has no FILESIZES resource, without which wextract refuses to run: the installer extracts nothing", nil)
		return
	}
	off := fs.Offset
	if fs.Size != iexpressFileSizesLen {
		sizes(fmt.Sprintf("the IExpress FILESIZES resource holds %d bytes; wextract refuses to run unless it holds %d: the installer extracts nothing", fs.Size, iexpressFileSizesLen), &off)
		return
	}
	var b [iexpressFileSizesLen]byte
	if n, _ := ra.ReadAt(b[:], fs.Offset); n < len(b) {
		sizes("the IExpress FILESIZES resource cannot be read", &off)
		return
	}
	want := int64(binary.LittleEndian.Uint32(b[32:]))
	off += 32
	switch {
	case want == 0:
		sizes("the IExpress FILESIZES resource gives the files a total of 0 bytes, with which wextract refuses to run: the installer extracts nothing", &off)
	case want != total&0xFFFFFFFF:
		// A DWORD: IExpress's sum wraps past 4 GiB, as wextract's
		// count does.
		sizes(fmt.Sprintf("the IExpress FILESIZES resource gives the files a total of %d bytes, but the cabinet's %d files hold %d: the cabinet is not the one IExpress packaged with this stub (replaced or edited since), or the resource was edited", want, len(cr.Files), total), &off)
	}
}
