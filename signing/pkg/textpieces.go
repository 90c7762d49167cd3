package pkg

import (
	"bytes"
	"encoding/xml"
)

// textPieces counts the pieces an element's own text comes in as libxml2
// builds them: each character data token (text or CDATA section) is one,
// and a comment or processing instruction after text starts a new one.
// Readers disagree on split text: libxar keeps the last text node and
// skips CDATA sections, encoding/xml joins them all.
type textPieces struct {
	pieces int
	text   bool // a piece is not all white space
}

// charData counts a character data token of the element.
func (p *textPieces) charData(t xml.CharData) {
	p.pieces++
	p.text = p.text || len(bytes.TrimSpace(t)) > 0
}

// interrupt counts a comment or processing instruction in the element:
// text after it is a new piece.
func (p *textPieces) interrupt() {
	if p.pieces > 0 {
		p.pieces++
	}
}

// split reports whether the element's text comes in more than one piece
// and is not all white space.
func (p textPieces) split() bool { return p.pieces > 1 && p.text }
