package blocklist

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WDAC / App Control SiPolicy XML (urn:schemas-microsoft-com:sipolicy), the
// form of Microsoft's vulnerable driver blocklist.

type wdacDeny struct {
	id, name, hash string
	line           int
}

type wdacSigner struct {
	id, name               string
	rootType, root         string
	publisher              string
	oemIDs, fileAttribRefs int
	line                   int
}

// wdacPolicy is what wdac reads from a SiPolicy: the Deny file rules, the
// signers, and the IDs that DeniedSigners and SigningScenarios refer to.
type wdacPolicy struct {
	denies     []*wdacDeny
	signers    map[string]*wdacSigner
	signerIDs  []string
	deniedRefs map[string]bool
	fileRefs   map[string]bool
	scenarios  int

	// While reading: the Signer being read, and whether the reader is
	// inside DeniedSigners.
	cur      *wdacSigner
	inDenied bool
}

// wdac reads the deny rules of a SiPolicy: FileRules/Deny Hash values (whole
// image Authenticode hashes; "Hash Page" rules are skipped) and
// DeniedSigners, whose Signer CertRoot (TBS hash of a CA in the chain) with
// an optional CertPublisher (leaf CN) becomes a certificate entry. Signers
// restricted by FileAttribRef (file name and version) or CertOemID cannot be
// expressed by certificate alone and are skipped with a Warning rather than
// widened to their whole CA. Only rules referenced from a SigningScenario
// count; a policy without scenarios contributes all its Deny rules.
func (p *parser) wdac(b []byte) error {
	pol, err := p.readWDAC(b)
	if err != nil {
		return err
	}
	if err := p.addWDACDenies(pol); err != nil {
		return err
	}
	return p.addWDACSigners(pol)
}

// readWDAC decodes the SiPolicy XML b strictly and collects its rules,
// rejecting another root element, unbalanced or too deeply nested
// elements, and Signers without an ID or with a duplicate one.
func (p *parser) readWDAC(b []byte) (*wdacPolicy, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	pol := &wdacPolicy{signers: map[string]*wdacSigner{}, deniedRefs: map[string]bool{}, fileRefs: map[string]bool{}}
	var (
		stack    []string
		rootSeen bool
	)
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, p.errLine(se.Line, "%v", se.Msg)
			}
			return nil, p.errLine(line, "%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) == 0 {
				if name != "SiPolicy" {
					return nil, p.errLine(line, "root element is <%s>, not <SiPolicy>", name)
				}
				rootSeen = true
			}
			if len(stack) > 64 {
				return nil, p.errLine(line, "elements nested too deep")
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, name)
			if err := p.wdacStart(pol, t, parent, line); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, p.errLine(line, "unbalanced </%s>", t.Name.Local)
			}
			stack = stack[:len(stack)-1]
			switch t.Name.Local {
			case "Signer":
				pol.cur = nil
			case "DeniedSigners":
				pol.inDenied = false
			}
		}
	}
	if !rootSeen {
		return nil, p.errLine(1, "no <SiPolicy> element")
	}
	return pol, nil
}

// wdacStart records in pol the rule, signer detail or reference that the
// element t, child of parent and starting on line, holds, if any.
func (p *parser) wdacStart(pol *wdacPolicy, t xml.StartElement, parent string, line int) error {
	name := t.Name.Local
	switch {
	case name == "Deny" && parent == "FileRules":
		pol.denies = append(pol.denies, &wdacDeny{id: wdacAttr(t, "ID"), name: wdacAttr(t, "FriendlyName"), hash: wdacAttr(t, "Hash"), line: line})
	case name == "Signer" && parent == "Signers":
		cur := &wdacSigner{id: wdacAttr(t, "ID"), name: wdacAttr(t, "Name"), line: line}
		pol.cur = cur
		if cur.id == "" {
			return p.errLine(line, "Signer without ID")
		}
		if _, dup := pol.signers[cur.id]; dup {
			return p.errLine(line, "duplicate Signer ID %q", cur.id)
		}
		pol.signers[cur.id] = cur
		pol.signerIDs = append(pol.signerIDs, cur.id)
	case pol.cur != nil && parent == "Signer":
		switch name {
		case "CertRoot":
			pol.cur.rootType, pol.cur.root = wdacAttr(t, "Type"), wdacAttr(t, "Value")
		case "CertPublisher":
			pol.cur.publisher = wdacAttr(t, "Value")
		case "CertOemID":
			pol.cur.oemIDs++
		case "FileAttribRef":
			pol.cur.fileAttribRefs++
		}
	case name == "SigningScenario":
		pol.scenarios++
	case name == "DeniedSigners":
		pol.inDenied = true
	case name == "DeniedSigner" && pol.inDenied:
		pol.deniedRefs[wdacAttr(t, "SignerId")] = true
	case name == "FileRuleRef":
		pol.fileRefs[wdacAttr(t, "RuleID")] = true
	}
	return nil
}

