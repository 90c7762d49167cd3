package container

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shipgate/shipgate/internal/cab"
	"github.com/shipgate/shipgate/internal/release"
	"github.com/shipgate/shipgate/internal/xmltext"
	"github.com/shipgate/shipgate/signing"
)

// maxBurnManifest bounds the bytes of a Burn bundle's manifest read (a
// stream: the decoder holds one token at a time); a larger manifest is
// reported as not read.
const maxBurnManifest = 256 << 20

// maxBurnDownloads bounds the payloads a burn/download finding names.
const maxBurnDownloads = 5

// burnPayload is a Payload (or Container) element of a Burn manifest, as
// the engine reads it (burn/engine/payload.cpp, container.cpp): Packaging "embedded" (in a
// container), "external" (beside the bundle, else downloaded from
// DownloadUrl when it has one) or "download" (WiX 3: downloaded).
type burnPayload struct {
	Id, FilePath, Packaging, DownloadUrl string
}

// burnDownloads reports the payloads the WiX Burn bundle of size bytes
// at ra downloads while it installs (rule burn/download): its manifest,
// the first file of the bootstrapper application's container (the
// engine takes whatever file comes first), names each with a
// DownloadUrl. A web bundle installs packages that are not in it, which
// no gate of the bundle has seen: an error for one packaged as
// "download", a warning for an "external" one, which the engine takes
// from beside the bundle when it is there (and is checked there, when
// the release ships it).
func (w *walker) burnDownloads(ra io.ReaderAt, size int64) {
	ux, ok := burnUX(ra, size)
	if !ok {
		return
	}
	cr, err := cab.NewReader(io.NewSectionReader(ra, ux.Offset, ux.Size), ux.Size)
	if err != nil || len(cr.Files) == 0 {
		return // the walk reports the cabinet
	}
	first := cr.Files[0]
	at := release.JoinPath(w.at, fmt.Sprintf("$ATTACHED/%d/%s", ux.Offset, first.Name))
	if first.Size > maxBurnManifest {
		w.add(RuleBurnDownload, signing.SeverityError, at, fmt.Sprintf("the Burn bundle's manifest is %d bytes, more than shipgate reads (%d): the payloads the engine downloads while it installs were not looked for", first.Size, int64(maxBurnManifest)))
		return
	}
	if !w.x.Take(first.Size) {
		return
	}
	f, err := cr.Open(first.Name)
	if err != nil {
		return
	}
	defer f.Close()
	var download, external []burnPayload
	for _, p := range burnManifestPayloads(io.LimitReader(f, maxBurnManifest)) {
		switch {
		case p.DownloadUrl == "" || strings.EqualFold(p.Packaging, "embedded"):
		case strings.EqualFold(p.Packaging, "download"):
			download = append(download, p)
		default:
			external = append(external, p)
		}
	}
	if len(download) > 0 {
		w.add(RuleBurnDownload, signing.SeverityError, at, fmt.Sprintf("the Burn bundle's manifest has %d payloads the engine downloads while it installs (%s): they are not in the bundle and were not checked", len(download), burnPayloadList(download)))
	}
	if len(external) > 0 {
		w.add(RuleBurnDownload, signing.SeverityWarning, at, fmt.Sprintf("the Burn bundle's manifest has %d external payloads the engine downloads when they are not beside the bundle (%s): they are checked only where the release ships them", len(external), burnPayloadList(external)))
	}
}

// burnManifestPayloads returns the Payload and Container elements of the
// Burn manifest r holds (any namespace: WiX 3's, WiX 4's), as far as it
// parses; a container is "embedded" when attached, else "external". The
// engine loads the manifest with MSXML, which reads UTF-16 and any
// encoding a declaration names: so does this reader (xmltext), or a
// manifest in UTF-16 hid its downloads (TestAttackBurnManifestEncoding).
// It is read as a stream: whitespace or a comment padding the manifest
// past what was read whole hid them too.
func burnManifestPayloads(r io.Reader) []burnPayload {
	d := xmltext.NewDecoder(r)
	var out []burnPayload
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) && len(out) == 0 {
				return nil
			}
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Payload" && se.Name.Local != "Container" {
			continue
		}
		var p burnPayload
		attached := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				p.Id = a.Value
			case "FilePath":
				p.FilePath = a.Value
			case "Packaging":
				p.Packaging = a.Value
			case "DownloadUrl":
				p.DownloadUrl = a.Value
			case "Attached":
				attached = a.Value == "yes"
			}
		}
		if se.Name.Local == "Container" {
			// A detached container (a cabinet of payloads) is taken
			// from beside the bundle, else downloaded, as an external
			// payload is; an attached one is in the bundle.
			p.Packaging = "external"
			if attached {
				p.Packaging = "embedded"
			}
		}
		out = append(out, p)
	}
}

// burnPayloadList names up to maxBurnDownloads payloads: file path and
// URL.
func burnPayloadList(ps []burnPayload) string {
	var parts []string
	for _, p := range ps[:min(len(ps), maxBurnDownloads)] {
		parts = append(parts, fmt.Sprintf("%s from %s", p.FilePath, p.DownloadUrl))
	}
	if len(ps) > maxBurnDownloads {
		parts = append(parts, fmt.Sprintf("and %d more", len(ps)-maxBurnDownloads))
	}
	return strings.Join(parts, ", ")
}
