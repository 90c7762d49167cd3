// Package xmltext reads XML documents in the encodings Windows' and
// macOS's XML readers take and Go's encoding/xml does not: UTF-16 (told by
// a byte order mark, or by "<" as the first character without one, as
// XML 1.0's appendix F says) and documents whose declaration names an
// encoding other than UTF-8. An installer's or updater's XML that Go's
// reader stops at, while the platform's reads it, must not hide what it
// says from a check.
package xmltext

import (
	"bufio"
	"encoding/xml"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// NewDecoder returns a decoder of the XML document r holds, as UTF-8: a
// UTF-16 document is decoded, a UTF-8 byte order mark dropped, and the
// encoding a declaration names is taken as ASCII-compatible (what the
// checks read, element and attribute names and URLs, is ASCII in every
// encoding Windows writes XML in). It is not strict: see
// [xml.Decoder.Strict].
func NewDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(NewReader(r))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// NewReader returns r's text as UTF-8 (see [NewDecoder]).
func NewReader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	head, _ := br.Peek(3)
	var e unicode.Endianness
	switch {
	case len(head) == 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf:
		_, _ = br.Discard(3)
		return br
	case len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == '<' && head[1] == 0):
		e = unicode.LittleEndian
	case len(head) >= 2 && (head[0] == 0xfe && head[1] == 0xff || head[0] == 0 && head[1] == '<'):
		e = unicode.BigEndian
	default:
		return br
	}
	return transform.NewReader(br, unicode.UTF16(e, unicode.UseBOM).NewDecoder())
}
