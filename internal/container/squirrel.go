package container

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/squirrel"
	"github.com/shipgate/shipgate/internal/zipend"
	"github.com/shipgate/shipgate/signing"
)

// Zip is a zip archive a container holds whose entries are the caller's
// zip reader's to open (see [Visitor].Zip).
type Zip struct {
	// Path is the report path its entries go under: the PE's own path
	// for Squirrel's package, as Setup extracts it
	// (Setup.exe/lib/net45/App.exe), else
	// <PE>/$RSRC/<type>/<name>/<language>.
	Path string
	// Offset and Size locate the archive in the container's file.
	Offset, Size int64
}

// Span returns the range of the container's file the archive takes.
func (z Zip) Span() Span { return Span{z.Offset, z.Size} }

// openResources hands over the zip archives the PE keeps as resources
// (see [resource]): Squirrel's package ("DATA", 131: Update.exe
// and the app's .nupkg, or the .nupkg itself) under the PE's path; any
// other (and a second package, in another language) under
// <PE>/$RSRC/<type>/<name>/<language>; an IExpress cabinet's files
// (see [walker.openCabinets]); and, as files under
// <PE>/$RSRC/<type>/<name>/<language> for the caller to open, the MSI
// databases and other cabinets it keeps as resources of any type (see
// [resourcePayload]). A PE without resources, or a file that is
// no PE, holds none.
func (w *walker) openResources(ra io.ReaderAt, size int64) {
	rs, err := w.v.Resources.get(ra, size)
	if w.ctx.Err() != nil {
		return
	}
	var fe *squirrel.FormatError
	broken := errors.As(err, &fe)
	good, own := 0, false // resources read; fe is a CABINET's, reported as such
	for _, r := range rs {
		if r.Err == nil {
			good++
		}
		own = own || broken && r.Err == fe && isIExpressCabinet(r.Resource)
	}
	if broken && good > 0 && !own {
		// A directory that cannot be read at all is the PE verifier's
		// business; one broken in part may hide a package past the break.
		f := signing.NewFinding(release.RuleMalformed, signing.SeverityWarning, fmt.Sprintf("the PE's resource directory is malformed in part, so resources past the break were not searched for packages to open: %v", err))
		f.Path = w.at
		off := fe.Offset
		f.Offset = &off
		w.v.Finding(f)
	}
	w.openCabinets(ra, rs)
	pkg := false // a package was handed over under the PE's path
	for _, r := range rs {
		rsrc := release.JoinPath(w.at, fmt.Sprintf("$RSRC/%s/%s/%d", PathElem(resName(r.Type, r.TypeID)), PathElem(resName(r.Name, r.NameID)), r.Lang))
		if r.payload {
			w.entry(rsrc, release.NewSection(ra, r.Offset+r.skip, r.Size-r.skip), r.Size-r.skip)
			continue
		}
		if !r.zip {
			continue
		}
		at := w.at
		if !r.IsPackage() || pkg {
			at = rsrc
		}
		pkg = pkg || r.IsPackage()
		w.v.Zip(Zip{Path: at, Offset: r.Offset, Size: r.Size})
	}
}

// resource is a PE's resource, zip when it is a zip archive to open (one
// of any type that starts with a local header, or a "DATA" or RT_RCDATA
// resource that ends with one), payload when it is an installer
// container (see [resourcePayload]).
type resource struct {
	squirrel.Resource
	zip, payload bool
	// skip is the payload's offset in the resource: the bytes of a
	// wrapper's header before it (see [resourceInner]).
	skip int64
}

// resourcePayload reports whether res, a resource of the PE file at r
// whose first bytes are sig, is an installer container its stub writes out and runs or extracts: a
// Windows Installer database (an MSI wrapper hands it to msiexec) or a
// cabinet other than IExpress's CABINET (opened on its own). The walker
// hands it over whole, as a file for its caller to open.
func resourcePayload(r io.ReaderAt, res squirrel.Resource, sig []byte) bool {
	// sig, the resource's first bytes, tells before the header Detect
	// reads.
	if res.Err != nil || res.Size < 36 || isIExpressCabinet(res) || !bytes.HasPrefix(sig, []byte("MSCF")) && !bytes.HasPrefix(sig, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}) {
		return false
	}
	hdr := make([]byte, min(res.Size, HeadLen))
	if n, _ := r.ReadAt(hdr, res.Offset); n < len(hdr) {
		return false
	}
	switch Detect(io.NewSectionReader(r, res.Offset, res.Size), "", hdr, res.Size) {
	case MSI, CAB:
		return true
	}
	return false
}

// resourceZips returns the resources of the PE file of size bytes at r,
// marking those that are zip archives to open, with the resource reader's
// error.
func resourceZips(r io.ReaderAt, size int64) ([]resource, error) {
	rs, err := squirrel.Resources(r, size)
	out := make([]resource, 0, len(rs))
	// The end record is searched for once per range: entries sharing
	// one data range do not read it again.
	ends := map[Span]bool{}
	budget := int64(maxInnerScanTotal) // see resourceInner
	for _, res := range rs {
		// Every resource's first bytes tell whether it is an archive:
		// most are icons, dialogs and strings.
		var sig [8]byte
		n := 0
		if res.Err == nil && res.Size >= 22 {
			n, _ = r.ReadAt(sig[:], res.Offset)
		}
		pkgType := strings.EqualFold(res.Type, squirrel.PackageType) || res.Type == "" && res.TypeID == squirrel.RTRCData
		// A zip of any type whose data starts with a local header; of
		// Squirrel's types, one ending a resource too.
		z := n >= 4 && (string(sig[:4]) == "PK\x03\x04" || pkgType && string(sig[:4]) == "PK\x05\x06")
		if sp := (Span{res.Offset, res.Size}); pkgType && !z && n > 0 {
			e, seen := ends[sp]
			if !seen {
				e = endsWithZip(r, res)
				ends[sp] = e
			}
			z = e
		}
		x := resource{Resource: res, zip: z, payload: !z && resourcePayload(r, res, sig[:n])}
		if !z && !x.payload && n > 0 {
			x.skip = resourceInner(r, res, &budget)
			x.payload = x.skip > 0
		}
		out = append(out, x)
	}
	return out, err
}

// endsWithZip reports whether the resource res holds a zip archive with
// entries that a reader finding the end record from the data's end finds,
// whatever bytes come before the archive: Squirrel.Windows' Setup opens its
// package with a minizip-derived reader that counts the archive's offsets
// from the bytes before it, so a package resource that does not start with
// a local header is still extracted and run.
func endsWithZip(r io.ReaderAt, res squirrel.Resource) bool {
	z, ok, err := zipend.Find(io.NewSectionReader(r, res.Offset, res.Size), res.Size, []int64{res.Size}, nil)
	return err == nil && ok && z.Valid
}

// resName names a resource type or name: its string, or its ID.
func resName(s string, id uint32) string {
	if s != "" {
		return s
	}
	return fmt.Sprint(id)
}
