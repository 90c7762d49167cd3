package container

import (
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/signing"
)

// IExpressCabinet is the name of the RT_RCDATA resource in which an
// IExpress self-extractor (Windows' iexpress.exe, wextract.exe as its
// stub) keeps the cabinet it extracts and installs from.
const IExpressCabinet = "CABINET"

// iexpressCommands are the RT_RCDATA resources of an IExpress stub that
// name what runs once the cabinet is extracted.
var iexpressCommands = []string{"RUNPROGRAM", "POSTRUNPROGRAM"}

// maxCommandLen bounds the bytes of a command line read from a resource.
const maxCommandLen = 1024

// isIExpressCabinet reports whether r is the RT_RCDATA resource named
// "CABINET" (names match without case, as FindResource does).
func isIExpressCabinet(r squirrel.Resource) bool {
	return r.Type == "" && r.TypeID == squirrel.RTRCData && strings.EqualFold(r.Name, IExpressCabinet)
}

// openCabinets opens the IExpress cabinet among the PE's resources rs:
// its files under the PE's path (Setup.exe/app.dll), as wextract extracts
// them into one folder; a second CABINET (another language) under
// <PE>/$RSRC/10/CABINET/<language>. A CABINET resource whose data lies
// outside the file, or that is no readable cabinet, is a malformed
// finding, as its files were not checked. The first cabinet is checked
// against the FILESIZES resource and its own resource's length (see
// [walker.checkIExpressSizes]). The files of UPDFILE resources are
// opened too ([walker.openUpdFiles]). The install commands (RUNPROGRAM,
// POSTRUNPROGRAM) are notes.
func (w *walker) openCabinets(ra io.ReaderAt, rs []resource) {
	first := true
	var firstCab *cab.Reader // the cabinet wextract extracts
	for _, r := range rs {
		if !isIExpressCabinet(r.Resource) {
			continue
		}
		at := w.at
		if !first {
			at = release.JoinPath(w.at, fmt.Sprintf("$RSRC/%d/%s/%d", squirrel.RTRCData, PathElem(r.Name), r.Lang))
		}
		first = false
		if r.Err != nil {
			f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, fmt.Sprintf("the IExpress cabinet (RT_RCDATA resource %q) cannot be read, so its files were not checked: %v", r.Name, r.Err))
			f.Path = at
			off := r.Err.Offset
			f.Offset = &off
			w.v.Finding(f)
			continue
		}
		cr, err := cab.NewReader(io.NewSectionReader(ra, r.Offset, r.Size), r.Size)
		if err != nil {
			if w.ctx.Err() == nil {
				f := signing.NewFinding(release.RuleMalformed, signing.SeverityError, fmt.Sprintf("the IExpress cabinet (RT_RCDATA resource %q at offset 0x%x) cannot be read, so its files were not checked: %v", r.Name, r.Offset, err))
				f.Path = at
				off := r.Offset
				f.Offset = &off
				w.v.Finding(f)
			}
			continue
		}
		if at == w.at {
			w.checkIExpressSizes(ra, rs, r.Resource, cr)
			firstCab = cr
		}
		w.walkCab(cr, at, nil, nil)
	}
	if first {
		return
	}
	w.openUpdFiles(ra, rs, firstCab)
	for _, r := range rs {
		if r.Err != nil || r.Type != "" || r.TypeID != squirrel.RTRCData {
			continue
		}
		for _, name := range iexpressCommands {
			if !strings.EqualFold(r.Name, name) {
				continue
			}
			b := make([]byte, min(r.Size, maxCommandLen))
			n, _ := ra.ReadAt(b, r.Offset)
			cmd, _, _ := strings.Cut(string(b[:n]), "\x00")
			// IExpress writes "<None>" for a command not set.
			if cmd = strings.TrimSpace(cmd); cmd == "" || strings.EqualFold(cmd, "<None>") {
				continue
			}
			w.add(RuleIExpressCommand, signing.SeverityNote, w.at, fmt.Sprintf("the IExpress installer runs %s %q", name, cmd))
		}
	}
}
