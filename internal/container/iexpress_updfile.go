package container

import (
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/foldname"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// IExpressUpdFile is the format of the names of the RT_RCDATA resources
// in which Microsoft's updfile.exe adds files to a built IExpress stub,
// outside its cabinet: UPDFILE0, UPDFILE1, …
//
// Each holds a DWORD size, a reserved DWORD (0xFFFFFFFF), the file's name
// NUL-terminated (ANSI) and its bytes. wextract (its TravelUpdatedFiles)
// looks them up in order from UPDFILE0 and stops at the first missing;
// for each it adds the size to the space it needs, and after the
// cabinet's files are extracted it writes size bytes from after the name
// to the extraction folder joined with the name, replacing a cabinet file
// of that name. It checks neither the size against the resource's nor
// the name.
const IExpressUpdFile = "UPDFILE%d"

// maxUpdFiles bounds the UPDFILE resources looked up: a PE's resources
// are far fewer.
const maxUpdFiles = 1 << 16

// openUpdFiles hands over the files of the UPDFILE resources among rs
// (IExpressUpdFile) under the stub's path, each with an
// iexpress/updated-file finding: a warning that wextract writes it
// outside the cabinet (and the FILESIZES total), an error when it
// replaces a cabinet file of cr (whose checked bytes are then not what is
// installed), when its declared size is not what the resource holds
// (wextract writes what lies past the resource; bytes the size leaves out
// are handed over as <name>.$trailing), or when it follows a gap in the
// numbering (wextract never writes it: it is handed over as a resource).
// A name that is not a plain file name is file/insecure-path, not checked
// under it: wextract joins it to its folder as it is.
func (w *walker) openUpdFiles(ra io.ReaderAt, rs []resource, cr *cab.Reader) {
	byName := map[string]squirrel.Resource{}
	for _, r := range rs {
		if r.Err != nil || r.Type != "" || r.TypeID != squirrel.RTRCData || !strings.HasPrefix(strings.ToUpper(r.Name), "UPDFILE") {
			continue
		}
		if _, ok := byName[strings.ToUpper(r.Name)]; !ok {
			byName[strings.ToUpper(r.Name)] = r.Resource
		}
	}
	if len(byName) == 0 {
		return
	}
	cabNames := map[string]bool{} // the cabinet's files by their NTFS keys
	if cr != nil {
		for _, f := range cr.Files {
			cabNames[foldname.KeysOf(f.Name)[foldname.NTFS]] = true
		}
	}
	for i := 0; i < maxUpdFiles && len(byName) > 0; i++ {
		name := fmt.Sprintf(IExpressUpdFile, i)
		r, ok := byName[name]
		if !ok {
			break
		}
		delete(byName, name)
		w.updFile(ra, r, cabNames)
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		r := byName[name]
		p := release.JoinPath(w.at, fmt.Sprintf("$RSRC/%d/%s/%d", squirrel.RTRCData, PathElem(r.Name), r.Lang))
		w.updFinding(signing.SeverityError, w.at, r.Offset, fmt.Sprintf("the IExpress stub holds resource %s, which wextract never writes (it stops at the first UPDFILE number missing); it was checked as %s", r.Name, p))
		w.entry(p, release.NewSection(ra, r.Offset, r.Size), r.Size)
	}
}

// updFile checks and hands over the file of one UPDFILE resource r that
// wextract writes.
func (w *walker) updFile(ra io.ReaderAt, r squirrel.Resource, cabNames map[string]bool) {
	var head [8 + 260]byte
	n, _ := ra.ReadAt(head[:min(int64(len(head)), r.Size)], r.Offset)
	end := -1
	if n > 8 {
		end = strings.IndexByte(string(head[8:n]), 0)
	}
	if end < 0 {
		w.updFinding(signing.SeverityError, w.at, r.Offset, fmt.Sprintf("the IExpress resource %s (%d bytes) holds no file name of up to %d characters after its 8-byte header; wextract reads past it; it was not checked", r.Name, r.Size, len(head)-8))
		return
	}
	raw := string(head[8 : 8+end])
	declared := int64(binary.LittleEndian.Uint32(head[:4]))
	dataOff := r.Offset + 8 + int64(end) + 1
	held := r.Size - (8 + int64(end) + 1)
	name, ok := cab.CleanName(raw)
	if !ok || strings.Contains(name, "/") {
		w.add(release.RuleInsecurePath, signing.SeverityError, w.at, fmt.Sprintf("the IExpress resource %s names its file %q, which wextract writes outside its extraction folder or not at all; it was not checked", r.Name, raw))
		return
	}
	p := release.JoinPath(w.at, name)
	switch {
	case cabNames[foldname.KeysOf(name)[foldname.NTFS]]:
		w.updFinding(signing.SeverityError, p, r.Offset, fmt.Sprintf("the IExpress resource %s holds a file %q that wextract writes over the cabinet's file of that name once the cabinet is extracted: what is installed is the resource's bytes, checked here, not the cabinet's", r.Name, name))
	default:
		w.updFinding(signing.SeverityWarning, p, r.Offset, fmt.Sprintf("the IExpress resource %s holds a file %q that wextract writes beside the cabinet's files; it is outside the cabinet and the FILESIZES total", r.Name, name))
	}
	switch {
	case declared > held:
		w.updFinding(signing.SeverityError, p, r.Offset, fmt.Sprintf("the IExpress resource %s declares a %d-byte file but holds %d bytes after its name; wextract writes %d bytes from past the resource; the %d held were checked", r.Name, declared, held, declared, held))
		w.entry(p, release.NewSection(ra, dataOff, held), held)
		return
	case declared < held:
		tp := p + ".$trailing"
		w.updFinding(signing.SeverityWarning, p, dataOff+declared, fmt.Sprintf("the IExpress resource %s holds %d bytes after the %d-byte file it declares, which wextract does not write; they were checked as %s", r.Name, held-declared, declared, tp))
		w.entry(tp, release.NewSection(ra, dataOff+declared, held-declared), held-declared)
	}
	w.entry(p, release.NewSection(ra, dataOff, declared), declared)
}

// updFinding reports an iexpress/updated-file finding at path p and
// offset off.
func (w *walker) updFinding(sev signing.Severity, p string, off int64, msg string) {
	f := signing.NewFinding(RuleIExpressUpdatedFile, sev, msg)
	f.Path = p
	f.Offset = &off
	w.v.Finding(f)
}
