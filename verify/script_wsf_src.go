package verify

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shipgate/shipgate/signing"
)

// A Windows Script File's <script> element may name its code in a src
// attribute instead of holding it: the Windows Script Host reads that file
// when the job runs, and the .wsf's signature covers the attribute's text,
// not the file's bytes. A signed .wsf whose library is swapped still
// verifies; shipgate reports each such element (script/external-source), an
// error when the .wsf is signed (its signature vouches for code it does
// not cover), a warning when it is not. The named file, when the release
// holds it, is checked where it lies, as a file of its own kind.

// maxWSFScan caps the bytes of a .wsf searched for src attributes (as
// VerifyScript caps the scripts it reads).
const maxWSFScan = 64 << 20

// maxSrcLen caps the bytes of a src attribute a finding quotes.
const maxSrcLen = 512

// wsfExternalSources returns a script/external-source finding for each
// <script> element with a src attribute in the .wsf of size bytes at r,
// in the file's order (from the bytes its verifier read when r is a
// keptReaderAt that kept them); sigs are its signatures.
func wsfExternalSources(r io.ReaderAt, size int64, sigs []signing.Signature) []signing.Finding {
	if size <= 0 || size > maxWSFScan {
		return nil
	}
	kr, ok := r.(*keptReaderAt)
	if !ok {
		kr = &keptReaderAt{r: r, size: size}
	}
	b, ok := kr.whole()
	if !ok {
		return nil
	}
	text, unit := wsfText(b)
	sev, what := signing.SeverityWarning, "the file carries no signature either"
	for _, s := range sigs {
		if s.Status != signing.StatusUnsigned {
			sev, what = signing.SeverityError, "the signature covers the attribute's text, not the file's bytes, which can change without breaking it"
			break
		}
	}
	var out []signing.Finding
	lower := asciiLower(text)
	for i := 0; ; {
		k := strings.Index(lower[i:], "<script")
		if k < 0 {
			break
		}
		start := i + k
		i = start + len("<script")
		if i < len(lower) && !isXMLSpace(lower[i]) && lower[i] != '>' && lower[i] != '/' {
			continue // <scriptlet>, <scripts>…
		}
		end := strings.IndexByte(lower[i:], '>')
		if end < 0 {
			end = len(lower) - i
		}
		tag := text[i : i+end]
		i += end // a tag is read once: "<script" inside it starts no other
		src, ok := xmlAttr(tag, "src")
		if !ok {
			continue
		}
		if len(src) > maxSrcLen {
			src = src[:maxSrcLen] + "…"
		}
		f := signing.NewFinding(RuleScriptExternalSource, sev, fmt.Sprintf("a <script> element runs the file %q, which the Windows Script Host loads when the job runs; %s", src, what))
		off := unit.offset(start)
		f.Offset = &off
		out = append(out, f)
	}
	return out
}

// wsfEncoding maps an index in a .wsf's decoded text back to the file.
type wsfEncoding struct {
	wide   bool  // UTF-16LE, after a 2-byte mark
	starts []int // for wide text, each rune's byte offset
}

func (e wsfEncoding) offset(i int) int64 {
	if e.wide && i < len(e.starts) {
		return int64(e.starts[i])
	}
	return int64(i)
}

// wsfText returns a .wsf's text: UTF-16LE after its byte order mark, else
// its bytes as they are (every encoding the Windows Script Host reads
// writes "<script" and "src" in ASCII).
func wsfText(b []byte) (string, wsfEncoding) {
	if !bytes.HasPrefix(b, []byte{0xff, 0xfe}) {
		return string(b), wsfEncoding{}
	}
	units := make([]uint16, 0, len(b)/2)
	for i := 2; i+1 < len(b); i += 2 {
		units = append(units, binary.LittleEndian.Uint16(b[i:]))
	}
	var sb strings.Builder
	enc := wsfEncoding{wide: true}
	for i := 0; i < len(units); i++ {
		r, n := rune(units[i]), 1
		if utf16.IsSurrogate(r) && i+1 < len(units) {
			if d := utf16.DecodeRune(r, rune(units[i+1])); d != utf8.RuneError {
				r, n = d, 2
			}
		}
		k := sb.Len()
		sb.WriteRune(r)
		for range sb.Len() - k {
			enc.starts = append(enc.starts, 2+2*i)
		}
		i += n - 1
	}
	return sb.String(), enc
}

// asciiLower folds s's ASCII letters to lower case, leaving every other
// byte, so that indexes into it are indexes into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// isXMLSpace reports an XML white space byte.
func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// xmlAttr returns the value of attribute name (case folded, as the Windows
// Script Host reads a .wsf's attributes) in the text of a start tag after
// its element name: quoted with ' or ", or bare up to white space.
func xmlAttr(tag, name string) (string, bool) {
	lower := asciiLower(tag)
	for i := 0; i < len(lower); {
		k := strings.Index(lower[i:], name)
		if k < 0 {
			return "", false
		}
		at := i + k
		i = at + len(name)
		if at > 0 && !isXMLSpace(lower[at-1]) {
			continue // language="…src…", xsrc=
		}
		j := i
		for j < len(lower) && isXMLSpace(lower[j]) {
			j++
		}
		if j >= len(lower) || lower[j] != '=' {
			continue
		}
		j++
		for j < len(lower) && isXMLSpace(lower[j]) {
			j++
		}
		if j >= len(tag) {
			return "", true
		}
		if q := tag[j]; q == '"' || q == '\'' {
			v, _, _ := strings.Cut(tag[j+1:], string(q))
			return v, true
		}
		v := tag[j:]
		if e := strings.IndexFunc(v, func(r rune) bool { return r < 0x80 && isXMLSpace(byte(r)) || r == '/' }); e >= 0 {
			v = v[:e]
		}
		return v, true
	}
	return "", false
}
