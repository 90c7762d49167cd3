package verify

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/cfb"
	"github.com/shipgate/shipgate/internal/msi"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/signing"
)

// hasWindowsContainerMagic reports a cabinet or compound file header: a
// streamed entry that starts so is held for random access, to be verified
// and opened as MSI and CAB files are.
func hasWindowsContainerMagic(hdr []byte) bool {
	return bytes.HasPrefix(hdr, []byte("MSCF\x00\x00\x00\x00")) || bytes.HasPrefix(hdr, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1})
}

// openWindows checks the files a cabinet or MSI file carries, after its
// own signature was verified: a cabinet's files under its path, an MSI's
// embedded cabinets' files under setup.msi/<cabinet>/<installed path>, and
// its binary-column streams (custom actions, icons) under
// setup.msi/<table>/<key>. They are checked one after the other as they are
// read, as a tarball's entries are, within the same nesting and expansion
// limits as zip archives.
func (c *check) openWindows(ra io.ReaderAt, size int64) {
	if c.j.depth >= maxDepth {
		c.add(ruleUnreadable, signing.SeverityError, fmt.Sprintf("archive nested %d levels deep; its entries were not checked", c.j.depth))
		return
	}
	x := c.j.expand
	if x == nil {
		x = newExpansion(size)
	}
	cra := ctxReaderAt{c.e.ctx, ra}
	switch c.f.Kind {
	case KindCAB:
		cr, err := cab.NewReader(cra, size)
		if err != nil {
			if c.e.ctx.Err() == nil {
				c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("cabinet cannot be read, so its files were not checked: %v", err))
			}
			return
		}
		c.walkCab(cr, c.f.Path, x, nil)
	case KindMSI:
		c.openMSI(cra, size, x)
	}
}

// entry checks one file an opened cabinet or MSI holds, now.
func (c *check) entry(p string, src release.Source, size int64, x *expansion) {
	j := &job{path: p, size: size, src: src, depth: c.j.depth + 1, expand: x, held: c.j.held}
	if c.memHeld {
		j.held += c.f.Size
	}
	c.e.process(j)
}

// walkCab checks the files of cabinet cr, found at report path at; paths,
// when not nil, maps a file's name in the cabinet to its report path under
// at (an MSI's File table keys to installed paths).
func (c *check) walkCab(cr *cab.Reader, at string, x *expansion, paths map[string]string) {
	where := func(name string) string {
		if q, ok := paths[name]; ok {
			return joinPath(at, q)
		}
		return joinPath(at, name)
	}
	for _, p := range cr.Problems() {
		w := at
		if n, ok := cab.CleanName(p.Name); ok && p.Kind != cab.ProblemInsecurePath {
			w = where(n)
		}
		var f signing.Finding
		switch p.Kind {
		case cab.ProblemInsecurePath:
			f = finding(ruleInsecurePath, signing.SeverityError, w, p.Message)
		case cab.ProblemDuplicate:
			f = finding(ruleDuplicateEntry, signing.SeverityError, w, p.Message)
		case cab.ProblemNotOpened:
			f = finding(RuleCABNotOpened, signing.SeverityWarning, w, p.Message)
		default:
			f = finding(ruleMalformed, signing.SeverityError, w, p.Message)
		}
		off := p.Offset
		f.Offset = &off
		c.finds = append(c.finds, f)
	}
	if n := cr.Expansion(); !x.take(n) {
		c.finds = append(c.finds, finding(ruleUnreadable, signing.SeverityError, at, fmt.Sprintf("cabinet's files decompress to %d bytes, more than the archives nested here may expand to (%d times the outermost archive's size, at least %d bytes; a bomb?); its files were not checked", n, expansionRatio, int64(minExpansion))))
		return
	}
	seen := map[string]string{} // report path -> the file's name in the cabinet
	err := cr.Walk(func(f *cab.File, r io.Reader) error {
		p := joinPath(at, f.Name)
		if paths != nil {
			if q, ok := paths[f.Name]; !ok {
				c.finds = append(c.finds, finding(RuleMSIUnreferencedData, signing.SeverityWarning, p, fmt.Sprintf("cabinet file %q is not in the MSI's File table, so Windows Installer does not install it; it was checked under its name in the cabinet", f.Name)))
			} else if prev, dup := seen[joinPath(at, q)]; dup && prev != f.Name {
				c.finds = append(c.finds, finding(ruleDuplicateEntry, signing.SeverityError, joinPath(at, q), fmt.Sprintf("the MSI installs files %q and %q to one path; the second is reported under its key", prev, f.Name)))
			} else {
				p = joinPath(at, q)
			}
			seen[p] = f.Name
		}
		c.entry(p, release.NewStream(r), f.Size, x)
		return c.e.ctx.Err()
	})
	if err != nil && c.e.ctx.Err() == nil {
		c.finds = append(c.finds, finding(ruleMalformed, signing.SeverityError, at, fmt.Sprintf("cabinet data cannot be read; the files from there on were not checked: %v", err)))
	}
}

