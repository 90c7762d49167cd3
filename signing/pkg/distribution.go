package pkg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Limits on a product archive's Distribution file.
const (
	// MaxDistribution caps the decoded size of the Distribution file:
	// productbuild writes a few kilobytes.
	MaxDistribution = 1 << 20
	// maxDistElements caps the elements of one Distribution.
	maxDistElements = 1 << 16
	// maxDistDepth caps how deeply its elements nest.
	maxDistDepth = 64
)

// Distribution is what shipgate reads of a product archive's Distribution
// file (Apple's "Distribution XML Reference"): the component packages its
// pkg-ref elements name, whether its Installer JavaScript may run external
// programs, and the JavaScript itself. Nothing is evaluated.
type Distribution struct {
	// Root is the root element's name: installer-gui-script, or
	// installer-script in older files.
	Root string
	// PkgRefs are the pkg-ref elements that name a package (their text,
	// white space trimmed), in document order. A pkg-ref without text
	// (inside a choice) only refers to one of these by id.
	PkgRefs []PkgRef
	// ChoiceRefs are the ids of the pkg-ref elements inside choices.
	ChoiceRefs []string
	// AllowExternalScripts is the options element's allow-external-scripts
	// attribute: true lets the JavaScript run programs (system.run,
	// system.runOnce).
	AllowExternalScripts bool
	// Scripts are the JavaScript of script elements and of script
	// attributes (installation-check, volume-check, search), in document
	// order.
	Scripts []DistScript
	// Expressions are the JavaScript expressions of choice and pkg-ref
	// attributes (selected, enabled, visible, their start_ forms, active).
	Expressions []DistScript
}

// PkgRef is a pkg-ref element naming a package.
type PkgRef struct {
	// ID is the id attribute.
	ID string
	// Href is the element's text: "#name.pkg" for a component package in
	// the archive (percent-encoded), otherwise a URL or path outside it.
	Href string
}

// DistScript is a piece of Installer JavaScript and where it is.
type DistScript struct {
	// Where names the element and attribute: "<script>",
	// "<installation-check script>", "<choice id=\"x\" selected>".
	Where string
	// Code is the JavaScript.
	Code string
}

// jsAttributes are the attributes of choice and pkg-ref elements whose
// values are JavaScript expressions.
var jsAttributes = map[string]bool{
	"selected": true, "enabled": true, "visible": true,
	"start_selected": true, "start_enabled": true, "start_visible": true,
	"active": true,
}

