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
	// Choices are the choice elements, in document order, each with the
	// ids of the pkg-ref elements inside it: what Installer installs
	// when the choice is selected.
	Choices []Choice
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

// Choice is a choice element of a Distribution.
type Choice struct {
	// ID is the id attribute.
	ID string
	// PkgRefs are the ids of the pkg-ref elements inside it, in document
	// order; a choice without one (productbuild's "default") only groups
	// others in the choices outline.
	PkgRefs []string
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
	p := &distParser{out: &Distribution{}, hrefs: map[string]string{}}
	for {
		at := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, distErr(at, "not XML: %v", err)
		}
		if err := p.token(tok, at); err != nil {
			return nil, err
		}
	}
	if len(p.stack) > 0 || p.out.Root == "" {
		return nil, distErr(int64(len(b)), "the document ends inside an element or has no root element")
	}
	return p.out, nil
}

// distParser is ParseDistribution's state.
type distParser struct {
	out      *Distribution
	stack    []*distElement
	elements int
	options  int
	hrefs    map[string]string // pkg-ref ids to the package they name
	closed   bool              // the root element has ended
}

// distElement is an open element of a Distribution.
type distElement struct {
	name string
	id   string
	textPieces
	buf  strings.Builder
	keep bool // its text is kept (pkg-ref, script)
	// choice is a choice element's index in Distribution.Choices.
	choice int
}

// token reads the token tok, at byte at.
func (p *distParser) token(tok xml.Token, at int64) error {
	switch t := tok.(type) {
	case xml.Directive:
		return distErr(at, "a document type or other declaration (<!%s…>), whose defaults and entities XML readers apply differently", firstWord(t))
	case xml.StartElement:
		return p.start(t, at)
	case xml.EndElement:
		return p.end(t, at)
	case xml.CharData:
		if len(p.stack) == 0 {
			if len(bytes.TrimSpace(t)) > 0 {
				return distErr(at, "text outside the root element")
			}
			return nil
		}
		o := p.stack[len(p.stack)-1]
		o.charData(t)
		if o.keep {
			o.buf.Write(t)
		}
	case xml.Comment, xml.ProcInst:
		if len(p.stack) == 0 {
			return nil
		}
		o := p.stack[len(p.stack)-1]
		o.interrupt()
		if o.keep {
			// Text on both sides joins in one reading and not in the
			// other: keep a line break between, so that neither
			// reading hides a call from the scan.
			o.buf.WriteByte('\n')
		}
	}
	return nil
}

// start reads a start tag.
func (p *distParser) start(t xml.StartElement, at int64) error {
	if len(p.stack) == 0 {
		if p.closed || p.out.Root != "" {
			return distErr(at, "more than one root element")
		}
		if t.Name.Local != "installer-gui-script" && t.Name.Local != "installer-script" {
			return distErr(at, "root element <%s> is not <installer-gui-script>", qname(t.Name))
		}
		p.out.Root = t.Name.Local
	}
	if p.elements++; p.elements > maxDistElements {
		return distErr(at, "more than %d elements", maxDistElements)
	}
	if len(p.stack) >= maxDistDepth {
		return distErr(at, "elements nest more than %d deep", maxDistDepth)
	}
	if t.Name.Space != "" {
		return distErr(at, "element <%s> has a namespace prefix", qname(t.Name))
	}
	attrs := map[string]string{}
	for _, a := range t.Attr {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			return distErr(at, "element <%s> has the namespace attribute %s", t.Name.Local, qname(a.Name))
		}
		if _, dup := attrs[a.Name.Local]; dup {
			return distErr(at, "element <%s> repeats the attribute %s, which readers resolve differently", t.Name.Local, a.Name.Local)
		}
		attrs[a.Name.Local] = a.Value
	}
	o := &distElement{name: t.Name.Local, id: attrs["id"]}
	var parent *distElement
	if len(p.stack) > 0 {
		parent = p.stack[len(p.stack)-1]
	}
	switch o.name {
	case "options":
		if p.options++; p.options > 1 {
			return distErr(at, "more than one <options> element: which one Installer reads is not known")
		}
		p.out.AllowExternalScripts = isTrue(attrs["allow-external-scripts"])
	case "choice":
		o.choice = len(p.out.Choices)
		p.out.Choices = append(p.out.Choices, Choice{ID: o.id})
	case "pkg-ref", "script":
		o.keep = true
		if o.name == "pkg-ref" && parent != nil && parent.name == "choice" {
			p.out.ChoiceRefs = append(p.out.ChoiceRefs, o.id)
			c := &p.out.Choices[parent.choice]
			c.PkgRefs = append(c.PkgRefs, o.id)
		}
	}
	for _, a := range t.Attr {
		switch {
		case a.Name.Local == "script":
			p.out.Scripts = append(p.out.Scripts, DistScript{Where: fmt.Sprintf("<%s script>", o.name), Code: a.Value})
		case (o.name == "choice" || o.name == "pkg-ref") && jsAttributes[a.Name.Local]:
			p.out.Expressions = append(p.out.Expressions, DistScript{Where: fmt.Sprintf("<%s id=%q %s>", o.name, o.id, a.Name.Local), Code: a.Value})
		}
	}
	p.stack = append(p.stack, o)
	return nil
}

// end reads an end tag.
func (p *distParser) end(t xml.EndElement, at int64) error {
	if len(p.stack) == 0 {
		return distErr(at, "unbalanced </%s>", qname(t.Name))
	}
	o := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if len(p.stack) == 0 {
		p.closed = true
	}
	switch o.name {
	case "pkg-ref":
		if o.split() {
			return distErr(at, "the text of <pkg-ref id=%q> is split by a comment, processing instruction or CDATA section, which XML readers join differently", o.id)
		}
		href := strings.TrimSpace(o.buf.String())
		if href == "" {
			break
		}
		if prev, ok := p.hrefs[o.id]; ok && prev != href {
			return distErr(at, "two <pkg-ref id=%q> elements name different packages (%q, %q): which one Installer installs is not known", o.id, prev, href)
		} else if !ok {
			p.hrefs[o.id] = href
			p.out.PkgRefs = append(p.out.PkgRefs, PkgRef{ID: o.id, Href: href})
		}
	case "script":
		p.out.Scripts = append(p.out.Scripts, DistScript{Where: "<script>", Code: o.buf.String()})
	}
	return nil
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