// openMSI checks what the Windows Installer database in ra carries.
func (c *check) openMSI(ra io.ReaderAt, size int64, x *expansion) {
	cf, err := cfb.Open(ra, size)
	if err != nil {
		if c.e.ctx.Err() == nil {
			c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("compound file cannot be read, so the files it carries were not checked: %v", err))
		}
		return
	}
	db, err := msi.Open(cf)
	switch {
	case c.e.ctx.Err() != nil:
		return
	case errors.Is(err, msi.ErrNotMSI):
		c.add(ruleUncheckedArchive, signing.SeverityWarning, "compound file has no string pool, so it is no Windows Installer database shipgate can read; the streams inside were not checked")
		return
	case err != nil:
		c.add(ruleMalformed, signing.SeverityError, fmt.Sprintf("MSI tables cannot be read, so the files the installer carries were not checked: %v", err))
		return
	}
	used := map[*msi.Stream]bool{}
	paths, bad := db.FilePaths()
	for _, k := range bad {
		c.finds = append(c.finds, finding(ruleInsecurePath, signing.SeverityError, c.f.Path, fmt.Sprintf("the File table's file %q has a name, or a folder in the Directory table, that is not a plain file or folder name (or its folders loop); it is reported under its key", k)))
	}
	cabs := map[*msi.Stream]bool{}
	for _, cb := range db.Cabinets() {
		at := joinPath(c.f.Path, pathElem(cb.Name))
		switch {
		case !cb.Embedded:
			c.finds = append(c.finds, finding(ruleUncheckedArchive, signing.SeverityNote, c.f.Path, fmt.Sprintf("the Media table's disk %d is the external cabinet %q, installed from beside the database: it is checked where it is in the release, when it is shipped", cb.DiskID, cb.Name)))
			continue
		case cb.Stream == nil:
			c.finds = append(c.finds, finding(RuleMSIMissingStream, signing.SeverityError, at, fmt.Sprintf("the Media table's disk %d names the embedded cabinet %q, which the database does not hold: the installer cannot install its files", cb.DiskID, cb.Name)))
			continue
		case cabs[cb.Stream]:
			continue // two Media rows, one cabinet
		}
		cabs[cb.Stream] = true
		used[cb.Stream] = true
		cr, err := cab.NewReader(ctxReaderAt{c.e.ctx, db.ReaderAt(cb.Stream)}, cb.Stream.Entry.Size)
		if err != nil {
			if c.e.ctx.Err() == nil {
				c.finds = append(c.finds, finding(ruleMalformed, signing.SeverityError, at, fmt.Sprintf("embedded cabinet cannot be read, so its files were not checked: %v", err)))
			}
			continue
		}
		c.walkCab(cr, at, x, paths)
	}
	// A stream that is both a cabinet and a row's payload (a crafted
	// database) is checked as both.
	for _, p := range db.Payloads() {
		rp := joinPath(c.f.Path, pathElem(p.Table)+"/"+pathElem(p.Key))
		if p.Stream == nil {
			c.finds = append(c.finds, finding(RuleMSIMissingStream, signing.SeverityError, rp, fmt.Sprintf("the %s table's row %q refers to a stream the database does not hold", p.Table, p.Key)))
			continue
		}
		used[p.Stream] = true
		n := p.Stream.Entry.Size
		c.entry(rp, release.NewSection(db.ReaderAt(p.Stream), 0, n), n, x)
	}
	for _, s := range db.Streams {
		if used[s] || msi.SystemStream(s.Name) || (s.Table && (db.Schema[s.Name] != nil || msiCatalog[s.Name])) {
			continue
		}
		what := "stream"
		if s.Table {
			what = "table stream of a table the schema does not describe"
		}
		rp := joinPath(c.f.Path, "_Streams/"+pathElem(s.Name))
		c.finds = append(c.finds, finding(RuleMSIUnreferencedData, signing.SeverityWarning, rp, fmt.Sprintf("the MSI holds a %s %q that no table refers to: Windows Installer does not install it, but a custom action can read it; it was checked as a file", what, s.Name)))
		n := s.Entry.Size
		c.entry(rp, release.NewSection(db.ReaderAt(s), 0, n), n, x)
	}
	for _, sc := range db.InlineScripts() {
		c.finds = append(c.finds, finding(ruleUncheckedArchive, signing.SeverityNote, c.f.Path, fmt.Sprintf("custom action %q runs a %s of %d characters kept in the CustomAction table; it is covered by the MSI's signature alone and was not checked", sc.Action, sc.Language, len(sc.Text))))
	}
	for _, st := range db.Storages {
		c.finds = append(c.finds, finding(ruleUncheckedArchive, signing.SeverityWarning, c.f.Path, fmt.Sprintf("the MSI holds the storage %q (an embedded database or transform), which shipgate does not open; the files inside were not checked", st)))
	}
}

// msiCatalog are the tables of the database's own catalog, which _Columns
// does not describe.
var msiCatalog = map[string]bool{"_StringPool": true, "_StringData": true, "_Columns": true, "_Tables": true}

// pathElem makes a name from an MSI table one element of a report path:
// "%", "/", "\\", control characters and invalid UTF-8 bytes are escaped
// as %XX, and "", "." and ".." written %00, %2E and %2E%2E, so that
// distinct names stay distinct and none leaves its folder.
func pathElem(s string) string {
	switch s {
	case "":
		return "%00"
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '%' || r == '/' || r == '\\' || r < 0x20 || r == 0x7f || (r == utf8.RuneError && n == 1) {
			fmt.Fprintf(&b, "%%%02X", s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}
