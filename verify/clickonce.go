package verify

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shipgate/shipgate/internal/xmltext"
	"github.com/shipgate/shipgate/signing"
)

// A ClickOnce deployment is a deployment manifest (.application, or .vsto
// for an Office add-in) and the application manifest it names
// (App.exe.manifest), both XML in the urn:schemas-microsoft-com:asm.v2
// namespace. The deployment manifest's deployment/deploymentProvider
// codebase is where ClickOnce looks for the deployment and its updates;
// each dependency/dependentAssembly codebase (the application manifest,
// then the application's assemblies) and each file name of the
// application manifest is a file ClickOnce downloads relative to the
// manifest (with ".deploy" appended when the deployment maps file
// extensions), and keeps only when its size and its hash (a dsig
// DigestMethod and a base64 DigestValue of the file's bytes) are the
// manifest's. A .manifest file is also Windows' side-by-side manifest,
// which names no codebase, deployment or entry point (though it may give
// its files hashes): it is left alone.

// maxClickOnce bounds the bytes of a ClickOnce manifest read.
const maxClickOnce = 4 << 20

// maxClickOnceRefs bounds the files one manifest may name.
const maxClickOnceRefs = 1 << 16

// maxClickOnceURLs bounds the URLs a finding names.
const maxClickOnceURLs = 5

// clickOnceRef is a file a ClickOnce manifest names: a dependentAssembly
// codebase or a file name, with its size (-1 when none) and hash.
type clickOnceRef struct {
	name   string
	size   int64
	alg    string // the DigestMethod Algorithm
	digest []byte // the DigestValue decoded; nil when absent or not base64
	hashed bool   // the reference has a hash element
}

// clickOnceManifest is what a ClickOnce manifest says.
type clickOnceManifest struct {
	provider string // the deploymentProvider codebase
	refs     []clickOnceRef
	marked   bool // it is ClickOnce's (a deployment, an entry point or a codebase)
	over     bool // more than maxClickOnceRefs references
	parsed   bool // its root element was read to its end
}

// isClickOnceName reports whether report path p may be a ClickOnce
// manifest, and whether it must be one (a deployment manifest's
// extension).
func isClickOnceName(p string) (may, deployment bool) {
	switch windowsExt(p) {
	case ".application", ".vsto":
		return true, true
	case ".manifest":
		return true, false
	}
	return false, false
}

// parseClickOnce reads the ClickOnce manifest b as far as it parses:
// UTF-16 and any declared encoding are read (internal/xmltext).
func parseClickOnce(b []byte) clickOnceManifest {
	var m clickOnceManifest
	d := xmltext.NewDecoder(bytes.NewReader(b))
	var cur *clickOnceRef
	depth, refDepth := 0, -1
	var text *strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return m
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch name := t.Name.Local; {
			case name == "deployment" || name == "entryPoint":
				m.marked = true
			case name == "deploymentProvider":
				m.marked = true
				m.provider = clickOnceAttr(t, "codebase")
			case (name == "dependentAssembly" || name == "file") && cur == nil:
				r := clickOnceRef{name: clickOnceAttr(t, "codebase"), size: -1}
				if name == "file" {
					r.name = clickOnceAttr(t, "name")
				} else if r.name != "" {
					m.marked = true
				}
				if s, err := strconv.ParseInt(strings.TrimSpace(clickOnceAttr(t, "size")), 10, 64); err == nil && s >= 0 {
					r.size = s
				}
				cur, refDepth = &r, depth
			case name == "hash" && cur != nil:
				// Not a mark of ClickOnce's: side-by-side manifests
				// (Microsoft.VC90.CRT.manifest) give their files asm.v2
				// hashes too.
				cur.hashed = true
			case name == "DigestMethod" && cur != nil:
				cur.alg = clickOnceAttr(t, "Algorithm")
			case name == "DigestValue" && cur != nil:
				text = &strings.Builder{}
			}
		case xml.CharData:
			if text != nil && text.Len() < 1024 {
				text.Write(t)
			}
		case xml.EndElement:
			if text != nil && t.Name.Local == "DigestValue" {
				cur.digest, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text.String()), ""))
				text = nil
			}
			if cur != nil && depth == refDepth {
				if cur.name != "" {
					if len(m.refs) == maxClickOnceRefs {
						m.over = true
					} else {
						m.refs = append(m.refs, *cur)
					}
				}
				cur, refDepth = nil, -1
			}
			depth--
			if depth == 0 {
				m.parsed = true
				return m
			}
		}
	}
}

// clickOnceAttr returns the value of the attribute of se named local, in any
// namespace.
func clickOnceAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// clickOnceURL reports whether a codebase names a location of its own
// rather than a path relative to its manifest: a URL (http:, https:,
// file:), a UNC path, or a drive-rooted or rooted path.
func clickOnceURL(s string) bool {
	s = strings.ReplaceAll(strings.TrimSpace(s), `\`, "/")
	if strings.HasPrefix(s, "/") {
		return true
	}
	i := strings.IndexByte(s, ':')
	return i >= 0 && (strings.IndexByte(s, '/') < 0 || i < strings.IndexByte(s, '/'))
}

// checkClickOnce reports a ClickOnce manifest whose deployment provider or
// files lie elsewhere than beside it (rule clickonce/download): ClickOnce
// installs and updates from there, and what it fetches was not checked.
// A deployment manifest shipgate does not read (XML it cannot parse, or
// past its first bytes read) is the same error. The files it names
// relative to it are compared with the release's once every file is
// checked (checkClickOnceRefs).
func (c *check) checkClickOnce(ra io.ReaderAt, size int64) {
	may, deployment := isClickOnceName(c.f.Path)
	if !may || c.f.Kind != KindOther {
		return
	}
	b := make([]byte, min(size, maxClickOnce))
	n, _ := ra.ReadAt(b, 0)
	m := parseClickOnce(b[:n])
	if !m.marked && !(deployment || bytes.Contains(bytes.ToLower(b[:n]), []byte("codebase"))) {
		return // a side-by-side manifest
	}
	if !m.parsed || m.over {
		c.add(RuleClickOnceDownload, signing.SeverityError, fmt.Sprintf("ClickOnce manifest that shipgate did not read to its end (XML it does not parse, more than %d bytes or more than %d files): ClickOnce installs the application it names, which was not compared with the release's files", maxClickOnce, maxClickOnceRefs))
		return
	}
	var urls []string
	if m.provider != "" {
		urls = append(urls, m.provider)
	}
	var local []clickOnceRef
	for _, r := range m.refs {
		if clickOnceURL(r.name) {
			urls = append(urls, r.name)
		} else {
			local = append(local, r)
		}
	}
	if len(urls) > 0 {
		list := strings.Join(urls[:min(len(urls), maxClickOnceURLs)], ", ")
		if len(urls) > maxClickOnceURLs {
			list += fmt.Sprintf(" and %d more", len(urls)-maxClickOnceURLs)
		}
		c.add(RuleClickOnceDownload, signing.SeverityError, fmt.Sprintf("ClickOnce manifest names %d locations of its own (%s): ClickOnce installs or updates the application from there, which is not this release: it was not checked; gate what they serve", len(urls), list))
	}
	if len(local) > 0 {
		c.e.noteClickOnce(clickOnceNote{path: c.f.Path, refs: local})
	}
}
