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

// wdac reads the deny rules of a SiPolicy: FileRules/Deny Hash values (whole
// image Authenticode hashes; "Hash Page" rules are skipped) and
// DeniedSigners, whose Signer CertRoot (TBS hash of a CA in the chain) with
// an optional CertPublisher (leaf CN) becomes a certificate entry. Signers
// restricted by FileAttribRef (file name and version) or CertOemID cannot be
// expressed by certificate alone and are skipped with a Warning rather than
// widened to their whole CA. Only rules referenced from a SigningScenario
// count; a policy without scenarios contributes all its Deny rules.
func (p *parser) wdac(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var (
		stack      []string
		denies     []*wdacDeny
		signers    = map[string]*wdacSigner{}
		signerIDs  []string
		cur        *wdacSigner
		deniedRefs = map[string]bool{}
		fileRefs   = map[string]bool{}
		scenarios  int
		inDenied   bool
		rootSeen   bool
	)
	attr := func(se xml.StartElement, name string) string {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				return strings.TrimSpace(a.Value)
			}
		}
		return ""
	}
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return p.errLine(se.Line, "%v", se.Msg)
			}
			return p.errLine(line, "%v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if len(stack) == 0 {
				if name != "SiPolicy" {
					return p.errLine(line, "root element is <%s>, not <SiPolicy>", name)
				}
				rootSeen = true
			}
			if len(stack) > 64 {
				return p.errLine(line, "elements nested too deep")
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, name)
			switch {
			case name == "Deny" && parent == "FileRules":
				denies = append(denies, &wdacDeny{id: attr(t, "ID"), name: attr(t, "FriendlyName"), hash: attr(t, "Hash"), line: line})
			case name == "Signer" && parent == "Signers":
				cur = &wdacSigner{id: attr(t, "ID"), name: attr(t, "Name"), line: line}
				if cur.id == "" {
					return p.errLine(line, "Signer without ID")
				}
				if _, dup := signers[cur.id]; dup {
					return p.errLine(line, "duplicate Signer ID %q", cur.id)
				}
				signers[cur.id] = cur
				signerIDs = append(signerIDs, cur.id)
			case cur != nil && parent == "Signer":
				switch name {
				case "CertRoot":
					cur.rootType, cur.root = attr(t, "Type"), attr(t, "Value")
				case "CertPublisher":
					cur.publisher = attr(t, "Value")
				case "CertOemID":
					cur.oemIDs++
				case "FileAttribRef":
					cur.fileAttribRefs++
				}
			case name == "SigningScenario":
				scenarios++
			case name == "DeniedSigners":
				inDenied = true
			case name == "DeniedSigner" && inDenied:
				deniedRefs[attr(t, "SignerId")] = true
			case name == "FileRuleRef":
				fileRefs[attr(t, "RuleID")] = true
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return p.errLine(line, "unbalanced </%s>", t.Name.Local)
			}
			stack = stack[:len(stack)-1]
			switch t.Name.Local {
			case "Signer":
				cur = nil
			case "DeniedSigners":
				inDenied = false
			}
		}
	}
	if !rootSeen {
		return p.errLine(1, "no <SiPolicy> element")
	}
	skippedPage, skippedNoHash := 0, 0
	for _, d := range denies {
		if scenarios > 0 && !fileRefs[d.id] {
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
	if scenarios == 0 && len(denies) > 0 {
		p.warnLine(0, "policy has no SigningScenarios; all %d Deny rules were taken as active", len(denies))
	}
	if skippedPage > 0 || skippedNoHash > 0 {
		p.warnLine(0, "skipped %d page-hash Deny rules and %d Deny rules without a hash (file name or path rules)", skippedPage, skippedNoHash)
	}
	var skipped []string
	for _, id := range orderedByLine(signerIDs, signers) {
		s := signers[id]
		if !deniedRefs[id] {
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