// ParseDistribution reads a Distribution file. It refuses, with a
// *FormatError whose Offset is the byte in b, what XML readers may read
// differently: more than MaxDistribution bytes, a document type
// declaration (its defaults and entities are applied by libxml2, not by
// encoding/xml), namespace prefixes or declarations, a repeated attribute,
// more than one root element or options element, text of a pkg-ref split
// by a comment, processing instruction or CDATA section (one reader keeps
// the last piece, another joins them), and two pkg-ref elements of one id
// naming different packages.
func ParseDistribution(b []byte) (*Distribution, error) {
	if len(b) > MaxDistribution {
		return nil, distErr(MaxDistribution, "%d bytes is over the %d-byte limit", len(b), MaxDistribution)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	type open struct {
		name string
		id   string
		textPieces
		buf  strings.Builder
		keep bool
	}
	var (
		out      = &Distribution{}
		stack    []*open
		elements int
		options  int
		hrefs    = map[string]string{}
		closed   bool
	)
	for {
		at := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, distErr(at, "not XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, distErr(at, "a document type or other declaration (<!%s…>), whose defaults and entities XML readers apply differently", firstWord(t))
		case xml.StartElement:
			if len(stack) == 0 {
				if closed || out.Root != "" {
					return nil, distErr(at, "more than one root element")
				}
				if t.Name.Local != "installer-gui-script" && t.Name.Local != "installer-script" {
					return nil, distErr(at, "root element <%s> is not <installer-gui-script>", qname(t.Name))
				}
				out.Root = t.Name.Local
			}
			if elements++; elements > maxDistElements {
				return nil, distErr(at, "more than %d elements", maxDistElements)
			}
			if len(stack) >= maxDistDepth {
				return nil, distErr(at, "elements nest more than %d deep", maxDistDepth)
			}
			if t.Name.Space != "" {
				return nil, distErr(at, "element <%s> has a namespace prefix", qname(t.Name))
			}
			attrs := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space != "" || a.Name.Local == "xmlns" {
					return nil, distErr(at, "element <%s> has the namespace attribute %s", t.Name.Local, qname(a.Name))
				}
				if _, dup := attrs[a.Name.Local]; dup {
					return nil, distErr(at, "element <%s> repeats the attribute %s, which readers resolve differently", t.Name.Local, a.Name.Local)
				}
				attrs[a.Name.Local] = a.Value
			}
			o := &open{name: t.Name.Local, id: attrs["id"]}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].name
			}
			switch o.name {
			case "options":
				if options++; options > 1 {
					return nil, distErr(at, "more than one <options> element: which one Installer reads is not known")
				}
				out.AllowExternalScripts = isTrue(attrs["allow-external-scripts"])
			case "pkg-ref", "script":
				o.keep = true
				if o.name == "pkg-ref" && parent == "choice" {
					out.ChoiceRefs = append(out.ChoiceRefs, o.id)
				}
			}
			for _, a := range t.Attr {
				switch {
				case a.Name.Local == "script":
					out.Scripts = append(out.Scripts, DistScript{Where: fmt.Sprintf("<%s script>", o.name), Code: a.Value})
				case (o.name == "choice" || o.name == "pkg-ref") && jsAttributes[a.Name.Local]:
					out.Expressions = append(out.Expressions, DistScript{Where: fmt.Sprintf("<%s id=%q %s>", o.name, o.id, a.Name.Local), Code: a.Value})
				}
			}
			stack = append(stack, o)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, distErr(at, "unbalanced </%s>", qname(t.Name))
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				closed = true
			}
			switch o.name {
			case "pkg-ref":
				if o.split() {
					return nil, distErr(at, "the text of <pkg-ref id=%q> is split by a comment, processing instruction or CDATA section, which XML readers join differently", o.id)
				}
				href := strings.TrimSpace(o.buf.String())
				if href == "" {
					break
				}
				if prev, ok := hrefs[o.id]; ok && prev != href {
					return nil, distErr(at, "two <pkg-ref id=%q> elements name different packages (%q, %q): which one Installer installs is not known", o.id, prev, href)
				} else if !ok {
					hrefs[o.id] = href
					out.PkgRefs = append(out.PkgRefs, PkgRef{ID: o.id, Href: href})
				}
			case "script":
				out.Scripts = append(out.Scripts, DistScript{Where: "<script>", Code: o.buf.String()})
			}
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, distErr(at, "text outside the root element")
				}
				continue
			}
			o := stack[len(stack)-1]
			o.charData(t)
			if o.keep {
				o.buf.Write(t)
			}
		case xml.Comment, xml.ProcInst:
			if len(stack) > 0 {
				stack[len(stack)-1].interrupt()
			}
			if len(stack) > 0 && stack[len(stack)-1].keep {
				// Text on both sides joins in one reading and not in
				// the other: keep a line break between, so that
				// neither reading hides a call from the scan.
				stack[len(stack)-1].buf.WriteByte('\n')
			}
		}
	}
	if len(stack) > 0 || out.Root == "" {
		return nil, distErr(int64(len(b)), "the document ends inside an element or has no root element")
	}
	return out, nil
}

func distErr(off int64, format string, args ...any) error {
	return &FormatError{Offset: off, Reason: "Distribution: " + fmt.Sprintf(format, args...)}
}

// isTrue reads an XML Boolean attribute as Installer's documentation
// writes them ("true"); "yes" and "1" are taken as true too, so that
// any spelling a reader might accept is reported.
func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true
	}
	return false
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func firstWord(b []byte) string {
	w, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if len(w) > 20 {
		w = w[:20]
	}
	return w
}

// runCall matches a call of system.run or system.runOnce, dotted or
// subscripted, with the program when it is a string literal.
var runCall = regexp.MustCompile(`\bsystem\s*(?:\.\s*(run|runOnce)\b|\[\s*['"](run|runOnce)['"]\s*\])\s*\(\s*(?:'([^'\n]*)'|"([^"\n]*)")?`)

// RunCalls returns the programs the Installer JavaScript code runs with
// system.run or system.runOnce: each call's first argument when it is a
// string literal, "(computed)" otherwise. It is a scan, not an
// interpreter: a call reached through another name (var s = system) is
// not seen, which is why allow-external-scripts is reported on its own.
func RunCalls(code string) []string {
	var out []string
	for _, m := range runCall.FindAllStringSubmatch(code, -1) {
		fn := m[1] + m[2]
		prog := m[3] + m[4]
		if prog == "" {
			prog = "(computed)"
		}
		out = append(out, fn+" "+prog)
	}
	return out
}