// wdacAttr returns the value of se's attribute name, trimmed, or "".
func wdacAttr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// addWDACDenies adds an Authentihash entry for each active Deny rule of pol
// with a whole-image hash, and warns of the rules skipped or taken as
// active for want of SigningScenarios.
func (p *parser) addWDACDenies(pol *wdacPolicy) error {
	skippedPage, skippedNoHash := 0, 0
	for _, d := range pol.denies {
		if pol.scenarios > 0 && !pol.fileRefs[d.id] {
			continue
		}
		if d.hash == "" {
			skippedNoHash++
			continue
		}
		if strings.Contains(strings.ToLower(d.name), "hash page") {
			skippedPage++
			continue
		}
		if err := p.addAt(Entry{Kind: KindAuthentihash, Value: d.hash, Note: strings.TrimSpace(d.id + " " + d.name)}, d.line, 0); err != nil {
			return err
		}
	}
	if pol.scenarios == 0 && len(pol.denies) > 0 {
		p.warnLine(0, "policy has no SigningScenarios; all %d Deny rules were taken as active", len(pol.denies))
	}
	if skippedPage > 0 || skippedNoHash > 0 {
		p.warnLine(0, "skipped %d page-hash Deny rules and %d Deny rules without a hash (file name or path rules)", skippedPage, skippedNoHash)
	}
	return nil
}

// addWDACSigners adds a certificate entry for each denied signer of pol, in
// document order: its TBS CertRoot, narrowed to a leaf subject by a
// CertPublisher. Signers that a certificate entry cannot express are
// skipped with one warning naming them.
func (p *parser) addWDACSigners(pol *wdacPolicy) error {
	var skipped []string
	for _, id := range orderedByLine(pol.signerIDs, pol.signers) {
		s := pol.signers[id]
		if !pol.deniedRefs[id] {
			continue
		}
		note := strings.TrimSpace(s.id + " " + s.name)
		switch {
		case s.fileAttribRefs > 0 || s.oemIDs > 0:
			skipped = append(skipped, fmt.Sprintf("%s (line %d)", s.id, s.line))
			continue
		case !strings.EqualFold(s.rootType, "TBS"):
			skipped = append(skipped, fmt.Sprintf("%s (line %d, CertRoot type %q)", s.id, s.line, s.rootType))
			continue
		}
		e := Entry{Kind: KindTBS, Value: s.root, Note: note}
		if s.publisher != "" {
			e = Entry{Kind: KindSubject, Value: s.publisher, ChainTBS: s.root, Note: note}
		}
		if err := p.addAt(e, s.line, 0); err != nil {
			return err
		}
	}
	if len(skipped) > 0 {
		p.warnLine(0, "skipped %d denied signer(s) limited to file attributes or OEM IDs, or without a TBS CertRoot, which a certificate entry cannot express: %s", len(skipped), strings.Join(skipped, ", "))
	}
	return nil
}

// orderedByLine returns ids in document order.
func orderedByLine(ids []string, m map[string]*wdacSigner) []string {
	out := append([]string(nil), ids...)
	sort.SliceStable(out, func(i, j int) bool { return m[out[i]].line < m[out[j]].line })
	return out
}
